"""Django admin for staff who keep the list's annotations current."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from catalogue.models import Advice, Level, Paper, Section


class AdviceForm(forms.ModelForm):
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
    fields = ["position", "level", "part", "detail"]
    ordering = ["position"]


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


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "priority", "parent", "position", "paper_count"]
    list_filter = ["priority"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("parent")
            .annotate(paper_count=Count("papers"))
        )

    @admin.display(description="entries", ordering="paper_count")
    def paper_count(self, section):
        return section.paper_count


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ["name", "section", "priority", "kind", "advice_counts", "parent_link"]
    list_filter = [TierFilter, "kind", "section"]
    list_select_related = ["section", "parent"]
    search_fields = ["title", "short_name", "summary", "authors"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["parent"]
    inlines = [AdviceInline, ChildInline]
    fieldsets = [
        (None, {"fields": ["title", "short_name", "slug", "kind", "url", "authors", "year"]}),
        ("Place in the list", {"fields": ["section", "parent", "position"]}),
        ("Text", {"fields": ["summary", "commentary"]}),
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
