"""catalogue's one statement that bypasses the ORM, derived from the model (mireads/sql.py).

The list's version is read on every public request and every dashboard: building the ORM query
cost several times what SQLite takes to answer it (tests/catalogue/test_sql.py runs it against
its ORM twin).
"""

from catalogue.models import CatalogueVersion
from mireads.sql import Select

VERSION = Select(CatalogueVersion, where=("pk",), fields=("epoch", "version"))
