"""The paper page is the reader's workbench; status and checklist agree; bars tell the truth;
one form holds an entry's parts, named by their keys."""

import re

import pytest

from catalogue.models import Level
from progress import services
from progress.models import ReadingEvent, Status
from progress.summary import Tally, reader_papers, summarise
from tests.factories import AdviceFactory, PaperFactory, UserFactory, build_catalogue
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(db):
    paper = PaperFactory(slug="solu-like", short_name="SoLU-like")
    AdviceFactory(paper=paper, key="method", position=1, level=Level.DEEP, part="The method")
    AdviceFactory(paper=paper, key="results", position=2, level=Level.DEEP, part="The results")
    AdviceFactory(paper=paper, key="appendix", position=3, level=Level.SKIP, part="The appendix")
    return paper


def test_a_signed_in_reader_finds_status_checklist_and_note_editor_on_the_paper_page(
    client_as_reader, entry
):
    html = client_as_reader.get(entry.get_absolute_url()).content.decode()
    assert 'class="status-control"' in html and 'id="s-solu-like-reading"' in html
    assert 'id="checklist-solu-like"' in html and 'id="part-solu-like-1"' in html
    assert 'action="/entries/solu-like/parts/"' in html
    assert 'id="note-text-solu-like"' in html
    assert 'name="on" value="paper"' in html


def test_visitors_see_the_public_paper_page_without_reader_controls(client, entry):
    html = client.get(entry.get_absolute_url()).content.decode()
    assert "What the list advises" in html and "The method" in html
    assert "status-control" not in html and "note-text" not in html


def test_the_list_shows_each_entry_status_to_its_reader_only(client, reader, entry):
    services.set_status(reader=reader, paper=entry, status=Status.SKIMMED)
    assert "status-mark" not in client.get("/papers/").content.decode()
    client.force_login(reader)
    html = client.get("/papers/").content.decode()
    assert '<span class="status-mark">Skimmed</span>' in html


def test_next_up_and_continue_reading_open_the_paper_page(client_as_reader, reader, entry):
    other = PaperFactory(section=entry.section, slug="second")
    services.set_status(reader=reader, paper=other, status=Status.READING)
    html = client_as_reader.get("/").content.decode()
    next_up = html.split('id="next-up"', 1)[1].split("</section>", 1)[0]
    assert f'href="{entry.get_absolute_url()}"' in next_up
    continuing = html.split('id="continue"', 1)[1].split("</section>", 1)[0]
    assert 'href="/papers/second/"' in continuing


def test_a_status_change_on_the_paper_page_answers_with_the_paper_page_fragment(
    client_as_reader, entry
):
    response = client_as_reader.post(
        "/entries/solu-like/status/", {"status": "reading", "on": "paper"}, headers=HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="entry-head" id="head-solu-like">')
    assert 'id="offer-solu-like" hx-swap-oob="true"' in html
    assert 'id="overview"' not in html  # the paper page has no dashboard counters


def test_the_first_tick_on_an_unread_entry_makes_it_reading_with_an_event(reader, entry):
    services.set_parts_done(
        reader=reader, paper=entry, shown={"method", "results", "appendix"}, done={"method"}
    )
    state = reader.reading_states.get(paper=entry)
    assert state.status == Status.READING and state.started_at
    assert ReadingEvent.objects.filter(reader=reader, to_status=Status.READING).count() == 1


def test_ticking_the_last_deep_part_offers_mark_as_read_in_place(client_as_reader, entry):
    data = {"shown": ["method", "results", "appendix"], "done": ["method"], "on": "paper"}
    first = client_as_reader.post("/entries/solu-like/parts/", data, headers=HTMX)
    assert "Mark as read" not in first.content.decode()
    data["done"] = ["method", "results"]
    html = client_as_reader.post("/entries/solu-like/parts/", data, headers=HTMX).content.decode()
    assert html.lstrip().startswith('<div class="checklist" id="checklist-solu-like">')
    assert 'id="offer-read-solu-like"' in html and "Mark as read" in html
    assert 'aria-pressed="true"' in html.split('id="s-solu-like-reading"', 1)[1][:30]


@pytest.mark.parametrize("status", [Status.READ, Status.SKIMMED, Status.SKIPPED])
def test_marking_an_entry_finished_never_unticks(reader, entry, status):
    services.set_parts_done(
        reader=reader,
        paper=entry,
        shown={"method", "results", "appendix"},
        done={"method", "appendix"},
    )
    services.set_status(reader=reader, paper=entry, status=status)
    assert reader.part_ticks.count() == 2


def test_the_about_page_says_how_ticks_and_statuses_agree(client):
    html = " ".join(client.get("/about/").content.decode().split())
    assert "first tick" in html and "never unticks" in html
    assert html.count("skim or skip") == 1


def test_one_save_keeps_every_ticked_part_without_javascript(client_as_reader, reader, entry):
    every = ["method", "results", "appendix"]
    response = client_as_reader.post(
        "/entries/solu-like/parts/", {"shown": every, "done": ["method", "appendix"]},
        headers={"Referer": "http://testserver/papers/solu-like/"},
    )  # fmt: skip
    assert response.status_code == 302
    assert set(reader.part_ticks.values_list("advice__position", flat=True)) == {1, 3}
    client_as_reader.post(
        "/entries/solu-like/parts/",
        {"shown": ["method", "results", "appendix"], "done": ["appendix"]},
    )
    assert set(reader.part_ticks.values_list("advice__position", flat=True)) == {3}


def test_a_ticked_part_that_was_not_on_the_form_is_refused(client_as_reader, reader, entry):
    response = client_as_reader.post(
        "/entries/solu-like/parts/", {"shown": ["method"], "done": ["results"]}
    )
    assert response.status_code == 400 and not reader.part_ticks.exists()


# --- Point 3: progress tells the truth ------------------------------------------------------------


def test_an_all_skipped_tier_is_complete_and_its_skipped_entries_count_as_settled(reader, entry):
    services.set_status(reader=reader, paper=entry, status=Status.SKIPPED)
    tally = summarise(reader_papers(reader)).by_section[entry.section_id]
    assert tally.percent == 100 and tally.complete
    assert tally.entries_text == "1 of 1 entry"
    assert Tally().percent == 0


def test_every_bar_keeps_its_value_under_any_filter(client_as_reader, reader, entry):
    services.set_status(reader=reader, paper=entry, status=Status.READ)
    for query in ["?status=unread", "?q=nothing-matches-this", "?tier=4", "?kind=tool"]:
        html = client_as_reader.get(f"/{query}").content.decode()
        values = re.findall(r'<progress max="100" value="([^"]*)"', html)
        assert values and all(v.isdigit() for v in values), query


def test_bars_show_entries_beside_the_weighted_percentage_and_explain_the_weighting(
    client_as_reader, reader, entry
):
    PaperFactory(section=entry.section)
    services.set_status(reader=reader, paper=entry, status=Status.READ)
    html = client_as_reader.get("/").content.decode()
    # SoLU-like weighs 6 (two deep parts), the other entry 1: 6 of 7 is 86%.
    assert '<span class="bar-numbers">86% · 1 of 2 entries</span>' in html
    assert "Each part to deeply engage with counts 3" in " ".join(html.split())


# --- Query budgets --------------------------------------------------------------------------------


def _busy_reader(entries: int):
    papers = build_catalogue(entries)
    reader = UserFactory(username=f"page{entries}")
    for paper in papers[::2]:
        services.set_status(reader=reader, paper=paper, status=Status.READING)
    services.save_note(reader=reader, paper=papers[2], text="A note.", base_version=0)
    return reader, papers


@pytest.mark.parametrize("entries", [20, 200])
def test_the_signed_in_paper_page_and_list_run_a_fixed_number_of_queries(
    client, entries, django_assert_max_num_queries
):
    reader, papers = _busy_reader(entries)
    client.force_login(reader)
    # The page, the reader's entries and note, editions, and for the time left the plan and pace.
    with django_assert_max_num_queries(14):
        assert client.get(papers[2].get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/papers/").status_code == 200


@pytest.mark.parametrize("entries", [20, 200])
def test_saving_a_checklist_runs_a_fixed_number_of_queries(
    client, entries, django_assert_max_num_queries
):
    reader, papers = _busy_reader(entries)
    client.force_login(reader)
    slug = papers[1].slug
    keys = list(papers[1].advice.order_by("position").values_list("key", flat=True))
    # Session, user, the list with the reader's state and its checklists (read in full: this
    # process has not read the list yet), and in one transaction the bump of the reader's
    # dashboard version, taken first (its row lock orders the reader's concurrent writes), the
    # entry's main work (a tick is on a part of the work), the untick, the tick and its
    # deepening, and the status change the first tick makes: the state locked, written and its
    # event, and the fold of the entry's events past their bound (progress/bounds.py). The
    # entry's parts come from the list, not a query of their own.
    with django_assert_max_num_queries(15):
        response = client.post(
            f"/entries/{slug}/parts/", {"shown": keys[:2], "done": keys[:1]}, headers=HTMX
        )
    assert response.status_code == 200


def test_a_page_loaded_before_a_reorder_still_ticks_the_part_its_reader_saw(
    client_as_reader, reader, entry
):
    # A curator swaps the first two parts after the reader's page was drawn.
    entry.advice.filter(key="method").update(position=99)
    entry.advice.filter(key="results").update(position=1)
    entry.advice.filter(key="method").update(position=2)
    client_as_reader.post(
        "/entries/solu-like/parts/", {"shown": ["method", "results"], "done": ["method"]}
    )
    assert list(reader.part_ticks.values_list("advice__key", flat=True)) == ["method"]
