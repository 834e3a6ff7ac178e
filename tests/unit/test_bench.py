"""The benchmark's measuring, targets and table (scripts/bench.py), as plain function calls.

Nothing here starts a server: `make bench` does the measuring itself.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from scripts import bench
from scripts.bench import Measurement, Page, Result, ScaleRun, Target

TEN = [float(n) for n in range(1, 11)]  # 1..10


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([5.0], 50, 5.0),
        ([5.0], 95, 5.0),
        (TEN, 0, 1.0),
        (TEN, 100, 10.0),
        (TEN, 50, 5.5),  # between the 5th and 6th values
        (TEN, 95, 9.55),  # rank 8.55: 9 + 0.55 * (10 - 9)
        (list(reversed(TEN)), 50, 5.5),  # order of arrival does not matter
        ([1.0, 2.0, 3.0, 4.0, 100.0], 50, 3.0),
        ([1.0, 2.0, 3.0, 4.0, 100.0], 95, 80.8),  # 4 + 0.8 * 96
        ([float(n) for n in range(1, 101)], 95, 95.05),
    ],
)
def test_percentile_interpolates_between_the_closest_ranks(values, q, expected):
    assert bench.percentile(values, q) == pytest.approx(expected)


@pytest.mark.parametrize(("values", "q"), [([], 50), ([1.0], -1), ([1.0], 101)])
def test_percentile_refuses_what_has_no_answer(values, q):
    with pytest.raises(ValueError):
        bench.percentile(values, q)


def test_summarise_reports_milliseconds_and_requests_per_second():
    measured = bench.summarise([t / 1000 for t in TEN], elapsed_s=0.5)
    assert measured == Measurement(
        count=10, p50_ms=pytest.approx(5.5), p95_ms=pytest.approx(9.55), rps=20.0
    )


@pytest.mark.parametrize(("latencies", "elapsed"), [([], 1.0), ([0.1], 0.0)])
def test_summarise_refuses_an_empty_measurement(latencies, elapsed):
    with pytest.raises(ValueError):
        bench.summarise(latencies, elapsed)


BOARD = Target(100)
CANDIDATE = Target(100, 0.30)


@pytest.mark.parametrize(
    ("target", "p95", "rps", "baseline_rps", "expected"),
    [
        (BOARD, 99.9, 1.0, 1000.0, []),
        (BOARD, 100.0, 1.0, 1000.0, []),  # at most: the limit itself is met
        (BOARD, 130.25, 1.0, 1000.0, ["p95 130.2 ms is 30.2 ms over 100 ms"]),
        (Target(150), 149.0, 1.0, 1000.0, []),
        (CANDIDATE, 50.0, 300.0, 1000.0, []),
        (CANDIDATE, 50.0, 299.0, 1000.0, ["req/s is 29.9% of baseline, short of 30%"]),
        (
            CANDIDATE,
            120.0,
            100.0,
            1000.0,
            [
                "p95 120.0 ms is 20.0 ms over 100 ms",
                "req/s is 10.0% of baseline, short of 30%",
            ],
        ),
    ],
)
def test_misses_say_which_target_is_missed_and_by_how_much(
    target, p95, rps, baseline_rps, expected
):
    measured = Measurement(count=200, p50_ms=p95 / 2, p95_ms=p95, rps=rps)
    assert bench.misses(measured, target, baseline_rps) == expected


@pytest.mark.parametrize(
    ("target", "text"),
    [
        (Target(150), "p95 ≤ 150 ms"),
        (Target(100), "p95 ≤ 100 ms"),
        (Target(100, 0.30), "p95 ≤ 100 ms, req/s ≥ 30% of baseline"),
    ],
)
def test_targets_describe_themselves(target, text):
    assert target.describe() == text


def test_the_issues_targets_cover_every_listed_page():
    targets = {page.key: page.target for page in bench.PAGES}
    assert targets == {
        "login": Target(150),
        "board": Target(100),
        "candidate": Target(100, 0.30),
        "review": Target(100),
        "my_interviews": Target(150),
        "pipeline": Target(150),
    }


PAGE = Page("candidate", "Candidate page", CANDIDATE)
BASELINE = Measurement(count=2000, p50_ms=0.5, p95_ms=0.7, rps=1000.0)


@pytest.mark.parametrize(
    ("measured", "share", "met"),
    [
        (Measurement(200, 2.0, 3.0, 400.0), "40.0%", "yes"),
        (
            Measurement(200, 40.0, 68.0, 25.0),
            "2.5%",
            "**no**: req/s is 2.5% of baseline, short of 30%",
        ),
        (
            Measurement(200, 90.0, 140.5, 10.0),
            "1.0%",
            "**no**: p95 140.5 ms is 40.5 ms over 100 ms; req/s is 1.0% of baseline, short of 30%",
        ),
    ],
)
def test_a_row_shows_the_numbers_the_share_of_baseline_and_whether_the_target_is_met(
    measured, share, met
):
    row = bench.result_row(Result(PAGE, "/candidates/7", "rita@example.com", measured), 1000.0)
    assert row == [
        "Candidate page",
        "`/candidates/7`",
        "rita@example.com",
        "200",
        f"{measured.p50_ms:.1f}",
        f"{measured.p95_ms:.1f}",
        bench.format_rps(measured.rps),
        share,
        "p95 ≤ 100 ms, req/s ≥ 30% of baseline",
        met,
    ]


@pytest.mark.parametrize(("rps", "text"), [(2041.4, "2041"), (100.0, "100"), (24.44, "24.4")])
def test_requests_per_second_keep_a_decimal_only_below_a_hundred(rps, text):
    assert bench.format_rps(rps) == text


def test_a_table_starts_with_the_baseline_and_escapes_pipes():
    login = Page("login", "Sign-in | page", Target(150))
    table = bench.render_table(
        BASELINE, [Result(login, "/login", None, Measurement(200, 2.0, 6.0, 400.0))]
    ).splitlines()
    assert table[0].startswith("| Page | Path | Signed in as | Requests | p50 ms | p95 ms |")
    assert table[1] == "| " + " | ".join(["---"] * len(bench.TABLE_HEAD)) + " |"
    assert table[2].startswith("| Baseline (one-route Flask app) | `/` |  | 2000 | 0.5 | 0.7 |")
    assert table[3] == (
        "| Sign-in \\| page | `/login` | (anonymous) | 200 | 2.0 | 6.0 | 400 | 40.0% "
        "| p95 ≤ 150 ms | yes |"
    )
    assert len(table) == 4


def _run(scale: str, p95: float) -> ScaleRun:
    measured = Measurement(200, p95 / 2, p95, 500.0)
    return ScaleRun(scale, "Data.", BASELINE, [Result(PAGE, "/candidates/7", "r@x", measured)])


@pytest.mark.parametrize(
    ("runs", "closing"),
    [
        ([_run("demo", 50.0)], None),  # no large scale: no verdict on the issue's targets
        ([_run("demo", 50.0), _run("large", 50.0)], "Every target is met."),
        (
            [_run("demo", 50.0), _run("large", 120.0)],
            "- Candidate page: p95 120.0 ms is 20.0 ms over 100 ms",
        ),
    ],
)
def test_the_report_ends_with_the_large_scales_missed_targets(runs, closing):
    report = bench.render_report([("Commit", "abc1234")], runs)
    assert "- **Commit**: abc1234" in report
    for run in runs:
        assert f"## {run.scale.capitalize()} scale" in report
    if closing is None:
        assert "## Targets at large scale" not in report
    else:
        tail = report.split("## Targets at large scale")[1]
        assert tail.strip() == closing


NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("session=abc; HttpOnly; Path=/", ("session", "abc", False)),
        (
            "__Host-session=t.o-k_en; Secure; HttpOnly; Path=/; SameSite=Lax",
            ("__Host-session", "t.o-k_en", False),
        ),
        ('note="a b"; Path=/', ("note", '"a b"', False)),  # sent back exactly as given
        (
            "session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/",
            ("session", "", True),
        ),
        ("session=x; Max-Age=0", ("session", "x", True)),
        ("session=x; Max-Age=3600", ("session", "x", False)),
        ("session=x; Expires=Fri, 01 Jan 2027 00:00:00 GMT", ("session", "x", False)),
        ("session=x; Expires=Wed, 31 Dec 2025 00:00:00 GMT", ("session", "x", True)),
        ("session=x; Expires=not a date", ("session", "x", False)),
    ],
)
def test_set_cookie_headers_are_read_without_regard_to_secure(header, expected):
    assert bench.parse_set_cookie(header, now=NOW) == expected


def test_the_jar_keeps_replaces_and_drops_cookies_and_sends_them_back():
    jar: dict[str, str] = {}
    bench.update_jar(jar, ["__Host-session=one; Secure; Path=/", "other=1"])
    bench.update_jar(jar, ["__Host-session=two; Secure; Path=/"])
    assert bench.cookie_header(jar) == "__Host-session=two; other=1"
    bench.update_jar(jar, ["other=; Max-Age=0"])
    assert jar == {"__Host-session": "two"}


@pytest.mark.parametrize(
    ("page", "token"),
    [
        ('<input id="csrf_token" name="csrf_token" type="hidden" value="Ij.abc-_">', "Ij.abc-_"),
        ('<input type="hidden" value="x&amp;y" name="csrf_token">', "x&y"),
        (
            '<input name="email" value="no"><INPUT name="csrf_token" value="first">'
            '<input name="csrf_token" value="second">',
            "first",
        ),
    ],
)
def test_the_csrf_token_is_scraped_from_the_form(page, token):
    assert bench.scrape_csrf_token(page) == token


@pytest.mark.parametrize(
    "page",
    ["<form></form>", '<input name="csrf_token">', '<input name="csrf_token" value="">'],
)
def test_a_page_without_a_csrf_token_fails_the_benchmark(page):
    with pytest.raises(bench.BenchError):
        bench.scrape_csrf_token(page)


@pytest.mark.parametrize(
    ("response", "failure"),
    [
        (bench.Response(200, "", "<title>Board</title> logout", 0.01), None),
        (bench.Response(302, "/login?next=%2F", "", 0.01), "HTTP 302 to /login?next=%2F"),
        (bench.Response(500, "", "<title>Board</title> logout", 0.01), "HTTP 500"),
        (bench.Response(200, "", "<title>Sign in</title>", 0.01), "not the expected page"),
    ],
)
def test_only_the_real_page_passes_the_check(response, failure):
    markers = ("<title>Board</title>", "logout")
    if failure is None:
        bench.check(response, "GET /board", markers)
    else:
        with pytest.raises(bench.BenchError, match=re.escape(failure)):
            bench.check(response, "GET /board", markers)


def test_the_generator_digest_changes_with_the_inputs_only(tmp_path):
    (tmp_path / "tracker/services").mkdir(parents=True)
    source = tmp_path / "tracker/services/demo.py"
    source.write_text("SCALE = 1\n")
    (tmp_path / "tracker/services/other.py").write_text("x = 1\n")
    patterns = ("tracker/services/demo*.py",)

    first = bench.inputs_digest(tmp_path, patterns, ["--copies", "20"])
    assert bench.inputs_digest(tmp_path, patterns, ["--copies", "20"]) == first
    (tmp_path / "tracker/services/other.py").write_text("x = 2\n")  # not an input
    assert bench.inputs_digest(tmp_path, patterns, ["--copies", "20"]) == first
    assert bench.inputs_digest(tmp_path, patterns, ["--scale", "large"]) != first
    source.write_text("SCALE = 2\n")
    assert bench.inputs_digest(tmp_path, patterns, ["--copies", "20"]) != first
    changed = bench.inputs_digest(tmp_path, patterns, ["--copies", "20"])
    (tmp_path / "tracker/services/demo_large.py").write_text("")  # a new input file
    assert bench.inputs_digest(tmp_path, patterns, ["--copies", "20"]) != changed


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--scales", "huge"], "--scales"),
        (["--scales", ""], "--scales"),
        (["--requests", "0"], "--requests"),
        (["--page-seconds", "0"], "--page-seconds"),
    ],
)
def test_bad_options_are_refused(argv, message, capsys):
    with pytest.raises(SystemExit):
        bench.parse_args(argv)
    assert message in capsys.readouterr().err


def test_the_default_run_measures_demo_then_large():
    options = bench.parse_args([])
    assert options.scales == ["demo", "large"]
    assert not options.fresh
