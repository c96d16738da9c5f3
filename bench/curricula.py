"""The further curricula the bench loads beside the shipped list, so that every page is timed
with three curricula in the database (issue 25, point 8).

They are made from fixtures/papers.json: new entries citing the same (shared) works, one
curriculum of ordered stages and one of topics, each with its own slugs and its first edition.
Readers' rows stay on the default curriculum, which is what the dashboard, plan and groups
follow.
"""

import copy
import json

from catalogue import fixture

FURTHER = (("bench-stages", "stages", "Bench: the list as stages"),
           ("bench-topics", "topics", "Bench: the list as topics"))  # fmt: skip


def _renamed(value, slug: str):
    """A natural-key reference (["mathematical-framework"]) under the curriculum's prefix."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return [f"{slug}-{value[0]}"]
    return value


def records(slug: str, ordering: str, title: str) -> list[dict]:
    """The shipped list's records as a further curriculum `slug`."""
    shipped = json.loads(fixture.FIXTURE_PATH.read_text(encoding="utf-8"))
    made = [
        {
            "model": fixture.CURRICULUM,
            "fields": {"slug": slug, "title": title, "ordering": ordering, "position": 9},
        }
    ]
    for record in shipped:
        record = copy.deepcopy(record)
        fields = record["fields"]
        if record["model"] in ("catalogue.section", "catalogue.paper"):
            fields["slug"] = f"{slug}-{fields['slug']}"
        # A citation's entry is the new curriculum's; its work stays the shared one.
        for name in ("section", "parent", "paper", "entry"):
            if name in fields:
                fields[name] = _renamed(fields[name], slug)
        made.append(record)
    return made


def load() -> None:
    """Load both further curricula (each publishes its first edition from the shipped file's
    edition record)."""
    for slug, ordering, title in FURTHER:
        fixture.load(records(slug, ordering, title), source=f"bench/{slug}")
