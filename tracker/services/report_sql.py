"""SQL the reports share, written once for SQLite and PostgreSQL.

Date arithmetic differs between the two, so it is a construct compiled per dialect;
percentiles use window functions both have (ROW_NUMBER, COUNT OVER), so only the few
rows a median and a 90th percentile need leave the database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, func, literal, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Date

from tracker.domain.reports import Spread, spread
from tracker.extensions import db
from tracker.models.types import UTCDateTime


def _timestamp(value: Any) -> Any:
    """A Python datetime as a UTC timestamp parameter: SQLite would otherwise write an
    aware time of another zone as if it were UTC."""
    if isinstance(value, datetime):
        return literal(value, UTCDateTime())
    return value


class seconds_between(FunctionElement[float]):
    """Seconds from the first timestamp to the second (negative when it is earlier).
    Either may be a column or an aware datetime (e.g. `scope.now`)."""

    type = Float()
    inherit_cache = True

    def __init__(self, start: Any, end: Any) -> None:
        super().__init__(_timestamp(start), _timestamp(end))


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"((julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)})) * 86400.0)"
    )


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"


class week_start(FunctionElement[date]):
    """The Monday (UTC) of the week a timestamp falls in."""

    type = Date()
    inherit_cache = True

    def __init__(self, value: Any) -> None:
        super().__init__(_timestamp(value))


@compiles(week_start, "sqlite")
def _week_sqlite(element: week_start, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = list(element.clauses)
    # Only the day (the first ten characters of the stored text): SQLite rounds times to
    # the millisecond, which would move Sunday 23:59:59.9995 into the next week.
    # 'weekday 0' moves forward to the next Sunday (or stays on one); six days back is Monday.
    return f"date(substr({compiler.process(value, **kw)}, 1, 10), 'weekday 0', '-6 days')"


@compiles(week_start, "postgresql")
def _week_postgresql(element: week_start, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = list(element.clauses)
    return f"CAST(date_trunc('week', {compiler.process(value, **kw)} AT TIME ZONE 'UTC') AS DATE)"


def as_date(value: date | str | datetime) -> date:
    """A week_start value as a date (SQLite returns text, PostgreSQL a date)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)


def in_window(
    column: ColumnElement[datetime], since: datetime | None, until: datetime | None
) -> ColumnElement[bool]:
    """since <= column < until, either end open."""
    conditions = []
    if since is not None:
        conditions.append(column >= since)
    if until is not None:
        conditions.append(column < until)
    return and_(*conditions) if conditions else true()


def ranked_query(values: Select[Any], group_count: int) -> Select[Any]:
    """The rows `ranked_values` reads: (groups..., n, rank, value) at the median's and the
    90th percentile's ranks (1-based, as in tracker.domain.reports.median_ranks/p90_rank)."""
    inner = values.subquery("observations")
    columns = list(inner.c)
    groups, value = columns[:group_count], columns[group_count]
    partition = groups or None
    # A missing value (an end not reached yet) is no observation: left out before ranking,
    # as SQLite sorts NULL first and PostgreSQL last. Groups get names of their own, so
    # none can clash with another or with value, rank and n.
    ranked = (
        select(
            *[g.label(f"group_{i}") for i, g in enumerate(groups)],
            value.label("value"),
            func.row_number().over(partition_by=partition, order_by=value).label("rank"),
            func.count().over(partition_by=partition).label("n"),
        )
        .where(value.is_not(None))
        .subquery("ranked")
    )
    rank, n = ranked.c.rank, ranked.c.n
    return select(
        *[ranked.c[f"group_{i}"] for i in range(group_count)], n, rank, ranked.c.value
    ).where(
        or_(
            rank == (n + 1) // 2,
            rank == (n + 2) // 2,
            rank == (9 * n + 9) // 10,
        )
    )


def ranked_values(values: Select[Any], group_count: int) -> dict[tuple[Any, ...], Spread]:
    """The median and 90th percentile of `value` per group, computed in the database.

    `values` selects the group columns first (`group_count` of them) and the value last,
    one row per observation (a NULL value is no observation). Only the rows at the ranks
    that matter come back: at most three per group, however many observations there are.
    A group without observations is not in the result. One query.
    """
    rows = db.session.execute(ranked_query(values, group_count)).all()
    found: dict[tuple[Any, ...], tuple[int, dict[int, float]]] = {}
    for row in rows:
        key = tuple(row[:group_count])
        _count, at = found.setdefault(key, (row[group_count], {}))
        at[row[group_count + 1]] = float(row[group_count + 2])
    return {key: spread(count, at) for key, (count, at) in found.items()}
