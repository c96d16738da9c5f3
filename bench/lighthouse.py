"""Lighthouse's performance audit of one page of the local server, as `python -m bench run` (and
`python -m bench lighthouse`) runs it on reader 5,000's dashboard.

Lighthouse is an npm package, not a Python one: on first use it is installed, at one exact
version, into bench/out/lighthouse/ (git-ignored, with its package.json and lock file), with
Debian's node and npm. It drives Debian's Chromium headless. When node, npm or Chromium is
missing, or the install fails, the audit is "not measured" with the reason and the command that
installs what is missing: the run goes on without it.
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.environment import OUT_DIR

VERSION = "12.2.3"
PACKAGE = f"lighthouse@{VERSION}"
PREFIX = OUT_DIR / "lighthouse"
CLI = PREFIX / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox"
INSTALL = f"npm install --prefix bench/out/lighthouse --no-audit --no-fund --save-exact {PACKAGE}"
INSTALL_SECONDS = 300
AUDIT_SECONDS = 180  # one pass takes 15-30 s; a page that never loads ends at Lighthouse's 45 s
REPORT = OUT_DIR / "lighthouse-dashboard.json"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


class NotMeasured(Exception):
    """Why Lighthouse could not measure, and what to install or run about it."""


@dataclass(frozen=True)
class Audit:
    """What Lighthouse measured; times in milliseconds."""

    score: float  # the performance category, 0 to 1
    fcp: float
    lcp: float
    tbt: float
    cls: float
    dom_size: int  # elements, by Lighthouse's count
    version: str
    url: str  # the page finally shown
    other_hosts: list[str] = field(default_factory=list)  # requests to anywhere but 127.0.0.1

    @property
    def shown(self) -> str:
        others = ", ".join(self.other_hosts) or "none"
        return (
            f"performance {self.score:.2f}; FCP {self.fcp / 1000:.1f} s, "
            f"LCP {self.lcp / 1000:.1f} s, TBT {self.tbt:.0f} ms, CLS {self.cls:.3f}; "
            f"DOM {self.dom_size} elements; "
            f"requests to other hosts: {others}"
        )


@dataclass(frozen=True)
class Outcome:
    """An audit, or why there is none."""

    audit: Audit | None = None
    reason: str = ""


def parse(report: dict) -> Audit:
    """Read Lighthouse's JSON report (`--output=json`)."""
    error = report.get("runtimeError")
    score = report.get("categories", {}).get("performance", {}).get("score")
    if score is None:
        why = f"{error['code']}: {error.get('message', '')}" if error else "no performance score"
        raise ValueError(f"Lighthouse gave no score ({why.strip()})")
    audits = report["audits"]

    def value(key: str) -> float:
        number = audits[key].get("numericValue")
        if number is None:
            raise ValueError(f"Lighthouse did not measure {key}")
        return float(number)

    requests = audits.get("network-requests", {}).get("details", {}).get("items", [])
    others = sorted(
        {
            item["url"]
            for item in requests
            if urlsplit(item.get("url", "")).scheme in ("http", "https")
            and urlsplit(item["url"]).netloc.rsplit(":", 1)[0] not in LOCAL_HOSTS
        }
    )
    return Audit(
        score=float(score),
        fcp=value("first-contentful-paint"),
        lcp=value("largest-contentful-paint"),
        tbt=value("total-blocking-time"),
        cls=value("cumulative-layout-shift"),
        dom_size=int(value("dom-size")),
        version=report.get("lighthouseVersion", ""),
        url=report.get("finalDisplayedUrl") or report.get("finalUrl", ""),
        other_hosts=others,
    )


def installed_version(prefix: Path = PREFIX) -> str:
    try:
        package = json.loads((prefix / "node_modules" / "lighthouse" / "package.json").read_text())
    except (OSError, ValueError):
        return ""
    return package.get("version", "")


def chromium() -> str:
    path = os.environ.get("CHROME_PATH", CHROMIUM)
    if not Path(path).is_file():
        raise NotMeasured(f"Chromium not found at {path}: apt-get install chromium")
    return path


def ensure_installed(prefix: Path = PREFIX) -> Path:
    """The CLI of Lighthouse VERSION, installed with npm into `prefix` unless it already is."""
    if not shutil.which("node"):
        raise NotMeasured("node not found: apt-get install nodejs npm")
    cli = prefix / "node_modules" / "lighthouse" / "cli" / "index.js"
    if installed_version(prefix) == VERSION and cli.is_file():
        return cli
    if not shutil.which("npm"):
        raise NotMeasured("npm not found: apt-get install nodejs npm")
    prefix.mkdir(parents=True, exist_ok=True)
    command = ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund"]
    command += ["--save-exact", "--loglevel=error", PACKAGE]
    try:
        subprocess.run(command, capture_output=True, text=True, check=True, timeout=INSTALL_SECONDS)
    except subprocess.TimeoutExpired:
        raise NotMeasured(f"`{INSTALL}` took over {INSTALL_SECONDS} s") from None
    except subprocess.CalledProcessError as failed:
        # npm's first line names the error (its code, e.g. ENOTFOUND); its last, only its log.
        first = (failed.stderr or failed.stdout or "").strip().splitlines()[:1] or ["no output"]
        raise NotMeasured(f"`{INSTALL}` failed ({first[0].strip()})") from None
    if installed_version(prefix) != VERSION or not cli.is_file():
        raise NotMeasured(f"`{INSTALL}` did not install {PACKAGE}")
    return cli


def command(cli: Path, url: str, cookie: str, out: Path) -> list[str]:
    """Lighthouse's mobile preset (its default), the performance category only."""
    return [
        "node",
        str(cli),
        url,
        "--only-categories=performance",
        "--output=json",
        f"--output-path={out}",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--extra-headers={json.dumps({'Cookie': cookie})}",
        "--quiet",
    ]


def audit(url: str, cookie: str, out: Path = REPORT) -> Outcome:
    """Lighthouse on one page of the local server, signed in with `cookie`; never raises for a
    missing tool: the outcome then says why it did not measure."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"The bench talks to 127.0.0.1 only, not {url}")
    try:
        browser = chromium()
        cli = ensure_installed()
        out.unlink(missing_ok=True)
        env = {**os.environ, "CHROME_PATH": browser}
        try:
            subprocess.run(
                command(cli, url, cookie, out),
                capture_output=True,
                text=True,
                check=True,
                timeout=AUDIT_SECONDS,
                env=env,
            )
        except subprocess.TimeoutExpired:
            raise NotMeasured(f"Lighthouse took over {AUDIT_SECONDS} s") from None
        except subprocess.CalledProcessError as failed:
            last = (failed.stderr or "").strip().splitlines()[-1:] or [f"exit {failed.returncode}"]
            raise NotMeasured(f"Lighthouse failed ({last[0].strip()})") from None
        try:
            found = parse(json.loads(out.read_text()))
        except (OSError, ValueError, KeyError) as error:
            raise NotMeasured(f"Lighthouse's report unreadable: {error}") from None
    except NotMeasured as why:
        return Outcome(reason=str(why))
    if found.url.rstrip("/") != url.rstrip("/"):
        return Outcome(reason=f"Lighthouse ended on {found.url}, not {url}: signed out?")
    return Outcome(audit=found)
