"""Public pages of the reading list: no sign-in needed."""

import csv

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from catalogue import exports, outline
from catalogue.models import Paper, Section
from mireads.http import HtmxHttpRequest


@require_safe
def paper_list(request: HtmxHttpRequest) -> HttpResponse:
    """The whole list in reading order, with each entry's advice summary."""
    papers = list(Paper.objects.in_reading_order().with_advice())
    tiers = outline.build(Section.objects.all(), papers)
    return render(request, "catalogue/paper_list.html", {"tiers": tiers, "count": len(papers)})


@require_safe
def paper_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """One entry: summary, advice grouped by level, commentary, nested entries, neighbours."""
    paper = get_object_or_404(Paper.objects.for_detail_page(), slug=slug)
    previous, following = Paper.objects.neighbours(paper)
    return render(
        request,
        "catalogue/paper_detail.html",
        {
            "paper": paper,
            "levels": paper.advice_by_level(),
            "previous": previous,
            "next": following,
        },
    )


@require_safe
def about(request: HtmxHttpRequest) -> HttpResponse:
    """Credits: whose list this is, where it was published, how progress is counted."""
    return render(request, "catalogue/about.html", {"count": Paper.objects.count()})


@require_safe
def export_bib(request: HtmxHttpRequest) -> HttpResponse:
    """BibTeX for reference managers: one entry per item, with its link."""
    response = HttpResponse(
        exports.bibtex(Paper.objects.in_reading_order()),
        content_type="application/x-bibtex; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="mireads.bib"'
    return response


@require_safe
def export_csv(request: HtmxHttpRequest) -> HttpResponse:
    """The list as a spreadsheet, in reading order."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mireads.csv"'
    csv.writer(response).writerows(exports.csv_rows(Paper.objects.in_reading_order().with_advice()))
    return response
