"""Reading-group pages: the reader's groups, starting and joining one, and the group page.

Every view starts from request.user's memberships, so a group the reader is not in answers 404,
exactly like a group that does not exist; the facilitator's controls start from a facilitator
membership the same way. The one door in from outside is the invite link.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import trigger_client_event

from catalogue.models import Section
from groups import services
from groups.board import STATUS_MARKS, board
from groups.forms import (
    DeriveTargetsForm,
    GroupForm,
    MemberCapForm,
    NewInviteForm,
    SharingForm,
    TargetsForm,
)
from groups.models import Membership, ReadingGroup, Sharing
from groups.plan_targets import derived_targets
from mireads.http import HtmxHttpRequest
from progress.models import Status

DETAIL = "groups/detail.html"


def _membership(request: HttpRequest, slug: str) -> Membership:
    """The reader's own membership of this group, or 404 as if the group did not exist."""
    try:
        return request.user.group_memberships.in_group(slug)
    except Membership.DoesNotExist:
        raise Http404("No such group.") from None


def _facilitator(request: HttpRequest, slug: str) -> Membership:
    """The reader's membership if they facilitate this group; 404 otherwise."""
    try:
        return request.user.group_memberships.facilitating().in_group(slug)
    except Membership.DoesNotExist:
        raise Http404("No such group.") from None


def _back(group: ReadingGroup, anchor: str = "") -> HttpResponse:
    url = group.get_absolute_url()
    return redirect(f"{url}#{anchor}" if anchor else url)


@never_cache
@require_safe
@login_required
def index(request: HtmxHttpRequest) -> HttpResponse:
    """The reader's groups, and a way to start one."""
    memberships = request.user.group_memberships.by_group_name()
    return render(request, "groups/index.html", {"memberships": memberships})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def create(request: HtmxHttpRequest) -> HttpResponse:
    """Start a group; its creator becomes the facilitator."""
    form = GroupForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "groups/new.html", {"form": form}, status=status)
    group = services.create_group(
        reader=request.user,
        name=form.cleaned_data["name"],
        description=form.cleaned_data["description"],
        curriculum=form.cleaned_data["curriculum"],
    )
    messages.success(request, f"“{group.name}” is ready. Send the invite link to your readers.")
    return _back(group, "invite")


# The invite page carries the token that lets anyone in: no cache may keep a copy of it.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def join(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """GET: what the invite is for and a Join button. POST: join the group."""
    group = ReadingGroup.objects.by_invite(token)
    if group is None:
        return render(request, "groups/join.html", {"dead": True}, status=404)
    if request.user.group_memberships.of_group(group).exists():
        return _back(group)
    if request.method != "POST":
        members = group.memberships.count()
        context = {"group": group, "members": members, "full": group.is_full(members)}
        return render(request, "groups/join.html", {**context, "token": token})
    try:
        services.join(reader=request.user, token=token)
    except services.InviteUnusable:
        return render(request, "groups/join.html", {"dead": True}, status=404)
    except services.GroupFull:
        return render(request, "groups/join.html", {"group": group, "full": True}, status=409)
    messages.success(
        request,
        f"You joined “{group.name}”. For now the group only sees that you are a member; "
        "choose below what else to share.",
    )
    return _back(group, "sharing")


def _detail_context(request: HttpRequest, membership: Membership, **extra) -> dict:
    group = membership.group
    context = {
        "group": group,
        "membership": membership,
        "board": board(group),
        "sharing_form": SharingForm(initial={"sharing": membership.sharing}),
        "legend": [(STATUS_MARKS[s], s.label) for s in Status],
        **extra,
    }
    if membership.is_facilitator:
        context["successor"] = group.successor_to(membership, context["board"].members)
        context.update(_invite_context(request, group))
        tiers = [tier.tier for tier in context["board"].tiers]
        targets = {t.tier.pk: t.target.due_on for t in context["board"].tiers if t.target}
        context.setdefault(
            "targets_form", TargetsForm(tiers=tiers, targets=targets, curriculum=group.curriculum)
        )
        context.setdefault("derive_form", DeriveTargetsForm(initial={"hours_per_week": 3}))
    return context


def _invite_context(request: HttpRequest, group: ReadingGroup, **extra) -> dict:
    invite_url = ""
    if group.invite_works():
        invite_url = request.build_absolute_uri(
            reverse("groups:join", kwargs={"token": group.invite_token})
        )
    return {
        "group": group,
        "invite_url": invite_url,
        "invite_form": NewInviteForm(),
        "cap_form": MemberCapForm(initial={"member_cap": group.member_cap}),
        **extra,
    }


@never_cache
@require_safe
@login_required
def detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The group page: members, the grid of shared progress, shared notes, targets."""
    membership = _membership(request, slug)
    context = _detail_context(request, membership)
    if request.htmx and request.htmx.target == "board":
        return render(request, "groups/detail.html#board", context)
    return render(request, DETAIL, context)


@never_cache
@require_POST
@login_required
def set_sharing(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Choose what this group can see of the reader's progress and notes."""
    membership = _membership(request, slug)
    form = SharingForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            context = {"group": membership.group, "membership": membership, "sharing_form": form}
            return render(request, "groups/detail.html#sharing", context, status=400)
        context = _detail_context(request, membership, sharing_form=form)
        return render(request, DETAIL, context, status=400)
    services.set_sharing(membership=membership, sharing=form.cleaned_data["sharing"])
    said = f"Saved. The group now sees: {Sharing(membership.sharing).label.lower()}."
    if request.htmx:
        context = {
            "group": membership.group,
            "membership": membership,
            "sharing_form": SharingForm(initial={"sharing": membership.sharing}),
            "saved": said,
        }
        response = render(request, "groups/detail.html#sharing", context)
        # The grid and notes change with what this member shares: the board reloads itself.
        return trigger_client_event(response, "group-board-stale")
    messages.success(request, said)
    return _back(membership.group, "sharing")


@require_POST
@login_required
def leave(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Leave the group; whatever the reader shared disappears from it at once."""
    membership = _membership(request, slug)
    services.leave(membership=membership)
    messages.success(request, f"You left “{membership.group.name}”.")
    return redirect("groups:index")


def _invite_response(request: HtmxHttpRequest, group: ReadingGroup, said: str) -> HttpResponse:
    if request.htmx:
        context = _invite_context(request, group, saved=said)
        return render(request, "groups/detail.html#invite", context)
    messages.success(request, said)
    return _back(group, "invite")


def _invite_refused(request: HtmxHttpRequest, membership: Membership, **forms) -> HttpResponse:
    if request.htmx:
        context = _invite_context(request, membership.group, **forms)
        return render(request, "groups/detail.html#invite", context, status=400)
    return render(request, DETAIL, _detail_context(request, membership, **forms), status=400)


@never_cache
@require_POST
@login_required
def rotate_invite(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Replace the invite link; the old one stops working."""
    membership = _facilitator(request, slug)
    form = NewInviteForm(request.POST)
    if not form.is_valid():
        return _invite_refused(request, membership, invite_form=form)
    group = services.rotate_invite(group=membership.group, valid_for=form.cleaned_data["valid_for"])
    return _invite_response(request, group, "New invite link made; the old one no longer works.")


@never_cache
@require_POST
@login_required
def revoke_invite(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Turn the invite link off."""
    membership = _facilitator(request, slug)
    group = services.revoke_invite(group=membership.group)
    return _invite_response(request, group, "The invite link is off; nobody new can join.")


@never_cache
@require_POST
@login_required
def set_member_cap(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Limit how many members the group may have."""
    membership = _facilitator(request, slug)
    form = MemberCapForm(request.POST)
    if not form.is_valid():
        return _invite_refused(request, membership, cap_form=form)
    cap = form.cleaned_data["member_cap"]
    group = services.set_member_cap(group=membership.group, cap=cap)
    said = f"At most {cap} members." if cap else "No limit on members."
    return _invite_response(request, group, said)


@require_POST
@login_required
def remove_member(request: HtmxHttpRequest, slug: str, member_id: int) -> HttpResponse:
    """Take a member out of the group."""
    membership = _facilitator(request, slug)
    try:
        removed = services.remove_member(facilitator=membership, member_id=member_id)
    except Membership.DoesNotExist:
        raise Http404("No such member.") from None
    messages.success(request, f"{removed.reader.get_username()} is no longer in the group.")
    return _back(membership.group, "members")


@require_POST
@login_required
def hand_over(request: HtmxHttpRequest, slug: str, member_id: int) -> HttpResponse:
    """Make another member the facilitator; the reader stays on as a member."""
    membership = _facilitator(request, slug)
    try:
        successor = services.hand_over(facilitator=membership, member_id=member_id)
    except Membership.DoesNotExist:
        raise Http404("No such member.") from None
    messages.success(request, f"{successor.reader.get_username()} now facilitates the group.")
    return _back(membership.group, "members")


@never_cache
@require_POST
@login_required
def set_targets(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Set or clear the target date of each tier."""
    membership = _facilitator(request, slug)
    curriculum = membership.group.curriculum
    tiers = list(Section.objects.of(curriculum).top_level())
    form = TargetsForm(request.POST, tiers=tiers, targets={}, curriculum=curriculum)
    if not form.is_valid():
        context = _detail_context(request, membership, targets_form=form)
        return render(request, DETAIL, context, status=400)
    services.set_targets(group=membership.group, due=form.due())
    messages.success(request, "Target dates saved.")
    return _back(membership.group, "targets")


@never_cache
@require_POST
@login_required
def derive_targets(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Set every tier's target from the group's weekly hours and the plan's estimates."""
    membership = _facilitator(request, slug)
    form = DeriveTargetsForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, membership, derive_form=form)
        return render(request, DETAIL, context, status=400)
    due = derived_targets(
        membership.group.curriculum,
        hours_per_week=float(form.cleaned_data["hours_per_week"]),
        start=form.cleaned_data["start"],
    )
    services.set_targets(group=membership.group, due=due)
    messages.success(request, "Target dates worked out from the weekly hours and saved.")
    return _back(membership.group, "targets")
