"""The shipped fixture holds the whole list, in the list's order and with its verdicts."""

import pytest

from catalogue.models import Kind, Level, Paper, Section

pytestmark = pytest.mark.django_db

READING_ORDER = [
    # Priority 1: What is Mechanistic Interpretability?
    "circuits-zoom-in",
    "mathematical-framework",
    "mathematical-framework-walkthrough",
    # Priority 2: Understanding Key Concepts in the field
    "induction-heads",
    "interpretable-bases-essay",
    "toy-models-of-superposition",
    "curve-detectors",
    # Priority 3: Expanding Understanding / Language Models
    "ioi",
    "solu",
    "rome",
    "logit-lens",
    "analyzing-transformers-embedding-space",
    "bert-interpretability-illusion",
    # Algorithmic Tasks
    "grokking-analysis",
    # Image Circuits
    "feature-visualization",
    "multimodal-neurons",
    "circuits-thread",
    "early-vision-overview",
    "visualizing-weights",
    "branch-specialization",
    # Priority 4: Bonus
    "easytransformer",
    "chris-olah-writing",
    "understanding-rl-vision",
    "openai-microscope",
    "bert-geometry",
    "alphazero-chess-knowledge",
    "toward-transparent-ai",
    "bertology-primer",
    "building-blocks",
    "chris-olah-80k-podcast",
]


def advice_of(slug: str) -> list[tuple[str, str]]:
    return [(a.level, a.part) for a in Paper.objects.get(slug=slug).advice.order_by("position")]


def test_the_four_tiers_come_in_priority_order(real_catalogue):
    tiers = Section.objects.top_level()

    assert [(s.priority, s.title) for s in tiers] == [
        (1, "What is Mechanistic Interpretability?"),
        (2, "Understanding Key Concepts in the field"),
        (3, "Expanding Understanding"),
        (4, "Bonus"),
    ]


def test_priority_three_has_its_three_subsections_in_order(real_catalogue):
    tier = Section.objects.get(slug="expanding-understanding")

    assert [s.title for s in tier.subsections.all()] == [
        "Language Models",
        "Algorithmic Tasks",
        "Image Circuits",
    ]
    assert not tier.papers.exists(), "priority 3 entries sit in its subsections"


def test_the_whole_list_is_there_in_reading_order(real_catalogue):
    assert [p.slug for p in Paper.objects.in_reading_order()] == READING_ORDER


def test_entries_sit_in_the_tier_the_list_puts_them(real_catalogue):
    def where(slug):
        return Paper.objects.get(slug=slug).section.slug

    assert where("circuits-zoom-in") == "what-is-mech-interp"
    assert where("curve-detectors") == "key-concepts"
    assert where("ioi") == "language-models"
    assert where("grokking-analysis") == "algorithmic-tasks"
    assert where("circuits-thread") == "image-circuits"
    assert where("chris-olah-80k-podcast") == "bonus"


def test_entries_that_are_not_papers_keep_their_kind(real_catalogue):
    kinds = dict(Paper.objects.values_list("slug", "kind"))

    assert kinds["easytransformer"] == Kind.CODEBASE
    assert kinds["openai-microscope"] == Kind.TOOL
    assert kinds["chris-olah-80k-podcast"] == Kind.PODCAST
    assert kinds["chris-olah-writing"] == Kind.BODY_OF_WORK
    assert kinds["mathematical-framework-walkthrough"] == Kind.VIDEO
    assert kinds["circuits-thread"] == Kind.SERIES


def test_nested_entries_hang_under_their_parent(real_catalogue):
    def children(slug):
        return [p.slug for p in Paper.objects.get(slug=slug).children.order_by("position")]

    assert children("logit-lens") == ["analyzing-transformers-embedding-space"]
    assert children("circuits-thread") == [
        "early-vision-overview",
        "visualizing-weights",
        "branch-specialization",
    ]
    assert children("toward-transparent-ai") == ["bertology-primer"]
    assert children("mathematical-framework") == ["mathematical-framework-walkthrough"]
    assert Paper.objects.filter(parent__isnull=False).count() == 6


def test_the_list_names_entries_as_it_does(real_catalogue):
    names = [p.name for p in Paper.objects.in_reading_order()]

    for name in (
        "Circuits: Zoom In",
        "A Mathematical Framework for Transformer Circuits",
        "Induction Heads",
        "A Toy Model of Superposition",
        "Indirect Object Identification",
        "SoLU",
        "ROME",
        "Logit Lens",
        "Feature Vis",
        "The rest of the circuits thread",
        "Everything else Chris Olah has ever written",
        "A Primer in BERTOLOGY",
    ):
        assert name in names


def test_solu_advice_is_in_the_lists_order_and_levels(real_catalogue):
    assert advice_of("solu") == [
        (Level.DEEP, "Section 3 (Background)"),
        (Level.DEEP, "Section 6 (on the neurons found)"),
        (Level.SKIM, "Section 4 (on the exact function and how it works)"),
        # The list's 13-word label is kept in the part's detail; the label is our own words.
        (Level.SKIP, "Section 5 (performance parity)"),
    ]


def test_the_framework_paper_advice_matches_the_list(real_catalogue):
    assert advice_of("mathematical-framework") == [
        (Level.DEEP, "All the ideas in the overview section"),
        (Level.DEEP, "Skip Trigrams & Skip Trigram bugs"),
        (Level.DEEP, "Induction heads"),
        (Level.SKIM_OR_SKIP, "Eigenvalues or tensor products"),
    ]


def test_the_logit_lens_advice_keeps_the_skim_or_skip_heading(real_catalogue):
    assert advice_of("logit-lens") == [
        (Level.DEEP, "Why early unembedding makes sense"),
        (
            Level.SKIM_OR_SKIP,
            "Skim the figures about progress towards the answer through the model",
        ),
        (Level.SKIM_OR_SKIP, "Skip everything else"),
    ]


def test_whole_work_verdicts_are_recorded_as_one_part(real_catalogue):
    assert advice_of("circuits-zoom-in") == [(Level.DEEP, "All of it")]
    assert advice_of("multimodal-neurons") == [(Level.SKIM, "The whole article")]
    assert advice_of("circuits-thread") == [(Level.SKIM, "The whole thread")]
    assert advice_of("building-blocks") == [(Level.SKIM, "The whole article")]


def test_entries_the_list_gives_no_verdict_have_no_advice(real_catalogue):
    for slug in ("ioi", "interpretable-bases-essay", "feature-visualization", "easytransformer"):
        assert advice_of(slug) == []


def test_advice_positions_count_from_one_without_gaps(real_catalogue):
    for paper in Paper.objects.with_advice():
        positions = [a.position for a in paper.advice.all()]
        assert positions == list(range(1, len(positions) + 1)), paper.slug


def test_every_entry_links_out_over_https(real_catalogue):
    for slug, url in Paper.objects.values_list("slug", "url"):
        assert url.startswith("https://"), slug


def test_every_entry_has_our_own_summary(real_catalogue):
    for slug, summary in Paper.objects.values_list("slug", "summary"):
        assert summary.strip(), slug
