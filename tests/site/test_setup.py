"""The two commands work, and bad setups end in one clear sentence."""

import gzip
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@contextmanager
def make_target(target: str, port: int, tmp_path: Path, **env: str):
    """Run `make <target> PORT=<port>` on a throwaway database until /healthz answers."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MIREADS_")}
    environment.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **env)
    process = subprocess.Popen(
        ["make", "--no-print-directory", target, f"PORT={port}"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if fetch(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None:
                pytest.fail(process.stdout.read().decode())
            time.sleep(0.5)
        else:
            pytest.fail(f"make {target} did not start serving in time")
        yield process
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_find_python_picks_an_interpreter_of_at_least_3_12():
    found = subprocess.run(["bin/find-python"], cwd=ROOT, capture_output=True, text=True)
    assert found.returncode == 0
    version = subprocess.run(
        [found.stdout.strip(), "-c", "import sys; print(sys.version_info >= (3, 12))"],
        capture_output=True,
        text=True,
    )
    assert version.stdout.strip() == "True"


def test_without_a_suitable_python_setup_says_what_to_install(tmp_path):
    result = subprocess.run(
        ["/bin/sh", "bin/find-python"],
        cwd=ROOT,
        env={"PATH": str(tmp_path), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "needs Python 3.12 or newer" in result.stderr
    assert "install" in result.stderr and "Traceback" not in result.stderr


def test_a_busy_port_ends_in_one_sentence_saying_what_to_do():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            ["bin/port-free", str(port)], cwd=ROOT, capture_output=True, text=True
        )
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "PORT=8001" in result.stderr


def test_running_make_again_skips_installing_when_nothing_changed():
    # `make -q` answers 0 only when the target is up to date: the install step would not run.
    result = subprocess.run(["make", "-q", "install"], cwd=ROOT, capture_output=True)
    assert result.returncode == 0


def test_make_test_fails_loudly_when_pytest_collects_no_test():
    # A selection that matches nothing stands in for a suite that lost its tests.
    result = subprocess.run(
        ["make", "--no-print-directory", "test", "PYTEST_ARGS=-k no_test_is_named_like_this"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "make test: pytest collected no test; failing." in result.stderr


def test_make_run_serves_the_list_and_a_second_run_duplicates_nothing(tmp_path):
    from django.db import connections

    port = free_port()
    for _ in range(2):
        with make_target("run", port, tmp_path):
            status, _, body = fetch(f"http://127.0.0.1:{port}/papers/")
            assert status == 200
            assert body.count(b'class="entry-title"') == 30
    # Both runs used one database file: still exactly one row per entry.
    import sqlite3

    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute(
            "select count(*), count(distinct slug) from catalogue_paper"
        ).fetchone() == (
            30,
            30,
        )
    connections.close_all()


def test_make_serve_runs_production_mode_with_compressed_long_lived_static_files(tmp_path):
    port = free_port()
    with make_target(
        "serve", port, tmp_path, SECRET_KEY="s" * 20 + "ecret-for-the-serve-test-" * 3
    ):
        status, headers, body = fetch(f"http://127.0.0.1:{port}/papers/")
        assert status == 200
        assert "Content-Security-Policy" in headers
        missing = fetch(f"http://127.0.0.1:{port}/no/such/page/")
        assert missing[0] == 404 and b"Traceback" not in missing[2], "debug is off"
        stylesheet = re.search(rb'href="(/static/css/mireads\.[0-9a-f]{12}\.css)"', body)
        assert stylesheet, "hashed file names from the manifest storage"
        status, headers, css = fetch(
            f"http://127.0.0.1:{port}{stylesheet.group(1).decode()}", **{"Accept-Encoding": "gzip"}
        )
        assert status == 200
        assert headers.get("Content-Encoding") == "gzip"
        assert b"--accent" in gzip.decompress(css)
        assert (
            "max-age=315360000" in headers["Cache-Control"]
            or "immutable" in headers["Cache-Control"]
        )
