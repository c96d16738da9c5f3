"""A reader's data out and back in, and their leaving, one module per concern:

- `schema`: the export file's name, version and limits;
- `export`: the formats out (JSON, the latest versions that fit the import limit, Markdown, a
  zip of notes);
- `importing`: reading a file back, checked whole before anything is written, and the merge;
- `deletion`: removing an account.

The names the views and tests use are gathered here.
"""

from accounts.portability.deletion import delete_account
from accounts.portability.export import (
    dumps,
    export_document,
    export_json,
    export_markdown,
    export_notes_zip,
    export_within_import_limit,
    iter_reader_entries,
    reader_entries,
    vault_file_name,
    yaml_string,
)
from accounts.portability.importing import (
    EntryIn,
    ImportRefused,
    ImportReport,
    apply_import,
    parse_export,
    too_large_message,
)
from accounts.portability.schema import (
    MAX_IMPORT_BYTES,
    MAX_IMPORTED_VERSION,
    MAX_VERSION,
    SCHEMA,
    VERSION,
)

__all__ = [
    "MAX_IMPORTED_VERSION",
    "MAX_IMPORT_BYTES",
    "MAX_VERSION",
    "SCHEMA",
    "VERSION",
    "EntryIn",
    "ImportRefused",
    "ImportReport",
    "apply_import",
    "delete_account",
    "dumps",
    "export_document",
    "export_json",
    "export_markdown",
    "export_notes_zip",
    "export_within_import_limit",
    "iter_reader_entries",
    "parse_export",
    "reader_entries",
    "too_large_message",
    "vault_file_name",
    "yaml_string",
]
