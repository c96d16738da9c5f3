"""Public pages of the reading list: no sign-in needed."""

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from catalogue import exports, outline
from catalogue.models import Paper, Section


@require_GET
def paper_list(request: HttpRequest) -> HttpResponse:
    """The whole list in reading order, with each entry's advice summary."""
    papers = list(Paper.objects.in_reading_order().with_advice())
    tiers = outline.build(Section.objects.all(), papers)
    return render(request, "catalogue/paper_list.html", {"tiers": tiers, "count": len(papers)})


@require_GET
def paper_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One entry: summary, advice grouped by level, commentary, nested entries, neighbours."""
    paper = get_object_or_404(
        Paper.objects.select_related("section__parent", "parent").with_advice(), slug=slug
    )
    order = list(Paper.objects.in_reading_order().values("slug", "title", "short_name"))
    index = next(i for i, row in enumerate(order) if row["slug"] == slug)
    neighbours = {
        "previous": order[index - 1] if index > 0 else None,
        "next": order[index + 1] if index + 1 < len(order) else None,
    }
    children = paper.children.order_by("position")
    return render(
        request,
        "catalogue/paper_detail.html",
        {"paper": paper, "children": children, **neighbours, "levels": paper.advice_by_level()},
    )


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "catalogue/about.html", {"count": Paper.objects.count()})


@require_GET
def export_bib(request: HttpRequest) -> HttpResponse:
    """BibTeX for reference managers: one entry per item, with its link."""
    papers = Paper.objects.in_reading_order()
    response = HttpResponse(exports.bibtex(papers), content_type="application/x-bibtex")
    response["Content-Disposition"] = 'attachment; filename="mireads.bib"'
    return response


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    """The list as a spreadsheet, in reading order."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mireads.csv"'
    writer = csv.writer(response)
    for row in exports.csv_rows(Paper.objects.in_reading_order().with_advice()):
        writer.writerow(row)
    return response
