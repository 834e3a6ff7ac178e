"""Reports: each a page of sections (chart, data table, CSV link) under one filter form."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from numbers import Number
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from tracker.domain import charts, policy
from tracker.domain.reports import Section, csv_header, csv_value, display
from tracker.domain.spreadsheet import safe_cell
from tracker.extensions import db
from tracker.forms import optional_int
from tracker.models.types import utcnow
from tracker.reports.forms import ReportFilterForm
from tracker.services import audit, calibration_report, pipeline_report, requirement_report
from tracker.services.report_cache import TimedCache
from tracker.services.report_scope import (
    DEFAULT_WINDOW,
    FilterOption,
    ReportFilter,
    Scope,
    default_start,
    filter_options,
)
from tracker.web import viewer_zone

bp = Blueprint("reports", __name__, url_prefix="/reports")

FILTER_ARGS = ("opening", "role", "level", "specialty", "date_from", "date_to")


@dataclass(frozen=True)
class Report:
    key: str
    title: str
    summary: str
    allowed: Callable[[Any], bool]
    sections: tuple[tuple[str, Callable[[Scope], Section]], ...]
    # Which withheld set the sections read (Scope.withheld(active_only=...)): part of the
    # cache key, so a change in what the viewer owes is a new page at once.
    withheld_active_only: bool = False


REPORTS: dict[str, Report] = {
    r.key: r
    for r in (
        Report(
            "pipeline",
            "Pipeline",
            "How applications flow through the stages, how long each takes, why "
            "candidates leave, where they come from, and who is interviewing and owes "
            "scorecards.",
            policy.can_view_pipeline_reports,
            pipeline_report.SECTIONS,
            withheld_active_only=True,
        ),
        Report(
            "requirements",
            "Requirement insight",
            "How often each requirement of a role is assessed, how it is rated, how its "
            "ratings go with the outcome, and which ones the plan leaves unassessed.",
            policy.can_view_requirement_insight,
            requirement_report.SECTIONS,
        ),
        Report(
            "calibration",
            "Interviewer calibration",
            "How each interviewer rates against the rest of the panel, how often their "
            "recommendation matches the outcome, and how soon their scorecards arrive.",
            policy.can_view_calibration,
            calibration_report.SECTIONS,
        ),
    )
}


def _report(key: str) -> Report:
    report = REPORTS[key]
    if not report.allowed(current_user):
        abort(403)
    return report


def _everyone(report: Report) -> bool:
    """Whether the viewer sees everyone's figures (else only their own calibration)."""
    return report.key != "calibration" or policy.can_view_everyones_calibration(current_user)


def _read_filters(
    report: Report,
) -> tuple[ReportFilterForm, Scope | None, date | None, list[FilterOption]]:
    """The form as typed, the scope it asks for (None when something is invalid), the
    first day of the default window when no filter was given at all, and the openings
    the viewer may see (the filter's options).

    A report opens on the applications of the last DEFAULT_WINDOW days (shown in the
    form, and changeable: a form sent with an empty "From" covers every date), so its
    cost at a large company follows recent activity rather than all of history."""
    scope = Scope(current_user, everyone=_everyone(report), now=utcnow())
    form = ReportFilterForm(request.args)
    options = filter_options(scope)
    form.fill(options)
    zone = viewer_zone()
    if not any(name in request.args for name in FILTER_ARGS):
        start = default_start(scope.now.astimezone(zone).date())
        form.date_from.data = start
        scope.filters = ReportFilter(since=datetime.combine(start, time.min, zone))
        return form, scope, start, options
    if not form.validate():
        return form, None, None, options
    start, end = form.date_from.data, form.date_to.data
    scope.filters = ReportFilter(
        opening_id=optional_int(form.opening.data),
        role_id=optional_int(form.role.data),
        level_id=optional_int(form.level.data),
        specialty_id=optional_int(form.specialty.data),
        since=datetime.combine(start, time.min, zone) if start else None,
        until=datetime.combine(end + timedelta(days=1), time.min, zone) if end else None,
    )
    return form, scope, None, options


def _cache() -> TimedCache[tuple[list[Section], datetime]]:
    """This app's kept report pages (per app, so two apps in one process, each on its own
    database, never share one)."""
    cache = current_app.extensions.get("report_cache")
    if cache is None:
        seconds = float(current_app.config["REPORT_CACHE_SECONDS"])
        cache = current_app.extensions["report_cache"] = TimedCache(seconds=seconds)
    return cache


def _sections(
    report: Report, scope: Scope, options: list[FilterOption]
) -> tuple[list[Section], datetime]:
    """The report's sections and when they were computed: built now, or kept from a
    moment ago under a key holding all they depend on (see tracker.services.report_cache)."""
    key = (
        report.key,
        scope.viewer.id,
        tuple(sorted(scope.viewer.role_names)),
        scope.everyone,
        tuple(option.opening_id for option in options),
        scope.filters,
        str(viewer_zone()),
        scope.withheld(active_only=report.withheld_active_only),
    )
    built, _kept = _cache().get_or_build(
        key, lambda: ([build(scope) for _key, build in report.sections], scope.now)
    )
    return built


def _filter_args(default_from: date | None = None) -> dict[str, str]:
    """The filters as the request gave them (an empty one too: it means "any"), or the
    default window's first day, so a CSV covers what its page showed."""
    if default_from is not None:
        return {"date_from": default_from.isoformat()}
    return {k: request.args.get(k, "") for k in FILTER_ARGS if k in request.args}


@bp.route("/")
@login_required
def index() -> str:
    shown = [r for r in REPORTS.values() if r.allowed(current_user)]
    if not shown:
        abort(403)
    return render_template("reports/index.html", reports=shown)


def _page(key: str) -> str:
    report = _report(key)
    form, scope, default_from, options = _read_filters(report)
    sections, computed_at = _sections(report, scope, options) if scope else ([], utcnow())
    return render_template(
        "reports/report.html",
        report=report,
        reports=[r for r in REPORTS.values() if r.allowed(current_user)],
        form=form,
        valid=scope is not None,
        everyone=_everyone(report),
        sections=sections,
        layouts=charts.layouts(sections),
        display=display,
        csv_urls={
            s.key: url_for(f"reports.{key}_csv", section=s.key, **_filter_args(default_from))
            for s in sections
        },
        default_window=DEFAULT_WINDOW.days,
        defaulted=default_from is not None,
        computed_at=computed_at,
        cache_seconds=int(current_app.config["REPORT_CACHE_SECONDS"]),
    )


def _cell(value: Any) -> Any:
    """Numbers as numbers (a negative one is no formula; PostgreSQL's sums may be
    Decimals); text made safe to open."""
    return value if isinstance(value, Number) else safe_cell(value)


def _csv(key: str) -> Response:
    """One section as CSV, with the page's filters; the export leaves an audit entry."""
    report = _report(key)
    builders = dict(report.sections)
    name = request.args.get("section") or next(iter(builders), "")
    if name not in builders:
        abort(404)
    _form, scope, _default_from, _options = _read_filters(report)
    if scope is None:  # the page shows what is wrong with the filters
        return redirect(url_for(f"reports.{key}", **_filter_args()))  # type: ignore[return-value]
    section = builders[name](scope)
    audit.record(
        "report.export",
        "reports",
        f"{key}/{name}",
        {"filters": scope.filters.as_details(), "rows": len(section.rows)},
    )
    db.session.commit()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_header(c) for c in section.columns])
    for row in section.rows:
        writer.writerow(
            [_cell(csv_value(v, c.kind)) for v, c in zip(row, section.columns, strict=True)]
        )
    filename = f"{key}-{name}-{utcnow():%Y%m%d}.csv"
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/pipeline")
@login_required
def pipeline() -> str:
    return _page("pipeline")


@bp.route("/pipeline.csv")
@login_required
def pipeline_csv() -> Response:
    return _csv("pipeline")


@bp.route("/requirements")
@login_required
def requirements() -> str:
    return _page("requirements")


@bp.route("/requirements.csv")
@login_required
def requirements_csv() -> Response:
    return _csv("requirements")


@bp.route("/calibration")
@login_required
def calibration() -> str:
    return _page("calibration")


@bp.route("/calibration.csv")
@login_required
def calibration_csv() -> Response:
    return _csv("calibration")
