"""Admin: browse the audit trail, and export it as CSV (a fresh sign-in, itself recorded)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, fresh_login_required
from sqlalchemy import select

from tracker import MAX_ID
from tracker.audit.forms import SYSTEM, TrailFilterForm
from tracker.domain import policy
from tracker.domain.spreadsheet import safe_cell
from tracker.extensions import db, login_manager
from tracker.models import AuditEvent, User
from tracker.models.types import utcnow
from tracker.services import audit
from tracker.web import viewer_zone

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

FILTER_ARGS = ("person", "object_type", "object_id", "action", "date_from", "date_to")
CSV_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_email",
    "ip",
    "action",
    "object_type",
    "object_id",
    "details",
    "prev_hash",
    "hash",
)
# The compact details: at most this many lines of at most this many characters; the full
# entry is one click away.
LINES = 6
SHORT = 120


@bp.before_request
def admins_only() -> Any:
    """Every page here: signed in, and an admin (403 for anyone else)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not policy.is_admin(current_user):
        abort(403)
    return None


def _read_filters() -> tuple[TrailFilterForm, audit.TrailFilter | None]:
    """The form as typed, and the filter it asks for (None when something is invalid)."""
    form = TrailFilterForm(request.args)
    form.fill(list(db.session.scalars(select(User).order_by(User.name, User.id))))
    if not any(request.args.get(name) for name in FILTER_ARGS):
        return form, audit.TrailFilter()
    if not form.validate():
        return form, None
    zone = viewer_zone()

    def start_of(day: Any) -> datetime | None:
        return datetime.combine(day, time.min, zone) if day else None

    person = form.person.data or ""
    return form, audit.TrailFilter(
        actor_id=int(person) if person.isdigit() else None,
        system=person == SYSTEM,
        object_type=form.object_type.data or None,
        object_id=(form.object_id.data or "").strip() or None,
        action=form.action.data or None,
        since=start_of(form.date_from.data),
        until=start_of(form.date_to.data + timedelta(days=1)) if form.date_to.data else None,
    )


def _before_id() -> int | None:
    value = request.args.get("before", "")
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_ID else None


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


HIDDEN = (
    "Scorecard content hidden: you still owe your own feedback on an application, so you "
    "see no one else's until your scorecards are in."
)


def summary(entry: AuditEvent) -> list[str]:
    """The details as a few lines of plain text: each changed column as before -> after,
    anything else as key: value."""
    try:
        details = json.loads(entry.details)
    except ValueError:
        return [_short(entry.details)]
    if not isinstance(details, dict):
        return [_short(details)]
    if set(details) == {"before", "after"}:
        before, after = details["before"] or {}, details["after"] or {}
        lines = []
        for column in sorted(set(before) | set(after)):
            if column in before and column in after:
                lines.append(f"{column}: {_short(before[column])} → {_short(after[column])}")
            elif column in after:
                lines.append(f"{column}: {_short(after[column])}")
            else:
                lines.append(f"{column} was {_short(before[column])}")
        return lines
    return [f"{key}: {_short(value)}" for key, value in sorted(details.items())]


def pretty(entry: AuditEvent) -> str:
    try:
        return json.dumps(json.loads(entry.details), indent=2, ensure_ascii=False, sort_keys=True)
    except ValueError:
        return entry.details


def shown(entry: AuditEvent, hide_feedback: bool) -> tuple[list[str], str]:
    """What the page shows of an entry's details: a compact summary and the full JSON."""
    if hide_feedback and audit.carries_feedback(entry):
        return [HIDDEN], HIDDEN
    lines = summary(entry)
    if len(lines) > LINES:
        lines = [*lines[: LINES - 1], f"… and {len(lines) - LINES + 1} more"]
    return lines, pretty(entry)


def _filter_args() -> dict[str, str]:
    return {k: v for k in FILTER_ARGS if (v := request.args.get(k, ""))}


@bp.route("/")
def index() -> str:
    form, where = _read_filters()
    before_id = _before_id()
    entries: list[AuditEvent] = []
    more = False
    if where is not None:
        entries, more = audit.browse(where, before_id, current_app.config["PAGE_SIZE"])
    hide = audit.feedback_hidden(current_user) if entries else False
    page = render_template(
        "audit/index.html",
        form=form,
        valid=where is not None,
        rows=[(entry, *shown(entry, hide)) for entry in entries],
        older_url=url_for("audit.index", **_filter_args(), before=entries[-1].id) if more else None,
        newest_url=url_for("audit.index", **_filter_args()) if before_id else None,
        export_url=url_for("audit.export", **_filter_args()),
    )
    if entries:  # the details may hold personal data: reading the trail is recorded too
        shown_ids = {"newest": entries[0].id, "oldest": entries[-1].id}
        audit.viewed("audit_events", None, "audit trail", details=shown_ids)
    return page


@bp.route("/export.csv")
@fresh_login_required
def export() -> Response:
    """The filtered trail as CSV, newest first. Needs a sign-in from the last few minutes,
    and leaves an entry of its own."""
    _form, where = _read_filters()
    if where is None:
        return redirect(url_for("audit.index", **_filter_args()))  # type: ignore[return-value]
    audit.record("audit.export", "audit_events", None, {"filters": where.as_details()})
    db.session.commit()
    hide = audit.feedback_hidden(current_user)

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for entry in audit.each_entry(where):
            values = {name: getattr(entry, name) for name in CSV_COLUMNS}
            values["at"] = entry.at.isoformat()
            if hide and audit.carries_feedback(entry):
                values["details"] = HIDDEN
            writer.writerow([safe_cell(values[name]) for name in CSV_COLUMNS])
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="audit-trail-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )
