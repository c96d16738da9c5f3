"""Plain SQL derived from the models, for the few statements where the ORM's cost matters.

Every statement that bypasses the ORM is built here from a model's `_meta` (table, columns,
defaults and converters), as Django's own database cache backend does, so adding, renaming or
dropping a field changes the statement with it:

- `Select` reads every concrete column of a model (or the ones named) and gives back model
  instances through the ORM's own converters, so a new field is read, never left to a default or
  a deferred query;
- `Insert` writes every concrete column, taking the field's default for the ones the caller does
  not give, so a new field with a default just works, and one without a default fails at once
  with a sentence naming the field and the statement to change;
- `Compiled` is an ORM query compiled once per database, with the positions of its parameters
  found from the query itself, so no rule about how many parameters it has lives in a comment.

Each app keeps its statements in its own `sql.py`; tests run each one against its ORM twin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, router


def quote(alias: str, name: str) -> str:
    return connections[alias].ops.quote_name(name)


def table(model: type[models.Model], alias: str) -> str:
    """The model's table, quoted for this database."""
    return quote(alias, model._meta.db_table)


def column(model: type[models.Model], name: str, alias: str) -> str:
    """A field's column (by field name, `pk` allowed), quoted for this database."""
    found = model._meta.pk if name == "pk" else model._meta.get_field(name)
    return quote(alias, found.column)


def concrete(model: type[models.Model], names: Iterable[str] | None = None) -> list[models.Field]:
    """The model's concrete fields (with a column), in declaration order, or the named ones."""
    if names is None:
        return list(model._meta.concrete_fields)
    return [model._meta.pk if n == "pk" else model._meta.get_field(n) for n in names]


def converters(fields: Sequence[models.Field], alias: str) -> list[tuple]:
    """For each field, what the ORM does to its value as the database driver gives it (SQLite's
    text dates, JSON text, booleans as integers...): the compiler's own converters, as
    (column, steps). Kept per process: the models do not change while it runs."""
    key = (tuple(fields), alias)
    if key not in _CONVERTERS:
        connection = connections[alias]
        found = []
        for f in fields:
            col = f.get_col(f.model._meta.db_table)
            found.append(
                (col, connection.ops.get_db_converters(col) + f.get_db_converters(connection))
            )
        _CONVERTERS[key] = found
    return _CONVERTERS[key]


_CONVERTERS: dict = {}


def convert_row(row: Sequence, fields: Sequence[models.Field], alias: str) -> list:
    """A row as the database driver gave it, converted as the ORM converts it."""
    connection = connections[alias]
    values = list(row)
    for i, (col, steps) in enumerate(converters(fields, alias)):
        for step in steps:
            values[i] = step(values[i], col, connection)
    return values


@dataclass(frozen=True)
class Select:
    """SELECT the model's concrete columns (or `fields`) WHERE the named fields equal parameters.

    `instances()` gives model instances built as the ORM builds them (Model.from_db), every field
    loaded; `values()` gives converted values in field order.
    """

    model: type[models.Model]
    where: tuple[str, ...]
    fields: tuple[str, ...] | None = None
    lock: bool = False
    extra_where: str = ""
    # Fields of which at least one must equal its parameter (given after `where`'s): OR-ed.
    any_of: tuple[str, ...] = ()

    def alias(self) -> str:
        return router.db_for_read(self.model)

    def field_list(self) -> list[models.Field]:
        return concrete(self.model, self.fields)

    def sql(self, alias: str) -> str:
        cols = ", ".join(quote(alias, f.column) for f in self.field_list())
        conditions = " AND ".join(f"{column(self.model, w, alias)} = %s" for w in self.where)
        if self.any_of:
            either = " OR ".join(f"{column(self.model, w, alias)} = %s" for w in self.any_of)
            conditions += f" AND ({either})"
        sql = f"SELECT {cols} FROM {table(self.model, alias)} WHERE {conditions}{self.extra_where}"
        if self.lock and connections[alias].features.has_select_for_update:
            sql += " FOR UPDATE"
        return sql

    def rows(self, params: Sequence, alias: str | None = None) -> list[list]:
        alias = alias or self.alias()
        with connections[alias].cursor() as cursor:
            cursor.execute(self.sql(alias), list(params))
            found = cursor.fetchall()
        fields = self.field_list()
        return [convert_row(row, fields, alias) for row in found]

    def values(self, params: Sequence, alias: str | None = None) -> list | None:
        rows = self.rows(params, alias)
        return rows[0] if rows else None

    def instances(self, params: Sequence, alias: str | None = None) -> list[models.Model]:
        alias = alias or self.alias()
        names = [f.attname for f in self.field_list()]
        return [self.model.from_db(alias, names, row) for row in self.rows(params, alias)]

    def instance(self, params: Sequence, alias: str | None = None) -> models.Model | None:
        alias = alias or self.alias()
        row = self.values(params, alias)
        if row is None:
            return None
        names = [f.attname for f in self.field_list()]
        return self.model.from_db(alias, names, row)


class Raw(str):
    """A value given to Insert as SQL of its own (a subquery), not as a parameter."""


@dataclass(frozen=True)
class Insert:
    """INSERT rows into the model's table, one value for every concrete column but the
    auto-incremented id: given by the caller, or the field's default (evaluated per row).

    `on_conflict_ignore`: the row is left out when it would break a unique constraint (PostgreSQL's
    and SQLite's (3.24+) ON CONFLICT DO NOTHING, the ORM's ignore_conflicts).
    """

    model: type[models.Model]
    given: tuple[str, ...]
    raw: dict[str, Callable[[str], str]] = field(default_factory=dict)
    on_conflict_ignore: bool = False

    def field_list(self) -> list[models.Field]:
        fields = [f for f in self.model._meta.concrete_fields if not f.primary_key]
        for f in fields:
            if f.name in self.given or f.name in self.raw or f.null or f.has_default():
                continue
            if f.has_db_default():
                continue
            raise ImproperlyConfigured(
                f"{self.model._meta.label}.{f.name} has no default, so the plain-SQL insert of "
                f"{self.model._meta.label} cannot fill it: give the field a default, or pass it "
                "to this Insert (in the app's sql.py) and its callers."
            )
        return [f for f in fields if not (f.has_db_default() and f.name not in self.given)]

    def sql(self, rows: int, alias: str) -> str:
        fields = self.field_list()
        cols = ", ".join(quote(alias, f.column) for f in fields)
        one = (
            "("
            + ", ".join(self.raw[f.name](alias) if f.name in self.raw else "%s" for f in fields)
            + ")"
        )
        sql = f"INSERT INTO {table(self.model, alias)} ({cols}) VALUES {', '.join([one] * rows)}"
        return sql + (" ON CONFLICT DO NOTHING" if self.on_conflict_ignore else "")

    def params(self, row: dict[str, Any], alias: str) -> list:
        connection = connections[alias]
        values = []
        for f in self.field_list():
            if f.name in self.raw:
                continue
            value = row[f.name] if f.name in row else f.get_default()
            if isinstance(value, models.Model):
                value = value.pk
            values.append(f.get_db_prep_save(value, connection))
        return values

    def execute(self, rows: list[dict[str, Any]], alias: str | None = None) -> int:
        if not rows:
            return 0
        alias = alias or router.db_for_write(self.model)
        params = [value for row in rows for value in self.params(row, alias)]
        with connections[alias].cursor() as cursor:
            cursor.execute(self.sql(len(rows), alias), params)
            return cursor.rowcount


class Placeholder(int):
    """Stands for a parameter in a query compiled once (no account or row has a negative id)."""


@dataclass
class Compiled:
    """An ORM query compiled once per database: building and compiling it cost several times
    what the database takes to answer, and only its parameters change between requests.

    `build(*placeholders)` makes the queryset with a Placeholder for each parameter; the positions
    where they land in the compiled SQL are read from the compiled parameters themselves, so the
    query may use a parameter any number of times. If a placeholder does not reach the SQL at
    all, compiling fails with a sentence, never a silent fallback.
    """

    build: Callable[..., models.QuerySet]
    arity: int
    _cache: dict = field(default_factory=dict)

    PLACEHOLDERS = (-7_340_031, -7_340_033, -7_340_037, -7_340_039)

    def compiled(self, alias: str):
        if alias not in self._cache:
            marks = [Placeholder(v) for v in self.PLACEHOLDERS[: self.arity]]
            query = self.build(*marks).query
            compiler = query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            slots = [marks.index(p) if p in marks else None for p in params]
            missing = [i for i in range(self.arity) if i not in slots]
            if missing:
                raise ImproperlyConfigured(
                    f"The compiled query {self.build.__qualname__} does not use its parameter(s) "
                    f"{missing} in its SQL: pass each parameter into the queryset it builds."
                )
            fields = [col[0] for col in compiler.select[: compiler.col_count]]
            self._cache[alias] = (sql, params, slots, compiler, compiler.get_converters(fields))
        return self._cache[alias]

    def rows(self, *args, alias: str) -> list[tuple]:
        sql, params, slots, compiler, convs = self.compiled(alias)
        values = [p if slot is None else args[slot] for p, slot in zip(params, slots, strict=True)]
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, values)
            rows = cursor.fetchall()
        rows = compiler.apply_converters(rows, convs) if convs else rows
        return [tuple(row) for row in rows]
