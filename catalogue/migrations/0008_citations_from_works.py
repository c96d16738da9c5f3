# Fill Citation from Work.paper/position/role, give every work a slug, merge works that share an
# identity, and rewrite each CatalogueLoad's applied copy into the shared-works record format, so
# that the next load of an unchanged file writes nothing.

from django.db import migrations

from catalogue import identity

# The fields a work record carries besides its slug, in the model's order (as 0005 left them).
WORK_FIELDS = [
    "kind", "title", "authors", "year", "month", "venue", "booktitle", "doi", "arxiv_id",
    "arxiv_class", "url", "volume", "issue", "number", "pages", "publisher", "guests",
]  # fmt: skip


def slugs_for(entry_slug: str, works: list[tuple[int, str]], taken: set[str]) -> dict[int, str]:
    """{position: slug} for one entry's works, given as (position, role): the main work takes
    the entry's slug, companions `-2`, `-3`… in their order; a slug already taken gets a further
    number."""
    ordered = sorted(works, key=lambda work: (work[1] != "main", work[0]))
    found = {}
    for index, (position, _role) in enumerate(ordered):
        base = entry_slug if index == 0 else f"{entry_slug}-{index + 1}"
        slug, n = base[:120], 1
        while slug in taken:
            n += 1
            slug = f"{base[:110]}-x{n}"
        taken.add(slug)
        found[position] = slug
    return found


def _identity(doi: str, arxiv_id: str, url: str):
    try:
        return identity.identity_of(doi or "", arxiv_id or "", url or "")
    except ValueError:
        return None  # a row saved before identity's rules: it cannot be matched, only kept


def works_become_shared(apps, schema_editor):
    Work = apps.get_model("catalogue", "Work")
    Citation = apps.get_model("catalogue", "Citation")
    CatalogueLoad = apps.get_model("catalogue", "CatalogueLoad")
    rows = list(Work.objects.select_related("paper").order_by("paper_id", "position"))
    by_entry: dict[str, list] = {}
    for work in rows:
        by_entry.setdefault(work.paper.slug, []).append(work)
    taken: set[str] = set()
    slug_of: dict[tuple[str, int], str] = {}  # (entry slug, position) -> work slug
    for entry_slug, works in by_entry.items():
        slugs = slugs_for(entry_slug, [(w.position, w.role) for w in works], taken)
        for work in works:
            work.slug = slugs[work.position]
            work.save(update_fields=["slug"])
            slug_of[(entry_slug, work.position)] = work.slug
            Citation.objects.create(
                entry_id=work.paper_id, work=work, position=work.position, role=work.role
            )
    # Works that are one work (a DOI, arXiv id or link in common) become one row: the first
    # keeps its slug and takes every citation of the others.
    pairs = [(w.pk, found) for w in rows if (found := _identity(w.doi, w.arxiv_id, w.url))]
    slug_by_pk = {w.pk: w.slug for w in rows}
    for same in identity.duplicates(pairs):
        keep, *others = same.works
        Citation.objects.filter(work_id__in=others).update(work_id=keep)
        for other in others:
            for key, slug in slug_of.items():
                if slug == slug_by_pk[other]:
                    slug_of[key] = slug_by_pk[keep]
        Work.objects.filter(pk__in=others).delete()
    for load in CatalogueLoad.objects.all():
        load.applied = shared_records(load.applied, slug_of, set(taken))
        load.save(update_fields=["applied"])


def shared_records(records: list[dict], slug_of: dict, taken: set[str]) -> list[dict]:
    """A load's applied records in the new format: each work record becomes the work (by slug)
    and, right after it, the entry's citation of it."""
    works_of: dict[str, list[tuple[int, str]]] = {}
    for record in records:
        if record.get("model") == "catalogue.work":
            fields = record["fields"]
            works_of.setdefault(fields["paper"][0], []).append(
                (fields["position"], fields.get("role", "main"))
            )
    derived = {}
    for entry_slug, works in works_of.items():
        missing = [w for w in works if (entry_slug, w[0]) not in slug_of]
        if missing:  # applied once, deleted since: a slug of its own, as the loader would make
            for position, slug in slugs_for(entry_slug, missing, taken).items():
                derived[(entry_slug, position)] = slug
    result, written = [], set()
    for record in records:
        if record.get("model") != "catalogue.work":
            result.append(record)
            continue
        fields = record["fields"]
        entry_slug, position = fields["paper"][0], fields["position"]
        slug = slug_of.get((entry_slug, position)) or derived[(entry_slug, position)]
        if slug not in written:
            written.add(slug)
            work = {"slug": slug, **{name: fields[name] for name in WORK_FIELDS if name in fields}}
            result.append({"model": "catalogue.work", "fields": work})
        citation = {
            "entry": [entry_slug],
            "work": [slug],
            "position": position,
            "role": fields.get("role", "main"),
        }
        result.append({"model": "catalogue.citation", "fields": citation})
    return result


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0007_citations"),
    ]

    operations = [
        migrations.RunPython(works_become_shared, migrations.RunPython.noop),
    ]
