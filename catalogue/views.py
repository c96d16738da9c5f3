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
    paper = get_object_or_404(Paper.objects.published().for_detail_page(), slug=slug)
    previous, following = Paper.objects.of(paper.section.curriculum).neighbours(paper)
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
    return render(request, "catalogue/curricula.html", curricula_context())


def curricula_context() -> dict:
    """What /lists/ shows anyone; the reader's version (progress) marks the ones they follow."""
    return {"curricula": list(Curriculum.objects.published().with_sizes().default_first())}


def curriculum_context(slug: str) -> dict:
    """What a curriculum's page shows anyone; 404 for a draft or an unknown slug. The reader's
    version (progress) adds how much of it their record covers."""
    chosen = published_curriculum(slug)
    papers = list(Paper.objects.of(chosen).in_reading_order().with_advice().with_works())
    return {
        "curriculum": chosen,
        "ordering": Ordering(chosen.ordering),
        "tiers": outline.build(Section.objects.of(chosen), papers),
        "papers": papers,
        "count": len(papers),
        "edition": Edition.objects.of(chosen).newest_first().first(),
    }


@require_safe
def about(request: HtmxHttpRequest) -> HttpResponse:
    """Credits: whose list this is, where it was published, how progress is counted."""
    return render(request, "catalogue/about.html", {"count": Paper.objects.of().count()})


def published_curriculum(slug: str) -> Curriculum:
    """A published curriculum by its slug; 404 for a draft or an unknown slug."""
    return get_object_or_404(Curriculum.objects.published(), slug=slug)


def download(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The downloads of one curriculum (None: the default one, read as a join with no query of its
# own, which is what /papers/export.* serve). Each is named after what it holds.


def bib_download(curriculum: Curriculum | None, filename: str) -> HttpResponse:
    """BibTeX for reference managers: one entry per item, with its link."""
    papers = Paper.objects.of(curriculum).in_reading_order().with_advice().with_works()
    return download(citations.bibtex(papers), "application/x-bibtex; charset=utf-8", filename)


def csv_download(curriculum: Curriculum | None, filename: str) -> HttpResponse:
    """The curriculum as a spreadsheet, in reading order."""
    response = download("", "text/csv; charset=utf-8", filename)
    papers = Paper.objects.of(curriculum).in_reading_order()
    csv.writer(response).writerows(
        exports.csv_rows(papers.select_related("section__parent").with_advice())
    )
    return response


def csl_download(curriculum: Curriculum | None, filename: str) -> HttpResponse:
    """CSL-JSON, what Zotero and Pandoc read: one item per work."""
    papers = Paper.objects.of(curriculum).in_reading_order().with_advice().with_works()
    body = json.dumps(citations.csl_json(papers), indent=2, ensure_ascii=False)
    return download(body, "application/vnd.citationstyles.csl+json; charset=utf-8", filename)


@require_safe
def export_bib(request: HtmxHttpRequest) -> HttpResponse:
    """The default curriculum as BibTeX, under the name it always had."""
    return bib_download(None, "mireads.bib")


@require_safe
def export_csv(request: HtmxHttpRequest) -> HttpResponse:
    """The default curriculum as CSV, under the name it always had."""
    return csv_download(None, "mireads.csv")


@require_safe
def export_csl(request: HtmxHttpRequest) -> HttpResponse:
    """The default curriculum as CSL-JSON, under the name it always had."""
    return csl_download(None, "mireads-reading-list.csl.json")


@require_safe
def curriculum_bib(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """One published curriculum as BibTeX, named after its slug."""
    chosen = published_curriculum(slug)
    return bib_download(chosen, f"{chosen.slug}-reading-list.bib")


@require_safe
def curriculum_csv(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """One published curriculum as CSV, named after its slug."""
    chosen = published_curriculum(slug)
    return csv_download(chosen, f"{chosen.slug}-reading-list.csv")


@require_safe
def curriculum_csl(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """One published curriculum as CSL-JSON, named after its slug."""
    chosen = published_curriculum(slug)
    return csl_download(chosen, f"{chosen.slug}-reading-list.csl.json")
