"""The report pages through the test client: who sees which report, the filter form (its
errors, and that filters narrow the figures without leaking other openings), CSV exports,
charts with their data tables, escaping, empty states, and the number of queries each
page makes on the demo data and on ten times the demo data.

Most of these tests put a small "probe" section, built here on `Scope`, in place of the
pipeline report's own sections: they test the platform (filters, template, CSV) with
figures they state, whatever the report sections compute. Tests at the end render the
real sections.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from flask import Flask
from markupsafe import escape
from sqlalchemy import func, select

from tests.conftest import DEMO_DB_PASSWORD, AuthActions, RequestClient, app_on_copy_of
from tests.factories import make_application, make_interview, make_opening, make_user, move_to_stage
from tests.queries import count_page_queries
from tests.report_support import report_openings
from tests.review_helpers import build_panel, write_scorecard
from tracker.domain.reports import DAY, Chart, Column, Kind, Section, share
from tracker.extensions import db
from tracker.models import Application, AuditEvent, Opening
from tracker.reports import views
from tracker.services.report_scope import DEFAULT_WINDOW, Scope, default_start

REPORT_TITLES = {
    "pipeline": "Pipeline",
    "requirements": "Requirement insight",
    "calibration": "Interviewer calibration",
}


# --- the probe section and a small world -----------------------------------------------


def probe(scope: Scope) -> Section:
    """Applications per opening in scope, with figures of every kind the CSV converts:
    the share of all, a wait of 1.5 days per application, and a lean of -0.5."""
    rows = db.session.execute(
        select(Opening.title, func.count(Application.id))
        .join(Application, Application.opening_id == Opening.id)
        .where(Application.id.in_(scope.applications()))
        .group_by(Opening.id, Opening.title)
        .order_by(Opening.title)
    ).all()
    total = sum(n for _, n in rows)
    return Section(
        key="probe",
        title="Applications per opening",
        description="How many applications arrived for each opening.",
        columns=(
            Column("opening", "Opening"),
            Column("applications", "Applications", Kind.COUNT),
            Column("share", "Share", Kind.PERCENT),
            Column("wait", "Wait", Kind.DAYS),
            Column("lean", "Lean", Kind.DIFFERENCE),
        ),
        rows=tuple((t, n, share(n, total), 1.5 * DAY * n, -0.5) for t, n in rows),
        empty="No applications yet. Add candidates to an opening to see them here.",
        chart=Chart("opening", ("applications",), title="Applications per opening"),
    )


@pytest.fixture
def probed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline report shows only the probe section."""
    report = replace(views.REPORTS["pipeline"], sections=(("probe", probe),))
    monkeypatch.setitem(views.REPORTS, "pipeline", report)


def arrived(application: Application, day: int) -> Application:
    application.created_at = datetime(2026, 3, day, 9, 0, tzinfo=UTC)
    db.session.commit()
    return application


@pytest.fixture
def world(people) -> dict:
    """The hiring manager's and recruiter's openings A (3 applications, arrived 1, 2 and
    3 March), B (1, on 2 March) and D (another role; 2, on 5 and 6 March); and H, someone
    else's opening, with 5 applications."""
    openings = report_openings(people, "H Hidden SECRET")
    a, b, d, h = (openings[k] for k in "abdh")
    for opening, days in ((a, (1, 2, 3)), (b, (2,)), (d, (5, 6))):
        for day in days:
            arrived(make_application(opening, people["recruiter"]), day)
    for day in range(1, 6):
        arrived(make_application(h, people["other_recruiter"]), day)
    return {"a": a, "b": b, "d": d, "h": h}


def login(auth, people, who: str) -> None:
    auth.logout()
    auth.login(people[who].email)


class Tables(HTMLParser):
    """Every table of a page by id: its caption and rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict] = {}
        self._table: dict | None = None
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "table":
            self._table = {"caption": "", "rows": []}
            self.tables[dict(attrs).get("id", f"table-{len(self.tables)}")] = self._table
        elif self._table is not None and tag == "tr":
            self._table["rows"].append([])
        elif self._table is not None and tag in ("td", "th"):
            self._cell = []
        elif tag == "caption":
            self._in_caption = True

    def handle_endtag(self, tag) -> None:
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None and self._table is not None:
            self._table["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data) -> None:
        if self._in_caption and self._table is not None:
            self._table["caption"] += data
        elif self._cell is not None:
            self._cell.append(data)


def tables(page: str) -> dict[str, dict]:
    parser = Tables()
    parser.feed(page)
    return parser.tables


# The query string of a report over every date (a form sent with an empty "From"); without
# any filter, a report opens on the last DEFAULT_WINDOW days.
EVERY_DATE = "?date_from="


def probe_rows(client, query: str = "") -> list[list[str]]:
    page = client.get(f"/reports/pipeline{query}").get_data(as_text=True)
    found = tables(page).get("probe-table")
    return [] if found is None else found["rows"][1:]  # without the header row


def error_of(page: str, field: str) -> str:
    match = re.search(
        rf'<div id="{field}-error" class="invalid-feedback d-block">([^<]*)</div>', page
    )
    return match.group(1) if match else ""


def section_html(page: str, key: str) -> str:
    start = page.index(f'id="{key}"')
    end = page.find('<section class="report-section', start)
    return page[start : end if end != -1 else len(page)]


# --- who sees which report ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("interviewer", ["calibration"]),
        ("recruiter", ["pipeline", "requirements", "calibration"]),
        ("hm", ["pipeline", "requirements", "calibration"]),
        ("admin", ["pipeline", "requirements", "calibration"]),
    ],
)
def test_the_index_lists_the_reports_the_viewer_may_open(client, auth, people, who, shown) -> None:
    login(auth, people, who)
    page = client.get("/reports/").get_data(as_text=True)
    listed = re.findall(r'<a href="/reports/(\w+)">([^<]+)</a>', page)
    assert listed == [(key, REPORT_TITLES[key]) for key in shown]
    # the navigation bar leads there, and says where you are
    assert re.search(
        r'<a class="nav-link active" aria-current="page" href="/reports/">Reports</a>', page
    )
    for key in set(REPORT_TITLES) - set(shown):
        assert client.get(f"/reports/{key}").status_code == 403


@pytest.mark.parametrize("who", ["interviewer", "recruiter", "hm", "admin"])
def test_every_role_has_the_reports_link(client, auth, people, who) -> None:
    login(auth, people, who)
    page = client.get("/account/").get_data(as_text=True)
    assert '<a class="nav-link" href="/reports/">Reports</a>' in page


@pytest.mark.parametrize("report", ["pipeline", "requirements", "calibration"])
def test_each_report_page_has_the_filter_form(client, auth, people, world, report) -> None:
    login(auth, people, "hm")
    page = client.get(f"/reports/{report}").get_data(as_text=True)
    assert f'<h1 class="h3">{REPORT_TITLES[report]}</h1>' in page
    assert f'<form method="get" action="/reports/{report}"' in page
    for name in ("opening", "role", "level", "specialty"):
        assert f'<select class="form-select" id="{name}" name="{name}">' in page
    for name in ("date_from", "date_to"):
        assert re.search(rf'<input[^>]*id="{name}"[^>]*type="date"', page)
    options = re.findall(
        r'<option value="(\d+)">([^<]+)</option>', section_of_select(page, "opening")
    )
    assert [title for _, title in options] == ["A Staff SIRT", "B Senior AppSec", "D Distinguished"]
    assert "SECRET" not in page
    # one heading per section, under the page's one h1
    for key, _build in views.REPORTS[report].sections:
        assert f'<h2 class="h5 me-auto" id="{key}-title">' in page


def section_of_select(page: str, name: str) -> str:
    start = page.index(f'<select class="form-select" id="{name}"')
    return page[start : page.index("</select>", start)]


def test_an_interviewers_calibration_filter_lists_only_openings_they_interviewed_for(
    client, auth, people, world
) -> None:
    application = make_application(world["h"], people["other_recruiter"])
    move_to_stage(application, "recruiter_screen")
    make_interview(application, [people["interviewer"]])
    login(auth, people, "interviewer")
    page = client.get("/reports/calibration").get_data(as_text=True)
    options = re.findall(
        r'<option value="(\d+)">([^<]+)</option>', section_of_select(page, "opening")
    )
    assert options == [(str(world["h"].id), "H Hidden SECRET")]
    assert "You see your own figures only." in page
    # and so it says while the filters are being fixed
    page = client.get("/reports/calibration?date_from=nonsense").get_data(as_text=True)
    assert "Fix the filters above to see the report." in page
    assert "You see your own figures only." in page


# --- filters -------------------------------------------------------------------------------


@pytest.mark.usefixtures("probed")
def test_filters_narrow_the_figures(client, auth, people, world) -> None:
    login(auth, people, "recruiter")
    a, b, d = world["a"], world["b"], world["d"]
    assert probe_rows(client, EVERY_DATE) == [
        ["A Staff SIRT", "3", "50%", "4.5 days", "-0.50"],
        ["B Senior AppSec", "1", "17%", "1.5 days", "-0.50"],
        ["D Distinguished", "2", "33%", "3.0 days", "-0.50"],
    ]
    assert probe_rows(client, f"?opening={a.id}") == [
        ["A Staff SIRT", "3", "100%", "4.5 days", "-0.50"]
    ]
    assert [r[:2] for r in probe_rows(client, f"?role={d.role_id}")] == [["D Distinguished", "2"]]
    assert [r[:2] for r in probe_rows(client, f"?role={a.role_id}")] == [
        ["A Staff SIRT", "3"],
        ["B Senior AppSec", "1"],
    ]
    assert [r[:2] for r in probe_rows(client, f"?level={b.level_id}")] == [["B Senior AppSec", "1"]]
    assert [r[:2] for r in probe_rows(client, f"?specialty={a.specialty_id}")] == [
        ["A Staff SIRT", "3"]
    ]
    # 2 and 3 March, both days included: two of A's and B's one
    assert [r[:2] for r in probe_rows(client, "?date_from=2026-03-02&date_to=2026-03-03")] == [
        ["A Staff SIRT", "2"],
        ["B Senior AppSec", "1"],
    ]
    assert [r[:2] for r in probe_rows(client, "?date_from=2026-03-04")] == [
        ["D Distinguished", "2"]
    ]


@pytest.mark.usefixtures("probed")
def test_the_date_range_is_in_the_viewers_time_zone(client, auth, people, world) -> None:
    """In Tokyo (UTC+9), 1 March ends at 15:00 UTC: A's application of 09:00 UTC that day
    is in it; for a viewer in UTC, the day holds the same one."""
    people["recruiter"].timezone = "Asia/Tokyo"
    db.session.commit()
    late = arrived(make_application(world["a"], people["recruiter"]), 1)
    late.created_at = datetime(2026, 3, 1, 16, 0, tzinfo=UTC)  # 2 March 01:00 in Tokyo
    db.session.commit()
    login(auth, people, "recruiter")
    assert [r[:2] for r in probe_rows(client, "?date_from=2026-03-01&date_to=2026-03-01")] == [
        ["A Staff SIRT", "1"]
    ]
    assert [r[:2] for r in probe_rows(client, "?date_from=2026-03-02&date_to=2026-03-02")] == [
        ["A Staff SIRT", "2"],
        ["B Senior AppSec", "1"],
    ]


@pytest.mark.usefixtures("probed")
@pytest.mark.usefixtures("probed")
def test_a_report_opens_on_the_last_90_days(client, auth, people, world) -> None:
    """Without filters the report covers applications of the last 90 days, says so in
    the form, and its CSV links cover the same; an empty "From" covers every date."""
    today = datetime.now(UTC)
    recent = make_application(world["a"], people["recruiter"])  # arrived just now
    old = make_application(world["b"], people["recruiter"])
    old.created_at = today - DEFAULT_WINDOW - timedelta(days=2)
    db.session.commit()
    login(auth, people, "recruiter")
    page = client.get("/reports/pipeline").get_data(as_text=True)
    since = default_start(today.date()).isoformat()
    assert re.search(rf'<input[^>]*id="date_from"[^>]*value="{since}"', page)
    assert "Opens on the last 90 days; leave empty for every date." in page
    rows = tables(page)["probe-table"]["rows"][1:]
    assert [r[:2] for r in rows] == [["A Staff SIRT", "1"]]  # March's and `old` left out
    assert f'href="/reports/pipeline.csv?section=probe&amp;date_from={since}"' in page
    assert 'href="/reports/pipeline?date_from=">Every date</a>' in page
    assert recent.id  # the one counted
    # every date: March's applications and the old one count too
    assert [r[:2] for r in probe_rows(client, EVERY_DATE)] == [
        ["A Staff SIRT", "4"],
        ["B Senior AppSec", "2"],
        ["D Distinguished", "2"],
    ]
    # and the CSV of the default page covers what it showed
    csv_rows = read_csv(client.get(f"/reports/pipeline.csv?section=probe&date_from={since}"))
    assert [r[:2] for r in csv_rows[1:]] == [["A Staff SIRT", "1"]]


@pytest.mark.usefixtures("probed")
def test_any_filter_given_replaces_the_default_window(client, auth, people, world) -> None:
    """Choosing an opening (the form sends every field) keeps the dates as typed: here
    none, so every date."""
    login(auth, people, "recruiter")
    query = f"?opening={world['a'].id}&role=&level=&specialty=&date_from=&date_to="
    assert [r[:2] for r in probe_rows(client, query)] == [["A Staff SIRT", "3"]]


@pytest.mark.parametrize(
    ("query", "field", "error", "kept"),
    [
        (
            "?date_from=2026-13-01",
            "date_from",
            "Enter a date as YYYY-MM-DD.",
            ['value="2026-13-01"'],
        ),
        ("?date_to=yesterday", "date_to", "Enter a date as YYYY-MM-DD.", ['value="yesterday"']),
        (
            "?date_from=2026-03-10&date_to=2026-03-01",
            "date_to",
            "The end date is before the start date.",
            ['value="2026-03-10"', 'value="2026-03-01"'],
        ),
        (
            "?date_to=9999-12-31",
            "date_to",
            "Enter a date between 1900 and 2999.",
            ['value="9999-12-31"'],
        ),
        ("?date_from=0001-01-01", "date_from", "Enter a date between 1900 and 2999.", []),
        ("?opening=999999", "opening", "Choose one of the openings listed.", []),
        ("?opening=abc", "opening", "Choose one of the openings listed.", []),
        ("?role=999999", "role", "Choose a role listed.", []),
    ],
)
def test_filter_errors_show_at_the_field_and_keep_the_input(
    client, auth, people, world, query, field, error, kept
) -> None:
    login(auth, people, "recruiter")
    response = client.get(f"/reports/pipeline{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_of(page, field) == error
    assert f'aria-describedby="{field}-error' in page
    for text in kept:
        assert text in page
    assert "Fix the filters above to see the report." in page
    assert "probe-table" not in page  # no figures for filters that do not hold


@pytest.mark.usefixtures("probed")
def test_a_level_of_another_role_is_refused_and_the_choices_kept(
    client, auth, people, world
) -> None:
    login(auth, people, "recruiter")
    a, d = world["a"], world["d"]
    page = client.get(f"/reports/pipeline?role={a.role_id}&level={d.level_id}").get_data(
        as_text=True
    )
    assert error_of(page, "level") == (
        "That level is not one of Security Engineer; choose one of its levels, or any."
    )
    assert re.search(rf'<option selected value="{a.role_id}">Security Engineer</option>', page)
    assert re.search(rf'<option selected value="{d.level_id}">', page)
    assert "probe-table" not in page


@pytest.mark.usefixtures("probed")
def test_someone_elses_opening_is_refused_without_a_trace_of_it(
    client, auth, people, world
) -> None:
    login(auth, people, "recruiter")
    page = client.get(f"/reports/pipeline?opening={world['h'].id}").get_data(as_text=True)
    assert error_of(page, "opening") == "Choose one of the openings listed."
    assert "SECRET" not in page
    assert "probe-table" not in page
    assert "<svg" not in page
    # nor through the CSV: it sends the viewer back to the page
    response = client.get(f"/reports/pipeline.csv?section=probe&opening={world['h'].id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reports/pipeline?opening={world['h'].id}"
    assert "SECRET" not in response.get_data(as_text=True)


# --- CSV -----------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def exports() -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.export").order_by(AuditEvent.id)
    ).all()


@pytest.mark.usefixtures("probed")
def test_csv_export(client, auth, people, world) -> None:
    login(auth, people, "recruiter")
    response = client.get("/reports/pipeline.csv?section=probe&date_from=")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert re.fullmatch(
        r'attachment; filename="pipeline-probe-\d{8}\.csv"', response.headers["Content-Disposition"]
    )
    assert read_csv(response) == [
        ["Opening", "Applications", "Share (%)", "Wait (days)", "Lean"],  # units in the header
        ["A Staff SIRT", "3", "50.0", "4.5", "-0.5"],  # numbers as numbers, no "'" before -
        ["B Senior AppSec", "1", "16.7", "1.5", "-0.5"],
        ["D Distinguished", "2", "33.3", "3.0", "-0.5"],
    ]
    (entry,) = exports()
    assert (entry.object_type, entry.object_id) == ("reports", "pipeline/probe")
    assert entry.actor_id == people["recruiter"].id
    assert json.loads(entry.details) == {"filters": {}, "rows": 3}


@pytest.mark.usefixtures("probed")
def test_csv_export_keeps_the_filters_and_records_them(client, auth, people, world) -> None:
    login(auth, people, "recruiter")
    page = client.get("/reports/pipeline?date_from=2026-03-02&date_to=2026-03-03").get_data(
        as_text=True
    )
    link = re.search(r'href="(/reports/pipeline\.csv\?[^"]+)"', page).group(1).replace("&amp;", "&")
    assert link == "/reports/pipeline.csv?section=probe&date_from=2026-03-02&date_to=2026-03-03"
    rows = read_csv(client.get(link))
    assert [r[:2] for r in rows[1:]] == [["A Staff SIRT", "2"], ["B Senior AppSec", "1"]]
    (entry,) = exports()
    assert json.loads(entry.details) == {
        "filters": {"since": "2026-03-02T00:00:00+00:00", "until": "2026-03-04T00:00:00+00:00"},
        "rows": 2,
    }
    client.get(f"/reports/pipeline.csv?section=probe&opening={world['a'].id}")
    assert json.loads(exports()[-1].details)["filters"] == {"opening_id": world["a"].id}


@pytest.mark.usefixtures("probed")
def test_csv_neutralises_formula_looking_titles(client, auth, people) -> None:
    opening = make_opening(
        people["hm"], people["recruiter"], title='=HYPERLINK("http://x.example")'
    )
    make_application(opening, people["recruiter"])
    login(auth, people, "recruiter")
    rows = read_csv(client.get("/reports/pipeline.csv?section=probe&date_from="))
    assert rows[1][0] == '\'=HYPERLINK("http://x.example")'


def test_csv_neutralises_formula_looking_interviewer_names(client, auth, people) -> None:
    """Whichever calibration sections list interviewers, their names go out as text."""
    panel = build_panel(people)
    formula = make_user("sum@test.example", "@SUM(1+1)", ["interviewer"])
    interview = make_interview(panel.application, [formula], "Peer interview 1")
    write_scorecard(interview, formula, {panel.r1: ("yes", "")}, "yes")
    login(auth, people, "hm")
    found = []
    for key, _build in views.REPORTS["calibration"].sections:
        response = client.get(f"/reports/calibration.csv?section={key}")
        assert response.status_code == 200
        cells = [cell for row in read_csv(response) for cell in row]
        assert "@SUM(1+1)" not in cells
        found += [cell for cell in cells if "@SUM" in cell]
    assert found and set(found) == {"'@SUM(1+1)"}


@pytest.mark.usefixtures("probed")
@pytest.mark.parametrize("section", ["nope", "calibration-ratings", "funnel"])
def test_csv_of_an_unknown_section_is_404(client, auth, people, section) -> None:
    login(auth, people, "recruiter")
    assert client.get(f"/reports/pipeline.csv?section={section}").status_code == 404
    assert exports() == []


@pytest.mark.usefixtures("probed")
def test_csv_with_invalid_filters_goes_back_to_the_page(client, auth, people, world) -> None:
    login(auth, people, "recruiter")
    response = client.get("/reports/pipeline.csv?section=probe&date_from=2026-13-01")
    assert response.status_code == 302
    assert response.headers["Location"] == "/reports/pipeline?date_from=2026-13-01"
    assert exports() == []


# --- charts, tables, markup --------------------------------------------------------------


@pytest.mark.usefixtures("probed")
def test_the_chart_is_svg_followed_by_its_data_table(client, auth, people, world) -> None:
    login(auth, people, "recruiter")
    page = client.get(f"/reports/pipeline{EVERY_DATE}").get_data(as_text=True)
    section = section_html(page, "probe")
    svg = re.search(r'<svg class="report-svg" viewBox="0 0 (\d+) (\d+)" role="img"[^>]*>', section)
    assert svg
    assert 'aria-labelledby="chart-probe-title"' in svg.group(0)
    assert '<title id="chart-probe-title">Applications per opening' in section
    assert section.index("</svg>") < section.index("<table")
    # one bar per row, as long as its share of the longest
    bars = re.findall(r'<rect class="series-0"[^>]* width="([\d.]+)"', section)
    assert len(bars) == 3
    widths = [float(w) for w in bars]
    assert widths[1] == pytest.approx(widths[0] / 3, abs=0.02)
    assert widths[2] == pytest.approx(widths[0] * 2 / 3, abs=0.02)
    table = tables(page)["probe-table"]
    assert table["caption"].startswith("Applications per opening")
    assert '<th scope="col">Opening</th>' in section
    assert '<th scope="col" class="text-end">Applications</th>' in section
    assert '<th scope="row">A Staff SIRT</th>' in section
    link = (
        '<a class="btn btn-sm btn-outline-secondary" '
        'href="/reports/pipeline.csv?section=probe&amp;date_from=">'
    )
    assert link in section


def assert_clean(page: str) -> None:
    """No inline style, no inline script (the CSP forbids both), nothing run from a tag."""
    assert "style=" not in page
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S):
        assert "src=" in attributes and not body.strip()
    assert not re.search(r"<[^>]+\son\w+=", page)


@pytest.mark.parametrize("report", ["pipeline", "requirements", "calibration"])
def test_report_pages_have_no_inline_style_or_script(client, auth, people, report) -> None:
    build_panel(people)
    login(auth, people, "hm")
    page = client.get(f"/reports/{report}").get_data(as_text=True)
    assert_clean(page)


XSS = "<b onmouseover=alert(1)>T</b>"


@pytest.mark.usefixtures("probed")
def test_opening_titles_are_escaped_in_the_chart_and_the_table(client, auth, people) -> None:
    opening = make_opening(people["hm"], people["recruiter"], title=XSS)
    make_application(opening, people["recruiter"])
    login(auth, people, "recruiter")
    page = client.get("/reports/pipeline").get_data(as_text=True)
    assert XSS not in page
    escaped = str(escape(XSS))
    section = section_html(page, "probe")
    assert re.search(rf"<tspan[^>]*>{re.escape(escaped)}</tspan>", section)  # the chart label
    assert f"<title>{escaped}</title>" in section  # its tooltip
    assert f'<th scope="row">{escaped}</th>' in section  # the table
    assert f">{escaped}</option>" in page  # the filter
    assert_clean(page)


def test_interviewer_names_are_escaped_in_the_calibration(client, auth, people) -> None:
    panel = build_panel(people)
    sly = make_user("sly@test.example", "<i onclick=alert(2)>Sly</i>", ["interviewer"])
    interview = make_interview(panel.application, [sly], "Peer interview 1")
    write_scorecard(interview, sly, {panel.r1: ("yes", "")}, "yes")
    login(auth, people, "hm")
    page = client.get("/reports/calibration").get_data(as_text=True)
    assert "<i onclick" not in page
    assert str(escape("<i onclick=alert(2)>Sly</i>")) in page
    assert_clean(page)


# --- empty states --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "report", "everyone"),
    [
        ("recruiter", "pipeline", True),
        ("recruiter", "requirements", True),
        ("hm", "calibration", True),
        ("interviewer", "calibration", False),
    ],
)
def test_a_fresh_database_shows_what_to_do_next(
    client, auth, people, who, report, everyone
) -> None:
    login(auth, people, who)
    page = client.get(f"/reports/{report}").get_data(as_text=True)
    sections = [
        build(Scope(people[who], everyone=everyone)) for _k, build in views.REPORTS[report].sections
    ]
    assert sections
    for section in sections:
        assert not section.rows
        body = section_html(page, section.key)
        assert (
            f'<div class="alert alert-light border" role="status">{escape(section.empty)}</div>'
            in body
        )
        assert "Download CSV" not in body  # nothing to download
    assert "<svg" not in page
    assert "<table" not in page
    assert_clean(page)


@pytest.mark.usefixtures("probed")
def test_no_applications_in_the_range_shows_the_empty_message(client, auth, people, world) -> None:
    login(auth, people, "recruiter")
    page = client.get("/reports/pipeline?date_from=2027-01-01").get_data(as_text=True)
    assert "No applications yet. Add candidates to an opening to see them here." in page
    assert "<svg" not in page


# --- the real sections ---------------------------------------------------------------------


@pytest.mark.parametrize("report", ["pipeline", "requirements", "calibration"])
def test_every_real_section_renders_with_data(client, auth, people, report) -> None:
    build_panel(people)
    login(auth, people, "hm")
    page = client.get(f"/reports/{report}").get_data(as_text=True)
    found = tables(page)
    for key, _build in views.REPORTS[report].sections:
        body = section_html(page, key)
        if "<svg" in body:
            assert re.search(r'<svg class="report-svg"[^>]*role="img"', body)
            assert f'<title id="chart-{key}-title">' in body
            assert body.index("</svg>") < body.index(
                f'<table class="table table-sm report-table" id="{key}-table">'
            )
        if f"{key}-table" in found:
            assert found[f"{key}-table"]["caption"]
            # the CSV covers what the page shows: the default window, named in the link
            since = default_start(datetime.now(UTC).date()).isoformat()
            csv = f"/reports/{report}.csv?section={key}&amp;date_from={since}"
            assert f'href="{csv}"' in body
            assert client.get(csv.replace("&amp;", "&")).status_code == 200


# --- queries -------------------------------------------------------------------------------

# A report page's queries: signing in (the user, their roles and their session in one),
# the filter options, the feedback the viewer still owes (once per page, see
# Scope.withheld), and at most three per section (each section makes a fixed number).
# Pinned through the section count so that a report gaining a section keeps its pin; the
# exact counts are pinned too (pipeline 12, requirements 7, calibration 8, on the demo and
# on ten times it).
FIXED_QUERIES = 3
PER_SECTION = 3


def query_bound(report: str) -> int:
    return FIXED_QUERIES + PER_SECTION * len(views.REPORTS[report].sections)


@contextmanager
def demo_app(database, folder) -> Iterator[Flask]:
    folder.mkdir()
    with contextmanager(app_on_copy_of)(database, folder) as app:
        app.test_client_class = RequestClient
        yield app


PAGES = [
    ("hm@example.com", "pipeline"),
    ("hm@example.com", "requirements"),
    ("hm@example.com", "calibration"),
    ("recruiter@example.com", "pipeline"),
    ("recruiter@example.com", "requirements"),
    ("recruiter@example.com", "calibration"),
    ("peer1@example.com", "calibration"),
]


def test_report_pages_make_the_same_queries_for_ten_times_the_data(demo_database, tmp_path) -> None:
    counts: dict[int, dict[tuple[str, str], int]] = {}
    for copies in (1, 10):
        with demo_app(demo_database(copies), tmp_path / f"demo{copies}") as app:
            counts[copies] = {}
            for email in dict.fromkeys(email for email, _ in PAGES):
                client = app.test_client()
                AuthActions(client).login(email, DEMO_DB_PASSWORD)
                for who, report in PAGES:
                    if who == email:
                        page = client.get(f"/reports/{report}").get_data(as_text=True)
                        assert "<table" in page, (email, report)  # the demo has figures
                        counts[copies][(email, report)] = count_page_queries(
                            client, f"/reports/{report}"
                        )
    assert counts[10] == counts[1]
    for (email, report), count in counts[1].items():
        assert count <= query_bound(report), (email, report, count)
    # Exactly: 1 to sign in + 1 filter options + 1 withheld feedback + the sections' own
    # (pipeline 9 over 8 sections, requirements 4, calibration 5 over 4 sections).
    assert counts[1] == {
        ("hm@example.com", "pipeline"): 12,
        ("hm@example.com", "requirements"): 7,
        ("hm@example.com", "calibration"): 8,
        ("recruiter@example.com", "pipeline"): 12,
        ("recruiter@example.com", "requirements"): 7,
        ("recruiter@example.com", "calibration"): 8,
        ("peer1@example.com", "calibration"): 8,
    }
