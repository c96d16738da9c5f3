"""The account pages in a real browser: deleting looks destructive, and the way out is a calm,
separate control with room between the two."""

import pytest
from playwright.sync_api import expect

from tests.browser import screenshot, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def _background(locator) -> str:
    return locator.evaluate("e => getComputedStyle(e).backgroundColor")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_delete_button_looks_destructive_and_stands_apart_from_keep_my_account(
    page, live_server, scheme
):
    UserFactory(username="leaving")
    page.emulate_media(color_scheme=scheme)
    sign_in(page, live_server, "leaving")
    page.goto(f"{live_server.url}/account/delete/")
    delete = page.get_by_role("button", name="Delete my account and all my data")
    keep = page.get_by_role("link", name="Keep my account")
    expect(delete).to_be_visible()
    expect(keep).to_be_visible()

    # An ordinary button for comparison: the nav's Sign out is a link-styled one, so use the
    # page's own accent colour as an ordinary primary button draws it.
    ordinary = page.evaluate(
        """() => {
            const b = document.createElement('button');
            document.querySelector('main').append(b);
            const colour = getComputedStyle(b).backgroundColor;
            b.remove();
            return colour;
        }"""
    )
    assert _background(delete) != ordinary, "the delete button looks like any other button"
    assert _background(delete) != _background(keep), "delete and keep look alike"

    delete_box, keep_box = delete.bounding_box(), keep.bounding_box()
    gap = keep_box["y"] - (delete_box["y"] + delete_box["height"])
    assert gap >= 24, f"only {gap:.0f}px between deleting and keeping the account"
    screenshot(page, f"delete-account-{scheme}")
