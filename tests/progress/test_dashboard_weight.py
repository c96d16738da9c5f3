"""The dashboard's DOM stays under the bench's element target (bench/targets.py DASHBOARD_NODES:
at most 800 elements on a returning reader's dashboard, docs/performance.md, "Page weight"),
counted here as the bench counts it, without running the bench."""

import pytest

from bench.pages import elements
from bench.targets import DASHBOARD_NODES
from catalogue.models import Paper
from progress import services
from progress.models import Status

# What this reader's dashboard of the shipped list counts now (755), with a little room: an
# element added to every entry (30 more) fails here, before the bench finds it.
BOUND = 760

STATUSES = {
    "mathematical-framework": Status.READING,
    "rome": Status.READ,
    "solu": Status.SKIPPED,
    "toy-models-of-superposition": Status.READ,
}


@pytest.fixture
def html(client_as_reader, reader, real_catalogue) -> str:
    for slug, status in STATUSES.items():
        services.set_status(reader=reader, paper=Paper.objects.get(slug=slug), status=status)
    return client_as_reader.get("/").content.decode()


def test_a_returning_readers_dashboard_of_the_shipped_list_stays_under_the_element_target(html):
    assert html.count('<li class="entry"') == 30  # every entry is counted
    assert elements(html) <= BOUND < DASHBOARD_NODES.threshold


def test_an_entry_with_advice_shows_its_summary_and_one_without_shows_no_empty_meta_row(html):
    framework = html.split('id="entry-mathematical-framework"', 1)[1].split('class="entry"', 1)[0]
    podcast = html.split('id="entry-chris-olah-80k-podcast"', 1)[1].split('class="entry"', 1)[0]

    assert '<div class="entry-meta">3 deep · 1 skim or skip' in framework
    assert '<span class="parts-done">0 of 4 parts</span>' in framework
    assert "entry-meta" not in podcast
