"""Nothing a page loads comes from another host: no CDN script, font, stylesheet or image.

Links out (`<a href>`) are navigation, not loads, and are fine. This runs without a browser, on
every page of the real catalogue; the browser tests check the same thing live for a few pages.
"""

import re
from pathlib import Path

import pytest

from catalogue.models import Paper
from tests.html import elements

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parents[2] / "static"
PUBLIC_PAGES = ["/", "/papers/", "/about/", "/accounts/login/", "/accounts/signup/"]
# Attributes whose URL the browser fetches by itself, tag by tag.
LOADING_ATTRIBUTES = {
    "script": {"src"},
    "img": {"src", "srcset"},
    "source": {"src", "srcset"},
    "iframe": {"src"},
    "video": {"src", "poster"},
    "audio": {"src"},
    "track": {"src"},
    "embed": {"src"},
    "object": {"data"},
    "input": {"src"},
}
# <link> rels that fetch (or connect to) their href; rel="alternate", "canonical" etc. do not.
LOADING_RELS = {
    "stylesheet",
    "icon",
    "apple-touch-icon",
    "mask-icon",
    "manifest",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
}
ANOTHER_HOST = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]*)""", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import", re.IGNORECASE)


def css_loads_from_elsewhere(css: str) -> list[str]:
    """@import rules and url()s (images, fonts) in CSS that point at another host."""
    problems = [f"@import at offset {match.start()}" for match in CSS_IMPORT.finditer(css)]
    problems += [f"url({url})" for url in CSS_URL.findall(css) if ANOTHER_HOST.match(url)]
    return problems


def external_loads(html: str) -> list[str]:
    """Every resource a page would fetch from another host, as readable strings."""
    found = []
    for element in elements(html):
        tag, values = element.tag, element.values
        names = set(LOADING_ATTRIBUTES.get(tag, ()))
        if tag == "link" and LOADING_RELS & set(values.get("rel", "").lower().split()):
            names.add("href")
        for name in names & values.keys():
            urls = values[name].split(",") if name == "srcset" else [values[name]]
            found += [f"<{tag} {name}={url.strip()!r}>" for url in urls if ANOTHER_HOST.match(url)]
        if "style" in values:
            found += [f"<{tag} style>: {p}" for p in css_loads_from_elsewhere(values["style"])]
        if tag == "style":
            found += [f"<style>: {p}" for p in css_loads_from_elsewhere(element.text)]
    return found


def test_the_checker_catches_loads_from_other_hosts_and_ignores_links_out():
    html = """
      <link rel="stylesheet" href="https://cdn.example/x.css"><link rel="canonical" href="https://x">
      <script src="//cdn.example/htmx.js"></script><img srcset="/a.png 1x, https://b/c.png 2x">
      <p style="background: url('http://x/y.png')"></p><style>@font-face{src:url(//f/x.woff2)}</style>
      <a href="https://arxiv.org/abs/1">paper</a><img src="/static/ok.png">
    """
    assert external_loads(html) == [
        "<link href='https://cdn.example/x.css'>",
        "<script src='//cdn.example/htmx.js'>",
        "<img srcset='https://b/c.png 2x'>",
        "<p style>: url(http://x/y.png)",
        "<style>: url(//f/x.woff2)",
    ]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_public_page_loads_nothing_from_another_host(client, real_catalogue, path):
    response = client.get(path)
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    assert external_loads(response.text) == []


def test_no_paper_page_loads_anything_from_another_host(client, real_catalogue):
    slugs = list(Paper.objects.values_list("slug", flat=True))
    assert slugs, "the real catalogue should have loaded"
    offenders = {}
    for slug in slugs:
        response = client.get(f"/papers/{slug}/")
        assert response.status_code == 200, f"/papers/{slug}/ answered {response.status_code}"
        if found := external_loads(response.text):
            offenders[slug] = found
    assert offenders == {}


def test_the_signed_in_dashboard_loads_nothing_from_another_host(client_as_reader, real_catalogue):
    response = client_as_reader.get("/")
    assert response.status_code == 200
    assert external_loads(response.text) == []


@pytest.mark.parametrize("css_file", sorted(STATIC.rglob("*.css")), ids=lambda path: path.name)
def test_the_stylesheets_import_nothing_and_fetch_nothing_from_another_host(css_file):
    assert css_loads_from_elsewhere(css_file.read_text(encoding="utf-8")) == []
