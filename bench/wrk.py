"""Load one URL with wrk and read back throughput and latency percentiles."""

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA_DIR = Path(__file__).resolve().parent / "lua"
THREADS = 2
CONNECTIONS = 16
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass(frozen=True)
class Load:
    """What wrk measured for one URL; latencies in milliseconds."""

    requests_per_second: float
    p50: float
    p99: float
    requests: int
    failed: int  # answers outside 2xx/3xx, plus socket errors

    @property
    def clean(self) -> bool:
        return self.requests > 0 and self.failed == 0


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(number) * UNITS[unit]


def parse(output: str) -> Load:
    """Read wrk's --latency report."""
    percentile = {
        match[0]: milliseconds(match[1])
        for match in re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", output, re.MULTILINE)
    }
    total = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if not (total and rate and "50" in percentile and "99" in percentile):
        raise ValueError(f"Could not read wrk's report:\n{output}")
    failed = int(bad[1]) if bad else 0
    if socket:
        failed += sum(int(count) for count in socket.groups())
    return Load(
        requests_per_second=float(rate[1]),
        p50=percentile["50"],
        p99=percentile["99"],
        requests=int(total[1]),
        failed=failed,
    )


def run(
    url: str,
    *,
    seconds: float,
    headers: dict[str, str] | None = None,
    script: str | None = None,
    env: dict[str, str] | None = None,
    connections: int = CONNECTIONS,
) -> Load:
    """`wrk -t2 -c16 -dNs --latency URL`, bounded in time; 127.0.0.1 only."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"The bench loads 127.0.0.1 only, not {url}")
    threads = min(THREADS, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    command += ["--timeout", "5s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(LUA_DIR / script)]
    result = subprocess.run(
        [*command, url],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    )
    return parse(result.stdout)
