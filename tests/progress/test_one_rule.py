"""One progress rule: the dashboard, the paper page, the group board, the plan and the exports
count one reader's state alike, whatever it holds (retired ticked parts, skimmed, skipped, entries
with no parts or only optional ones, filters)."""

import pytest
from django.urls import reverse

from catalogue.models import Advice, Level
from groups.board import board
from groups.models import Role, Sharing
from plans import estimates
from progress import dashboard, services
from progress.models import Status
from progress.summary import entry_progress, reader_paper, reader_papers, summarise
from tests.factories import AdviceFactory, MembershipFactory, PaperFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_case(reader):
    """Five entries of one tier, one for each case the rule must count."""
    tier = SectionFactory(priority=1, position=1)
    a, b, c, d, e = (PaperFactory(section=tier, position=n) for n in range(1, 6))
    deep_a = AdviceFactory(paper=a, position=1, level=Level.DEEP)
    AdviceFactory(paper=a, position=2, level=Level.SKIM)
    retired = AdviceFactory(paper=a, position=3, level=Level.DEEP)
    AdviceFactory(paper=b, position=1, level=Level.DEEP)
    AdviceFactory(paper=b, position=2, level=Level.SKIM)
    AdviceFactory(paper=c, position=1, level=Level.DEEP)
    AdviceFactory(paper=e, position=1, level=Level.SKIP)
    services.set_parts_done(reader=reader, paper=a, shown={deep_a.key, retired.key},
                            done={deep_a.key, retired.key})  # fmt: skip
    Advice.objects.filter(pk=retired.pk).update(retired=True)  # ticked, then retired
    services.set_status(reader=reader, paper=b, status=Status.SKIMMED)
    services.set_status(reader=reader, paper=c, status=Status.SKIPPED)
    services.set_status(reader=reader, paper=d, status=Status.READ)
    return tier, [a, b, c, d, e]


# (parts, ticked, weight, done, settled, counts) under the rule, entry by entry.
EXPECTED = [
    (2, 1, 4, 3, False, True),  # reading: the deep part ticked; the retired tick never counts
    (2, 0, 4, 1, True, True),  # skimmed: its skim part, not its deep one
    (1, 0, 3, 0, True, False),  # skipped: out of the weighed total, but settled
    (0, 0, 1, 1, True, True),  # read, no parts: whole
    (1, 0, 1, 0, False, True),  # unread, only a skip part: optional, weighs 1
]


def _facts(progress):
    return (progress.parts, progress.ticked, progress.weight, progress.done,
            progress.settled, progress.counts)  # fmt: skip


def test_the_rule_itself_counts_each_case_as_the_about_page_says():
    assert _facts(entry_progress("reading", [("deep", True), ("skim", False)])) == EXPECTED[0]
    assert _facts(entry_progress("skimmed", [("deep", False), ("skim", False)])) == EXPECTED[1]
    assert _facts(entry_progress("skipped", [("deep", False)])) == EXPECTED[2]
    assert _facts(entry_progress("read", [])) == EXPECTED[3]
    assert _facts(entry_progress("unread", [("skip", False)])) == EXPECTED[4]


def test_the_dashboard_paper_page_group_board_and_plan_agree_on_every_case(
    reader, every_case, client_as_reader
):
    _, papers = every_case
    group = MembershipFactory(reader=reader, role=Role.FACILITATOR,
                              sharing=Sharing.PROGRESS).group  # fmt: skip
    on_dashboard = dashboard.context(reader, {})["summary"]
    grid = board(group)
    by_slug = {row.paper.slug: row.cells[0].progress for row in grid.rows}
    counted = {p.pk: p for p in reader_papers(reader)}
    for paper, expected in zip(papers, EXPECTED, strict=True):
        assert _facts(on_dashboard.entries[paper.pk].progress) == expected, paper.slug
        assert _facts(reader_paper(reader, paper.slug).progress) == expected, paper.slug
        assert _facts(by_slug[paper.slug]) == expected, paper.slug
        # The plan leaves exactly the settled entries out of the time left.
        assert estimates.is_finished(counted[paper.pk]) == expected[4], paper.slug
    # Weighed 4+4+1+1 (the skipped entry is out), done 3+1+1+0: 50%; settled 3 of 5.
    overall = on_dashboard.overall
    assert (overall.percent, overall.entries_text) == (50, "3 of 5 entries")
    tier_on_board = grid.tiers[0]
    assert tier_on_board.percent == overall.percent and tier_on_board.finished == {
        grid.sharers[0].pk: 3
    }
    html = client_as_reader.get("/").content.decode()
    assert "50% · 3 of 5 entries" in html


def test_the_exports_count_every_case_as_the_pages_do(reader, every_case, client_as_reader):
    import json

    from accounts.portability.export import progress_text

    _, papers = every_case
    answer = client_as_reader.get(reverse("accounts:export-json"))
    document = json.loads(b"".join(answer.streaming_content))
    exported = {entry["slug"]: entry["progress"] for entry in document["entries"]}
    counted = {p.slug: p.progress for p in reader_papers(reader)}
    for paper, expected in zip(papers, EXPECTED, strict=True):
        if paper.slug not in exported:  # nothing of the reader's on it: not in the export
            assert expected[:2] == (1, 0) and not expected[4]
            continue
        found = exported[paper.slug]
        assert (found["parts"], found["ticked"], found["settled"], found["counts"]) == (
            expected[0],
            expected[1],
            expected[4],
            expected[5],
        ), paper.slug
        assert found["percent"] == counted[paper.slug].percent
    markdown = b"".join(
        client_as_reader.get(reverse("accounts:export-markdown")).streaming_content
    ).decode()
    assert f"- Progress: {progress_text(counted[papers[0].slug])}" in markdown
    assert "- Progress: 75% · 1 of 2 parts" in markdown


def test_a_filter_narrows_the_entries_shown_never_the_count(reader, every_case):
    tier, _ = every_case
    whole = dashboard.context(reader, {})
    narrowed = dashboard.context(reader, {"status": Status.READ})
    assert narrowed["shown_count"] == 1
    assert narrowed["summary"].overall == whole["summary"].overall
    assert narrowed["summary"].by_section[tier.pk] == whole["summary"].by_section[tier.pk]


def test_the_paper_page_and_the_group_grid_show_the_same_ticks(reader, every_case, client):
    _, papers = every_case
    client.force_login(reader)
    page = client.get(reverse("paper-detail", args=[papers[0].slug])).content.decode()
    assert "1 of 2 parts" in page
    assert summarise(reader_papers(reader)).entries[papers[0].pk].progress.ticked == 1
