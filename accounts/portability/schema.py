"""The export file's format: its name and version, and the limits both sides keep to."""

SCHEMA = "mireads-export"
# 2: every entry, trimmed part and folded tier names its curriculum by slug (issue 25). Import
# reads version 1 too: a record without a curriculum is the default curriculum's, as it was.
VERSION = 2
READABLE_VERSIONS = (1, 2)
MAX_IMPORT_BYTES = 5 * 1024 * 1024
# A file with thousands of problems is better fixed from the first few hundred.
MAX_PROBLEMS = 200
# The largest values the columns hold (PositiveSmallIntegerField, PositiveIntegerField).
MAX_POSITION = 32_767
MAX_KEY_LENGTH = 50  # catalogue.Advice.key
MAX_VERSION = 2_147_483_647
# A note's version grows by one per save, so an imported one must leave room to save again: far
# more than any reader will ever save, far below the column's limit.
MAX_IMPORTED_VERSION = 1_000_000_000
# Dates outside these years cannot be right for a reading list, and near the ends of Python's
# range a change of time zone or a week added for a chart would overflow.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2999
MAX_SLUG_LENGTH = 100
