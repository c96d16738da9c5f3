"""Loaded by pytest before Django (`-p tests.environment`): tests run with development settings,
so `pytest` works on its own as well as through `make test`."""

import os

os.environ.setdefault("MIREADS_DEBUG", "true")
