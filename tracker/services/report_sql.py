"""SQL the reports share, written once for SQLite and PostgreSQL.

Date arithmetic differs between the two, so it is a construct compiled per dialect;
percentiles use window functions both have (ROW_NUMBER, COUNT OVER), so only the few
rows a median and a 90th percentile need leave the database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, func, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Date

from tracker.domain.reports import Spread, spread
from tracker.extensions import db


class seconds_between(FunctionElement[float]):
    """Seconds from the first timestamp to the second (negative when it is earlier)."""

    type = Float()
    inherit_cache = True


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


@compiles(week_start, "sqlite")
def _week_sqlite(element: week_start, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = list(element.clauses)
    # 'weekday 0' moves forward to the next Sunday (or stays on one); six days back is Monday
    return f"date({compiler.process(value, **kw)}, 'weekday 0', '-6 days')"


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


def ranked_values(values: Select[Any], group_count: int) -> dict[tuple[Any, ...], Spread]:
    """The median and 90th percentile of `value` per group, computed in the database.

    `values` selects the group columns first (`group_count` of them) and the value last,
    one row per observation. Only the rows at the ranks that matter come back: at most
    three per group, however many observations there are.
    """
    inner = values.subquery("observations")
    columns = list(inner.c)
    groups, value = columns[:group_count], columns[group_count]
    partition = groups or None
    ranked = select(
        *groups,
        value.label("value"),
        func.row_number().over(partition_by=partition, order_by=value).label("rank"),
        func.count().over(partition_by=partition).label("n"),
    ).subquery("ranked")
    rank, n = ranked.c.rank, ranked.c.n
    rows = db.session.execute(
        select(
            *[ranked.c[g.name] for g in groups], ranked.c.n, ranked.c.rank, ranked.c.value
        ).where(
            or_(
                rank == (n + 1) // 2,
                rank == (n + 2) // 2,
                rank == (9 * n + 9) // 10,
            )
        )
    ).all()
    found: dict[tuple[Any, ...], tuple[int, dict[int, float]]] = {}
    for row in rows:
        key = tuple(row[:group_count])
        _count, at = found.setdefault(key, (row[group_count], {}))
        at[row[group_count + 1]] = float(row[group_count + 2])
    return {key: spread(count, at) for key, (count, at) in found.items()}
