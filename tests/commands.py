"""Run manage.py in a fresh process: settings are read from the environment at import, so tests
of start-up behaviour need a process of their own."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, environment: dict[str, str], timeout: int = 120):
    """`python manage.py <args>` in the project root with exactly `environment`."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
