"""The public pages in a real browser: they load cleanly, stay on this host and pass axe."""

import pytest

from tests.browser import describe, screenshot, serious_axe_violations, sign_up

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/",
    "/papers/",
    "/papers/solu/",
    "/about/",
    "/accounts/login/",
    "/accounts/signup/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_public_page_loads_cleanly_and_passes_axe(page, live_server, catalogue, path):
    """No console error, request elsewhere or CSP violation (the `page` fixture fails on those),
    and nothing axe calls serious or critical."""
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200, f"{path} answered {response.status}"
    violations = serious_axe_violations(page)
    assert not violations, f"axe on {path}:\n{describe(violations)}"


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_the_reading_list_fits_desktop_and_phone_widths(
    page, live_server, catalogue, width, height
):
    """Screenshots for a person to look at, plus the one layout fault a machine can see: nothing
    wider than the window, so a phone never scrolls sideways."""
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/papers/")
    screenshot(page, f"papers-{width}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"/papers/ is {overflow}px wider than a {width}px window"


def test_a_new_reader_signs_up_and_sees_a_clean_dashboard(page, live_server, catalogue):
    """Depends on the accounts work's sign-up page (via the `sign_up` helper)."""
    sign_up(page, live_server, "newreader")
    response = page.goto(f"{live_server.url}/")
    assert response.status == 200, f"the dashboard answered {response.status}"
    violations = serious_axe_violations(page)
    assert not violations, f"axe on the dashboard:\n{describe(violations)}"


def test_light_and_dark_themes_follow_the_system_and_both_stay_readable(
    page, live_server, catalogue
):
    """The palette follows prefers-color-scheme; axe's contrast rule runs on both themes."""
    colours = {}
    for scheme in ["light", "dark"]:
        page.emulate_media(color_scheme=scheme)
        page.goto(f"{live_server.url}/papers/mathematical-framework/")
        body = page.locator("body")
        colours[scheme] = body.evaluate(
            "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]"
        )
        violations = serious_axe_violations(page)
        assert not violations, f"axe in the {scheme} theme:\n{describe(violations)}"
        screenshot(page, f"paper-{scheme}")
    assert colours["light"][0] != colours["dark"][0], "the background changes with the theme"
    assert colours["light"][1] != colours["dark"][1], "and so does the text"
