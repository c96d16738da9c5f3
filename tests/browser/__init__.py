"""Browser tests: real Chromium through Playwright, against pytest-django's live server.

The fixtures (`browser`, `page`, `catalogue`) live in conftest.py; the helpers tests call are here.
"""

import importlib.util
from pathlib import Path
from urllib.parse import urlsplit

from tests.factories import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# axe-core ships inside axe-playwright-python; it is a test dependency and never served to readers.
AXE_PACKAGE = importlib.util.find_spec("axe_playwright_python")
AXE_JS = Path(AXE_PACKAGE.origin).parent / "axe.min.js" if AXE_PACKAGE else None
# The strict CSP forbids inline scripts, so axe is loaded from a same-origin URL that the browser
# context answers itself from the file above (see the `page` fixture); the app has no such URL.
AXE_PATH = "/__test-only__/axe.min.js"


def serious_axe_violations(page) -> list[dict]:
    """Run axe-core on the current page; return its serious and critical violations."""
    here = urlsplit(page.url)
    page.add_script_tag(url=f"{here.scheme}://{here.netloc}{AXE_PATH}")
    violations = page.evaluate("async () => (await axe.run()).violations")
    return [v for v in violations if v["impact"] in {"serious", "critical"}]


def describe(violations: list[dict]) -> str:
    """axe violations as readable lines: rule, impact, help and the offending elements."""
    lines = []
    for violation in violations:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return "\n".join(lines)


def screenshot(page, name: str, of=None) -> Path:
    """Save a full-page PNG, or one of the locator `of`, as test-artifacts/<name>.png (git-ignored)
    and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if of is None:
        page.screenshot(path=path, full_page=True)
    else:
        of.screenshot(path=path)
    return path


def sign_up(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Register a new reader through the sign-up form, leaving the page signed in.

    Needs the accounts work's /accounts/signup/ page with Django's standard UserCreationForm
    field names (username, email, password1, password2).
    """
    response = page.goto(f"{live_server.url}/accounts/signup/")
    assert response.status == 200, f"the sign-up page answered {response.status}"
    form = page.locator("main form")
    form.locator('[name="username"]').fill(username)
    form.locator('[name="email"]').fill(f"{username}@example.org")
    form.locator('[name="password1"]').fill(password)
    form.locator('[name="password2"]').fill(password)
    with page.expect_navigation():
        form.locator('[type="submit"]').click()
    assert "/accounts/signup/" not in page.url, (
        f"sign-up as {username!r} was refused: {page.locator('main').inner_text()}"
    )


def sign_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Sign an existing reader in through the login form (works with JavaScript off too)."""
    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator("main form")
    form.locator('[name="username"]').fill(username)
    form.locator('[name="password"]').fill(password)
    with page.expect_navigation():
        form.locator('[type="submit"]').click()
    assert "/accounts/login/" not in page.url, (
        f"signing in as {username!r} was refused: {page.locator('main').inner_text()}"
    )
