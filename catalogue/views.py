"""Public pages of the reading list: no sign-in needed."""

import csv
import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from catalogue import citations, exports, outline
from catalogue.models import Citation, Curriculum, Edition, Ordering, Paper, Section
from mireads.http import HtmxHttpRequest


def list_context() -> dict:
    """What the list page shows anyone; a reader's page adds their statuses to these papers."""
    papers = list(Paper.objects.of().in_reading_order().with_advice().with_works())
    tiers = outline.build(Section.objects.of(), papers)
    # Every work as COinS, so a reference manager can save the whole list from the page.
    coins = [citations.coins(work) for paper in papers for work in citations.works_of(paper)]
    return {"tiers": tiers, "count": len(papers), "papers": papers, "coins": coins}


def paper_context(slug: str) -> dict:
    """What an entry's page shows anyone; 404 for an unknown slug. The reader's workbench
    (progress) builds on it, so the public page and the signed-in one cannot drift apart."""
    paper = get_object_or_404(Paper.objects.of().for_detail_page(), slug=slug)
    previous, following = Paper.objects.of().neighbours(paper)
    main_work = citations.works_of(paper)[0]
    cited_elsewhere = list(Citation.objects.elsewhere(main_work, paper)) if main_work.pk > 0 else []
    return {
        "cited_elsewhere": cited_elsewhere,
        "paper": paper,
        "main_work": main_work,
        "citation_meta": citations.meta_tags(main_work),
        "levels": paper.advice_by_level(),
        "previous": previous,
        "next": following,
    }


@require_safe
def paper_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """One entry: summary, advice grouped by level, commentary, nested entries, neighbours."""
    return render(request, "catalogue/paper_detail.html", paper_context(slug))


@require_safe
def curricula(request: HtmxHttpRequest) -> HttpResponse:
    """Every published curriculum, the default one first; a draft is seen only in admin."""
    lists = Curriculum.objects.published().with_sizes().default_first()
    return render(request, "catalogue/curricula.html", {"curricula": lists})


@require_safe
def curriculum(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """One published curriculum: who made it, how its sections are ordered, and its entries
    with their advice, in its order."""
    chosen = get_object_or_404(Curriculum.objects.published(), slug=slug)
    papers = list(Paper.objects.of(chosen).in_reading_order().with_advice().with_works())
    tiers = outline.build(Section.objects.of(chosen), papers)
    edition = Edition.objects.of(chosen).newest_first().first()
    return render(
        request,
        "catalogue/curriculum.html",
        {
            "curriculum": chosen,
            "ordering": Ordering(chosen.ordering),
            "tiers": tiers,
            "count": len(papers),
            "edition": edition,
        },
    )


@require_safe
def about(request: HtmxHttpRequest) -> HttpResponse:
    """Credits: whose list this is, where it was published, how progress is counted."""
    return render(request, "catalogue/about.html", {"count": Paper.objects.of().count()})


@require_safe
def export_bib(request: HtmxHttpRequest) -> HttpResponse:
    """BibTeX for reference managers: one entry per item, with its link."""
    response = HttpResponse(
        citations.bibtex(Paper.objects.of().in_reading_order().with_advice().with_works()),
        content_type="application/x-bibtex; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="mireads.bib"'
    return response


@require_safe
def export_csv(request: HtmxHttpRequest) -> HttpResponse:
    """The list as a spreadsheet, in reading order."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mireads.csv"'
    csv.writer(response).writerows(
        exports.csv_rows(
            Paper.objects.of().in_reading_order().select_related("section__parent").with_advice()
        )
    )
    return response


@require_safe
def export_csl(request: HtmxHttpRequest) -> HttpResponse:
    """CSL-JSON, what Zotero and Pandoc read: one item per work."""
    items = citations.csl_json(Paper.objects.of().in_reading_order().with_advice().with_works())
    response = HttpResponse(
        json.dumps(items, indent=2, ensure_ascii=False),
        content_type="application/vnd.citationstyles.csl+json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="mireads-reading-list.csl.json"'
    return response
