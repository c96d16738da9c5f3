"""Cached fragments declare the data they show once; their markup and their key both come from it.

A `Shows` names what a fragment reads of an object. `view(obj)` is what the fragment's template
is given: it answers only the declared names, and any other raises UndeclaredField, which Django
templates do not swallow, so a template that starts to show `paper.year` fails every test that
renders it, with a sentence saying where to declare it. `key(obj)` is a digest of the declared
values (methods called, as templates call them), so whatever the fragment shows is in its key:
edit a shown field and the key moves on at once.
"""

import hashlib
from dataclasses import dataclass


class UndeclaredField(Exception):
    """A cached fragment read a name its declaration does not list (not an AttributeError on
    purpose: Django templates would render that as an empty string)."""


@dataclass(frozen=True)
class Shows:
    """The names a cached fragment reads of one object; `where` says where it is declared."""

    where: str
    names: tuple[str, ...]

    def value(self, obj, name: str):
        found = getattr(obj, name, None)
        return found() if callable(found) else found

    def values(self, obj) -> tuple:
        return tuple(self.value(obj, name) for name in self.names)

    def key(self, obj) -> str:
        return digest(self.values(obj))

    def view(self, obj) -> "Declared":
        return Declared(self, obj)


class Declared:
    """An object as a cached fragment may see it: only the declared names."""

    __slots__ = ("_obj", "_shows")

    def __init__(self, shows: Shows, obj):
        self._shows, self._obj = shows, obj

    def __getattr__(self, name: str):
        if name in self._shows.names:
            return self._shows.value(self._obj, name)
        raise UndeclaredField(
            f"A cached fragment shows {name!r}, which {self._shows.where} does not declare: add it "
            "there, so that the fragment's key changes when it does."
        )


def digest(value) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()
