"""Who gets what from every URL.

The URLconf is walked and every named route must have a row in MATRIX, so a new route cannot be
added without deciding who may use it. Each row says what four visitors get: an anonymous
visitor, another reader, the reader who owns the data in the URL, and a staff member (who is also
a reader, without data of their own). For a reading group the owner is its facilitator, and the
group has one more member. Django admin is one row family: only its index is checked.
"""

import re
from dataclasses import dataclass

import pytest

from tests.world import SECRET, routes, url_for

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "other", "owner", "staff")

# An outcome is a status code, or the address (a regular expression) a 302 must point to.
LOGIN = r"/accounts/login/\?next=/.*"
ADMIN_LOGIN = r"/admin/login/\?next=/admin/"
HOME = "/"
ENTRY = r"/#entry-[\w-]+"
GROUP = r"/groups/owned/(#[\w-]+)?"
GROUPS = "/groups/"
Outcome = int | str


@dataclass(frozen=True)
class Row:
    """What each visitor gets from one route: by GET, and by POST with an empty form.

    `post=None` means the route takes no POST: a signed-in reader's POST is answered 405.
    """

    get: tuple[Outcome, Outcome, Outcome, Outcome]
    post: tuple[Outcome, Outcome, Outcome, Outcome] | None = None


def everyone(outcome: Outcome) -> tuple[Outcome, Outcome, Outcome, Outcome]:
    return (outcome, outcome, outcome, outcome)


def signed_in(outcome: Outcome) -> tuple[Outcome, Outcome, Outcome, Outcome]:
    """Anonymous visitors are sent to sign in; every signed-in reader gets `outcome`."""
    return (LOGIN, outcome, outcome, outcome)


#                       anonymous, another reader, the owner, staff
MATRIX: dict[str, Row] = {
    "healthz": Row(get=everyone(200)),
    "readyz": Row(get=everyone(200)),
    "home": Row(get=everyone(200)),
    "admin:index": Row(get=(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)),
    # The public reading list, answered by progress so a signed-in reader sees their own state.
    "paper-list": Row(get=everyone(200)),
    "paper-detail": Row(get=everyone(200)),
    "catalogue:about": Row(get=everyone(200)),
    # Published curricula are public; the world's slug names an entry, not a curriculum: 404.
    "curricula": Row(get=everyone(200)),
    "curriculum": Row(get=everyone(404)),
    "catalogue:curriculum-export-bib": Row(get=everyone(404)),
    "catalogue:curriculum-export-csv": Row(get=everyone(404)),
    "catalogue:curriculum-export-csl": Row(get=everyone(404)),
    "catalogue:curriculum-changes": Row(get=everyone(404)),
    "catalogue:curriculum-changes-feed": Row(get=everyone(404)),
    "catalogue:curriculum-entry-changes": Row(get=everyone(404)),
    "catalogue:export-bib": Row(get=everyone(200)),
    "catalogue:export-csv": Row(get=everyone(200)),
    "catalogue:export-csl": Row(get=everyone(200)),
    "catalogue:changes": Row(get=everyone(200)),
    "catalogue:changes-feed": Row(get=everyone(200)),
    "catalogue:entry-changes": Row(get=everyone(200)),
    # A reader's progress: POST only; each reader writes their own rows for the entry.
    "progress:set-status": Row(get=everyone(405), post=signed_in(400)),
    "progress:read-before": Row(get=everyone(405), post=signed_in(400)),
    # Following a list: the world's slug names an entry, not a published curriculum.
    "progress:follow": Row(get=everyone(405), post=signed_in(404)),
    "progress:set-parts": Row(get=everyone(405), post=signed_in(ENTRY)),
    "progress:changes-seen": Row(get=everyone(405), post=signed_in(HOME)),
    "progress:dismiss-hint": Row(get=everyone(405), post=signed_in(HOME)),
    # An entry's checklist, loaded into the dashboard when opened; without htmx, the paper page.
    "progress:checklist": Row(get=signed_in(r"/papers/[\w-]+/#checklist-[\w-]+")),
    # Folding a tier of one's own dashboard (the world's slug names an entry, not a tier: 404).
    "progress:fold": Row(get=everyone(405), post=signed_in(404)),
    # Notes: the editor always shows the signed-in reader's own note; the owner's note, its
    # revisions and restoring one are out of everyone else's reach (404, as for no note at all).
    "progress:note": Row(get=signed_in(200), post=signed_in(400)),
    "progress:note-revisions": Row(get=(LOGIN, 404, 200, 404)),
    "progress:note-revision": Row(get=(LOGIN, 404, 200, 404)),
    "progress:note-restore": Row(get=everyone(405), post=(LOGIN, 404, 400, 404)),
    # Accounts.
    "accounts:signup": Row(get=(200, HOME, HOME, HOME), post=(200, HOME, HOME, HOME)),
    "accounts:login": Row(get=everyone(200), post=everyone(200)),
    "accounts:logout": Row(get=everyone(405), post=everyone(HOME)),
    "accounts:password-change": Row(get=signed_in(200), post=signed_in(200)),
    "accounts:password-change-done": Row(get=signed_in(200)),
    "accounts:password-reset": Row(get=everyone(200), post=everyone(200)),
    "accounts:password-reset-done": Row(get=everyone(200)),
    # An invalid link shows the "link is invalid" page, to anyone.
    "accounts:password-reset-confirm": Row(get=everyone(200), post=everyone(200)),
    "accounts:password-reset-complete": Row(get=everyone(200)),
    # A reader's own data: no URL names a reader, so each reader only ever gets their own.
    "accounts:export": Row(get=signed_in(200)),
    "accounts:export-json": Row(get=signed_in(200)),
    "accounts:export-json-latest": Row(get=signed_in(200)),
    "accounts:export-markdown": Row(get=signed_in(200)),
    "accounts:export-notes-zip": Row(get=signed_in(200)),
    "accounts:import": Row(get=signed_in(200), post=signed_in(400)),
    "accounts:delete": Row(get=signed_in(200), post=signed_in(400)),
    # Reading groups: a group is out of reach (404, as for no group) to anyone not in it; only its
    # facilitator may manage it. The invite link is the one door in, for any signed-in reader.
    "groups:index": Row(get=signed_in(200)),
    "groups:create": Row(get=signed_in(200), post=signed_in(400)),
    "groups:join": Row(get=(LOGIN, 200, GROUP, 200), post=(LOGIN, GROUP, GROUP, GROUP)),
    "groups:detail": Row(get=(LOGIN, 404, 200, 404)),
    "groups:sharing": Row(get=everyone(405), post=(LOGIN, 404, 400, 404)),
    "groups:leave": Row(get=everyone(405), post=(LOGIN, 404, GROUPS, 404)),
    "groups:invite-rotate": Row(get=everyone(405), post=(LOGIN, 404, GROUP, 404)),
    "groups:invite-revoke": Row(get=everyone(405), post=(LOGIN, 404, GROUP, 404)),
    "groups:member-cap": Row(get=everyone(405), post=(LOGIN, 404, GROUP, 404)),
    "groups:remove": Row(get=everyone(405), post=(LOGIN, 404, GROUP, 404)),
    "groups:hand-over": Row(get=everyone(405), post=(LOGIN, 404, GROUP, 404)),
    "groups:targets": Row(get=everyone(405), post=(LOGIN, 404, GROUP, 404)),
    "groups:targets-derive": Row(get=everyone(405), post=(LOGIN, 404, 400, 404)),
    # The reading plan: no URL names a reader, so each reader only reaches their own plan; the
    # world's readers have none, so changing one answers 404. The calendar feed is open to
    # whoever holds its secret address, and the world's token names no plan.
    "plans:plan": Row(get=signed_in(200)),
    "plans:time-left": Row(get=signed_in(200)),
    "plans:budget": Row(get=everyone(405), post=signed_in(400)),
    "plans:adjust": Row(get=everyone(405), post=signed_in(404)),
    "plans:restore": Row(get=everyone(405), post=signed_in(404)),
    "plans:calendar": Row(get=everyone(405), post=signed_in(404)),
    "plans:feed": Row(get=everyone(404)),
}


def outcome_of(response) -> Outcome:
    if response.status_code == 302:
        return response["Location"]
    return response.status_code


def matches(expected: Outcome, got: Outcome) -> bool:
    if isinstance(expected, int):
        return got == expected
    return isinstance(got, str) and re.fullmatch(expected, got) is not None


def unmasked(response) -> str:
    """The body without what changes on every response: CSRF tokens and the CSP nonce."""
    body = re.sub(r'"X-CSRFToken": "[^"]+"', "", response.getvalue().decode())
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return re.sub(r'nonce="[^"]+"', "", body)


def test_every_route_is_named_and_has_a_row_in_the_matrix():
    walked = routes()
    assert None not in walked, "an unnamed route cannot be given a row: name it"
    assert set(walked) == set(MATRIX), (
        f"routes without a row: {sorted(set(walked) - set(MATRIX))}; "
        f"rows without a route: {sorted(set(MATRIX) - set(walked))}"
    )


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_visitor_gets_what_the_matrix_says(world, name):
    row = MATRIX[name]
    url = world.url(name)
    wrong = []
    for method, expected in [("get", row.get), ("post", row.post)]:
        if expected is None:
            continue
        for actor, wanted in zip(ACTORS, expected, strict=True):
            response = getattr(world.client(actor), method)(url, {})
            got = outcome_of(response)
            if not matches(wanted, got):
                wrong.append(f"{method.upper()} {url} as {actor}: expected {wanted}, got {got}")
            if actor != "owner":
                assert SECRET.encode() not in response.getvalue(), f"{url} showed {actor} the note"
    assert not wrong, "\n".join(wrong)


# Admin is one row family: its own views decide about POST.
@pytest.mark.parametrize(
    "name", sorted(n for n, row in MATRIX.items() if row.post is None and n != "admin:index")
)
def test_a_route_that_takes_no_post_answers_a_signed_in_post_with_405(world, name):
    assert world.client("owner").post(world.url(name), {}).status_code == 405


@pytest.mark.parametrize(
    ("name", "method"),
    [
        (name, method)
        for name, row in sorted(MATRIX.items())
        for method, outcomes in [("get", row.get), ("post", row.post)]
        if outcomes is not None and outcomes[ACTORS.index("other")] == 404
    ],
)
def test_another_readers_data_looks_exactly_like_data_that_does_not_exist(world, name, method):
    client = world.client("other")
    theirs = getattr(client, method)(world.url(name), {})
    missing = getattr(client, method)(url_for(name, world.missing), {})
    assert theirs.status_code == missing.status_code == 404
    assert unmasked(theirs) == unmasked(missing)
