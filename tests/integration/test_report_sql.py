"""The reports' portable SQL (tracker/services/report_sql.py) on the real SQLite database:
medians and 90th percentiles from window functions, durations, weeks and date windows; and
what the same constructs compile to on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Float, String, func, literal, select, union_all
from sqlalchemy.dialects import postgresql, sqlite

from tests.factories import make_application, make_opening
from tests.queries import recorded_queries
from tracker.domain.reports import Spread, spread_of
from tracker.extensions import db
from tracker.models import Application, Opening, Role
from tracker.services.report_sql import (
    as_date,
    in_window,
    ranked_query,
    ranked_values,
    seconds_between,
    week_start,
)

DAY = 86400.0
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def observations(rows: list[tuple[str, float | None]]):
    """(group, value) rows as a select, one per observation, written in the order given."""
    return union_all(
        *[
            select(literal(group, String()).label("g"), literal(value, Float()).label("v"))
            for group, value in rows
        ]
    )


GROUPS = {
    # group: (values in no particular order, what the figures are)
    "one": ([7.0], Spread(1, 7.0, 7.0)),
    "two": ([4.0, 1.0], Spread(2, 2.5, 4.0)),  # mean of both; p90 rank ceil(1.8) = 2
    "three": ([30.0, 10.0, 20.0], Spread(3, 20.0, 30.0)),
    # 1..10: median (5 + 6) / 2; p90 rank ceil(9.0) = 9
    "ten": ([7.0, 3.0, 10.0, 1.0, 9.0, 2.0, 8.0, 4.0, 6.0, 5.0], Spread(10, 5.5, 9.0)),
    "ties": ([2.0, 9.0, 2.0, 2.0], Spread(4, 2.0, 9.0)),
    # NULL is no observation (SQLite sorts it first, PostgreSQL last): 1 3 5
    "gaps": ([None, 5.0, None, 1.0, 3.0], Spread(3, 3.0, 5.0)),
}


def test_ranked_values_per_group(app) -> None:
    rows = [(group, value) for group, (values, _) in GROUPS.items() for value in values]
    rows.append(("only nulls", None))
    with recorded_queries() as statements:
        found = ranked_values(observations(rows), 1)
    assert len(statements) == 1
    assert found == {(group,): expected for group, (_, expected) in GROUPS.items()}
    # the same as the reference computed from the values themselves
    for group, (values, expected) in GROUPS.items():
        assert spread_of(v for v in values if v is not None) == expected, group
    assert ("only nulls",) not in found  # no observations: no figures, not zeros


def test_only_the_rows_at_the_ranks_that_matter_leave_the_database(app) -> None:
    rows = [(group, value) for group, (values, _) in GROUPS.items() for value in values]
    fetched = db.session.execute(ranked_query(observations(rows), 1)).all()
    ranks = {}
    for group, n, rank, _value in fetched:
        ranks.setdefault(group, set()).add((n, rank))
    assert ranks == {
        "one": {(1, 1)},
        "two": {(2, 1), (2, 2)},
        "three": {(3, 2), (3, 3)},
        "ten": {(10, 5), (10, 6), (10, 9)},
        "ties": {(4, 2), (4, 3), (4, 4)},
        "gaps": {(3, 2), (3, 3)},
    }


def test_ranked_values_without_groups(app) -> None:
    values = union_all(
        *[
            select(literal(v, Float()).label("v"))
            for v in (11.0, 3.0, 1.0, 10.0, 2.0, 9.0, 4.0, 8.0, 5.0, 7.0, 6.0)
        ]
    )
    # 1..11: median the 6th, p90 rank ceil(9.9) = 10
    assert ranked_values(values, 0) == {(): Spread(11, 6.0, 10.0)}


def test_ranked_values_of_nothing_is_empty(app) -> None:
    assert ranked_values(select(Application.id, Application.id.label("v")), 1) == {}


# --- on stored timestamps ------------------------------------------------------------------


@pytest.fixture
def opening(people):
    return make_opening(people["hm"], people["recruiter"])


def stored(opening, people, created: datetime, closed: datetime | None = None) -> Application:
    application = make_application(opening, people["recruiter"])
    application.created_at = created
    application.closed_at = closed
    db.session.commit()
    return application


START = datetime(2026, 3, 27, 22, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "seconds"),
    [
        (timedelta(seconds=1), 1.0),
        (timedelta(milliseconds=500), 0.5),
        (timedelta(minutes=90), 5400.0),
        (timedelta(days=3, hours=4), 3 * DAY + 4 * 3600),  # over Europe's change to summer time
        (timedelta(days=400), 400 * DAY),  # over a year's end and a leap day
        (timedelta(0), 0.0),
        (-timedelta(hours=2), -7200.0),  # the "end" before the start
    ],
)
def test_seconds_between_stored_timestamps(app, people, opening, after, seconds) -> None:
    application = stored(opening, people, START, START + after)
    result = db.session.scalar(
        select(seconds_between(Application.created_at, Application.closed_at)).where(
            Application.id == application.id
        )
    )
    assert result == pytest.approx(seconds, abs=1e-3)  # julianday: about 1e-4 s


def test_seconds_between_a_column_and_an_aware_time_of_another_zone(app, people, opening) -> None:
    application = stored(opening, people, START)
    # the same instant as START + 1 h, written in New York time
    later = (START + timedelta(hours=1)).astimezone(NEW_YORK)
    result = db.session.scalar(
        select(seconds_between(Application.created_at, later)).where(
            Application.id == application.id
        )
    )
    assert result == pytest.approx(3600.0, abs=1e-3)


def test_seconds_between_with_a_missing_end_is_null(app, people, opening) -> None:
    application = stored(opening, people, START)
    value = db.session.scalar(
        select(seconds_between(Application.created_at, Application.closed_at)).where(
            Application.id == application.id
        )
    )
    assert value is None


def test_median_of_stored_durations_per_opening(app, people, opening) -> None:
    other = make_opening(people["hm"], people["recruiter"], title="Another")
    for days in (1, 4, 2):
        stored(opening, people, START, START + timedelta(days=days))
    for hours in (36, 12):
        stored(other, people, START, START + timedelta(hours=hours))
    stored(other, people, START)  # still open: no duration yet
    found = ranked_values(
        select(
            Application.opening_id,
            seconds_between(Application.created_at, Application.closed_at),
        ),
        1,
    )
    assert set(found) == {(opening.id,), (other.id,)}
    first, second = found[(opening.id,)], found[(other.id,)]
    assert first.count == 3
    assert (first.median, first.p90) == pytest.approx((2 * DAY, 4 * DAY), abs=1e-3)
    assert second.count == 2
    assert (second.median, second.p90) == pytest.approx((1 * DAY, 1.5 * DAY), abs=1e-3)


def test_ranked_values_with_group_columns_of_the_same_name(app, people, opening) -> None:
    other = make_opening(people["hm"], people["recruiter"], title="Another")
    for days in (1, 3):
        stored(opening, people, START, START + timedelta(days=days))
    stored(other, people, START, START + timedelta(days=5))
    values = (
        select(
            Opening.title,  # both columns are called "title"
            Role.title,
            seconds_between(Application.created_at, Application.closed_at).label("n"),
        )
        .join(Opening, Opening.id == Application.opening_id)
        .join(Role, Role.id == Opening.role_id)
    )
    found = ranked_values(values, 2)
    assert set(found) == {
        ("Staff Security Engineer, SIRT", "Security Engineer"),
        ("Another", "Security Engineer"),
    }
    first = found[("Staff Security Engineer, SIRT", "Security Engineer")]
    assert (first.count, first.median, first.p90) == (
        2,
        pytest.approx(2 * DAY),
        pytest.approx(3 * DAY),
    )


@pytest.mark.parametrize(
    ("instant", "monday"),
    [
        # the week of Monday 2026-03-02, day by day
        (datetime(2026, 3, 2, 0, 0, 0, tzinfo=UTC), date(2026, 3, 2)),  # Monday, first moment
        (datetime(2026, 3, 3, 9, 30, tzinfo=UTC), date(2026, 3, 2)),  # Tuesday
        (datetime(2026, 3, 4, 12, 0, tzinfo=UTC), date(2026, 3, 2)),  # Wednesday
        (datetime(2026, 3, 5, 23, 0, tzinfo=UTC), date(2026, 3, 2)),  # Thursday
        (datetime(2026, 3, 6, 6, 0, tzinfo=UTC), date(2026, 3, 2)),  # Friday
        (datetime(2026, 3, 7, 18, 0, tzinfo=UTC), date(2026, 3, 2)),  # Saturday
        (datetime(2026, 3, 8, 23, 59, 59, 999999, tzinfo=UTC), date(2026, 3, 2)),  # Sunday, last
        (datetime(2026, 3, 9, 0, 0, 0, tzinfo=UTC), date(2026, 3, 9)),  # the next Monday
        (datetime(2026, 3, 1, 12, 0, tzinfo=UTC), date(2026, 2, 23)),  # the Sunday before
        # the years' ends
        (datetime(2026, 1, 1, 8, 0, tzinfo=UTC), date(2025, 12, 29)),  # Thursday
        (datetime(2027, 1, 3, 22, 0, tzinfo=UTC), date(2026, 12, 28)),  # Sunday
        (datetime(2024, 12, 31, 10, 0, tzinfo=UTC), date(2024, 12, 30)),  # Tuesday
        (datetime(2029, 1, 1, 0, 0, tzinfo=UTC), date(2029, 1, 1)),  # a year starting on Monday
        (datetime(2028, 2, 29, 12, 0, tzinfo=UTC), date(2028, 2, 28)),  # leap day, Tuesday
        # Monday 00:30 in Berlin is still Sunday in UTC: the week is the UTC one
        (datetime(2026, 3, 9, 0, 30, tzinfo=BERLIN), date(2026, 3, 2)),
    ],
)
def test_week_start_is_the_utc_monday(app, people, opening, instant, monday) -> None:
    assert monday.weekday() == 0
    application = stored(opening, people, instant)
    value = db.session.scalar(
        select(week_start(Application.created_at)).where(Application.id == application.id)
    )
    assert as_date(value) == monday


def test_weeks_group_in_sql(app, people, opening) -> None:
    for instant in (
        datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 8, 23, 0, tzinfo=UTC),
        datetime(2026, 3, 9, 1, 0, tzinfo=UTC),
    ):
        stored(opening, people, instant)
    week = week_start(Application.created_at)
    rows = db.session.execute(
        select(week, func.count())
        .where(Application.opening_id == opening.id)
        .group_by(week)
        .order_by(week)
    ).all()
    assert [(as_date(w), n) for w, n in rows] == [(date(2026, 3, 2), 2), (date(2026, 3, 9), 1)]


def test_as_date() -> None:
    assert as_date("2026-03-02") == date(2026, 3, 2)  # SQLite
    assert as_date(date(2026, 3, 2)) == date(2026, 3, 2)  # PostgreSQL
    assert as_date(datetime(2026, 3, 2, 0, 0, tzinfo=UTC)) == date(2026, 3, 2)


T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
T1 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("since", "until", "inside"),
    [
        (None, None, {T0, T1, T2}),
        (T1, None, {T1, T2}),  # since is inclusive
        (None, T1, {T0}),  # until is exclusive
        (T0, T2, {T0, T1}),
        (T2 + timedelta(seconds=1), None, set()),
        # the viewer's midnight of 2 March in Berlin is 23:00 UTC on 1 March
        (datetime(2026, 3, 2, tzinfo=BERLIN), None, {T1, T2}),
        (None, datetime(2026, 3, 2, 1, 0, tzinfo=BERLIN), {T0}),  # = T1: excluded
    ],
)
def test_in_window(app, people, opening, since, until, inside) -> None:
    ids = {stored(opening, people, t).id: t for t in (T0, T1, T2)}
    found = db.session.scalars(
        select(Application.id).where(
            Application.id.in_(ids), in_window(Application.created_at, since, until)
        )
    ).all()
    assert {ids[i] for i in found} == inside


# --- the same constructs on PostgreSQL (the database itself comes to CI later) -------------


def compiled(statement, dialect) -> str:
    return " ".join(str(statement.compile(dialect=dialect)).split())


def test_seconds_between_on_postgresql() -> None:
    sql = compiled(
        select(seconds_between(Application.created_at, Application.closed_at)),
        postgresql.dialect(),
    )
    assert "EXTRACT(EPOCH FROM (applications.closed_at - applications.created_at))" in sql
    assert "julianday" not in sql


def test_seconds_between_on_sqlite() -> None:
    sql = compiled(
        select(seconds_between(Application.created_at, Application.closed_at)), sqlite.dialect()
    )
    assert (
        "((julianday(applications.closed_at) - julianday(applications.created_at)) * 86400.0)"
        in sql
    )


def test_week_start_on_postgresql() -> None:
    sql = compiled(select(week_start(Application.created_at)), postgresql.dialect())
    assert "CAST(date_trunc('week', applications.created_at AT TIME ZONE 'UTC') AS DATE)" in sql


def test_week_start_on_sqlite() -> None:
    sql = compiled(select(week_start(Application.created_at)), sqlite.dialect())
    assert "date(substr(applications.created_at, 1, 10), 'weekday 0', '-6 days')" in sql


def test_ranked_query_on_postgresql_uses_integer_ranks() -> None:
    values = select(
        Application.opening_id, seconds_between(Application.created_at, Application.closed_at)
    )
    sql = compiled(ranked_query(values, 1), postgresql.dialect())
    assert "row_number() OVER (PARTITION BY" in sql
    assert "count(*) OVER (PARTITION BY" in sql
    # count() is a bigint on PostgreSQL, so / is integer division, as // means
    assert "ranked.rank = (ranked.n + %(n_1)s) / %(param_1)s" in sql
    assert "percentile" not in sql.lower()
    assert "EXTRACT(EPOCH FROM" in sql
