"""Load the reading list from fixtures/papers.json and write it back, in one stable format.

Records name each other by slug (natural keys), so the file holds no numeric primary keys: loading
it into a populated database finds each row by its slug and updates it in place, which leaves every
reader's statuses, ticks and notes (they point at the rows) untouched.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction

from catalogue.models import Advice, Level, Paper, Section

FIXTURE_PATH = Path(settings.BASE_DIR) / "fixtures" / "papers.json"
MODELS = {"catalogue.section": Section, "catalogue.paper": Paper, "catalogue.advice": Advice}


class CatalogueError(Exception):
    """A fixture that cannot be loaded; the message names the record and the field."""


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = []
        for label in ("section", "paper", "advice"):
            parts.append(
                f"{label}: {self.created.get(label, 0)} new, {self.updated.get(label, 0)} updated"
            )
        return "; ".join(parts)


def _label(index: int, record: dict) -> str:
    fields = record.get("fields") if isinstance(record.get("fields"), dict) else {}
    model = record.get("model", "?")
    if model == "catalogue.advice":
        key = f"{_ref(fields.get('paper'))} #{fields.get('position')}"
    else:
        key = fields.get("slug", "?")
    return f"record {index + 1} ({model} {key!s})"


def _ref(value) -> str | None:
    """The slug inside a natural-key reference such as ["rome"], or None."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return value[0]
    return None


def parse(text: str, source: str = "fixture") -> list[dict]:
    """Parse fixture JSON into records, or raise CatalogueError saying where it is malformed."""
    try:
        records = json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogueError(
            f"{source} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    if not isinstance(records, list):
        raise CatalogueError(f"{source} must hold a JSON list of records.")
    return records


def _check_references(records: list[dict]) -> None:
    """Catch what Django's deserializer reports badly: duplicates and dangling references."""
    known = {
        "section": set(Section.objects.values_list("slug", flat=True)),
        "paper": set(Paper.objects.values_list("slug", flat=True)),
    }
    seen: dict[str, set] = {"section": set(), "paper": set(), "advice": set()}
    for index, record in enumerate(records):
        where = _label(index, record) if isinstance(record, dict) else f"record {index + 1}"
        if not isinstance(record, dict) or not isinstance(record.get("fields"), dict):
            raise CatalogueError(f"{where}: must be an object with 'model' and 'fields'.")
        if "pk" in record:
            raise CatalogueError(f"{where}: field 'pk': records name each other by slug, not pk.")
        model = record.get("model")
        if model not in MODELS:
            raise CatalogueError(f"{where}: field 'model': unknown model {model!r}.")
        fields = record["fields"]
        kind = model.split(".")[1]
        if kind in ("section", "paper"):
            slug = fields.get("slug")
            if slug in seen[kind]:
                raise CatalogueError(f"{where}: field 'slug': duplicate slug {slug!r}.")
            parent = fields.get("parent")
            if parent is not None and _ref(parent) not in (seen[kind] | known[kind]) - {slug}:
                raise CatalogueError(
                    f"{where}: field 'parent': no {kind} {parent!r} earlier in the file "
                    "or in the database."
                )
            seen[kind].add(slug)
        url = fields.get("url")
        if kind == "paper" and url and not str(url).startswith(("https://", "http://")):
            raise CatalogueError(f"{where}: field 'url': {url!r} is not an http(s) link.")
        if kind == "paper":
            section = _ref(fields.get("section"))
            if section not in seen["section"] | known["section"]:
                raise CatalogueError(
                    f"{where}: field 'section': no section {fields.get('section')!r}."
                )
        if kind == "advice":
            paper = _ref(fields.get("paper"))
            if paper not in seen["paper"] | known["paper"]:
                raise CatalogueError(f"{where}: field 'paper': no entry {fields.get('paper')!r}.")
            key = (paper, fields.get("position"))
            if key in seen["advice"]:
                raise CatalogueError(f"{where}: field 'position': duplicate position {key[1]!r}.")
            seen["advice"].add(key)
            if fields.get("level") not in Level.values:
                raise CatalogueError(
                    f"{where}: field 'level': unknown level {fields.get('level')!r} "
                    f"(use one of {', '.join(Level.values)})."
                )


@transaction.atomic
def load(records: list[dict]) -> LoadReport:
    """Validate and save every record in one transaction: all of the file, or nothing."""
    _check_references(records)
    report = LoadReport()
    for index, record in enumerate(records):
        where = _label(index, record)
        try:
            (deserialized,) = serializers.deserialize(
                "python", [record], handle_forward_references=False
            )
        except FieldDoesNotExist as error:
            raise CatalogueError(f"{where}: {error}.") from None
        except serializers.base.DeserializationError as error:
            raise CatalogueError(f"{where}: {error}") from None
        instance = deserialized.object
        # The deserializer found an existing row by its natural key: validate it as an update.
        instance._state.adding = instance.pk is None
        try:
            instance.full_clean()
        except ValidationError as error:
            # dict.fromkeys: a field with two validators for one rule reports it once.
            problems = "; ".join(
                f"field {name!r}: {' '.join(dict.fromkeys(messages))}"
                for name, messages in error.message_dict.items()
            )
            raise CatalogueError(f"{where}: {problems}") from None
        label = record["model"].split(".")[1]
        tally = report.updated if instance.pk else report.created
        tally[label] = tally.get(label, 0) + 1
        deserialized.save()
    return report


def load_file(path: Path = FIXTURE_PATH) -> LoadReport:
    """Load a fixture file; raise CatalogueError with a clear message if it is unusable."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogueError(f"cannot read {path}: {error.strerror}.") from None
    return load(parse(text, source=str(path)))


def _records() -> Iterable:
    yield from Section.objects.select_related("parent")  # Meta.ordering: parents first
    advice = Advice.objects.select_related("paper").order_by("paper", "position")
    by_paper: dict[int, list[Advice]] = {}
    for item in advice:
        by_paper.setdefault(item.paper_id, []).append(item)
    for paper in Paper.objects.in_reading_order().select_related("section__parent"):
        yield paper
        yield from by_paper.get(paper.pk, [])


def dumps() -> str:
    """The whole catalogue as fixture JSON: natural keys, reading order, two-space indent."""
    data = serializers.serialize(
        "python", _records(), use_natural_foreign_keys=True, use_natural_primary_keys=True
    )
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
