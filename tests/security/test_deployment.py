"""What production needs from its proxy and gunicorn: slow clients are absorbed by a proxy that
buffers whole requests (the README's nginx configuration, run here in front of gunicorn), and
`make serve` sets gunicorn's timeouts."""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def needs_nginx() -> str:
    """nginx's path; .ci/run installs nginx-light, so in CI its absence fails, elsewhere skips."""
    if NGINX is None:
        reason = "nginx is not installed (apt-get install nginx-light)."
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} In CI the proxy test must run.")
        pytest.skip(reason)
    return NGINX


def readme_nginx() -> str:
    found = re.search(r"```nginx\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert found, "the README shows the proxy's configuration"
    return found.group(1)


def test_make_serve_sets_gunicorns_timeouts():
    serve = (ROOT / "Makefile").read_text().split("\nserve: install", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"--timeout \d+", serve)
    assert re.search(r"--graceful-timeout \d+", serve)
    assert re.search(r"--keep-alive \d+", serve)


def test_the_readmes_proxy_buffers_whole_requests_and_bounds_bodies_and_timeouts():
    config = readme_nginx()
    for directive in (
        "proxy_request_buffering on;",
        "client_max_body_size 2m;",
        "client_header_timeout",
        "client_body_timeout",
        "proxy_set_header X-Forwarded-Proto https;",
    ):
        assert directive in config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            pytest.fail(f"exited while starting:\n{log.read_text()}")
        if answers_within(port, 2):
            return
        if time.monotonic() > deadline:
            pytest.fail(f"did not answer /healthz in time:\n{log.read_text()}")
        time.sleep(0.25)


@contextmanager
def running(command: list[str], port: int, log: Path, **kwargs):
    with log.open("w") as log_file:
        process = subprocess.Popen(
            command, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )
    try:
        wait_for(port, process, log)
        yield process
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def gunicorn(tmp_path: Path):
    """make serve's gunicorn (two sync workers, its timeouts), production settings, on SQLite."""
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CACHE_URL"}},
        "MIREADS_DEBUG": "false",
        "MIREADS_HTTPS": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    command = [
        sys.executable, "-m", "gunicorn", "mireads.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", "2", "--timeout", "30", "--graceful-timeout", "20", "--keep-alive", "5",
    ]  # fmt: skip
    with running(command, port, tmp_path / "gunicorn.log", cwd=ROOT, env=environment):
        yield port


@contextmanager
def nginx(tmp_path: Path, upstream: int):
    """The README's server block, on plain http at a free port, in front of `upstream`."""
    port = free_port()
    server = readme_nginx()
    server = server.replace("127.0.0.1:8000", f"127.0.0.1:{upstream}")
    server = re.sub(r"listen 443 ssl;", f"listen 127.0.0.1:{port};", server)
    server = re.sub(r"\n\s*ssl_certificate(_key)? [^\n]+;", "", server)
    prefix = tmp_path / "nginx"
    for name in ("logs", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / name).mkdir(parents=True, exist_ok=True)
    temp = "\n".join(
        f"    {name}_temp_path {prefix / folder};"
        for name, folder in [
            ("client_body", "client_body"),
            ("proxy", "proxy"),
            ("fastcgi", "fastcgi"),
            ("uwsgi", "uwsgi"),
            ("scgi", "scgi"),
        ]
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        f"{user}pid {prefix / 'nginx.pid'};\nerror_log {prefix / 'logs/error.log'};\n"
        f"events {{}}\nhttp {{\n    access_log off;\n{temp}\n{server}\n}}\n"
    )
    command = [
        needs_nginx(),
        "-p",
        str(prefix),
        "-c",
        str(prefix / "nginx.conf"),
        "-g",
        "daemon off;",
    ]
    checked = subprocess.run([*command[:-2], "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    with running(command, port, prefix / "logs/stdout.log"):
        yield port


def slow_clients(port: int, count: int) -> list[socket.socket]:
    """Connections that send half a request line and then nothing more, as a slow client does."""
    opened = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port))
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        opened.append(connection)
    return opened


def answers_within(port: int, seconds: float) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=seconds) as got:
            return got.status == 200
    except OSError:
        return False


def test_behind_the_readmes_proxy_slow_clients_never_hold_a_worker(tmp_path):
    needs_nginx()
    with gunicorn(tmp_path) as app, nginx(tmp_path, app) as proxy:
        # Straight to gunicorn, two slow clients take both sync workers: nobody else gets in.
        held = slow_clients(app, 2)
        time.sleep(0.5)
        assert not answers_within(app, 2), "the control: gunicorn alone is held by slow clients"
        for connection in held:
            connection.close()
        time.sleep(0.5)
        # Through the proxy, ten slow clients cost gunicorn nothing.
        waiting = slow_clients(proxy, 10)
        time.sleep(0.5)
        started = time.monotonic()
        assert answers_within(proxy, 5)
        assert time.monotonic() - started < 2
        for connection in waiting:
            connection.close()
