"""The reader's first hour, round three (issue 26): changes named where a reader looks, one
progress rule stated where they count, a first-run hint, and the copy a new reader reads."""

import pytest
from django.urls import reverse

from catalogue import editions
from catalogue.models import Advice, Paper
from progress import services
from progress.models import DashboardState
from tests.factories import AdviceFactory, PaperFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def _reword(*slugs: str) -> None:
    Paper.objects.filter(slug__in=slugs).update(summary="Reworded for the next edition.")
    editions.publish(note="Reworded.")


def test_the_banner_names_and_links_each_changed_entry(client_as_reader, reader, real_catalogue):
    for slug in ("solu", "rome"):
        services.set_status(reader=reader, paper=Paper.objects.get(slug=slug), status="read")
    _reword("solu", "rome")
    page = _text(client_as_reader.get("/"))
    banner = page.split('class="changes-banner', 1)[1].split("</aside>", 1)[0]
    assert "2 entries you have read changed since:" in banner
    assert '<a href="/changes/solu/?since=1">SoLU</a>' in banner
    assert '<a href="/changes/rome/?since=1">ROME</a>' in banner
    assert "more</a>" not in banner


def test_past_a_few_changed_entries_the_banner_says_how_many_more(
    client_as_reader, reader, real_catalogue
):
    slugs = ["circuits-zoom-in", "mathematical-framework", "induction-heads", "solu", "rome"]
    for slug in slugs:
        services.set_status(reader=reader, paper=Paper.objects.get(slug=slug), status="read")
    _reword(*slugs)
    banner = _text(client_as_reader.get("/")).split('class="changes-banner', 1)[1]
    banner = banner.split("</aside>", 1)[0]
    assert "5 entries you have read changed since:" in banner
    assert banner.count('?since=1">') == 3
    assert 'and <a href="/changes/">2 more</a>.' in banner


def test_a_changed_entry_is_marked_inside_its_folded_tier(client_as_reader, reader, real_catalogue):
    tier = Paper.objects.filter(section__slug="what-is-mech-interp", retired=False)
    for paper in tier:
        services.set_status(reader=reader, paper=paper, status="read")
    services.set_tier_folded(reader=reader, section=tier[0].section, folded=True)
    _reword("circuits-zoom-in")
    page = _text(client_as_reader.get("/"))
    folded = page.split('id="what-is-mech-interp"', 1)[1].split('<section class="tier"', 1)[0]
    assert "Show " in folded  # still folded
    assert 'id="folded-change-circuits-zoom-in"' in folded
    assert "changed since you read it" in folded


def test_what_changed_is_linked_from_every_page(client, client_as_reader, real_catalogue):
    for url in ["/", "/papers/", "/about/", "/papers/solu/", "/accounts/login/"]:
        assert '<a href="/changes/">What changed</a>' in _text(client.get(url)), url


def test_one_progress_rule_is_stated_beside_the_bar_and_on_about(client_as_reader, real_catalogue):
    rule = "Each part to deeply engage with counts 3 and each part to skim counts 1;"
    dashboard = _text(client_as_reader.get("/"))
    about = _text(client_as_reader.get("/about/"))
    assert rule in dashboard and rule in about
    assert dashboard.index('id="overall-label"') < dashboard.index(rule)
    assert 'href="/about/#progress"' in dashboard and 'id="progress"' in about
    assert "skim or skip</em> or <em>skip" not in about


def test_one_part_is_one_part_not_one_parts(client_as_reader, reader):
    paper = PaperFactory(slug="single")
    AdviceFactory(paper=paper, level="deep")
    services.set_status(reader=reader, paper=paper, status="reading")
    page = _text(client_as_reader.get("/"))
    assert "0 of 1 part<" in page and "0 of 1 parts" not in page


def test_the_citation_download_is_not_named_like_the_readers_export(client, real_catalogue):
    response = client.get(reverse("catalogue:export-csl"))
    assert "mireads-reading-list.csl.json" in response["Content-Disposition"]


def test_a_new_reader_is_greeted_with_the_levels_and_where_to_start_until_they_close_it(
    client_as_reader, reader, real_catalogue
):
    page = _text(client_as_reader.get("/"))
    assert 'id="first-run"' in page and "Skim or skip" in page and "Next up" in page
    answer = client_as_reader.post(reverse("progress:dismiss-hint"), headers=HTMX)
    assert answer.status_code == 200 and answer.content == b""
    assert DashboardState.objects.get(reader=reader).hint_dismissed
    assert 'id="first-run"' not in _text(client_as_reader.get("/"))


def test_the_first_run_hint_closes_without_javascript_and_goes_once_reading_starts(
    client, reader, other_reader, real_catalogue
):
    client.force_login(reader)
    assert client.post(reverse("progress:dismiss-hint"))["Location"] == "/"
    assert 'id="first-run"' not in _text(client.get("/"))
    client.force_login(other_reader)
    services.set_status(reader=other_reader, paper=Paper.objects.get(slug="solu"), status="read")
    assert 'id="first-run"' not in _text(client.get("/"))


def test_a_visitor_on_a_paper_page_is_invited_to_sign_up_to_track_it(
    client, client_as_reader, real_catalogue
):
    from django.test import Client

    visitor = _text(Client().get("/papers/solu/"))
    assert "Track your reading of SoLU" in visitor and 'href="/accounts/signup/"' in visitor
    assert "Track your reading of" not in _text(client_as_reader.get("/papers/solu/"))


def test_a_new_part_shows_its_level_and_advice_where_changes_are_shown(client, real_catalogue):
    solu = Paper.objects.get(slug="solu")
    AdviceFactory(
        paper=solu, key="probe", position=60, level="skim", part="Probing", detail="Look at fig 3."
    )
    Advice.objects.filter(paper=solu, key="probe").exists()
    editions.publish(note="A part.")
    page = _text(client.get("/changes/solu/"))
    assert '<span class="badge badge-skim">Skim</span> Probing' in page
    assert "Look at fig 3." in page
