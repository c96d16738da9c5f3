"""Writes of what is derived from a reader's rows and changes nothing they see (a note's stored
rendering, stored by whichever page renders it first): the one exception to the write construct
(progress/writes.py), marked so that the test which finds writers accepts it. No lock and no
version: no page of the reader shows anything new."""

from contextlib import contextmanager
from contextvars import ContextVar

_DERIVING: ContextVar[bool] = ContextVar("mireads_derived_write", default=False)


def deriving() -> bool:
    return _DERIVING.get()


@contextmanager
def derived_write():
    token = _DERIVING.set(True)
    try:
        yield
    finally:
        _DERIVING.reset(token)
