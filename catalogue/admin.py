"""Django admin for staff who keep the list's annotations current."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models import Count, F, ProtectedError, Q, RestrictedError
from django.db.models.deletion import Collector
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from catalogue import editions, listimport
from catalogue.changes import readable
from catalogue.models import (
    Advice,
    Citation,
    Curriculum,
    Edition,
    Level,
    Paper,
    Section,
    Work,
    part_keys,
)

IN_USE = (
    "Readers have statuses, ticks or notes on {what}, so it cannot be deleted: nothing a "
    "reader wrote is deleted through the catalogue. Retire it instead (tick “retired”): it "
    "leaves the list, dashboards and totals, and readers keep their data."
)


SECTION_IN_USE = (
    "Readers or reading groups depend on this section (a group's target date, or readers' data "
    "on its entries), so it cannot be deleted: nothing readers or groups rely on is deleted "
    "through the catalogue. Move its entries to another section or leave it as it is."
)


def used_by_readers(obj) -> bool:
    """Whether deleting `obj` would touch any row outside the catalogue: one that protects it (a
    reader's status, tick or note, a group's target) or one it would take with it (a plan's
    trimmed part).

    Asks the deletion collector, so it needs no knowledge of the apps that point here.
    """
    collector = Collector(using=router.db_for_write(type(obj)), origin=obj)
    try:
        collector.collect([obj])
    except (ProtectedError, RestrictedError) as error:
        found = getattr(error, "protected_objects", None) or error.restricted_objects
        return any(item._meta.app_label != "catalogue" for item in found)
    if any(_outside(model) and rows for model, rows in collector.data.items()):
        return True
    return any(_outside(rows.model) and rows.exists() for rows in collector.fast_deletes)


def _outside(model) -> bool:
    return model._meta.app_label != "catalogue"


class AdviceForm(forms.ModelForm):
    """A part's key is given once, when the part is added (from its label if left empty), and
    never changes: readers' ticks and the fixture know the part by it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "key" in self.fields:
            self.fields["key"].required = False
            if self.instance.pk:
                self.fields["key"].disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            cleaned["key"] = self.instance.key
            if cleaned.get("DELETE") and used_by_readers(self.instance):
                raise ValidationError(IN_USE.format(what="this part"))
        elif not cleaned.get("key") and cleaned.get("part"):
            taken = set()
            if self.instance.paper_id:
                taken = set(
                    Advice.objects.filter(paper=self.instance.paper_id).values_list(
                        "key", flat=True
                    )
                )
            key = part_keys([cleaned["part"]])[0]
            base, n = key, 2
            while key in taken:
                key, n = f"{base}-{n}", n + 1
            cleaned["key"] = key
            self.instance.key = key
        return cleaned

    def validate_constraints(self) -> None:
        # The inline holds every part of the entry and its formset checks that their positions
        # differ; checking each row against the stored positions would refuse a swap of two.
        try:
            self.instance.validate_constraints(exclude={"position"})
        except ValidationError as error:
            self.add_error(None, error)


class AdviceInline(admin.TabularInline):
    model = Advice
    form = AdviceForm
    extra = 1
    # Sized so the whole table fits a 1280 px window beside the admin's sidebar: the default
    # widgets (a 40-column textarea, 40-character URL and label fields) made it wider.
    formfield_overrides = {
        models.PositiveSmallIntegerField: {"widget": forms.NumberInput(attrs={"class": "vNarrow"})},
        models.PositiveIntegerField: {"widget": forms.NumberInput(attrs={"class": "vNarrow"})},
        models.SlugField: {"widget": forms.TextInput(attrs={"size": 14})},
        models.CharField: {"widget": forms.TextInput(attrs={"size": 24})},
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 28})},
        models.URLField: {"widget": forms.URLInput(attrs={"size": 18})},
    }

    class Media:
        css = {"all": ["css/admin-advice.css"]}

    fields = [
        "position", "key", "level", "part", "detail", "deep_link", "estimated_minutes", "retired"
    ]  # fmt: skip
    ordering = ["position"]


class WorkForm(forms.ModelForm):
    """Authors (and a podcast's guests) one per line, as a curator copies them from the page."""

    authors = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One name per line, in the work's own order. An organisation as one word. "
        'A family name of several words after a comma: "El Showk, Sheer". '
        "A podcast's authors are its hosts.",
    )
    guests = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A podcast's or a video's guests, one per line.",
    )

    class Meta:
        model = Work
        fields = [
            "slug", "kind", "title", "authors", "year", "month", "venue",
            "booktitle", "url", "doi", "arxiv_id", "arxiv_class", "publisher", "volume", "issue",
            "number", "pages", "guests",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["authors"] = "\n".join(self.instance.authors)
            self.initial["guests"] = "\n".join(self.instance.guests)

    def clean_authors(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["authors"].splitlines() if line.strip()]

    def clean_guests(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["guests"].splitlines() if line.strip()]


class CitationInline(admin.TabularInline):
    """The works an entry cites: its main work first, then companions. A work is shared by
    every entry that cites it, so its own fields are edited on its page (the pencil)."""

    model = Citation
    fk_name = "entry"
    extra = 0
    ordering = ["position"]
    fields = ["position", "role", "work"]
    autocomplete_fields = ["work"]


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    """One work, whoever cites it: editing it here changes it in every curriculum."""

    form = WorkForm
    list_display = ["title", "kind", "year", "slug", "cited_by"]
    list_filter = ["kind"]
    search_fields = ["title", "slug", "doi", "arxiv_id", "url"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "authors", ("year", "month")]}),
        ("Where it appeared", {"fields": ["venue", "booktitle", "publisher", "url"]}),
        ("Volume and pages", {"fields": [("volume", "issue", "number", "pages")]}),
        ("Guests", {"fields": ["guests"]}),
        ("Identifiers", {"fields": [("doi", "arxiv_id", "arxiv_class")]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=Count("citations"))

    @admin.display(description="Cited by", ordering="citation_count")
    def cited_by(self, work: Work) -> int:
        return work.citation_count


class ChildInline(admin.TabularInline):
    model = Paper
    fk_name = "parent"
    extra = 0
    fields = ["edit_link", "position", "kind"]
    readonly_fields = ["edit_link", "kind"]
    show_change_link = True
    can_delete = False
    verbose_name = "nested entry"
    verbose_name_plural = "nested entries"

    @admin.display(description="entry")
    def edit_link(self, paper):
        url = reverse("admin:catalogue_paper_change", args=[paper.pk])
        return format_html('<a href="{}">{}</a>', url, paper.name)

    def has_add_permission(self, request, obj=None):
        return False


class TierFilter(admin.SimpleListFilter):
    title = "tier"
    parameter_name = "priority"

    def lookups(self, request, model_admin):
        return [(str(n), f"Priority {n}") for n in range(1, 5)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(section__priority=self.value())
        return queryset


class ProtectReadersData:
    """Deleting a row readers or groups have used is refused with the reason, never a list of
    their rows: the confirmation page and the bulk action name no reader, group, status or note."""

    def in_use_message(self, objs) -> str:
        what = "this entry" if len(objs) == 1 else "some of these entries"
        return IN_USE.format(what=what)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(used_by_readers(obj) for obj in objs):
            protected = [self.in_use_message(objs)]
            deleted = [str(obj) for obj in objs]
            counts = {type(objs[0])._meta.verbose_name_plural: len(objs)}
        return deleted, counts, perms_needed, protected


@admin.register(Curriculum)
class CurriculumAdmin(admin.ModelAdmin):
    """A curated list: its title, author, source and how its sections are ordered. Its sections
    and entries are edited on their own pages; it is published as editions."""

    list_display = ["title", "slug", "author", "ordering", "is_default", "sections_count"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "author"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(sections_count=Count("sections"))

    @admin.display(description="sections", ordering="sections_count")
    def sections_count(self, curriculum):
        return curriculum.sections_count

    def has_delete_permission(self, request, obj=None):
        # Sections and editions hold on to their curriculum (PROTECT); deleting one is never
        # what a curator means: retire its entries instead.
        return False

    change_list_template = "admin/catalogue/curriculum/change_list.html"

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="catalogue_curriculum_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Import a list from its text: the same as manage.py import_list, as an upload. The
        draft it makes is reported here; a file it cannot use changes nothing."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        report, error = None, ""
        form = ImportListForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = listimport.import_bytes(
                    upload.read(),
                    slug=form.cleaned_data["slug"],
                    title=form.cleaned_data["title"],
                    name=upload.name,
                )
            except listimport.ListImportError as failure:
                error = str(failure)
        return TemplateResponse(
            request,
            "admin/catalogue/curriculum/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Import a list from its text",
                "form": form,
                "error": error,
                "report": report,
                "curriculum": (
                    Curriculum.objects.get(slug=report.slug) if report is not None else None
                ),
            },
        )


class ImportListForm(forms.Form):
    file = forms.FileField(
        help_text="The list as its author wrote it: plain text with • bullets, or Markdown (UTF-8)."
    )
    slug = forms.SlugField(max_length=100, help_text="The new curriculum's slug, for its URL.")
    title = forms.CharField(max_length=300)


@admin.register(Section)
class SectionAdmin(ProtectReadersData, admin.ModelAdmin):
    list_display = ["title", "curriculum", "priority", "parent", "position", "paper_count"]
    list_filter = ["curriculum", "priority"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("parent", "curriculum")
            .annotate(paper_count=Count("papers"))
        )

    @admin.display(description="entries", ordering="paper_count")
    def paper_count(self, section):
        return section.paper_count

    def in_use_message(self, objs) -> str:
        return SECTION_IN_USE


@admin.register(Paper)
class PaperAdmin(ProtectReadersData, admin.ModelAdmin):
    list_display = [
        "name",
        "section",
        "priority",
        "kind",
        "advice_counts",
        "parent_link",
        "retired",
    ]
    list_filter = ["section__curriculum", TierFilter, "kind", "section", "important", "retired"]
    list_select_related = ["section", "parent"]
    search_fields = ["title", "short_name", "summary", "authors"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["parent"]
    inlines = [CitationInline, AdviceInline, ChildInline]
    fieldsets = [
        (None, {"fields": ["title", "short_name", "slug", "kind", "url", "authors", "year"]}),
        (
            "Place in the list",
            {"fields": ["section", "parent", "position", "important", "retired"]},
        ),
        ("Text", {"fields": ["summary", "commentary"]}),
        ("Plan", {"fields": ["estimated_minutes"]}),
    ]

    def get_queryset(self, request):
        counts = {
            f"n_{level}": Count("advice", filter=Q(advice__level=level)) for level in Level.values
        }
        return super().get_queryset(request).annotate(**counts)

    @admin.display(description="priority", ordering="section__priority")
    def priority(self, paper):
        return paper.section.priority

    @admin.display(description="advice")
    def advice_counts(self, paper):
        counts = [(getattr(paper, f"n_{level.value}"), level.short) for level in Level]
        return format_html_join(" · ", "{} {}", [(n, label) for n, label in counts if n]) or "—"

    @admin.display(description="nested under", ordering="parent__title")
    def parent_link(self, paper):
        if not paper.parent_id:
            return ""
        url = reverse("admin:catalogue_paper_change", args=[paper.parent_id])
        return format_html('<a href="{}">{}</a>', url, paper.parent.name)

    def save_formset(self, request, form, formset, change):
        # Reordering advice swaps positions, which would briefly break the unique
        # (paper, position) constraint; park the moved rows out of the way first.
        if formset.model is Advice:
            with transaction.atomic():
                moved = [f.instance.pk for f in formset.forms if f.instance.pk and f.has_changed()]
                Advice.objects.filter(pk__in=moved).update(position=F("position") + 10000)
                super().save_formset(request, form, formset, change)
            return
        super().save_formset(request, form, formset, change)


@admin.register(Advice)
class AdviceAdmin(ProtectReadersData, admin.ModelAdmin):
    """Parts are edited in their entry's page; this list is for finding one by key or label."""

    list_display = ["part", "paper", "key", "level", "position", "retired"]
    list_filter = ["level", "retired"]
    list_select_related = ["paper"]
    search_fields = ["part", "key", "paper__title", "paper__short_name"]
    form = AdviceForm
    fields = [
        "paper", "key", "position", "level", "part", "detail", "deep_link", "estimated_minutes",
        "retired",
    ]  # fmt: skip
    autocomplete_fields = ["paper"]


class PublishForm(forms.Form):
    note = forms.CharField(
        max_length=editions.EDITION_NOTE_MAX_LENGTH, widget=forms.Textarea, required=False
    )


class EditionNoteForm(forms.ModelForm):
    class Meta:
        model = Edition
        fields = ["note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 4})}


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    """Editions are published, never re-published: "Publish the next edition" is the one way in,
    and an edition's note is the one thing that can be corrected afterwards (what it holds and
    what changed stay as published)."""

    list_display = ["number", "curriculum", "published_at", "note", "changed_entries"]
    list_filter = ["curriculum"]
    actions = ["publish_next"]
    form = EditionNoteForm
    fields = ["number", "published_at", "note"]
    readonly_fields = ["number", "published_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("content", "curriculum")

    @admin.display(description="entries changed")
    def changed_entries(self, edition):
        content = getattr(edition, "content", None)
        return len(content.changes) if content else "—"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("catalogue.add_edition")

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and request.POST.get("action") == "publish_next":
            # Django only runs an action with something selected; this one needs nothing.
            post = request.POST.copy()
            post.setlist(admin.helpers.ACTION_CHECKBOX_NAME, ["0"])
            post["select_across"] = "1"
            request.POST = post
        return super().changelist_view(request, extra_context)

    @admin.action(
        description="Publish the list as it stands as the next edition", permissions=["publish"]
    )
    def publish_next(self, request, queryset):
        if "note" not in request.POST or "apply" not in request.POST:
            number, pending = editions.pending()
            return TemplateResponse(
                request,
                "admin/catalogue/edition/publish.html",
                {
                    **self.admin_site.each_context(request),
                    "form": PublishForm(),
                    "number": number,
                    "pending": [readable(change) for change in pending],
                    "opts": self.model._meta,
                    "title": "Publish the next edition",
                },
            )
        form = PublishForm(request.POST)
        if not form.is_valid():
            self.message_user(
                request,
                "An edition note is at most 500 characters; nothing was published.",
                messages.ERROR,
            )
            return None
        try:
            edition = editions.publish(note=form.cleaned_data["note"])
        except editions.EditionError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        self.message_user(request, f"Published edition {edition.number}.", messages.SUCCESS)
        return None
