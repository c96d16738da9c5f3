"""Bringing in a list from its own text (issue 25, point 6): the seed's text read back gives the
shipped fixture's tiers, subsections, entries and advised parts; Markdown lists read too; every
line lands somewhere, and what the parser cannot decide is listed for a curator.

No database: the parser is pure, and the fixture is compared as the JSON it is."""

import dataclasses
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from catalogue import listtext
from catalogue.listtext import ListTextError, match_known, normalise_title, normalise_url, parse
from catalogue.models import Level

BASE = Path(settings.BASE_DIR)
# The shipped list's source text lives beside the repository (../shared/seed/), or beside the
# folder of worktrees when this checkout is one of them.
SEED = next(
    (
        folder / "shared" / "seed" / "000_60a1f5eab0edf4ef.txt"
        for folder in (BASE.parent, BASE.parent.parent)
        if (folder / "shared" / "seed" / "000_60a1f5eab0edf4ef.txt").is_file()
    ),
    BASE.parent / "shared" / "seed" / "000_60a1f5eab0edf4ef.txt",
)
LISTS = Path(__file__).parent / "lists"
FIXTURE = json.loads((BASE / "fixtures" / "papers.json").read_text(encoding="utf-8"))

seed_only = pytest.mark.skipif(not SEED.is_file(), reason=f"the seed text is not at {SEED}")

# The three Bonus entries the text names inside a sentence rather than by a title: no exact
# title matches them, so the import leaves them unmatched for the curator (never a guess).
NAMED_IN_A_SENTENCE = {
    "easytransformer": "Not a paper: The codebase of EasyTransformer, a transformer mechanistic "
    "interpretability I\u2019m writing",
    "openai-microscope": "Not a paper: Playing around with OpenAI Microscope",
    "chris-olah-80k-podcast": "Not a paper, but I find Chris Olah\u2019s interview on the 80,000 "
    "Hours podcast super inspiring",
}

# Parts the fixture has that the text gives only in a sentence, not under an advice heading:
# (entry, the fixture part's position) -> the words the text uses.
FIXTURE_PARTS_STATED_IN_PROSE = {
    ("circuits-zoom-in", 1): "deeply engaging with all of it",
    ("multimodal-neurons", 1): "worth skimming",
    ("circuits-thread", 1): "Worth skimming",
    ("toward-transparent-ai", 1): "worth skimming",
    ("building-blocks", 1): "Worth skimming",
}

# Parts at the same level and place in both, worded differently (the fixture's curator
# shortened or rephrased the text's label): (entry, position) -> (the text's, the fixture's).
WORDED_DIFFERENTLY = {
    ("induction-heads", 3): (
        "Getting a rough intuition for all the methods used in the Model Analysis Table, as a "
        "good overview of interesting interpretability techniques",
        "Methods in the Model Analysis Table",
    ),
    ("toy-models-of-superposition", 3): (
        "No need to deeply understand the rest, it can mostly be skimmed",
        "No need to deeply understand the rest",
    ),
    ("curve-detectors", 1): (
        "Understanding what they did as a gold standard, and thinking about why what they did "
        "is deep and meaningful evidence",
        "Why this counts as gold-standard evidence",
    ),
    ("solu", 4): (
        "Section 5 (showing that the model works as well as normal activation functions)",
        "Section 5 (performance parity)",
    ),
    ("logit-lens", 1): (
        "The key insight of applying the unembedding early, and grokking why this is a "
        "reasonable thing to do",
        "Why early unembedding makes sense",
    ),
    ("logit-lens", 2): (
        "Skim the figures about progress towards the answer through the model, focus on just "
        "getting a vibe for what this progress looks like",
        "Skim the figures about progress towards the answer through the model",
    ),
    ("bert-interpretability-illusion", 1): (
        "The concrete result that the same neuron can have very different max activating "
        "dataset examples",
        "Same neuron, different top examples",
    ),
    ("bert-interpretability-illusion", 2): (
        "The meta-level result that a naively compelling interpretability technique can be "
        "super misleading on closer inspection",
        "Convincing methods can still mislead",
    ),
}

# The fixture's nested entries: the text names each in a commentary line without a link.
# slug -> (the parent's slug, words of the line that names it).
NESTED_ENTRIES_NAMED_WITHOUT_A_LINK = {
    "mathematical-framework-walkthrough": ("mathematical-framework", "walkthrough of the paper"),
    "analyzing-transformers-embedding-space": (
        "logit-lens",
        "Analyzing Transformers in Embedding Space is a more recent paper",
    ),
    "early-vision-overview": ("circuits-thread", "An Overview of Early Vision Neurons -"),
    "visualizing-weights": ("circuits-thread", "Visualising weights -"),
    "branch-specialization": ("circuits-thread", "Branch Specialisation -"),
    "bertology-primer": ("toward-transparent-ai", "A Primer in BERTOLOGY -"),
}


def records(model: str) -> list[dict]:
    return [r["fields"] for r in FIXTURE if r["model"] == f"catalogue.{model}"]


def fixture_sections() -> list[tuple[str, int, list[str]]]:
    """Tiers by priority and position, each with its subsections by position."""
    sections = records("section")
    tiers = sorted(
        (s for s in sections if s["parent"] is None), key=lambda s: (s["priority"], s["position"])
    )
    return [
        (
            tier["title"],
            tier["priority"],
            [
                s["title"]
                for s in sorted(sections, key=lambda s: s["position"])
                if s["parent"] == [tier["slug"]]
            ],
        )
        for tier in tiers
    ]


def fixture_sections_in_order() -> list[dict]:
    sections = records("section")
    ordered = []
    for title, _, children in fixture_sections():
        ordered.append(next(s for s in sections if s["title"] == title and s["parent"] is None))
        ordered += [next(s for s in sections if s["title"] == child) for child in children]
    return ordered


def fixture_top_level_entries() -> list[tuple[str, str]]:
    """(section title, entry slug) for every top-level entry, in reading order."""
    papers = records("paper")
    return [
        (section["title"], paper["slug"])
        for section in fixture_sections_in_order()
        for paper in sorted(papers, key=lambda p: p["position"])
        if paper["section"] == [section["slug"]]
        and paper["parent"] is None
        and not paper["retired"]
    ]


def fixture_known() -> list[tuple[str, list[str], list[str]]]:
    """Every fixture entry as match_known takes it: its slug, titles and work links."""
    works = {w["slug"]: w for w in records("work")}
    citations = records("citation")
    known = []
    for paper in records("paper"):
        own = [works[c["work"][0]] for c in citations if c["entry"] == [paper["slug"]]]
        titles = [paper["title"], paper["short_name"], *(w["title"] for w in own)]
        urls = [paper["url"], *(w["url"] for w in own)]
        known.append((paper["slug"], titles, urls))
    return known


def fixture_advice(slug: str) -> list[dict]:
    return sorted(
        (a for a in records("advice") if a["paper"] == [slug] and not a["retired"]),
        key=lambda a: a["position"],
    )


def placed_line_numbers(parsed: listtext.ParsedList) -> list[int]:
    """Every line number the parsed list holds anywhere, once per place it is held."""
    numbers: list[int] = []

    def walk(value) -> None:
        if isinstance(value, listtext.Line):
            numbers.append(value.number)
        elif isinstance(value, listtext.Unplaced):
            numbers.append(value.line_number)
        elif isinstance(value, listtext.ToConfirm):
            return  # a line to confirm is also placed elsewhere; it is a note, not a place
        elif dataclasses.is_dataclass(value):
            for field in dataclasses.fields(value):
                if field.name == "line" and getattr(value, "line", None) is not None:
                    numbers.append(value.line)
                else:
                    walk(getattr(value, field.name))
        elif isinstance(value, tuple):
            for item in value:
                walk(item)

    walk(parsed)
    return numbers


def non_blank_line_numbers(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


@pytest.fixture(scope="module")
def seed() -> listtext.ParsedList:
    return listtext.read_file(SEED)


@pytest.fixture(scope="module")
def seed_matches(seed) -> dict[int, str | None]:
    """Entry line -> the fixture slug it matches."""
    return {m.entry.line: m.key for m in match_known(seed, fixture_known())}


def entry_for(parsed: listtext.ParsedList, matches: dict, slug: str) -> listtext.ParsedEntry:
    return next(e for e in parsed.all_entries() if matches[e.line] == slug)


# --- The seed's own text against the shipped fixture ------------------------------------------


@seed_only
def test_the_seed_text_gives_the_fixtures_tiers_and_subsections_in_order(seed):
    read = [
        (tier.title, tier.rank, [child.title for child in tier.children]) for tier in seed.sections
    ]
    assert read == fixture_sections()
    assert [tier.rank for tier in seed.sections] == [1, 2, 3, 4]
    assert all(tier.kind == "tier" for tier in seed.sections)
    assert all(child.kind == "topic" and child.rank is None for child in seed.sections[2].children)


@seed_only
def test_the_seed_text_gives_the_fixtures_top_level_entries_in_the_same_order(seed, seed_matches):
    read = [
        (section.title, seed_matches[entry.line], entry.title)
        for section in seed.all_sections()
        for entry in section.entries
    ]
    expected = fixture_top_level_entries()
    assert [(title, slug) for title, slug, _ in read] == [
        (title, None if slug in NAMED_IN_A_SENTENCE else slug) for title, slug in expected
    ]
    unmatched = {slug: text for (_, slug), (_, _, text) in zip(expected, read, strict=True)}
    assert {slug: unmatched[slug] for slug in NAMED_IN_A_SENTENCE} == NAMED_IN_A_SENTENCE
    assert not any(entry.children for entry in seed.all_entries())  # the text has no links


@seed_only
def test_every_part_the_seed_states_under_an_advice_heading_is_in_the_fixture_with_its_level(
    seed, seed_matches
):
    compared = 0
    for entry in seed.all_entries():
        slug = seed_matches[entry.line]
        from_headings = [
            advice
            for advice in (fixture_advice(slug) if slug else [])
            if (slug, advice["position"]) not in FIXTURE_PARTS_STATED_IN_PROSE
        ]
        assert [p.level for p in entry.parts] == [a["level"] for a in from_headings], slug
        for part, advice in zip(entry.parts, from_headings, strict=True):
            differently = WORDED_DIFFERENTLY.get((slug, advice["position"]))
            if differently:
                assert (part.label, advice["part"]) == differently
            else:
                assert normalise_title(part.label) == normalise_title(advice["part"])
            compared += 1
    assert compared == len(records("advice")) - len(FIXTURE_PARTS_STATED_IN_PROSE) == 29


@seed_only
def test_the_fixtures_parts_that_the_seed_states_only_in_prose_are_listed_to_confirm(
    seed, seed_matches
):
    for (slug, position), words in FIXTURE_PARTS_STATED_IN_PROSE.items():
        entry = entry_for(seed, seed_matches, slug)
        owned = {entry.line} | {line.number for line in entry.commentary}
        listed = [
            c
            for c in seed.to_confirm
            if c.line_number in owned
            and words in c.text
            and "Advice given in a sentence" in c.reason
        ]
        assert listed, (slug, position)
        assert not any(part.label.lower().startswith("the whole") for part in entry.parts)


@seed_only
def test_the_fixtures_nested_entries_are_listed_as_companions_named_without_a_link(
    seed, seed_matches
):
    for slug, (parent, words) in NESTED_ENTRIES_NAMED_WITHOUT_A_LINK.items():
        entry = entry_for(seed, seed_matches, parent)
        commentary = {line.number: line.text for line in entry.commentary}
        listed = [
            c
            for c in seed.to_confirm
            if c.line_number in commentary and words in c.text and "companion work" in c.reason
        ]
        assert len(listed) == 1, slug


@seed_only
def test_every_non_blank_line_of_the_seed_is_placed_exactly_once(seed):
    placed = placed_line_numbers(seed)
    assert sorted(placed) == non_blank_line_numbers(SEED.read_text(encoding="utf-8"))
    assert len(placed) == len(set(placed))


@seed_only
def test_the_comments_at_the_end_of_the_seed_are_listed_with_their_line_numbers(seed):
    text = SEED.read_text(encoding="utf-8").splitlines()
    comments_start = text.index("New Comment") + 1
    after = [u for u in seed.unplaced if u.line_number >= comments_start]
    assert [u.line_number for u in after] == [
        n for n in non_blank_line_numbers("\n".join(text)) if n >= comments_start
    ]
    assert after[0].text == "New Comment"
    assert all("outside any bullet" in u.reason for u in after)


@seed_only
def test_the_seeds_empty_skim_heading_under_grokking_is_listed_not_dropped(seed, seed_matches):
    grokking = entry_for(seed, seed_matches, "grokking-analysis")
    empty = [u for u in seed.unplaced if u.text == "Skim:"]
    assert len(empty) == 1
    assert grokking.line < empty[0].line_number < grokking.commentary[-1].number
    assert "nothing under it" in empty[0].reason
    assert [p.level for p in grokking.parts] == ["deep", "deep"]


@seed_only
def test_the_seeds_intro_is_the_prose_before_the_first_tier(seed):
    assert [line.number for line in seed.intro] == [1, 3, 5]
    assert seed.intro[0].text.startswith("This is an extremely opinionated list")


# --- Markdown ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def topics() -> listtext.ParsedList:
    return listtext.read_file(LISTS / "topics.md")


def test_a_markdown_topic_list_reads_headings_as_topic_sections_and_subsections(topics):
    assert topics.format == "markdown"
    assert topics.title.text == "A v2-style list of mechanistic interpretability papers"
    assert [line.text for line in topics.intro] == [
        "An opinionated list, grouped by topic. Bold marks the papers to read first."
    ]
    assert [(s.title, s.kind, s.rank) for s in topics.sections] == [
        ("Foundational work", "topic", None),
        ("Circuits in language models", "topic", None),
    ]
    assert [s.title for s in topics.sections[1].children] == ["Reading the weights"]
    assert [line.text for line in topics.sections[0].intro] == [
        "A few papers that the rest of the field builds on."
    ]


def test_bold_marks_the_most_important_entries_and_a_leading_link_gives_the_title(topics):
    entries = [(e.title, e.important) for s in topics.all_sections() for e in s.entries]
    assert entries == [
        ("A Mathematical Framework for Transformer Circuits", True),
        ("Toy Models of Superposition", False),
        ("Interpretability in the Wild", True),
        ("Locating and Editing Factual Associations in GPT", False),
        ("Softmax Linear Units", False),
        ("Some paper worth a look", False),
        ("Analyzing Transformers in Embedding Space", False),
        ("Feature Vis (fairly short)", False),
    ]
    framework = topics.sections[0].entries[0]
    assert framework.links == ("https://transformer-circuits.pub/2021/framework/index.html",)
    assert framework.note == "the key conceptual guide to transformers."


def test_a_nested_bullet_that_starts_with_a_link_is_a_nested_entry_with_its_own_commentary(
    topics,
):
    framework = topics.sections[0].entries[0]
    (walkthrough,) = framework.children
    assert walkthrough.title == "A Walkthrough of A Mathematical Framework for Transformer Circuits"
    assert walkthrough.links == ("https://www.youtube.com/watch?v=KV5gbOmHbjU",)
    assert [line.text for line in walkthrough.commentary] == ["Useful if a section confuses you."]
    assert framework.commentary == ()


def test_advised_parts_keep_their_level_label_detail_and_link(topics):
    framework, toy = topics.sections[0].entries
    assert [(p.level, p.label, p.link) for p in framework.parts] == [
        (
            "deep",
            "The overview section",
            "https://transformer-circuits.pub/2021/framework/index.html#transformer-overview",
        ),
        ("deep", "Induction heads", None),
        ("skim_or_skip", "Eigenvalues or tensor products", None),
    ]
    assert [line.text for line in framework.headings] == ["Deeply engage with:", "Skim or skip:"]
    assert [(p.level, p.label) for p in toy.parts] == [("skim", "the geometry sections")]
    ioi = topics.sections[1].entries[0]
    assert [(p.level, p.label) for p in ioi.parts] == [
        ("deep", "Section 3, the circuit"),
        ("skip", "The appendices"),
    ]
    assert [(d.text, d.depth) for d in ioi.parts[0].detail] == [
        ("Look at the figure of the whole circuit.", 1)
    ]


def test_prose_advice_a_link_in_commentary_and_stray_bold_are_listed_to_confirm_not_guessed(
    topics,
):
    confirm = {c.line_number: c.reason for c in topics.to_confirm}
    assert "Advice given in a sentence" in confirm[19]
    assert "link inside commentary" in confirm[30]
    assert "Bold text (“worth a look”)" in confirm[32]
    toy = topics.sections[0].entries[1]
    assert [p.level for p in toy.parts] == [
        "skim"
    ]  # the sentence's "deeply engaging" is not a part
    assert topics.sections[1].entries[1].children == ()  # the demo link is not made an entry


def test_commentary_keeps_its_links_as_written(topics):
    rome = topics.sections[1].entries[1]
    assert [line.text for line in rome.commentary] == [
        "See also [the demo](https://example.org/rome-demo) for the causal traces."
    ]


def test_a_part_with_two_links_keeps_the_first_and_lists_the_line_to_confirm():
    parsed = parse(
        "# Papers\n- [Paper](https://example.org/p)\n  - Skim:\n"
        "    - [Section 2](https://example.org/p#2) and [its appendix](https://example.org/p#a)\n"
    )
    (part,) = next(parsed.all_entries()).parts
    assert (part.level, part.label, part.link) == (
        "skim",
        "Section 2 and its appendix",
        "https://example.org/p#2",
    )
    assert [(c.line_number, c.reason[:30]) for c in parsed.to_confirm] == [
        (4, "A part's line with 2 links: th")
    ]


def test_every_non_blank_line_of_the_markdown_sample_is_placed_exactly_once(topics):
    placed = placed_line_numbers(topics)
    assert sorted(placed) == non_blank_line_numbers((LISTS / "topics.md").read_text())
    assert len(placed) == len(set(placed))
    assert [(u.line_number, u.text) for u in topics.unplaced] == [
        (39, "---"),
        (41, "Thanks for reading!"),
    ]


def test_markdown_priority_headings_are_tiers_and_headings_under_them_subsections():
    parsed = parse(
        "## Priority 1: Start here\n- A\n## Priority 2 - Then\n### Language models\n- B\n"
        "## Extras\n- C\n"
    )
    assert [(s.title, s.rank, s.kind) for s in parsed.sections] == [
        ("Start here", 1, "tier"),
        ("Then", 2, "tier"),
        ("Extras", None, "topic"),
    ]
    assert [(c.title, c.kind) for c in parsed.sections[1].children] == [
        ("Language models", "topic")
    ]
    assert parsed.title is None


def test_a_task_lists_boxes_are_read_as_bullets_and_its_links_as_titles():
    parsed = parse(
        "# Reading list\n\n### Basics\n\n"
        "- [x] [Softmax Linear Units](https://transformer-circuits.pub/2022/solu/index.html)\n"
        "- [ ] [Feature Visualization](https://distill.pub/2017/feature-visualization/) "
        "for images\n"
    )
    assert parsed.title.text == "Reading list"
    (section,) = parsed.sections
    assert [(e.title, e.note) for e in section.entries] == [
        ("Softmax Linear Units", ""),
        ("Feature Visualization", "for images"),
    ]
    matched = [m.key for m in match_known(parsed, fixture_known())]
    assert matched == ["solu", "feature-visualization"]


def test_a_short_plain_line_with_bullets_under_it_is_read_as_a_heading():
    parsed = parse("Papers I like:\n\n• Zoom In\n• Feature Vis\n")
    assert [(s.title, s.line, len(s.entries)) for s in parsed.sections] == [("Papers I like", 1, 2)]


def test_a_plain_list_without_headings_is_one_untitled_section_to_be_named():
    parsed = parse("These are papers I like.\n\n• Zoom In\n• Feature Vis\n")
    (section,) = parsed.sections
    assert (section.title, section.line) == ("", None)
    assert [e.title for e in section.entries] == ["Zoom In", "Feature Vis"]
    assert [line.text for line in parsed.intro] == ["These are papers I like."]
    assert "no headings" in parsed.to_confirm[0].reason


# --- Malformed and unreadable files -----------------------------------------------------------


def test_a_malformed_list_is_read_with_every_stray_line_listed_with_a_reason():
    parsed = listtext.read_file(LISTS / "malformed.md")
    assert [(u.line_number, u.reason) for u in parsed.unplaced] == [
        (3, "A bullet before the first section heading, so under no section of the list."),
        (7, "An advice heading outside any entry, so it advises nothing."),
        (8, "Under an advice heading outside any entry."),
        (9, "An empty bullet."),
        (11, "An advice heading (“Skip”) with nothing under it, so it names no part."),
        (13, "Prose after the entries of “Topic”, outside any bullet, so not part of any entry."),
    ]
    (entry,) = parsed.sections[0].entries
    assert entry.parts == ()
    assert [line.text for line in entry.commentary] == ["Commentary under the entry"]
    placed = placed_line_numbers(parsed)
    assert sorted(placed) == non_blank_line_numbers((LISTS / "malformed.md").read_text())


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        (b"", "is empty."),
        (b"  \n\n\t\n", "is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "holds binary data, not text."),
        ("- Caf\u00e9 list\n".encode("latin-1"), "is not UTF-8 text"),
        ((LISTS / "prose_only.txt").read_bytes(), "has no heading and no bullet"),
        (b"# List\n- " + b"**x " * 10_000 + b"\n", "Line 2 is 40,002 characters long"),
    ],
)
def test_a_file_that_is_not_a_list_is_refused_with_one_sentence(tmp_path, content, sentence):
    path = tmp_path / "list.txt"
    path.write_bytes(content)
    with pytest.raises(ListTextError) as raised:
        listtext.read_file(path)
    message = str(raised.value)
    assert sentence in message
    assert message.endswith(".") and message.count(". ") == 0


def test_a_missing_file_is_refused_with_one_sentence(tmp_path):
    with pytest.raises(ListTextError, match=r"^nothing\.md does not exist or is not a file\.$"):
        listtext.read_file(tmp_path / "nothing.md")


# --- Matching known works ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://arxiv.org/abs/2211.00593", "http://arxiv.org/pdf/2211.00593v2"),
        ("https://arxiv.org/abs/2211.00593", "https://www.arxiv.org/pdf/2211.00593v1.pdf"),
        ("https://arxiv.org/abs/2211.00593v3", "https://export.arxiv.org/abs/2211.00593/"),
        ("https://distill.pub/2020/circuits/", "https://WWW.Distill.pub/2020/circuits"),
        ("HTTPS://colah.github.io/", "https://colah.github.io"),
    ],
)
def test_links_to_one_work_normalise_to_one_key(one, other):
    assert normalise_url(one) == normalise_url(other)


def test_links_to_different_works_stay_apart():
    assert normalise_url("https://arxiv.org/abs/2211.00593") != normalise_url(
        "https://arxiv.org/abs/2211.00594"
    )
    assert normalise_url("https://distill.pub/2020/circuits/A") != normalise_url(
        "https://distill.pub/2020/circuits/a"
    )


def test_an_entry_matches_by_link_first_then_by_exact_title_else_not_at_all(topics):
    by_line = {m.entry.line: (m.key, m.by) for m in match_known(topics, fixture_known())}
    assert by_line[23] == ("ioi", "link")  # an arXiv pdf link of another version
    assert by_line[29] == ("rome", "link")  # www. and a trailing slash
    assert by_line[31] == ("solu", "title")  # "Softmax Linear Units", no link
    assert by_line[15] == ("mathematical-framework-walkthrough", "link")  # a nested entry
    assert by_line[37] == ("feature-visualization", "title")  # "(fairly short)" set aside
    assert by_line[32] == (None, "")


def test_a_link_wins_over_a_title_that_names_another_work():
    parsed = parse("# Papers\n- [SoLU](https://arxiv.org/abs/2202.05262)\n")
    known = [("rome", ["ROME"], ["https://arxiv.org/abs/2202.05262"]), ("solu", ["SoLU"], [])]
    assert [(m.key, m.by) for m in match_known(parsed, known)] == [("rome", "link")]


def test_a_title_that_names_two_known_works_matches_neither():
    parsed = parse("# Papers\n- Induction Heads\n")
    known = [("a", ["Induction heads"], []), ("b", ["induction   HEADS"], [])]
    assert [(m.key, m.by) for m in match_known(parsed, known)] == [(None, "ambiguous")]


def test_the_parsers_levels_are_the_models_levels():
    assert list(listtext.LEVELS) == list(Level.values)
    assert {v: k for k, v in listtext.ADVICE_HEADINGS.items()} == {
        level.value: level.label.lower() for level in Level
    }


# --- manage.py import_list ----------------------------------------------------------------------


def test_import_list_writes_the_list_as_json_and_reports_counts_and_every_line_to_look_at(
    tmp_path,
):
    out = tmp_path / "topics.json"
    stdout = StringIO()
    call_command(
        "import_list",
        str(LISTS / "topics.md"),
        slug="v2",
        title="Version 2",
        out=str(out),
        stdout=stdout,
    )
    report = stdout.getvalue()
    assert report.startswith(
        "Read as Markdown: 3 sections (0 tiers, 1 subsections), 9 entries (1 nested, 2 marked "
        "most important), 6 advised parts (3 deeply engage with, 1 skim, 1 skim or skip, 1 skip)."
    )
    assert "Lines it could not place: 2.\n  line 39: ---" in report
    assert "  line 41: Thanks for reading!" in report
    assert "Lines to confirm: 3.\n  line 19:" in report
    assert "  line 30:" in report and "  line 32:" in report
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["slug"], data["title"], data["source"]) == ("v2", "Version 2", "topics.md")
    first = data["list"]["sections"][0]["entries"][0]
    assert first["title"] == "A Mathematical Framework for Transformer Circuits"
    assert [p["level"] for p in first["parts"]] == ["deep", "deep", "skim_or_skip"]
    assert first["children"][0]["links"] == ["https://www.youtube.com/watch?v=KV5gbOmHbjU"]


@seed_only
@pytest.mark.django_db  # without --out, import_list makes the draft curriculum
def test_import_list_reports_the_seeds_comments_by_line_number():
    stdout = StringIO()
    call_command("import_list", str(SEED), slug="v1", title="Version 1", stdout=stdout)
    report = stdout.getvalue()
    assert "7 sections (4 tiers, 3 subsections), 24 entries" in report
    assert "  line 294: New Comment\n" in report
    assert "  line 205: Skim:\n" in report


def test_import_list_refuses_an_unreadable_file_in_one_sentence_and_writes_nothing(tmp_path):
    binary = tmp_path / "list.md"
    binary.write_bytes(b"\x00\x01\x02 not a list")
    out = tmp_path / "out.json"
    with pytest.raises(CommandError, match=r"^list\.md holds binary data, not text\.$"):
        call_command("import_list", str(binary), slug="v2", title="V2", out=str(out))
    assert list(tmp_path.iterdir()) == [binary]


def test_import_list_refuses_a_slug_that_is_not_a_slug_and_writes_nothing(tmp_path):
    out = tmp_path / "out.json"
    with pytest.raises(CommandError, match="is not a slug"):
        call_command(
            "import_list", str(LISTS / "topics.md"), slug="two words", title="V2", out=str(out)
        )
    assert not out.exists()


def test_import_list_exits_nonzero_on_a_bad_file(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    done = subprocess.run(
        [sys.executable, "manage.py", "import_list", str(empty), "--slug", "x", "--title", "X"],
        cwd=BASE,
        capture_output=True,
        text=True,
        env={**os.environ, "MIREADS_DEBUG": "true"},
        check=False,
    )
    assert done.returncode != 0
    assert done.stderr.strip() == "CommandError: empty.txt is empty."
