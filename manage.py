#!/usr/bin/env python
"""Django's command-line utility for mireads."""

import os
import sys


def main() -> None:
    """Run a management command; configuration and database problems end in one clear sentence."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mireads.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        sys.exit(f"mireads: configuration problem: {error}")
    except OperationalError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        sys.exit(
            f"mireads: cannot use the database ({first_line}). Check that it is running and "
            "reachable, and that DATABASE_URL is right."
        )


if __name__ == "__main__":
    main()
