"""`make bench`: how fast the key pages are at demo and at large scale, next to a baseline.

For each scale it builds (or reuses) a SQLite database of demo data under `.bench/<scale>/`,
serves the tracker with gunicorn on 127.0.0.1 with production settings, signs in as real
demo users, and measures each page with one client sending requests one after another on
one keep-alive connection. A one-route Flask app served the same way is the baseline. The
results go to stdout and to docs/benchmark.md as markdown tables. The method is described
in the README's Performance section.

Exit status: 0 when the benchmark ran (whether or not every target is met: the table says
so), 1 when it could not run or a page did not answer with the real page.

The measuring, the targets and the table are small pure functions at the top, tested in
tests/unit/test_bench.py; everything that starts processes or opens sockets is below them.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import http.client
import json
import math
import os
import platform
import re
import secrets
import shlex
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
SCALES = ("demo", "large")
# The demo accounts' password in the bench databases only (served on loopback, thrown away).
BENCH_PASSWORD = "bench-only-demo-password-4711"  # noqa: S105  (not a secret, see above)
# Two worker processes (one per core) with four threads each: gthread workers keep a
# connection alive between requests, which the sync worker does not.
GUNICORN_FLAGS = (
    "--worker-class",
    "gthread",
    "--workers",
    "2",
    "--threads",
    "4",
    "--keep-alive",
    "30",
)
# The generated data depends on these files; a cached database is rebuilt when they change.
GENERATOR_INPUTS = (
    "tracker/services/demo*.py",
    "tracker/demo/**/*.py",
    "tracker/cli.py",
    "tracker/models/*.py",
    "migrations/versions/*.py",
    "tracker/catalog/data/*.toml",
)
SIGNED_IN = 'action="/logout"'  # the sign-out form: only a signed-in page has it
PRODUCTION_COOKIE = "__Host-session"  # the session cookie's name in production only


class BenchError(Exception):
    """The benchmark itself failed (not a missed target)."""


# --- Pages and targets --------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Issue 6's targets for one page (large scale, SQLite, one client)."""

    p95_ms: float
    min_baseline_share: float | None = None  # req/s as a share of the baseline's

    def describe(self) -> str:
        text = f"p95 ≤ {self.p95_ms:g} ms"
        if self.min_baseline_share is not None:
            text += f", req/s ≥ {self.min_baseline_share:.0%} of baseline"
        return text


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    target: Target


PAGES = (
    Page("login", "Sign-in page", Target(150)),
    Page("board", "Opening board", Target(100)),
    Page("candidate", "Candidate page", Target(100, 0.30)),
    Page("review", "Hiring manager's review", Target(100)),
    Page("my_interviews", "My interviews", Target(150)),
    Page("pipeline", "Pipeline report", Target(150)),
)


# --- Measuring ----------------------------------------------------------------------


@dataclass(frozen=True)
class Measurement:
    count: int
    p50_ms: float
    p95_ms: float
    rps: float


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0 to 100), interpolating linearly between the closest ranks
    (as numpy's default and `statistics.quantiles(method="inclusive")` do)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0..100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(latencies_s: Sequence[float], elapsed_s: float) -> Measurement:
    """p50 and p95 of the latencies (seconds in, milliseconds out), and requests per
    second over the whole measured stretch (wall clock, one client)."""
    if not latencies_s or elapsed_s <= 0:
        raise ValueError("nothing was measured")
    return Measurement(
        count=len(latencies_s),
        p50_ms=percentile(latencies_s, 50) * 1000,
        p95_ms=percentile(latencies_s, 95) * 1000,
        rps=len(latencies_s) / elapsed_s,
    )


def misses(measured: Measurement, target: Target, baseline_rps: float) -> list[str]:
    """What the page misses of its target, each with by how much; empty when met."""
    found = []
    if measured.p95_ms > target.p95_ms:
        over = measured.p95_ms - target.p95_ms
        found.append(f"p95 {measured.p95_ms:.1f} ms is {over:.1f} ms over {target.p95_ms:g} ms")
    if target.min_baseline_share is not None:
        share = measured.rps / baseline_rps
        if share < target.min_baseline_share:
            found.append(
                f"req/s is {share:.1%} of baseline, short of {target.min_baseline_share:.0%}"
            )
    return found


# --- Tables -------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    page: Page
    path: str
    user: str | None
    measurement: Measurement


@dataclass
class ScaleRun:
    scale: str
    data: str  # how the data was made and how much of it there is
    baseline: Measurement
    results: list[Result]
    notes: list[str] = field(default_factory=list)


TABLE_HEAD = (
    "Page",
    "Path",
    "Signed in as",
    "Requests",
    "p50 ms",
    "p95 ms",
    "req/s",
    "vs baseline",
    "Target",
    "Met",
)


def format_rps(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(_cell(h) for h in head) + " |"]
    lines.append("| " + " | ".join("---" for _ in head) + " |")
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def baseline_row(baseline: Measurement) -> list[str]:
    return [
        "Baseline (one-route Flask app)",
        "`/`",
        "",
        str(baseline.count),
        f"{baseline.p50_ms:.1f}",
        f"{baseline.p95_ms:.1f}",
        format_rps(baseline.rps),
        "100%",
        "",
        "",
    ]


def result_row(result: Result, baseline_rps: float) -> list[str]:
    measured = result.measurement
    missed = misses(measured, result.page.target, baseline_rps)
    return [
        result.page.label,
        f"`{result.path}`",
        result.user or "(anonymous)",
        str(measured.count),
        f"{measured.p50_ms:.1f}",
        f"{measured.p95_ms:.1f}",
        format_rps(measured.rps),
        f"{measured.rps / baseline_rps:.1%}",
        result.page.target.describe(),
        "yes" if not missed else "**no**: " + "; ".join(missed),
    ]


def render_table(baseline: Measurement, results: Sequence[Result]) -> str:
    rows = [baseline_row(baseline)] + [result_row(r, baseline.rps) for r in results]
    return markdown_table(TABLE_HEAD, rows)


def missed_targets(run: ScaleRun) -> list[str]:
    return [
        f"{r.page.label}: {miss}"
        for r in run.results
        for miss in misses(r.measurement, r.page.target, run.baseline.rps)
    ]


def render_report(header: Sequence[tuple[str, str]], runs: Sequence[ScaleRun]) -> str:
    """The whole markdown file: facts about the run, then a table per scale, then what
    the large scale misses (the issue sets its targets there)."""
    lines = ["# Benchmark", "", "The latest `make bench` run; the method is in the README,"]
    lines += ["section Performance.", ""]
    lines += [f"- **{key}**: {value}" for key, value in header]
    for run in runs:
        lines += ["", f"## {run.scale.capitalize()} scale", "", run.data, ""]
        lines.append(render_table(run.baseline, run.results))
        if run.notes:
            lines.append("")
            lines += [f"- {note}" for note in run.notes]
    large = [run for run in runs if run.scale == "large"]
    if large:
        missed = missed_targets(large[0])
        lines += ["", "## Targets at large scale", ""]
        lines += [f"- {m}" for m in missed] if missed else ["Every target is met."]
    return "\n".join(lines) + "\n"


# --- Small pieces of HTTP -----------------------------------------------------------


def parse_set_cookie(header: str, now: datetime | None = None) -> tuple[str, str, bool]:
    """Name, value and whether the cookie is being deleted, from one Set-Cookie header.

    Attributes are ignored otherwise: the bench sends production's Secure __Host- cookie
    back over plain http on loopback, which a browser (or http.cookiejar) would not.
    """
    first, *attributes = header.split(";")
    name, _, value = first.strip().partition("=")
    deleted = False
    for attribute in attributes:
        key, _, raw = attribute.strip().partition("=")
        key = key.lower()
        if key == "max-age" and re.fullmatch(r"-?\d+", raw.strip()):
            deleted = deleted or int(raw) <= 0
        elif key == "expires":
            try:
                expires = parsedate_to_datetime(raw.strip())
            except (TypeError, ValueError):
                continue
            if expires.tzinfo is None:
                expires = expires.replace(tzinfo=UTC)
            deleted = deleted or expires <= (now or datetime.now(UTC))
    return name.strip(), value.strip(), deleted


def update_jar(jar: dict[str, str], headers: Iterable[str]) -> None:
    for header in headers:
        name, value, deleted = parse_set_cookie(header)
        if deleted:
            jar.pop(name, None)
        elif name:
            jar[name] = value


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


_CSRF_INPUT = re.compile(r"<input\b[^>]*\bname=\"csrf_token\"[^>]*>", re.IGNORECASE)
_VALUE = re.compile(r"\bvalue=\"([^\"]*)\"")


def scrape_csrf_token(page: str) -> str:
    """The CSRF token of the first form on the page."""
    tag = _CSRF_INPUT.search(page)
    value = _VALUE.search(tag.group(0)) if tag else None
    if value is None or not value.group(1):
        raise BenchError("no CSRF token on the sign-in page")
    return html.unescape(value.group(1))


def inputs_digest(root: Path, patterns: Sequence[str], extra: Sequence[str] = ()) -> str:
    """A digest of the generator's inputs: the files' names and contents, and the
    command's arguments; a cached database is reused only while it is unchanged."""
    digest = hashlib.sha256()
    for item in extra:
        digest.update(item.encode() + b"\0")
    files = sorted({p for pattern in patterns for p in root.glob(pattern) if p.is_file()})
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


# --- Processes ----------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_command(command: Sequence[str], env: dict[str, str], capture: bool = False) -> str:
    """Run one of our own commands (python -m flask ...), its output to stderr."""
    result = subprocess.run(  # noqa: S603  (a fixed command line of our own)
        list(command),
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE if capture else sys.stderr,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"`{shlex.join(command)}` failed with exit status {result.returncode}")
    return result.stdout or ""


def clean_env() -> dict[str, str]:
    """The caller's environment without any tracker setting that would leak in."""
    env = dict(os.environ)
    for name in (
        "FLASK_DEBUG",
        "TRACKER_ENV",
        "SECRET_KEY",
        "DATABASE_URL",
        "TRUSTED_HOSTS",
        "TRACKER_INSTANCE_DIR",
        "TRACKER_RESUME_DIR",
        "TRACKER_PROXY_HOPS",
        "RATELIMIT_STORAGE_URI",
        "TRACKER_DEMO_PASSWORD",
    ):
        env.pop(name, None)
    return env


@dataclass(frozen=True)
class Workspace:
    """`.bench/<scale>/`: the generated database (kept), its stamp, and the copy served."""

    folder: Path

    @property
    def generated(self) -> Path:
        return self.folder / "generated.sqlite3"

    @property
    def stamp(self) -> Path:
        return self.folder / "stamp.json"

    @property
    def served(self) -> Path:
        return self.folder / "served.sqlite3"

    @property
    def instance(self) -> Path:
        return self.folder / "instance"

    def env(self, database: Path, **extra: str) -> dict[str, str]:
        env = clean_env()
        env.update(
            FLASK_APP="tracker",
            DATABASE_URL=f"sqlite:///{database}",
            TRACKER_INSTANCE_DIR=str(self.instance),
            TRACKER_DEMO_PASSWORD=BENCH_PASSWORD,
        )
        env.update(extra)
        return env


def flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", *args]


def demo_arguments(scale: str, workspace: Workspace, options: argparse.Namespace) -> list[str]:
    """`flask demo`'s arguments for a scale: `--scale large` once the command has it,
    otherwise the demo copied `--stand-in-copies` times stands in for the large company."""
    if scale == "demo":
        return []
    if options.large_args is not None:
        return shlex.split(options.large_args)
    env = workspace.env(workspace.folder / "probe.sqlite3")
    if "--scale" in run_command(flask("demo", "--help"), env, capture=True):
        return ["--scale", "large"]
    log(f"`flask demo` has no --scale yet: --copies {options.stand_in_copies} stands in for large")
    return ["--copies", str(options.stand_in_copies)]


def remove_database_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def remove_database(path: Path) -> None:
    path.unlink(missing_ok=True)
    remove_database_sidecars(path)


def prepare_database(workspace: Workspace, arguments: list[str], fresh: bool) -> str:
    """Generate the scale's database unless a cached one was made from the same inputs;
    returns a sentence saying which."""
    workspace.folder.mkdir(parents=True, exist_ok=True)
    command = shlex.join(["flask", "demo", *arguments])
    digest = inputs_digest(ROOT, GENERATOR_INPUTS, [*arguments, BENCH_PASSWORD])
    if not fresh and workspace.generated.exists() and workspace.stamp.exists():
        stamp = json.loads(workspace.stamp.read_text())
        if stamp.get("digest") == digest:
            log(f"Reusing {workspace.generated} (its generator's inputs have not changed)")
            return (
                f"Generated by `{command}` on {stamp['built_at']} in {stamp['seconds']:.0f} s "
                "(cached: the generator's inputs have not changed since)."
            )
    building = workspace.folder / "building.sqlite3"
    remove_database(building)
    remove_database(workspace.generated)
    workspace.stamp.unlink(missing_ok=True)
    env = workspace.env(building)
    log(f"Building {workspace.generated} with `{command}`")
    started = time.perf_counter()
    run_command(flask("db", "upgrade"), env)
    run_command(flask("catalog", "load"), env)
    run_command(flask("demo", *arguments), env)
    seconds = time.perf_counter() - started
    with closing(sqlite3.connect(building)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    remove_database_sidecars(building)
    building.replace(workspace.generated)
    built_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    stamp = {"digest": digest, "command": command, "built_at": built_at, "seconds": seconds}
    workspace.stamp.write_text(json.dumps(stamp, indent=2) + "\n")
    return f"Generated by `{command}` in {seconds:.0f} s."


def copy_database(source: Path, target: Path) -> None:
    """Serve a copy, so the audit entries and sessions a run adds never reach the cache."""
    remove_database(target)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def find_pages(workspace: Workspace) -> dict[str, Any]:
    """Which URL each page is measured at and as whom, chosen by querying the served
    copy in an app context (in a child process, so this one never imports the app)."""
    output = workspace.folder / "pages.json"
    output.unlink(missing_ok=True)
    env = workspace.env(workspace.served)
    run_command([sys.executable, str(Path(__file__).resolve()), "--find-pages", str(output)], env)
    return json.loads(output.read_text())


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving one app on 127.0.0.1, its output in a log file; stopped (by its
    own pid) on leaving."""

    def __init__(self, app: str, env: dict[str, str], log_path: Path, *extra: str) -> None:
        self.app, self.env, self.log_path, self.extra = app, env, log_path, extra
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            *GUNICORN_FLAGS,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            *self.extra,
            self.app,
        ]

    def __enter__(self) -> Server:
        self.port = free_port()
        with self.log_path.open("wb") as output:  # the child keeps its own copy open
            self.process = subprocess.Popen(  # noqa: S603  (our own fixed command line)
                self.command(), cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        try:
            self.wait_until_answering()
        except BaseException:
            self.__exit__()
            raise
        return self

    def wait_until_answering(self, seconds: float = 60) -> None:
        """Until a worker answers an HTTP request (the master listens before they boot)."""
        assert self.process is not None
        deadline = time.monotonic() + seconds
        while True:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn ({self.app}) exited at start:\n{self.log_tail()}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                connection.request("GET", "/")
                connection.getresponse().read()
                return
            except (OSError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    tail = self.log_tail()
                    raise BenchError(f"gunicorn ({self.app}) did not answer:\n{tail}") from None
                time.sleep(0.2)
            finally:
                connection.close()

    def log_tail(self) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass(frozen=True)
class Response:
    status: int
    location: str
    body: str
    seconds: float


class Client:
    """One connection, kept alive, requests one after another; cookies kept by hand."""

    RETRYABLE = (
        http.client.RemoteDisconnected,
        http.client.CannotSendRequest,
        ConnectionResetError,
        BrokenPipeError,
    )

    def __init__(self, port: int, jar: dict[str, str] | None = None) -> None:
        self.port = port
        self.jar = dict(jar or {})
        self.connection: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict | None = None
    ) -> Response:
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            sent = dict(headers or {})
            if self.jar:
                sent["Cookie"] = cookie_header(self.jar)
            try:
                started = time.perf_counter()
                self.connection.request(method, path, body=body, headers=sent)
                reply = self.connection.getresponse()
                data = reply.read()
                seconds = time.perf_counter() - started
            except self.RETRYABLE as exc:
                # The server closed the idle connection: open a new one, once.
                self.close()
                self.reconnects += 1
                if attempt == 2:
                    raise BenchError(f"{method} {path}: connection failed ({exc!r})") from exc
                continue
            update_jar(self.jar, reply.msg.get_all("Set-Cookie") or [])
            if reply.will_close:
                self.close()
            return Response(
                reply.status,
                reply.getheader("Location") or "",
                data.decode("utf-8", "replace"),
                seconds,
            )
        raise AssertionError("unreachable")


def sign_in(port: int, email: str) -> dict[str, str]:
    """A real sign-in: GET the form, POST it with its CSRF token; the session's cookies."""
    client = Client(port)
    form = client.request("GET", "/login")
    if form.status != 200:
        raise BenchError(f"GET /login answered {form.status}")
    fields = {
        "csrf_token": scrape_csrf_token(form.body),
        "email": email,
        "password": BENCH_PASSWORD,
        "submit": "Sign in",
    }
    reply = client.request(
        "POST",
        "/login",
        urlencode(fields),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    client.close()
    if reply.status != 302 or "/login" in reply.location:
        raise BenchError(
            f"signing in as {email} failed: HTTP {reply.status} to {reply.location or '-'}"
        )
    return client.jar


def check(response: Response, what: str, markers: Sequence[str]) -> None:
    """Only the real page counts: a 200 that holds the page's own markers."""
    if response.status != 200:
        where = f" to {response.location}" if response.location else ""
        raise BenchError(f"{what} answered HTTP {response.status}{where}")
    for marker in markers:
        if marker not in response.body:
            raise BenchError(f"{what} answered 200 but is not the expected page (no {marker!r})")


def measure(
    client: Client, path: str, markers: Sequence[str], options: argparse.Namespace
) -> Measurement:
    """Warm up, then time requests until there are `--requests` of them and
    `--min-seconds` have passed, or `--page-seconds` have (whichever comes first)."""
    what = f"GET {path}"
    for _ in range(options.warmup):
        check(client.request("GET", path), what, markers)
    latencies: list[float] = []
    started = time.perf_counter()
    while True:
        response = client.request("GET", path)
        check(response, what, markers)
        latencies.append(response.seconds)
        elapsed = time.perf_counter() - started
        if elapsed >= options.page_seconds:
            if len(latencies) < options.requests:
                log(f"  {path}: stopped after {len(latencies)} requests ({elapsed:.0f} s)")
            break
        if len(latencies) >= options.requests and elapsed >= options.min_seconds:
            break
    return summarise(latencies, time.perf_counter() - started)


def bench_scale(scale: str, options: argparse.Namespace) -> ScaleRun:
    workspace = Workspace(options.work_dir / scale)
    workspace.folder.mkdir(parents=True, exist_ok=True)
    arguments = demo_arguments(scale, workspace, options)
    made = prepare_database(workspace, arguments, options.fresh)
    copy_database(workspace.generated, workspace.served)
    found = find_pages(workspace)
    data = f"{made} Data: {found['counts']}."

    log(f"[{scale}] baseline")
    baseline_env = clean_env()
    with Server(
        "bench_baseline:app",
        baseline_env,
        workspace.folder / "baseline.log",
        "--pythonpath",
        str(ROOT / "scripts"),
    ) as server:
        client = Client(server.port)
        baseline = measure(client, "/", ("<title>Baseline</title>",), options)
        client.close()

    production = workspace.env(
        workspace.served,
        TRACKER_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        TRUSTED_HOSTS="127.0.0.1",
    )
    production.pop("FLASK_APP")
    results = []
    reconnects = 0
    with Server("tracker:create_app()", production, workspace.folder / "tracker.log") as server:
        sessions: dict[str, dict[str, str]] = {}
        for page in PAGES:
            spec = found["pages"][page.key]
            user = spec["user"]
            log(f"[{scale}] {page.label}: GET {spec['path']} as {user or 'anonymous'}")
            if user is not None and user not in sessions:
                sessions[user] = sign_in(server.port, user)
                if PRODUCTION_COOKIE not in sessions[user]:
                    raise BenchError(f"no {PRODUCTION_COOKIE} cookie: not production settings")
            client = Client(server.port, sessions.get(user))
            try:
                measured = measure(client, spec["path"], spec["markers"], options)
            except BenchError as exc:
                raise BenchError(f"[{scale}] {page.label}: {exc}\n{server.log_tail()}") from exc
            client.close()
            reconnects += client.reconnects
            results.append(Result(page, spec["path"], user, measured))
    notes = [f"{PAGE_LABELS[key]}: {why}" for key, why in found["why"].items()]
    if reconnects:
        notes.append(f"The client reconnected {reconnects} times (idle connections closed).")
    return ScaleRun(scale, data, baseline, results, notes)


PAGE_LABELS = {page.key: page.label for page in PAGES}


# --- The run's facts ----------------------------------------------------------------


NOT_CODE = (":(exclude)docs/benchmark.md", ":(exclude)README.md")


def git(*args: str) -> str:
    try:
        result = subprocess.run(  # noqa: S603  (git with fixed arguments)
            ["git", *args],  # noqa: S607  (git from PATH, as make itself does)
            cwd=ROOT,
            text=True,
            capture_output=True,
            check=False,
        )
    except OSError:
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    try:
        return ", ".join(f"{n:.2f}" for n in os.getloadavg())
    except OSError:
        return "unknown"


def header(options: argparse.Namespace, load_before: str) -> list[tuple[str, str]]:
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    # The table's own files do not count: the lead pastes the table into the README.
    if git("status", "--porcelain", "--untracked-files=no", "--", ".", *NOT_CODE):
        commit += " (with uncommitted changes)"
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("Flask", "SQLAlchemy", "gunicorn")
    )
    return [
        ("Date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("Commit", commit),
        (
            "Machine",
            f"{os.cpu_count()} cores ({cpu_model()}), {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {versions}",
        ),
        (
            "Load average",
            f"{load_before} at the start, {load_average()} at the end (1, 5 and 15 minutes; "
            "other work on the machine slows every page, the baseline too)",
        ),
        (
            "Server",
            f"`gunicorn {' '.join(GUNICORN_FLAGS)}` on 127.0.0.1, TRACKER_ENV=production, "
            "a SQLite file; the baseline is served the same way",
        ),
        (
            "Client",
            f"one, sequential requests on one keep-alive connection; per page "
            f"{options.warmup} warm-up requests, then at least {options.requests} measured "
            f"requests over at least {options.min_seconds:g} s (stopping at "
            f"{options.page_seconds:g} s); req/s = measured requests / wall-clock time",
        ),
        (
            "Targets",
            "issue 6, at large scale: p95 ≤ 150 ms for every page, ≤ 100 ms for the board, "
            "candidate page and review; the candidate page at least 30% of the baseline's "
            "req/s (shown against the demo scale too, for reference)",
        ),
    ]


# --- Choosing the pages (runs inside the app, in a child process) -------------------


def choose_pages() -> dict[str, Any]:
    """Find each page's URL on the served database, and a user who may see it and signs
    in with a password alone (admins need a second factor, so none is chosen)."""
    sys.path.insert(0, str(ROOT))
    from markupsafe import escape
    from sqlalchemy import func, select

    from tracker import create_app
    from tracker.domain import policy
    from tracker.extensions import db
    from tracker.models import (
        AccessRole,
        Application,
        Candidate,
        Interview,
        InterviewAssignment,
        Opening,
        PlanStage,
        Rating,
        Scorecard,
        StageEventRecord,
        User,
    )
    from tracker.services import independence

    def title(text: str) -> str:
        return f"<title>{escape(text)} · Hiring tracker</title>"

    app = create_app()
    with app.app_context():
        session = db.session

        def signable(user_id: int | None) -> User | None:
            user = session.get(User, user_id) if user_id is not None else None
            if user and user.active and not user.totp_enabled:
                return None if user.has_role(AccessRole.ADMIN) else user
            return None

        def first_signable(ids: Iterable[int]) -> User | None:
            return next((u for u in map(signable, ids) if u is not None), None)

        def count(model: Any, *where: Any) -> int:
            return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

        submitted = Scorecard.status == "submitted"
        pages: dict[str, dict[str, Any]] = {
            "login": {
                "path": "/login",
                "user": None,
                "markers": [title("Sign in"), 'name="csrf_token"'],
            }
        }
        why: dict[str, str] = {}

        # The board of the opening with the most active applications, as its recruiter.
        busiest = session.execute(
            select(Application.opening_id, func.count().label("n"))
            .where(Application.status == "active")
            .group_by(Application.opening_id)
            .order_by(func.count().desc(), Application.opening_id)
        ).first()
        if busiest is None:
            raise BenchError("no opening has an active application")
        opening = session.get(Opening, busiest.opening_id)
        viewer = first_signable([opening.recruiter_id, opening.hiring_manager_id])
        if viewer is None:
            raise BenchError(f"nobody without TOTP may see opening {opening.id}")
        pages["board"] = {
            "path": f"/openings/{opening.id}/board",
            "user": viewer.email,
            "markers": [title(f"Board · {opening.title}"), SIGNED_IN],
        }
        why["board"] = f"opening {opening.id}, the most active applications ({busiest.n})"

        # A typical candidate: the median by interviews among those with a submitted
        # scorecard, as the recruiter of one of their openings.
        interviews = func.count(Interview.id)
        ranked = session.execute(
            select(Application.candidate_id, interviews.label("n"))
            .join(Interview, Interview.application_id == Application.id)
            .where(Application.id.in_(select(Scorecard.application_id).where(submitted)))
            .group_by(Application.candidate_id)
            .order_by(interviews, Application.candidate_id)
        ).all()
        if not ranked:
            raise BenchError("no candidate has a submitted scorecard")
        middle = ranked[len(ranked) // 2]
        candidate = session.get(Candidate, middle.candidate_id)
        openings = [a.opening for a in candidate.applications]
        viewer = first_signable(
            [o.recruiter_id for o in openings] + [o.hiring_manager_id for o in openings]
        )
        if viewer is None or not policy.can_view_candidate(viewer, openings):
            raise BenchError(f"nobody without TOTP may see candidate {candidate.id}")
        pages["candidate"] = {
            "path": f"/candidates/{candidate.id}",
            "user": viewer.email,
            "markers": [title(candidate.name), SIGNED_IN],
        }
        why["candidate"] = (
            f"candidate {candidate.id}, median of {len(ranked)} candidates with scorecards "
            f"({middle.n} interviews; applications: {len(openings)})"
        )

        # The review of an application that reached the Decision stage (or went past it),
        # with the most submitted scorecards, as its hiring manager.
        cards = func.count(Scorecard.id)
        reached = session.execute(
            select(Application.id, cards.label("n"))
            .join(PlanStage, PlanStage.id == Application.stage_id)
            .join(Scorecard, Scorecard.application_id == Application.id)
            .where(PlanStage.kind.in_(("decision", "offer", "hired")), submitted)
            .group_by(Application.id)
            .order_by(cards.desc(), Application.id)
            .limit(200)
        ).all()
        chosen = None
        for row in reached:
            application = session.get(Application, row.id)
            manager = signable(application.opening.hiring_manager_id)
            if manager is not None and independence.feedback_visible(manager, application):
                chosen = (application, manager, row.n)
                break
        if chosen is None:
            raise BenchError("no application past Decision has a review its manager may see")
        application, manager, n = chosen
        pages["review"] = {
            "path": f"/applications/{application.id}/review",
            "user": manager.email,
            "markers": [title(f"Review: {application.candidate.name}"), SIGNED_IN],
        }
        why["review"] = (
            f"application {application.id} ({application.stage.name}, {application.status}), "
            f"the most submitted scorecards ({n}) of those past Decision"
        )

        # "My interviews" of the interviewer with the most interviews.
        assigned = func.count(InterviewAssignment.id)
        busiest_interviewers = session.execute(
            select(InterviewAssignment.user_id, assigned.label("n"))
            .group_by(InterviewAssignment.user_id)
            .order_by(assigned.desc(), InterviewAssignment.user_id)
        ).all()
        interviewer = first_signable(r.user_id for r in busiest_interviewers)
        if interviewer is None:
            raise BenchError("no interviewer without TOTP")
        n = next(r.n for r in busiest_interviewers if r.user_id == interviewer.id)
        pages["my_interviews"] = {
            "path": "/my/interviews",
            "user": interviewer.email,
            "markers": [title("My interviews"), SIGNED_IN],
        }
        why["my_interviews"] = f"{interviewer.email}, the most interviews ({n})"

        # The pipeline report, default filters, as the recruiter with the most applications
        # (then the hiring managers, should no recruiter sign in without TOTP).
        def by_applications(column: Any) -> list[int]:
            rows = session.execute(
                select(column, func.count(Application.id))
                .join(Application, Application.opening_id == Opening.id)
                .group_by(column)
                .order_by(func.count(Application.id).desc(), column)
            ).all()
            return [r[0] for r in rows]

        reporter = first_signable(
            by_applications(Opening.recruiter_id) + by_applications(Opening.hiring_manager_id)
        )
        if reporter is None or not policy.can_view_pipeline_reports(reporter):
            raise BenchError("nobody without TOTP may see the pipeline report")
        pages["pipeline"] = {
            "path": "/reports/pipeline",
            "user": reporter.email,
            "markers": [title("Pipeline"), SIGNED_IN],
        }
        why["pipeline"] = f"default filters, as {reporter.email}"

        counts = ", ".join(
            f"{count(model, *where):,} {name}"
            for name, model, where in (
                ("users", User, ()),
                ("openings", Opening, ()),
                ("candidates", Candidate, ()),
                ("applications", Application, ()),
                ("stage moves", StageEventRecord, ()),
                ("interviews", Interview, ()),
                ("submitted scorecards", Scorecard, (submitted,)),
                ("ratings", Rating, ()),
            )
        )
    return {"pages": pages, "why": why, "counts": counts}


# --- Command line -------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Measure the key pages at demo and large scale against a baseline.",
    )
    parser.add_argument(
        "--scales",
        default=",".join(SCALES),
        help="comma-separated scales to run, in order (default: %(default)s)",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="regenerate the databases even if cached"
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=200,
        help="measure at least this many requests per page (default: %(default)s)",
    )
    parser.add_argument(
        "--warmup", type=int, default=20, help="warm-up requests per page (default: %(default)s)"
    )
    parser.add_argument(
        "--min-seconds",
        type=float,
        default=5,
        help="measure each page for at least this long (default: %(default)s)",
    )
    parser.add_argument(
        "--page-seconds",
        type=float,
        default=60,
        help="measure each page for at most this long (default: %(default)s)",
    )
    parser.add_argument(
        "--large-args",
        default=None,
        help="arguments for `flask demo` at large scale (default: `--scale large` when the "
        "command has it, else `--copies N` with --stand-in-copies)",
    )
    parser.add_argument(
        "--stand-in-copies",
        type=int,
        default=20,
        help="demo copies standing in for large while `flask demo` has no --scale "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=ROOT / ".bench",
        help="where the databases and logs go (default: .bench/)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "docs" / "benchmark.md",
        help="the markdown file written (default: docs/benchmark.md)",
    )
    parser.add_argument("--find-pages", type=Path, default=None, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    options.scales = [s.strip() for s in options.scales.split(",") if s.strip()]
    unknown = [s for s in options.scales if s not in SCALES]
    if unknown or not options.scales:
        parser.error(f"--scales takes {' and/or '.join(SCALES)}")
    if options.requests < 1 or options.warmup < 0 or options.min_seconds < 0:
        parser.error("--requests must be at least 1, --warmup and --min-seconds not negative")
    if options.page_seconds <= 0:
        parser.error("--page-seconds must be positive")
    options.work_dir = options.work_dir.resolve()
    return options


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    try:
        if options.find_pages is not None:
            options.find_pages.write_text(json.dumps(choose_pages(), indent=2))
            return 0
        load_before = load_average()
        runs = [bench_scale(scale, options) for scale in options.scales]
    except BenchError as exc:
        log(f"bench failed: {exc}")
        return 1
    report = render_report(header(options, load_before), runs)
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(report)
    print(report, end="")
    log(f"Written to {options.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
