"""The audit trail: append-only, hash-chained entries of who changed or viewed what.

Every entry is written in the caller's transaction, through the session's connection, so
a rollback leaves no entry and a committed change always has one. Each entry's hash
covers its content and the previous entry's hash (`tracker.domain.audit_chain`).

Changes are recorded without anyone asking: `install(app)` registers ORM listeners that
turn every insert, update and delete of a mapped object (flushed, or an ORM UPDATE/DELETE
statement) into an entry with the columns before and after. Writes that bypass the ORM
session (raw SQL, or ORM INSERT statements) are not seen, so the application makes none.

The chain must stay in id order when several requests write at once: on PostgreSQL a
transaction-scoped advisory lock is taken before the last hash is read (held until
commit, so chained writers queue); SQLite allows one writer at a time, and a transaction
that has not written yet starts with BEGIN IMMEDIATE so the read is inside that lock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, g, has_request_context, request
from sqlalchemy import Connection, and_, event, insert, inspect, select, text
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, UOWTransaction

from tracker.domain import audit_chain
from tracker.domain.audit_chain import GENESIS, REDACTED, Break, ChainCheck, Entry
from tracker.extensions import db
from tracker.models import Application, AuditEvent, Scorecard
from tracker.models.types import utcnow
from tracker.services import independence

# pg_advisory_xact_lock key of the chain ("audi"): one lock, whatever the table's size.
CHAIN_LOCK = 0x61756469
# Not recorded as changes: the trail itself, and session touches (noise; sign-in and
# sign-out are recorded explicitly).
NOT_AUDITED = frozenset({"audit_events", "user_sessions"})
# Changes to these carry interviewers' feedback (ratings, evidence, recommendations).
FEEDBACK_TABLES = frozenset({"scorecards", "ratings", "scorecard_revisions", "decisions"})
CHANGES = frozenset({"create", "update", "delete"})
# Recorded as changed, never with their value.
SECRET_COLUMNS = frozenset(
    {"password_hash", "totp_secret", "totp_pending_secret", "token_hash", "code_hash"}
)
_PENDING = "audit_pending"

Item = tuple[str, str, object | None, dict[str, Any] | None]  # action, type, id, details


# --- Writing ---------------------------------------------------------------------------


def _request_user() -> Any:
    """The signed-in user of this request, if Flask-Login has loaded one already. Reading
    `current_user` could load it, and loading may commit (a session touch), which must
    never happen halfway through someone else's transaction or inside a flush."""
    if not has_request_context():
        return None
    user = g.get("_login_user")
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _client_ip() -> str | None:
    if not has_request_context():
        return None
    return (request.remote_addr or "")[:45] or None


def _lock_chain(connection: Connection) -> None:
    """Serialise chain writers until this transaction ends (see the module docstring)."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    elif dialect == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


_LAST_HASH = select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
_INSERT = insert(AuditEvent.__table__)


def last_hash(connection: Connection) -> str:
    return connection.execute(_LAST_HASH).scalar() or GENESIS


def _write(session: Session, items: Sequence[Item], actor: Any = None) -> None:
    """Append entries after the last one, in this session's transaction: one read of the
    last hash, then one INSERT per entry (so ids follow the chain on every database)."""
    if not items:
        return
    who = actor if actor is not None else _request_user()
    actor_id = getattr(who, "id", None)
    actor_email = getattr(who, "email", None)
    ip = _client_ip()
    connection = session.connection()
    _lock_chain(connection)
    entries = audit_chain.chain(
        (
            Entry(
                at=utcnow(),
                actor_id=actor_id,
                actor_email=actor_email,
                ip=ip,
                action=action,
                object_type=object_type,
                object_id=None if object_id is None else str(object_id)[:64],
                details=audit_chain.canonical_json(details or {}),
                prev_hash="",
            )
            for action, object_type, object_id, details in items
        ),
        last_hash(connection),
    )
    for entry in entries:
        connection.execute(_INSERT, _row(entry))  # one compiled statement, per-row values


def _row(entry: Entry) -> dict[str, Any]:
    return {
        "at": entry.at,
        "actor_id": entry.actor_id,
        "actor_email": entry.actor_email,
        "ip": entry.ip,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def record(
    action: str,
    object_type: str,
    object_id: object | None = None,
    details: dict[str, Any] | None = None,
    *,
    actor: Any = None,
) -> None:
    """Append one entry in the current transaction (committed with it). The actor is the
    signed-in user unless given (None outside a request: the system)."""
    _write(db.session(), [(action, object_type, object_id, details)], actor=actor)


def viewed(
    object_type: str, object_id: object | None, what: str, *, details: dict | None = None
) -> None:
    """Record that the signed-in user saw this object's data, and commit: a page that only
    reads still leaves its entry. Call it after the page is rendered (committing expires
    what the session loaded) and only where nothing else is pending."""
    record("view", object_type, object_id, {"what": what, **(details or {})})
    db.session.commit()


def scorecards_viewed(
    application_id: int, what: str, viewer: Any, scorecards: Iterable[Scorecard] | None = None
) -> None:
    """A page showing an application's data and its scorecards (None: every submitted
    one): one entry, naming the scorecards shown that the viewer did not write (the
    independence proof reads them)."""
    if scorecards is None:
        others = list(
            db.session.scalars(
                select(Scorecard.id).where(
                    Scorecard.application_id == application_id,
                    Scorecard.status == "submitted",
                    Scorecard.author_id != viewer.id,
                )
            )
        )
    else:
        others = [c.id for c in scorecards if c.author_id != viewer.id]
    viewed("applications", application_id, what, details={"scorecard_ids": sorted(others)})


# --- Independence proof ----------------------------------------------------------------


def others_feedback_seen(author_id: int, application_id: int) -> list[int]:
    """The other interviewers' scorecards on this application that the author's earlier
    page views showed them, according to the trail."""
    rows = db.session.scalars(
        select(AuditEvent.details).where(
            AuditEvent.object_type == "applications",
            AuditEvent.object_id == str(application_id),
            AuditEvent.action == "view",
            AuditEvent.actor_id == author_id,
        )
    )
    seen: set[int] = set()
    for details in rows:
        seen.update(int(i) for i in json.loads(details).get("scorecard_ids", ()))
    return sorted(seen)


def record_scorecard(action: str, scorecard: Scorecard, author: Any) -> None:
    """`scorecard.submit` (or `.amend`) with whether the author had seen anyone else's
    feedback on the application before: the proof that the judgement was independent."""
    seen = others_feedback_seen(author.id, scorecard.application_id)
    record(
        action,
        "scorecards",
        scorecard.id,
        {
            "application_id": scorecard.application_id,
            "saw_others_feedback": bool(seen),
            "viewed_scorecard_ids": seen,
        },
        actor=author,
    )


@dataclass(frozen=True)
class Independence:
    """What the trail says about one scorecard's submission."""

    saw_others_feedback: bool
    viewed_scorecard_ids: list[int]


def independence_of(scorecard_ids: Iterable[int]) -> dict[int, Independence]:
    """For each scorecard with a recorded submission, what its author had seen; one query."""
    ids = [str(i) for i in scorecard_ids]
    if not ids:
        return {}
    rows = db.session.execute(
        select(AuditEvent.object_id, AuditEvent.details)
        .where(
            AuditEvent.object_type == "scorecards",
            AuditEvent.object_id.in_(ids),
            AuditEvent.action == "scorecard.submit",
        )
        .order_by(AuditEvent.id)
    )
    result: dict[int, Independence] = {}
    for object_id, details in rows:
        data = json.loads(details)
        result.setdefault(
            int(object_id),
            Independence(
                bool(data.get("saw_others_feedback")), list(data.get("viewed_scorecard_ids", []))
            ),
        )
    return result


# --- Recording every change --------------------------------------------------------------


def _audited(mapper: Mapper) -> bool:
    return mapper.local_table.name not in NOT_AUDITED


def _shown(column: str, value: Any) -> Any:
    if column in SECRET_COLUMNS and value is not None:
        return REDACTED
    return audit_chain.json_safe(value)


def _object_id(mapper: Mapper, values: dict[str, Any]) -> str | None:
    parts = [values.get(c.name) for c in mapper.primary_key]
    if any(p is None for p in parts):
        return None
    return ",".join(str(p) for p in parts)


def _columns(mapper: Mapper) -> list[tuple[str, str]]:
    """(attribute key, column name) of every column of the object's own table."""
    return [
        (prop.key, prop.columns[0].name)
        for prop in mapper.column_attrs
        if prop.columns[0].table is mapper.local_table
    ]


def _stored_row(connection: Connection, mapper: Mapper, target: object) -> dict[str, Any]:
    """The object's row as the database holds it now (before this flush changes it)."""
    table = mapper.local_table
    pk = mapper.primary_key_from_instance(target)
    criteria = [column == value for column, value in zip(mapper.primary_key, pk, strict=True)]
    row = connection.execute(select(table).where(and_(*criteria))).mappings().first()
    return dict(row) if row else {}


def _queue(target: object, item: Item) -> None:
    session = inspect(target).session
    if session is not None:
        session.info.setdefault(_PENDING, []).append(item)


def _after_insert(mapper: Mapper, _connection: Connection, target: object) -> None:
    if not _audited(mapper):
        return
    values = inspect(target).dict
    after = {col: _shown(col, values[key]) for key, col in _columns(mapper) if key in values}
    details = {"before": {}, "after": after}
    _queue(target, ("create", mapper.local_table.name, _object_id(mapper, after), details))


def _before_update(mapper: Mapper, connection: Connection, target: object) -> None:
    if not _audited(mapper):
        return
    state = inspect(target)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    unknown = []
    for key, col in _columns(mapper):
        history = state.attrs[key].history
        if not history.added:
            continue
        after[col] = _shown(col, history.added[0])
        if history.deleted:
            before[col] = _shown(col, history.deleted[0])
        else:
            unknown.append(col)  # set without the old value loaded: read it from the row
    if not after:
        return
    if unknown:
        stored = _stored_row(connection, mapper, target)
        before.update({col: _shown(col, stored.get(col)) for col in unknown})
    object_id = ",".join(str(v) for v in mapper.primary_key_from_instance(target))
    _queue(
        target,
        ("update", mapper.local_table.name, object_id, {"before": before, "after": after}),
    )


def _before_delete(mapper: Mapper, _connection: Connection, target: object) -> None:
    """The row as it was (the flush has loaded an expired object to delete it)."""
    if not _audited(mapper):
        return
    values = inspect(target).dict
    before = {col: _shown(col, values.get(key)) for key, col in _columns(mapper)}
    details = {"before": before, "after": {}}
    _queue(target, ("delete", mapper.local_table.name, _object_id(mapper, before), details))


def _before_flush(session: Session, _ctx: UOWTransaction, _instances: object) -> None:
    session.info.pop(_PENDING, None)  # left over from a flush that failed


def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    _write(session, session.info.pop(_PENDING, []))


def _statement(state: ORMExecuteState) -> Any:
    """ORM UPDATE/DELETE statements skip the flush: record each row they touch."""
    if not (state.is_update or state.is_delete):
        return None
    mapper = state.bind_mapper
    if mapper is None or not _audited(mapper):
        return None
    table = mapper.local_table
    where = state.statement.whereclause
    query = select(table) if where is None else select(table).where(where)
    connection = state.session.connection()
    before_rows = [dict(r) for r in connection.execute(query).mappings()]
    result = state.invoke_statement()
    if not before_rows:
        return result
    items: list[Item] = []
    if state.is_delete:
        for row in before_rows:
            shown = {col: _shown(col, value) for col, value in row.items()}
            items.append(
                ("delete", table.name, _object_id(mapper, row), {"before": shown, "after": {}})
            )
    else:
        pk = mapper.primary_key[0]
        after_rows = {
            r[pk.name]: dict(r)
            for r in connection.execute(
                select(table).where(pk.in_([r[pk.name] for r in before_rows]))
            ).mappings()
        }
        for row in before_rows:
            now = after_rows.get(row[pk.name], {})
            changed = [col for col, value in row.items() if now.get(col) != value]
            if changed:
                items.append(
                    (
                        "update",
                        table.name,
                        _object_id(mapper, row),
                        {
                            "before": {c: _shown(c, row[c]) for c in changed},
                            "after": {c: _shown(c, now.get(c)) for c in changed},
                        },
                    )
                )
    _write(state.session, items)
    return result


_LISTENERS: list[tuple[Any, str, Any, dict[str, Any]]] = [
    (db.Model, "after_insert", _after_insert, {"propagate": True}),
    (db.Model, "before_update", _before_update, {"propagate": True}),
    (db.Model, "before_delete", _before_delete, {"propagate": True}),
    (Session, "before_flush", _before_flush, {}),
    (Session, "after_flush", _after_flush, {}),
    (Session, "do_orm_execute", _statement, {}),
]


def install(app: Flask) -> None:
    """Record every change from now on (once per process, however many apps are made)."""
    for target, name, fn, options in _LISTENERS:
        if not event.contains(target, name, fn):
            event.listen(target, name, fn, **options)
    app.extensions["audit"] = True


# --- Reading: the chain check and the admin page ------------------------------------------


def _entries(rows: Iterable[AuditEvent | Any]) -> Iterator[Entry]:
    for row in rows:
        yield Entry(
            id=row.id,
            at=row.at,
            actor_id=row.actor_id,
            actor_email=row.actor_email,
            ip=row.ip,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            details=row.details,
            prev_hash=row.prev_hash,
            hash=row.hash,
        )


@dataclass(frozen=True)
class Verification:
    count: int
    broken: Break | None
    last_hash: str


def verify(batch_size: int = 1000) -> Verification:
    """Walk the whole chain in id order, a batch at a time (keyset, never OFFSET)."""
    check = ChainCheck()
    after_id = 0
    columns = [getattr(AuditEvent, c.name) for c in AuditEvent.__table__.columns]
    while True:
        rows = db.session.execute(
            select(*columns)
            .where(AuditEvent.id > after_id)
            .order_by(AuditEvent.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return Verification(check.count, None, check.last_hash)
        broken = check.feed(_entries(rows))
        if broken is not None:
            return Verification(check.count, broken, check.last_hash)
        after_id = rows[-1].id


@dataclass(frozen=True)
class TrailFilter:
    """What the admin asked to see; times are UTC, `until` exclusive."""

    actor_id: int | None = None
    system: bool = False  # entries with no actor: the command line, signed-out requests
    object_type: str | None = None
    object_id: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def criteria(self) -> list[Any]:
        out = []
        if self.actor_id is not None:
            out.append(AuditEvent.actor_id == self.actor_id)
        if self.system:
            out.append(AuditEvent.actor_id.is_(None))
        if self.object_type:
            out.append(AuditEvent.object_type == self.object_type)
        if self.object_id:
            out.append(AuditEvent.object_id == self.object_id)
        if self.action:
            out.append(AuditEvent.action == self.action)
        if self.since is not None:
            out.append(AuditEvent.at >= self.since)
        if self.until is not None:
            out.append(AuditEvent.at < self.until)
        return out

    def as_details(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, False)}


def browse(where: TrailFilter, before_id: int | None, limit: int) -> tuple[list[AuditEvent], bool]:
    """Newest first: up to `limit` entries older than `before_id`, and whether more remain."""
    query = select(AuditEvent).where(*where.criteria())
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    rows = list(db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def feedback_hidden(viewer: Any) -> bool:
    """Whether the viewer still owes their own feedback on some application: then the
    trail shows them no scorecard content (independent judgement holds here too)."""
    return bool(independence.feedback_owed(viewer, select(Application.id)))


def carries_feedback(entry: AuditEvent) -> bool:
    return entry.object_type in FEEDBACK_TABLES and entry.action in CHANGES


def each_entry(where: TrailFilter, batch_size: int = 1000) -> Iterator[AuditEvent]:
    """Every matching entry, newest first, read a batch at a time (for the export)."""
    before_id: int | None = None
    while True:
        rows, more = browse(where, before_id, batch_size)
        yield from rows
        for row in rows:
            db.session.expunge(row)  # memory stays flat however long the trail is
        if not more:
            return
        before_id = rows[-1].id
