"""A further curriculum's page and its "What changed" page in Chromium (issue 25, point 5): at
desktop and phone widths, in light and dark, nothing scrolls sideways and axe finds nothing
serious; screenshots in test-artifacts/ for a person to look at."""

import pytest

from catalogue import editions
from catalogue.models import Advice, Ordering, Paper
from tests.browser import describe, screenshot, serious_axe_violations
from tests.factories import AdviceFactory, CurriculumFactory, PaperFactory, SectionFactory

pytestmark = pytest.mark.browser

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def stages(catalogue):
    """A stages curriculum beside the shipped list, with two editions: the second adds an entry,
    moves a part from skim to deep with a longer label and adds one part."""
    curriculum = CurriculumFactory(
        slug="concrete-steps",
        title="Concrete steps to get started in mechanistic interpretability",
        author="A guide writer",
        year=2023,
        ordering=Ordering.STAGES,
        description="Time-boxed stages, from the basics to a first project of your own.",
    )
    first = SectionFactory(curriculum=curriculum, priority=1, title="Learn the basics")
    second = SectionFactory(curriculum=curriculum, priority=2, title="Replicate a paper")
    paper = PaperFactory(section=first, title="A walkthrough of the transformer", slug="walk")
    part = AdviceFactory(paper=paper, level="skim", part="The attention section")
    PaperFactory(section=second, title="Indirect object identification", slug="ioi-steps")
    editions.publish(note="The guide as first published.", curriculum=curriculum)
    Advice.objects.filter(pk=part.pk).update(
        level="deep", part="The attention section and its worked example"
    )
    AdviceFactory(paper=paper, key="exercises", position=500, level="deep", part="The exercises")
    PaperFactory(section=second, title="Grokking, reverse-engineered", slug="grokking-steps")
    Paper.objects.filter(slug="ioi-steps").update(important=True)
    editions.publish(
        note="Exercises made central; a grokking replication added.", curriculum=curriculum
    )
    return curriculum


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
@pytest.mark.parametrize("which", ["list", "changes"])
def test_a_curriculum_and_its_changes_fit_every_width_and_theme_and_pass_axe(
    page, live_server, stages, which, width, height, scheme
):
    path = stages.get_absolute_url() + ("changes/" if which == "changes" else "")
    page.set_viewport_size({"width": width, "height": height})
    page.emulate_media(color_scheme=scheme)

    response = page.goto(f"{live_server.url}{path}")

    assert response.status == 200, f"{path} answered {response.status}"
    screenshot(page, f"curriculum-{which}-{width}-{scheme}")
    overflow = page.evaluate(OVERFLOW)
    assert overflow <= 0, f"{path} is {overflow}px wider than a {width}px window"
    violations = serious_axe_violations(page)
    assert not violations, f"axe on {path} ({scheme}, {width} px):\n{describe(violations)}"
