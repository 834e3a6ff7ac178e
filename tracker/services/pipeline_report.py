"""The pipeline report (issue 5): its sections, each computed in aggregate SQL."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from tracker.domain.reports import Chart, Column, Kind, Section, share
from tracker.extensions import db
from tracker.models import PlanStage, StageEventRecord
from tracker.services.report_scope import Scope


def funnel(scope: Scope) -> Section:
    """How many applications reached each stage (by the stage's key, so the openings'
    plans add up), and how many of those went on to the next; one query."""
    rows = db.session.execute(
        select(
            PlanStage.key,
            func.min(PlanStage.name),
            func.count(func.distinct(StageEventRecord.application_id)),
        )
        .join(PlanStage, PlanStage.id == StageEventRecord.to_stage_id)
        .where(StageEventRecord.application_id.in_(scope.applications()))
        .group_by(PlanStage.key)
        .order_by(func.min(PlanStage.position), PlanStage.key)
    ).all()
    first = rows[0][2] if rows else 0
    table = []
    for index, (_key, name, reached) in enumerate(rows):
        following = rows[index + 1][2] if index + 1 < len(rows) else None
        table.append((name, reached, share(reached, first), share(following, reached)))
    return Section(
        key="funnel",
        title="Funnel",
        description=(
            "Applications that reached each stage (at any time, so those that later left "
            "count too), the share of all applications, and the share that went on to the "
            "next stage. Dates filter on when the application arrived."
        ),
        columns=(
            Column("stage", "Stage"),
            Column("reached", "Reached", Kind.COUNT),
            Column("of_all", "Of all applications", Kind.PERCENT),
            Column("onward", "Went on to the next stage", Kind.PERCENT),
        ),
        rows=tuple(table),
        empty=(
            "No applications in this scope yet. Add candidates to an opening, or widen the "
            "filters, to see the funnel."
        ),
        chart=Chart(label="stage", values=("reached",), title="Applications reaching each stage"),
    )


# (key, builder) in page order; each builder makes a fixed number of queries.
SECTIONS: tuple[tuple[str, Callable[[Scope], Section]], ...] = (("funnel", funnel),)
