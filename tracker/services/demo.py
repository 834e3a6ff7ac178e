"""Demo data: users, three openings and about fifty candidates with history.

It refuses to touch a database that holds anything but demo data, and is safe to run
again (it then changes nothing).
"""

from __future__ import annotations

import itertools
import os
import random
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from tracker.domain import pipeline
from tracker.domain.demo_scale import (
    CANDIDATE_DOMAIN,
    CITIES,
    DEMO_LOGINS,
    FIRST,
    LAST,
    SOURCES,
    ascii_name,
)
from tracker.domain.demo_scale import DEMO_OPENINGS as SCALE_OPENINGS
from tracker.domain.pipeline import (
    ApplicationState,
    Move,
    MoveRequest,
    RejectionReason,
    Status,
    Withdrawer,
)
from tracker.extensions import db
from tracker.models import (
    Application,
    Candidate,
    Level,
    Opening,
    Role,
    Specialty,
    StageEventRecord,
    User,
    normalize_email,
)
from tracker.models.types import utcnow
from tracker.services import catalog, openings, users
from tracker.services.applications import apply_event
from tracker.services.candidates import APPLY_MOVE
from tracker.services.demo_interviews import DemoPanel, add_interviews, record_offer_decision

# The demo logins and openings are shared with the large scale (tracker.domain.demo_scale).
DEMO_USERS: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(
    (email, name, roles) for email, name, roles, _ in DEMO_LOGINS
)
DEMO_EMAIL_DOMAIN = CANDIDATE_DOMAIN

# Candidates per stage key of each demo opening, in the order of demo_scale.DEMO_OPENINGS.
SPREADS: tuple[dict[str, int], ...] = (
    {
        "applied": 3,
        "recruiter_screen": 2,
        "hiring_manager": 2,
        "peer": 2,
        "director": 1,
        "decision": 1,
        "offer": 1,
        "hired": 1,
    },
    {
        "applied": 3,
        "recruiter_screen": 2,
        "hiring_manager": 2,
        "peer": 1,
        "director": 1,
        "decision": 1,
        "offer": 1,
        "hired": 1,
    },
    {
        "applied": 2,
        "recruiter_screen": 2,
        "hiring_manager": 1,
        "peer": 1,
        "director": 1,
        "decision": 1,
    },
)
# (title, role, level, specialty, hiring manager, candidates per stage key)
DEMO_OPENINGS = tuple(
    (*opening, spread) for opening, spread in zip(SCALE_OPENINGS, SPREADS, strict=True)
)


class NotDemoDatabase(Exception):
    """The database holds real data; the demo must not mix into it."""


@dataclass
class DemoResult:
    loaded: bool
    password_hint: str
    logins: list[tuple[str, str]] = field(default_factory=list)
    openings: int = 0
    candidates: int = 0
    events: int = 0
    interviews: int = 0


def _password_file() -> Path:
    return Path(current_app.instance_path) / "demo-password"


def demo_password() -> tuple[str, str]:
    """The demo password and how to show it: from the environment, else generated once."""
    env = os.environ.get("TRACKER_DEMO_PASSWORD")
    if env:
        return env, "the value of TRACKER_DEMO_PASSWORD"
    path = _password_file()
    if path.exists():
        value = path.read_text().strip()
        return value, value
    value = "demo-" + secrets.token_hex(8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value, value


def _check_only_demo() -> bool:
    """True when demo data is present, False when empty; raise if anything else is there."""
    demo_emails = {e for e, _, _ in DEMO_USERS}
    demo_titles = {o[0] for o in DEMO_OPENINGS}
    user_emails = set(db.session.scalars(select(User.email)))
    foreign = user_emails - demo_emails
    other_titles = db.session.scalars(
        select(Opening.title).where(Opening.title.not_in(demo_titles))
    )
    foreign_openings = sum(1 for t in other_titles if _COPY_SUFFIX.sub("", t) not in demo_titles)
    foreign_candidates = db.session.scalar(
        select(func.count())
        .select_from(Candidate)
        .where(Candidate.email_normalized.not_like(f"%@{DEMO_EMAIL_DOMAIN}"))
    )
    if foreign or foreign_openings or foreign_candidates:
        raise NotDemoDatabase(
            "This database holds data that is not demo data "
            f"({len(foreign)} other users, {foreign_openings} other openings, "
            f"{foreign_candidates} other candidates); the demo refuses to mix into it. "
            "Point DATABASE_URL at an empty database to try the demo."
        )
    return bool(user_emails)


_COPY_SUFFIX = re.compile(r" \(\d+\)$")
NAMES_PER_COPY = 200


def _names(rng: random.Random, copies: int) -> Iterator[tuple[str, str]]:
    """Candidate names: the first copy's drawn at random as ever; more copies take the
    rest of the first x last pool in order, then the pool again with a number added."""
    pool = [(f, la) for f in FIRST for la in LAST]
    first = rng.sample(pool, NAMES_PER_COPY)
    yield from first
    if copies == 1:
        return
    taken = set(first)
    yield from (name for name in pool if name not in taken)
    for round_number in itertools.count(2):
        yield from ((f, f"{la} {round_number}") for f, la in pool)


def load_demo(seed: int = 2026, copies: int = 1) -> DemoResult:
    """Load everything the demo needs, or nothing if it is already there. `copies` > 1
    repeats the openings and their candidates (titled "... (2)" and so on): the same
    shape at several times the size, for load tests and the reports' query counts."""
    logins = [(e, ", ".join(r)) for e, _, r in DEMO_USERS]
    already_loaded = _check_only_demo()  # refuse before writing anything, even the password
    password, hint = demo_password()
    if already_loaded:
        catalog.load_catalog()
        return DemoResult(loaded=False, password_hint=hint, logins=logins)
    if len(password) < users.MIN_PASSWORD:
        raise NotDemoDatabase(
            f"TRACKER_DEMO_PASSWORD must be at least {users.MIN_PASSWORD} characters."
        )
    catalog.load_catalog()
    people = {e: users.create_user(e, n, password, r, commit=False) for e, n, r in DEMO_USERS}
    rng = random.Random(seed)  # noqa: S311  # nosec B311  # repeatable demo data, not security
    result = DemoResult(loaded=True, password_hint=hint, logins=logins)
    names = _names(rng, copies)
    now = utcnow()
    plan = [
        (title if copy == 1 else f"{title} ({copy})", *rest)
        for copy in range(1, copies + 1)
        for title, *rest in DEMO_OPENINGS
    ]
    for title, role_key, level_key, specialty_key, hm_email, spread in plan:
        role = db.session.scalar(select(Role).where(Role.key == role_key))
        level = db.session.scalar(
            select(Level).where(Level.role_id == role.id, Level.key == level_key)
        )
        specialty = db.session.scalar(
            select(Specialty).where(Specialty.role_id == role.id, Specialty.key == specialty_key)
        )
        opening = openings.create_opening(
            openings.OpeningInput(
                title=title,
                role_id=role.id,
                level_id=level.id,
                specialty_id=specialty.id,
                hiring_manager_id=people[hm_email].id,
                recruiter_id=people["recruiter@example.com"].id,
            ),
            commit=False,
        )
        result.openings += 1
        stages = openings.stages_for_rules(opening)
        by_key = {s.key: s for s in opening.stages}
        panel = DemoPanel(rng, people, opening.id)
        for stage_key, count in spread.items():
            for index in range(count):
                first, last = next(names)
                application, entered, moves = _demo_application(
                    rng, opening, stages, by_key, stage_key, first, last, people, now
                )
                result.events += moves
                result.candidates += 1
                # Later-stage candidates are mostly strong; the first Decision candidate of
                # each opening met two directors who disagreed.
                strength = rng.uniform(0.55, 0.95) if stage_key != "applied" else 0.5
                result.interviews += add_interviews(
                    panel,
                    application,
                    people[hm_email],
                    entered,
                    stage_key,
                    now,
                    strength,
                    twin_director=stage_key in ("decision", "offer") and index == 0,
                )
                if "offer" in entered:
                    record_offer_decision(
                        application,
                        people[hm_email],
                        people["admin@example.com"],
                        entered["offer"],
                    )
        # A few closed applications show rejections and withdrawals on the board, and give
        # the reports outcomes to set ratings against: those rejected late were closer.
        for move, at_stage, strength in (
            (Move.REJECT, "recruiter_screen", 0.3),
            (Move.REJECT, "hiring_manager", 0.3),
            (Move.REJECT, "peer", 0.4),
            (Move.REJECT, "director", 0.45),
            (Move.WITHDRAW, "hiring_manager", 0.6),
        ):
            first, last = next(names)
            application, entered, moves = _demo_application(
                rng, opening, stages, by_key, at_stage, first, last, people, now, close=move
            )
            result.events += moves
            result.candidates += 1
            result.interviews += add_interviews(
                panel, application, people[hm_email], entered, at_stage, now, strength
            )
    db.session.commit()  # one transaction: the demo loads whole or not at all
    return result


def _demo_application(
    rng: random.Random,
    opening: Opening,
    stages: list[pipeline.Stage],
    by_key: dict,
    target: str,
    first: str,
    last: str,
    people: dict[str, User],
    now,
    close: Move | None = None,
) -> tuple[Application, dict[str, datetime], int]:
    """One candidate walked through the real pipeline rules up to `target`; returns the
    application, when it entered each stage, and how many moves it made."""
    local = ascii_name(f"{first}.{last}").lower().replace(" ", "")
    email = f"{local}@{DEMO_EMAIL_DOMAIN}"
    candidate = Candidate(
        name=f"{first} {last}",
        email=email,
        email_normalized=normalize_email(email),
        phone=f"+1 555 01{rng.randint(10, 99)}",
        location=rng.choice(CITIES),
        links=f"https://example.org/{local}",
        source=rng.choice(SOURCES),
        created_by_id=people["recruiter@example.com"].id,
    )
    recruiter = people["recruiter@example.com"]
    manager = opening.hiring_manager
    target_index = [s.key for s in stages].index(target)
    at = now - timedelta(days=3 * target_index + rng.randint(2, 10), hours=rng.randint(0, 8))
    candidate.created_at = at
    application = Application(
        candidate=candidate, opening=opening, stage=by_key["applied"], created_at=at, updated_at=at
    )
    db.session.add(application)
    db.session.add(
        StageEventRecord(
            application=application,
            actor_id=recruiter.id,
            at=at,
            move=APPLY_MOVE,
            to_stage=by_key["applied"],
            from_status=None,
            to_status=Status.ACTIVE.value,
        )
    )
    state = ApplicationState("applied", Status.ACTIVE)
    entered = {"applied": at}
    requests: list[MoveRequest] = []
    for stage in stages[1 : target_index + 1]:
        # Leaving Decision is the hiring manager's recorded decision (written after the
        # interviews, in load_demo, with the evidence it rests on).
        requests.append(
            MoveRequest(
                Move.HIRE if stage.key == "hired" else Move.ADVANCE,
                by_decision=stage.key == "offer",
            )
        )
    if close is Move.REJECT:
        requests.append(
            MoveRequest(
                Move.REJECT, rng.choice(list(RejectionReason)), note="Not a fit for this level."
            )
        )
    elif close is Move.WITHDRAW:
        requests.append(
            MoveRequest(
                Move.WITHDRAW, withdrawn_by=Withdrawer.CANDIDATE, note="Accepted another offer."
            )
        )
    for request in requests:
        at = at + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 6))
        actor = manager if state.stage_key in ("decision", "offer") else recruiter
        event = pipeline.apply_move(stages, state, request, actor.id, at)
        db.session.add(apply_event(application, event, by_key))
        state = ApplicationState(event.to_stage, event.to_status)
        entered.setdefault(event.to_stage, at)
    return application, entered, 1 + len(requests)
