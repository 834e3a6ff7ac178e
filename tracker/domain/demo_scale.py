"""A large company's hiring history, generated: the distributions as data, and the table
rows they make.

Pure: no database and no Flask. `generate` turns a Scale, the openings' plans and the
staff into rows (plain dicts keyed by column name), a chunk of applications at a time,
for tracker.services.demo_large to write in bulk. Everything is drawn from the one
random.Random it is given, in a fixed order, so a seed always makes the same company.

Each application walks the real pipeline rules (tracker.domain.pipeline) through the
funnel below; its interviews lie inside the time it spent in each stage, and its
scorecards after their interview, so the data reads like a real history.
"""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from tracker.domain import pipeline, scoring
from tracker.domain.pipeline import (
    DEFAULT_PLAN,
    ApplicationState,
    Move,
    MoveRequest,
    RejectionReason,
    Stage,
    StageKind,
    StageTemplate,
    Status,
    Withdrawer,
)
from tracker.domain.scoring import Outcome, Rating, Recommendation

APPLY_MOVE = "apply"  # the first event of every application (services.candidates.APPLY_MOVE)
CANDIDATE_DOMAIN = "candidates.example.net"
STAFF_DOMAIN = "example.com"

# --- How big ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """How many of everything. Interviews, scorecards and ratings follow from the funnel."""

    name: str
    candidates: int
    applications: int
    openings: int
    admins: int = 3
    recruiters: int = 10
    hiring_managers: int = 20
    directors: int = 4  # the Director of Security and the CISO among them
    interviewers: int = 200
    days: int = 730  # the history reaches back this far

    def __post_init__(self) -> None:
        demo = {group: 0 for group in GROUPS}
        for _, _, _, group in DEMO_LOGINS:
            demo[group] += 1
        wanted = {
            "admin": self.admins,
            "recruiter": self.recruiters,
            "hiring_manager": self.hiring_managers,
            "director": self.directors - demo["ciso"],
            "interviewer": self.interviewers,
        }
        for group, count in wanted.items():
            if count < demo[group]:
                raise ValueError(f"A scale needs at least {demo[group]} {group} account(s).")
        least = len(DEMO_OPENINGS) + HM_EXTRA_OPENINGS  # hm@example.com's four first
        if self.openings < least:
            raise ValueError(f"A scale needs at least {least} openings.")
        if not self.candidates <= self.applications <= self.candidates * MAX_APPLICATIONS:
            raise ValueError(
                "Every candidate applies at least once and at most "
                f"{MAX_APPLICATIONS} times: {self.candidates} candidates cannot make "
                f"{self.applications} applications."
            )
        if self.days < 180:
            raise ValueError("The history needs at least 180 days.")


MAX_APPLICATIONS = 4  # per candidate, each to a different opening

# --- The funnel ------------------------------------------------------------------------


@dataclass(frozen=True)
class StageOutcomes:
    """What happens to an application that reached a stage: it moves on, is rejected,
    withdraws, or is still there today. Shares sum to 1."""

    advance: float
    reject: float
    withdraw: float
    stay: float
    # Days spent in the stage before leaving it, and how long the ones still there have
    # been there so far (at most).
    days: tuple[float, float]
    waiting: float


FUNNEL: dict[str, StageOutcomes] = {
    "applied": StageOutcomes(0.93, 0.045, 0.008, 0.017, (1, 9), 9),
    "recruiter_screen": StageOutcomes(0.75, 0.195, 0.035, 0.02, (4, 14), 14),
    "hiring_manager": StageOutcomes(0.66, 0.275, 0.04, 0.025, (5, 16), 16),
    "peer": StageOutcomes(0.56, 0.36, 0.05, 0.03, (6, 18), 18),
    "director": StageOutcomes(0.36, 0.52, 0.05, 0.07, (5, 16), 16),
    # Leaving Decision is the hiring manager's recorded decision: an offer or a rejection.
    "decision": StageOutcomes(0.22, 0.70, 0.03, 0.05, (1, 6), 6),
    # Advancing from Offer is the hire; withdrawing there is a declined offer.
    "offer": StageOutcomes(0.65, 0.03, 0.2, 0.12, (3, 15), 15),
}


def expected_reach(plan: Sequence[StageTemplate] = DEFAULT_PLAN) -> dict[str, float]:
    """The share of applications the funnel brings to each stage of the plan."""
    share = 1.0
    reach = {}
    for stage in plan:
        reach[stage.key] = share
        if stage.key in FUNNEL:
            share *= FUNNEL[stage.key].advance
    return reach


def expected_interviews(plan: Sequence[StageTemplate] = DEFAULT_PLAN) -> float:
    """Interviews held (or booked) per application, on average: every interview of each
    stage reached, less those of applications withdrawn before them or still waiting
    to be scheduled (cancelled ones, and their replacements, come on top)."""
    reach = expected_reach(plan)
    total = 0.0
    for stage in plan:
        if stage.interviews:
            odds = FUNNEL[stage.key]
            lost = odds.stay * UNSCHEDULED + odds.withdraw * WITHDRAWN_BEFORE_INTERVIEW
            total += reach[stage.key] * len(stage.interviews) * (1 - lost)
    return total


# How strong a candidate is (0 to 1), by the last stage they reached: ratings and
# recommendations lean on it, so the further someone got, the better their scorecards.
STRENGTH: dict[str, float] = {
    "applied": 0.25,
    "recruiter_screen": 0.36,
    "hiring_manager": 0.45,
    "peer": 0.53,
    "director": 0.6,
    "decision": 0.64,
    "offer": 0.75,
    "hired": 0.8,
}
REJECTED_HERE = -0.18  # the interviews of the stage someone was rejected at went worse
NOT_ASSESSED = 0.06  # share of ratings left Not assessed
WITH_EVIDENCE = 0.35  # share of Yes / No ratings with a written note (strong ones always)

# The interviews of an active application's current stage: not scheduled yet, or
# scheduled (upcoming, or held with its scorecard submitted, in draft, or still owed).
UNSCHEDULED = 0.18
HELD_SCORECARD = {"submitted": 0.66, "draft": 0.12, "owed": 0.22}
OWED_AFTER_REJECTION = 0.02  # someone never wrote up an interview of a rejected candidate
WITHDRAWN_BEFORE_INTERVIEW = 0.5  # of withdrawals at an interview stage
RESCHEDULED = 0.04
CANCELLED_AND_REPLACED = 0.03
TWO_DIRECTORS = 0.15  # the Director / CISO interview held by both

MAX_SCORECARD_MINUTES = (240, 600, 1440, 2880, 4320)  # interviewers' slowest write-ups
SOURCE_WEIGHTS = {
    "careers_page": 34,
    "referral": 16,
    "sourced": 20,
    "job_board": 18,
    "agency": 6,
    "event": 4,
    "other": 2,
}

REJECTION_REASONS: dict[str, tuple[tuple[RejectionReason, float], ...]] = {
    "applied": (
        (RejectionReason.NOT_QUALIFIED_FOR_LEVEL, 0.55),
        (RejectionReason.REQUIREMENT_GAP, 0.3),
        (RejectionReason.POSITION_FILLED, 0.05),
        (RejectionReason.OTHER, 0.1),
    ),
    "recruiter_screen": (
        (RejectionReason.NOT_QUALIFIED_FOR_LEVEL, 0.3),
        (RejectionReason.REQUIREMENT_GAP, 0.25),
        (RejectionReason.COMPENSATION, 0.2),
        (RejectionReason.FAILED_TO_RESPOND, 0.15),
        (RejectionReason.OTHER, 0.1),
    ),
    "offer": ((RejectionReason.COMPENSATION, 0.7), (RejectionReason.OTHER, 0.3)),
}
LATER_REASONS = (
    (RejectionReason.REQUIREMENT_GAP, 0.5),
    (RejectionReason.NOT_QUALIFIED_FOR_LEVEL, 0.35),
    (RejectionReason.POSITION_FILLED, 0.05),
    (RejectionReason.OTHER, 0.1),
)
REJECTION_NOTES: dict[RejectionReason, tuple[str, ...]] = {
    RejectionReason.NOT_QUALIFIED_FOR_LEVEL: (
        "Experience is a level below what this opening needs.",
        "Strong at the previous level; not yet at this one.",
    ),
    RejectionReason.REQUIREMENT_GAP: (
        "Gaps in the core technical requirements.",
        "Could not show the specialty experience the role needs.",
    ),
    RejectionReason.COMPENSATION: ("Expectations well above the band.",),
    RejectionReason.POSITION_FILLED: ("The position was filled.",),
    RejectionReason.FAILED_TO_RESPOND: ("No reply to three scheduling emails.",),
    RejectionReason.OTHER: ("Not a fit for this team right now.",),
}
WITHDRAWALS: tuple[tuple[Withdrawer, str, float], ...] = (
    (Withdrawer.CANDIDATE, "Accepted another offer.", 0.5),
    (Withdrawer.CANDIDATE, "Staying with the current employer.", 0.25),
    (Withdrawer.CANDIDATE, "Personal reasons; may reapply later.", 0.1),
    (Withdrawer.COMPANY, "Opening re-scoped; the profile no longer matches.", 0.15),
)
DECISION_RATIONALES = {
    Outcome.OFFER: (
        "Consistent evidence across the panel on the level and specialty requirements; "
        "the gaps noted are coachable."
    ),
    Outcome.REJECT: (
        "The panel found gaps in requirements the role cannot do without; not at this level today."
    ),
}
AGAINST_NOTES = {
    Outcome.OFFER: "The panel was split; the concerns were checked in two reference calls.",
    Outcome.REJECT: "Positive panel, but the level requirements were not evidenced.",
}
COVERAGE_OVERRIDE = "The unassessed items were covered in reference calls."
EVIDENCE: dict[Rating, tuple[str, ...]] = {
    Rating.STRONG_YES: (
        "Led a real incident end to end and explained each trade-off unprompted.",
        "Two detailed first-hand examples; precise under follow-up questions.",
        "Designed the control themselves and measured its effect.",
    ),
    Rating.YES: (
        "Concrete example from the current role.",
        "Covered the essentials after one prompt.",
        "Sound reasoning; some detail missing.",
    ),
    Rating.NO: (
        "Stayed generic; no first-hand example.",
        "Knew the idea, not how to apply it here.",
        "Needed several prompts and stayed shallow.",
    ),
    Rating.STRONG_NO: (
        "Could not explain the basics and contradicted themselves.",
        "No relevant experience and no sound reasoning about it.",
    ),
}
TAKEAWAYS: dict[Recommendation, str] = {
    Recommendation.STRONG_YES: "Exceptional depth; I would be glad to work with them.",
    Recommendation.YES: "Good fit for the level; some gaps that coaching would close.",
    Recommendation.NO: "Not yet at this level; the gaps are in the core of the role.",
    Recommendation.DEFINITELY_NOT: "Clear gaps in the fundamentals for this role.",
}
CANCEL_REASONS = (
    "The interviewer is ill; a new interview was booked.",
    "The candidate asked to move it; a new interview was booked.",
)
RESCHEDULE_REASON = "The candidate asked for another time."
WITHDRAWN_CANCEL_REASON = "The candidate withdrew."

# --- People and openings -----------------------------------------------------------------

GROUPS = ("admin", "recruiter", "hiring_manager", "director", "ciso", "interviewer")
GROUP_ROLES: dict[str, tuple[str, ...]] = {
    "admin": ("admin",),
    "recruiter": ("recruiter", "interviewer"),
    "hiring_manager": ("hiring_manager", "interviewer"),
    "director": ("hiring_manager", "interviewer"),
    "ciso": ("hiring_manager", "interviewer"),
    "interviewer": ("interviewer",),
}

# The demo's logins (`flask demo` makes exactly these): email, name, roles, and the part
# each plays in the large company.
DEMO_LOGINS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("admin@example.com", "Ada Admin", ("admin",), "admin"),
    ("recruiter@example.com", "Riley Recruiter", ("recruiter", "interviewer"), "recruiter"),
    (
        "hm@example.com",
        "Harper Hiring-Manager",
        ("hiring_manager", "interviewer"),
        "hiring_manager",
    ),
    ("peer1@example.com", "Priya Peer", ("interviewer",), "interviewer"),
    ("peer2@example.com", "Pablo Peer", ("interviewer",), "interviewer"),
    ("peer3@example.com", "Petra Peer", ("interviewer",), "interviewer"),
    ("director@example.com", "Dana Director", ("hiring_manager", "interviewer"), "director"),
    ("ciso@example.com", "Casey CISO", ("hiring_manager", "interviewer"), "ciso"),
)
# The demo's three openings, first at every scale: title, role, level, specialty, manager.
DEMO_OPENINGS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "Senior Security Engineer, Application Security",
        "security-engineer",
        "senior",
        "application-security",
        "hm@example.com",
    ),
    ("Staff Security Engineer, SIRT", "security-engineer", "staff", "sirt", "hm@example.com"),
    (
        "Distinguished Engineer, Secure",
        "distinguished-engineer",
        "distinguished",
        "secure",
        "ciso@example.com",
    ),
)
HM_EXTRA_OPENINGS = 2  # hm@example.com manages the two demo openings and these
DIRECTOR_OPENINGS = 2  # director@example.com manages these itself
RECRUITER_SHARE = 0.2  # of the other openings, recruiter@example.com recruits for these
BUSY_OPENING = 2.0  # hm@example.com's openings draw this many times the usual applicants
PANEL_SIZE = 8  # peer interviewers per opening
BUSY_PEER = ("peer1@example.com", 2.0, 0.25)  # twice as often, in hm's panels and 1 in 4 others
ON_HOLD = 3  # openings on hold (never hm@example.com's)

# The large company; tests use smaller scales of their own.
LARGE = Scale("large", candidates=100_000, applications=150_000, openings=60)
SCALES: dict[str, Scale] = {"large": LARGE}

# Interviewers' habits: how much more (or less) generous than the candidate's strength
# they rate, and the longest they take to submit, in minutes after the interview ends.
HABITS: dict[str, tuple[float, int]] = {
    "peer1@example.com": (0.15, 240),
    "peer2@example.com": (0.0, 2880),
    "peer3@example.com": (-0.1, 600),
    "ciso@example.com": (-0.15, 300),
    "director@example.com": (0.05, 1440),
}

LEVEL_WEIGHTS = {
    "intermediate": 3.0,
    "senior": 4.0,
    "staff": 2.5,
    "principal": 1.0,
    "distinguished": 0.3,
}
LEVEL_TITLES = {
    "intermediate": "Intermediate",
    "senior": "Senior",
    "staff": "Staff",
    "principal": "Principal",
    "distinguished": "Distinguished",
}
SPECIALTY_TITLES = {
    "application-security": "Application Security",
    "product-security-engineering": "Product Security Engineering",
    "sirt": "SIRT",
    "trust-and-safety": "Trust & Safety",
    "security-assurance": "Security Assurance",
    "security-architect": "Security Architect",
}
DISTINGUISHED_SPECIALTIES = {"secure": "Secure", "ops-and-enablement": "Ops and Enablement"}
DISTINGUISHED_ENGINEER_WEIGHT = 0.15
TEAMS = (
    "Payments",
    "Identity",
    "Cloud Platform",
    "Mobile",
    "Data Platform",
    "Marketplace",
    "Developer Tools",
    "Infrastructure",
    "Customer Trust",
    "Enterprise",
    "Growth",
    "Networking",
)
TIMEZONES = (
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "Europe/Lisbon",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Melbourne",
)

FIRST = [
    "Amara",
    "Björn",
    "Chloé",
    "Dmitri",
    "Élodie",
    "Farah",
    "Gustavo",
    "Hana",
    "Içim",
    "Jonas",
    "Keanu",
    "Lena",
    "Mateus",
    "Nadia",
    "Oskar",
    "Padma",
    "Quentin",
    "Rosa",
    "Søren",
    "Tomás",
    "Uma",
    "Valentina",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoë",
    "Aarav",
    "Beatriz",
    "Ciarán",
    "Daniela",
    "Emeka",
    "François",
    "Greta",
    "Hiroshi",
    "Ines",
    "José",
    "Kalani",
    "Lucía",
    "Mei",
    "Noor",
    "Olu",
    "Paulo",
    "Rania",
    "Sven",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Dubois",
    "Volkov",
    "Moreau",
    "Haddad",
    "Pereira",
    "Sato",
    "Yılmaz",  # noqa: RUF001 - a real Turkish name
    "Berg",
    "Kahale",
    "Fischer",
    "Souza",
    "Rahman",
    "Nilsson",
    "Iyer",
    "Lefèvre",
    "Márquez",
    "Jørgensen",
    "Núñez",
    "Patel",
    "Rossi",
    "Zhang",
    "Ortega",
    "Demir",
    "Schäfer",
    "Sharma",
    "Costa",
    "Ó Briain",
    "Reyes",
    "Eze",
    "Girard",
]
# More names for the large company (the demo's own draw only from the lists above).
MORE_FIRST = [
    "Abebe",
    "Adaeze",
    "Aiko",
    "Alejandro",
    "Anders",
    "Anika",
    "Arjun",
    "Astrid",
    "Bilal",
    "Camille",
    "Chen",
    "Dagny",
    "Diego",
    "Elif",
    "Emil",
    "Fatima",
    "Felix",
    "Giulia",
    "Hamid",
    "Ingrid",
    "Isabela",
    "Jae-won",
    "Jamal",
    "Kaito",
    "Karin",
    "Kwame",
    "Laila",
    "Liam",
    "Maja",
    "Marek",
    "Maryam",
    "Nikolai",
    "Nneka",
    "Olga",
    "Omar",
    "Pedro",
    "Priyanka",
    "Rafael",
    "Ravi",
    "Sakura",
    "Samir",
    "Sanna",
    "Sipho",
    "Sofia",
    "Tariq",
    "Thandiwe",
    "Theo",
    "Vikram",
    "Wanjiru",
    "Xavier",
    "Yara",
    "Yuki",
    "Zainab",
    "Zoltan",
    "Ana",
    "Bruno",
]
MORE_LAST = [
    "Abara",
    "Adeyemi",
    "Andersson",
    "Bakker",
    "Banerjee",
    "Bianchi",
    "Castillo",
    "Chowdhury",
    "Dimitrov",
    "Esposito",
    "Fernandes",
    "García",
    "Hansen",
    "Hoffmann",
    "Ivanova",
    "Jansen",
    "Kaur",
    "Kim",
    "Kowalski",
    "Kruger",
    "Larsen",
    "Li",
    "Mahlangu",
    "Mensah",
    "Mishra",
    "Müller",
    "Nakamura",
    "Nguyen",
    "Novak",
    "O'Brien",
    "Osei",
    "Park",
    "Petrov",
    "Popescu",
    "Quispe",
    "Ramos",
    "Santos",
    "Silva",
    "Singh",
    "Suzuki",
    "Tanaka",
    "Tran",
    "Van Dijk",
    "Vargas",
    "Wagner",
    "Wang",
    "Watanabe",
    "Weber",
    "Wiśniewska",
    "Yamamoto",
    "Yang",
    "Zhou",
    "Zielinski",
    "Mwangi",
    "Oyelaran",
    "Haugen",
    "Lund",
    "Medina",
]
CITIES = [
    "Lisbon",
    "Berlin",
    "Nairobi",
    "Toronto",
    "São Paulo",
    "Bangalore",
    "Kraków",
    "Austin",
    "Melbourne",
    "Dublin",
    "Tokyo",
    "Mexico City",
]
SOURCES = ["careers_page", "referral", "sourced", "job_board", "agency", "event"]


def ascii_name(text: str) -> str:
    """Strip accents for email addresses (Zoë Núñez -> Zoe Nunez)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def email_local(first: str, last: str) -> str:
    local = ascii_name(f"{first}.{last}").lower()
    return "".join(ch for ch in local if ch.isalnum() or ch in ".-")


@dataclass(frozen=True)
class StaffMember:
    """One account of the company, with their interviewing habits."""

    id: int
    email: str
    name: str
    roles: tuple[str, ...]
    group: str
    timezone: str
    bias: float
    slowest: int


def staff(scale: Scale, rng: random.Random, first_id: int) -> list[StaffMember]:
    """The company's people: the demo logins first, then generated colleagues with unique
    names (first.last@example.com)."""
    people: list[StaffMember] = []
    taken = {email_local(*name.split(" ", 1)) for _, name, _, _ in DEMO_LOGINS}
    pool = [(f, la) for f in FIRST + MORE_FIRST for la in LAST + MORE_LAST]
    names = iter(rng.sample(pool, len(pool)))

    def add(email: str, name: str, roles: tuple[str, ...], group: str) -> None:
        if email in HABITS:
            bias, slowest = HABITS[email]
        else:
            bias, slowest = rng.gauss(0, 0.06), rng.choice(MAX_SCORECARD_MINUTES)
        # The demo logins keep the demo's UTC; the others live around the world.
        timezone = "UTC" if len(people) < len(DEMO_LOGINS) else rng.choice(TIMEZONES)
        people.append(
            StaffMember(first_id + len(people), email, name, roles, group, timezone, bias, slowest)
        )

    for email, name, roles, group in DEMO_LOGINS:
        add(email, name, roles, group)
    wanted = {
        "admin": scale.admins,
        "recruiter": scale.recruiters,
        "hiring_manager": scale.hiring_managers,
        "director": scale.directors - sum(1 for *_, g in DEMO_LOGINS if g == "ciso"),
        "interviewer": scale.interviewers,
    }
    for group, count in wanted.items():
        have = sum(1 for p in people if p.group == group)
        for _ in range(count - have):
            first, last = next(names)
            local = email_local(first, last)
            while local in taken:
                first, last = next(names)
                local = email_local(first, last)
            taken.add(local)
            add(f"{local}@{STAFF_DOMAIN}", f"{first} {last}", GROUP_ROLES[group], group)
    return people


def user_rows(
    people: Sequence[StaffMember], password_hash: str, now: datetime, first_role_id: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The users and user_roles rows: one password hash shared by every account."""
    users = []
    roles = []
    for person in people:
        joined = now - timedelta(days=800)
        users.append(
            {
                "id": person.id,
                "email": person.email,
                "name": person.name,
                "password_hash": password_hash,
                "timezone": person.timezone,
                "active": True,
                "created_at": joined,
                "password_changed_at": joined,
                "failed_logins": 0,
                "locked_until": None,
                "totp_secret": None,
                "totp_pending_secret": None,
                "totp_last_counter": None,
                "totp_enabled_at": None,
            }
        )
        for role in sorted(person.roles):
            roles.append({"id": first_role_id + len(roles), "user_id": person.id, "role": role})
    return users, roles


@dataclass(frozen=True)
class OpeningSpec:
    """An opening to create through the openings service, and who works on it."""

    title: str
    role_key: str
    level_key: str
    specialty_key: str | None
    hiring_manager: StaffMember
    recruiter: StaffMember
    director: StaffMember  # holds the Director / CISO interview
    panel: tuple[tuple[StaffMember, float], ...]  # peer interviewers, and how often each
    weight: float  # how many applicants it draws, relative to the others
    status: str = "open"


def _opening_mix() -> list[tuple[str, str, str, str, float]]:
    """(role, level, specialty, title, weight) of every kind of opening the company has."""
    mix = [
        (
            "security-engineer",
            level,
            specialty,
            f"{LEVEL_TITLES[level]} Security Engineer, {title}",
            weight,
        )
        for level, weight in LEVEL_WEIGHTS.items()
        for specialty, title in SPECIALTY_TITLES.items()
    ]
    mix += [
        (
            "distinguished-engineer",
            "distinguished",
            specialty,
            f"Distinguished Engineer, {title}",
            DISTINGUISHED_ENGINEER_WEIGHT,
        )
        for specialty, title in DISTINGUISHED_SPECIALTIES.items()
    ]
    return mix


def opening_specs(
    scale: Scale, rng: random.Random, people: Sequence[StaffMember]
) -> list[OpeningSpec]:
    """The openings: the demo's three first, then a mix of levels and specialties, one
    team each. hm@example.com manages four busy ones; recruiter@example.com recruits for
    many, and peer1@example.com sits on many panels."""
    by_email = {p.email: p for p in people}
    group = {g: [p for p in people if p.group == g] for g in GROUPS}
    hm = by_email["hm@example.com"]
    director = by_email["director@example.com"]
    ciso = by_email["ciso@example.com"]
    recruiter = by_email["recruiter@example.com"]
    busy_peer = by_email[BUSY_PEER[0]]
    managers = [p for p in group["hiring_manager"] if p is not hm] or [hm]
    recruiters = [p for p in group["recruiter"] if p is not recruiter] or [recruiter]

    mix = _opening_mix()
    weights = [m[4] for m in mix]
    plan = [
        (title, role, level, specialty, by_email[manager])
        for title, role, level, specialty, manager in DEMO_OPENINGS
    ]
    titles = {p[0] for p in plan}
    managed = Counter(p[4].email for p in plan)
    hm_target = managed[hm.email] + HM_EXTRA_OPENINGS
    while len(plan) < scale.openings:
        role, level, specialty, stem, _ = rng.choices(mix, weights)[0]
        title = f"{stem} ({rng.choice(TEAMS)})"
        if title in titles:
            continue
        titles.add(title)
        if role == "distinguished-engineer":
            manager = ciso
        elif managed[hm.email] < hm_target:
            manager = hm
        elif managed[director.email] < DIRECTOR_OPENINGS:
            manager = director
        else:
            manager = managers[len(plan) % len(managers)]
        managed[manager.email] += 1
        plan.append((title, role, level, specialty, manager))

    specs = []
    for index, (title, role, level, specialty, manager) in enumerate(plan):
        busy = manager is hm
        if manager is ciso or busy:
            leader = director
        elif manager is director:
            leader = ciso
        else:  # each hiring manager reports to one director
            leader = group["director"][managers.index(manager) % len(group["director"])]
        if busy or index < len(DEMO_OPENINGS) or rng.random() < RECRUITER_SHARE:
            opening_recruiter = recruiter
        else:
            opening_recruiter = recruiters[index % len(recruiters)]
        members = rng.sample(group["interviewer"], min(PANEL_SIZE, len(group["interviewer"])))
        if index < len(DEMO_OPENINGS):  # the demo's peers interview for the demo openings
            demo_peers = [p for p in group["interviewer"] if p.email in HABITS]
            members = demo_peers + [m for m in members if m not in demo_peers]
            members = members[:PANEL_SIZE]
        elif (busy or rng.random() < BUSY_PEER[2]) and busy_peer not in members:
            members[0] = busy_peer
        panel = tuple(
            (member, BUSY_PEER[1] if member is busy_peer else rng.uniform(0.5, 1.5))
            for member in members
        )
        specs.append(
            OpeningSpec(
                title=title,
                role_key=role,
                level_key=level,
                specialty_key=specialty,
                hiring_manager=manager,
                recruiter=opening_recruiter,
                director=leader,
                panel=panel,
                weight=BUSY_OPENING if busy else rng.uniform(0.5, 1.5),
            )
        )
    quiet = [
        i for i, s in enumerate(specs) if i >= len(DEMO_OPENINGS) and s.hiring_manager is not hm
    ]
    for index in sorted(rng.sample(quiet, min(ON_HOLD, len(quiet)))):
        specs[index] = replace(specs[index], status="on_hold")
    return specs


# --- The openings' plans, as the generator needs them -------------------------------------


@dataclass(frozen=True)
class FocusItem:
    """A focus requirement of a plan interview, at its current text version."""

    requirement_id: int
    version_id: int
    key: str
    version: int
    category: str


@dataclass(frozen=True)
class PlanInterviewShape:
    id: int
    name: str
    position: int
    duration_minutes: int
    conducted_by: str
    focus: tuple[FocusItem, ...]


@dataclass(frozen=True)
class StageShape:
    id: int
    key: str
    name: str
    kind: StageKind
    interviews: tuple[PlanInterviewShape, ...] = ()


@dataclass(frozen=True)
class OpeningShape:
    """A created opening: its id, who works on it, and its plan in order."""

    id: int
    spec: OpeningSpec
    stages: tuple[StageShape, ...]

    @property
    def rules(self) -> tuple[Stage, ...]:
        return tuple(Stage(s.key, s.name, s.kind) for s in self.stages)

    @property
    def requirements(self) -> tuple[FocusItem, ...]:
        """Every requirement some interview assesses, in plan order."""
        seen: dict[int, FocusItem] = {}
        for stage in self.stages:
            for interview in stage.interviews:
                for item in interview.focus:
                    seen.setdefault(item.requirement_id, item)
        return tuple(seen.values())


# --- The generator -----------------------------------------------------------------------

# Tables in the order their rows are written (each after the tables it refers to).
TABLES = (
    "candidates",
    "applications",
    "stage_events",
    "interviews",
    "interview_assignments",
    "interview_changes",
    "scorecards",
    "ratings",
    "decisions",
)
Row = dict[str, Any]


@dataclass
class Chunk:
    """The rows of a run of applications (and of their candidates, new in this chunk)."""

    rows: dict[str, list[Row]]
    applications: int


@dataclass(slots=True)
class _Story:
    """An application's path, decided before its rows: the opening, the candidate, when it
    entered each stage it reached, and how it ended (or that it is still active)."""

    opening: int
    candidate: int
    entered: list[datetime]
    ending: str  # "stay" | "reject" | "withdraw" | "hired"
    closed_at: datetime | None


@dataclass
class _Card:
    """A submitted scorecard, kept while its application is generated (for a decision)."""

    interview: str
    stage: str
    interviewer: str
    submitted_at: datetime
    recommendation: Recommendation
    takeaways: str
    ratings: list[tuple[FocusItem, str, str]] = field(default_factory=list)  # item, rating, note


# The ratings' hot loop works on plain strings.
_NOT_ASSESSED = Rating.NOT_ASSESSED.value
_STRONG_YES = Rating.STRONG_YES.value
_YES = Rating.YES.value
_NO = Rating.NO.value
_STRONG_NO = Rating.STRONG_NO.value
_NEEDS_EVIDENCE = frozenset(r.value for r in scoring.NEEDS_EVIDENCE)
_EVIDENCE = {rating.value: notes for rating, notes in EVIDENCE.items()}
_SPREAD = 0.5 / (1 - NOT_ASSESSED)


def half_hour(moment: datetime) -> datetime:
    """The hour or half hour at or before `moment`: when interviews start."""
    return moment.replace(minute=30 if moment.minute >= 30 else 0, second=0, microsecond=0)


_slot = half_hour


def _weighted(rng: random.Random, table: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([item for item, _ in table], [w for _, w in table])[0]


class _Generator:
    """Builds the rows; one instance per load (it holds the id counters)."""

    def __init__(
        self,
        scale: Scale,
        rng: random.Random,
        now: datetime,
        openings: Sequence[OpeningShape],
        people: Sequence[StaffMember],
        first_ids: Mapping[str, int],
    ) -> None:
        self.scale = scale
        self.ciso = next(p for p in people if p.group == "ciso")
        self.director = next(p for p in people if p.email == "director@example.com")
        self.rng = rng
        self.now = now
        self.openings = openings
        self.rules = [o.rules for o in openings]
        self.opening_index = {o.id: i for i, o in enumerate(openings)}
        self.stage_ids = [{s.key: s.id for s in o.stages} for o in openings]
        self.kinds = [{s.key: s.kind for s in o.stages} for o in openings]
        self.panels = [
            ([m for m, _ in o.spec.panel], list(accumulate(w for _, w in o.spec.panel)))
            for o in openings
        ]
        self.next_id = {table: first_ids[table] for table in TABLES}
        self.rows: dict[str, list[Row]] = {table: [] for table in TABLES}
        self.candidate_ids: dict[int, int] = {}
        self.emails: dict[str, int] = {}
        self.names = [(f, la) for f in FIRST + MORE_FIRST for la in LAST + MORE_LAST]
        self.sources = list(SOURCE_WEIGHTS)
        self.source_weights = list(SOURCE_WEIGHTS.values())

    def _id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    # The stories, first: who applies where, how far they get and when.

    def stories(self) -> list[_Story]:
        rng = self.rng
        count = self.scale.candidates
        per_candidate = [1] * count
        cap = min(MAX_APPLICATIONS, len(self.openings))
        extra = self.scale.applications - count
        while extra:
            index = rng.randrange(count)
            if per_candidate[index] < cap:
                per_candidate[index] += 1
                extra -= 1
        weights = [o.spec.weight for o in self.openings]
        stories = []
        for candidate, wanted in enumerate(per_candidate):
            chosen: list[int] = []
            while len(chosen) < wanted:
                pick = rng.choices(range(len(self.openings)), weights)[0]
                if pick not in chosen:
                    chosen.append(pick)
            stories.extend(self._story(candidate, opening) for opening in chosen)
        order = sorted(range(len(stories)), key=lambda i: (stories[i].entered[0], i))
        return [stories[i] for i in order]

    def _story(self, candidate: int, opening_index: int) -> _Story:
        rng = self.rng
        stages = self.openings[opening_index].stages
        spent: list[float] = []  # days in each stage left behind
        ending = ""
        last = 0.0
        for stage in stages:
            if stage.kind is StageKind.HIRED:
                ending = "hired"
                break
            odds = FUNNEL[stage.key]
            roll = rng.random()
            low, high = odds.days
            if roll < odds.advance:
                spent.append(rng.uniform(low, high))
                continue
            if roll < odds.advance + odds.reject:
                ending, last = "reject", rng.uniform(low, high)
            elif roll < odds.advance + odds.reject + odds.withdraw:
                ending, last = "withdraw", rng.uniform(low, high)
            else:
                ending, last = "stay", rng.uniform(0, odds.waiting)
            break
        offsets = [0.0]
        for days in spent:
            offsets.append(offsets[-1] + days)
        if ending == "stay":
            created = self.now - timedelta(days=offsets[-1] + last)
        else:
            took = timedelta(days=offsets[-1] + last, hours=2)
            earliest = self.now - timedelta(days=self.scale.days)
            latest = self.now - took
            created = earliest + (latest - earliest) * rng.random() if latest > earliest else latest
        entered = [created + timedelta(days=offset) for offset in offsets]
        closed_at = None
        if ending == "hired":
            closed_at = entered[-1]
        elif ending in ("reject", "withdraw"):
            closed_at = entered[-1] + timedelta(days=last)
        return _Story(opening_index, candidate, entered, ending, closed_at)

    # Then the rows, a chunk of stories at a time.

    def chunks(self, stories: Sequence[_Story], size: int) -> Iterator[Chunk]:
        for start in range(0, len(stories), size):
            batch = stories[start : start + size]
            for story in batch:
                self._application(story)
            rows, self.rows = self.rows, {table: [] for table in TABLES}
            yield Chunk(rows, len(batch))

    def _candidate(self, story: _Story, recruiter: StaffMember) -> int:
        known = self.candidate_ids.get(story.candidate)
        if known is not None:
            return known
        rng = self.rng
        first, last = self.names[rng.randrange(len(self.names))]
        local = email_local(first, last)
        seen = self.emails.get(local, 0) + 1
        self.emails[local] = seen
        if seen > 1:
            local = f"{local}{seen}"
        email = f"{local}@{CANDIDATE_DOMAIN}"
        candidate_id = self._id("candidates")
        self.rows["candidates"].append(
            {
                "id": candidate_id,
                "name": f"{first} {last}",
                "email": email,
                "email_normalized": email,
                "phone": f"+1 555 01{rng.randint(10, 99)}",
                "location": rng.choice(CITIES),
                "links": f"https://example.org/{local}",
                "source": rng.choices(self.sources, self.source_weights)[0],
                "created_at": story.entered[0],
                "created_by_id": recruiter.id,
            }
        )
        self.candidate_ids[story.candidate] = candidate_id
        return candidate_id

    def _application(self, story: _Story) -> None:
        rng = self.rng
        opening = self.openings[story.opening]
        spec = opening.spec
        stages = opening.stages
        rules = self.rules[story.opening]
        reached = len(story.entered) - 1
        candidate_id = self._candidate(story, spec.recruiter)
        application_id = self._id("applications")
        events = self.rows["stage_events"]
        first_event = {
            "id": self._id("stage_events"),
            "application_id": application_id,
            "actor_id": spec.recruiter.id,
            "at": story.entered[0],
            "move": APPLY_MOVE,
            "from_stage_id": None,
            "to_stage_id": stages[0].id,
            "from_status": None,
            "to_status": Status.ACTIVE.value,
            "reason": None,
            "withdrawn_by": None,
            "note": "",
            "override_reason": "",
        }
        events.append(first_event)
        last_event = first_event

        strength = STRENGTH[stages[reached].key] + rng.gauss(0, 0.07)
        cards: list[_Card] = []
        for index in range(reached + 1):
            stage = stages[index]
            if stage.kind is not StageKind.INTERVIEW:
                continue
            if index < reached:
                self._held(story, application_id, opening, index, strength, cards, owed=0.0)
            elif story.ending == "reject":
                lean = strength + REJECTED_HERE
                self._held(story, application_id, opening, index, lean, cards, OWED_AFTER_REJECTION)
            elif story.ending == "withdraw":
                roll = rng.random()
                if roll < 1 - WITHDRAWN_BEFORE_INTERVIEW:
                    self._held(story, application_id, opening, index, strength, cards, owed=0.0)
                elif roll < 1 - WITHDRAWN_BEFORE_INTERVIEW / 2:
                    self._cancelled_by_withdrawal(story, application_id, opening, index)
            elif story.ending == "stay":
                self._current(story, application_id, opening, index, strength)

        state = ApplicationState(stages[0].key, Status.ACTIVE)
        decision: tuple[Outcome, datetime, RejectionReason | None] | None = None
        requests: list[tuple[MoveRequest, datetime]] = []
        for index in range(1, reached + 1):
            previous = stages[index - 1]
            if stages[index].kind is StageKind.HIRED:
                request = MoveRequest(Move.HIRE)
            elif previous.kind is StageKind.DECISION:
                decision = (Outcome.OFFER, story.entered[index], None)
                request = MoveRequest(
                    Move.ADVANCE, note=DECISION_RATIONALES[Outcome.OFFER], by_decision=True
                )
            else:
                request = MoveRequest(Move.ADVANCE)
            requests.append((request, story.entered[index]))
        if story.ending in ("reject", "withdraw"):
            closed_at = _left(story, reached, self.now)
            current = stages[reached]
            if story.ending == "reject":
                table = REJECTION_REASONS.get(current.key, LATER_REASONS)
                reason = _weighted(rng, table)
                note = rng.choice(REJECTION_NOTES[reason])
                if current.kind is StageKind.DECISION:
                    decision = (Outcome.REJECT, closed_at, reason)
                    note = DECISION_RATIONALES[Outcome.REJECT]
                request = MoveRequest(Move.REJECT, reason, note=note)
            else:
                withdrawer, note, _ = rng.choices(WITHDRAWALS, [w[2] for w in WITHDRAWALS])[0]
                if current.kind is StageKind.OFFER:
                    withdrawer, note = Withdrawer.CANDIDATE, "Declined the offer."
                request = MoveRequest(Move.WITHDRAW, withdrawn_by=withdrawer, note=note)
            requests.append((request, closed_at))
        stage_ids, kinds = self.stage_ids[story.opening], self.kinds[story.opening]
        for request, at in requests:
            deciding = kinds[state.stage_key] in (StageKind.DECISION, StageKind.OFFER)
            actor = spec.hiring_manager if deciding else spec.recruiter
            event = pipeline.apply_move(rules, state, request, actor.id, at)
            last_event = {
                "id": self._id("stage_events"),
                "application_id": application_id,
                "actor_id": actor.id,
                "at": at,
                "move": event.move.value,
                "from_stage_id": stage_ids[event.from_stage],
                "to_stage_id": stage_ids[event.to_stage],
                "from_status": event.from_status.value,
                "to_status": event.to_status.value,
                "reason": event.reason.value if event.reason else None,
                "withdrawn_by": event.withdrawn_by.value if event.withdrawn_by else None,
                "note": event.note,
                "override_reason": event.override_reason,
            }
            events.append(last_event)
            state = ApplicationState(event.to_stage, event.to_status)

        closed = state.status is not Status.ACTIVE
        self.rows["applications"].append(
            {
                "id": application_id,
                "candidate_id": candidate_id,
                "opening_id": opening.id,
                "stage_id": last_event["to_stage_id"],
                "status": state.status.value,
                "rejection_reason": last_event["reason"] if closed else None,
                "withdrawn_by": last_event["withdrawn_by"] if closed else None,
                "created_at": story.entered[0],
                "updated_at": last_event["at"],
                "closed_at": last_event["at"] if closed else None,
                "version": 1 + len(requests),  # one update per move
            }
        )
        if decision is not None:
            self._decision(application_id, opening, cards, *decision)

    # Interviews and scorecards.

    def _interviewers(self, opening: OpeningShape, stage: StageShape) -> list[list[StaffMember]]:
        """Who holds each interview of the stage (the peer interviews by different people)."""
        rng = self.rng
        spec = opening.spec
        result: list[list[StaffMember]] = []
        taken: list[StaffMember] = []
        for interview in stage.interviews:
            kind = interview.conducted_by
            if kind == "recruiter":
                result.append([spec.recruiter])
            elif kind == "hiring_manager":
                result.append([spec.hiring_manager])
            elif kind == "director_or_ciso":
                people = [spec.director]
                if rng.random() < TWO_DIRECTORS:
                    people.append(self._second_director(opening))
                result.append(people)
            else:
                members, cumulative = self.panels[self.opening_index[opening.id]]
                person = members[bisect(cumulative, rng.random() * cumulative[-1])]
                while person in taken and len(taken) < len(members):
                    person = members[bisect(cumulative, rng.random() * cumulative[-1])]
                taken.append(person)
                result.append([person])
        return result

    def _second_director(self, opening: OpeningShape) -> StaffMember:
        """The CISO joins the director, or the Director of Security joins the CISO."""
        return self.ciso if opening.spec.director is not self.ciso else self.director

    def _interview_row(
        self,
        application_id: int,
        stage: StageShape,
        plan: PlanInterviewShape,
        starts: datetime,
        scheduled: datetime,
        updated: datetime,
        cancel_reason: str = "",
    ) -> int:
        interview_id = self._id("interviews")
        self.rows["interviews"].append(
            {
                "id": interview_id,
                "application_id": application_id,
                "stage_id": stage.id,
                "plan_interview_id": plan.id,
                "starts_at": starts,
                "duration_minutes": plan.duration_minutes,
                "video_url": f"https://video.example.com/room/{self.rng.randint(10000, 99999)}",
                "status": "cancelled" if cancel_reason else "scheduled",
                "cancel_reason": cancel_reason,
                "created_at": scheduled,
                "updated_at": updated,
            }
        )
        return interview_id

    def _assign(self, interview_id: int, people: Sequence[StaffMember]) -> None:
        for person in people:
            self.rows["interview_assignments"].append(
                {
                    "id": self._id("interview_assignments"),
                    "interview_id": interview_id,
                    "user_id": person.id,
                }
            )

    def _change(
        self,
        interview_id: int,
        actor: StaffMember,
        at: datetime,
        kind: str,
        starts: datetime,
        people: Sequence[StaffMember],
        reason: str = "",
        previous: datetime | None = None,
    ) -> None:
        self.rows["interview_changes"].append(
            {
                "id": self._id("interview_changes"),
                "interview_id": interview_id,
                "actor_id": actor.id,
                "at": at,
                "kind": kind,
                "reason": reason,
                "starts_at": starts,
                "previous_starts_at": previous,
                "interviewers": ", ".join(p.name for p in people),
            }
        )

    def _held(
        self,
        story: _Story,
        application_id: int,
        opening: OpeningShape,
        index: int,
        lean: float,
        cards: list[_Card],
        owed: float,
    ) -> None:
        """The stage's interviews, held inside the time the application spent there, with
        their scorecards submitted before it moved on (a few `owed` never were)."""
        rng = self.rng
        stage = opening.stages[index]
        start = story.entered[index]
        end = _left(story, index, self.now)
        span = end - start
        recruiter = opening.spec.recruiter
        for plan, people in zip(stage.interviews, self._interviewers(opening, stage), strict=True):
            scheduled = start + span * rng.uniform(0.02, 0.15)
            starts = _slot(start + span * rng.uniform(0.25, 0.6))
            roll = rng.random()
            if roll < CANCELLED_AND_REPLACED:
                first = _slot(start + span * rng.uniform(0.16, 0.24))
                cancelled_at = scheduled + (first - scheduled) * rng.uniform(0.3, 0.9)
                reason = rng.choice(CANCEL_REASONS)
                gone = self._interview_row(
                    application_id, stage, plan, first, scheduled, cancelled_at, reason
                )
                self._assign(gone, people)
                self._change(gone, recruiter, scheduled, "scheduled", first, people)
                self._change(gone, recruiter, cancelled_at, "cancelled", first, people, reason)
                scheduled = cancelled_at
            rescheduled = roll > 1 - RESCHEDULED
            moved_at = scheduled + (starts - scheduled) * rng.uniform(0.2, 0.6)
            interview_id = self._interview_row(
                application_id,
                stage,
                plan,
                starts,
                scheduled,
                moved_at if rescheduled else scheduled,
            )
            self._assign(interview_id, people)
            if rescheduled:
                previous = _slot(starts + timedelta(days=rng.choice((-1, 1, 2))))
                previous = max(previous, _slot(moved_at + timedelta(hours=20)))
                self._change(interview_id, recruiter, scheduled, "scheduled", previous, people)
                self._change(
                    interview_id,
                    recruiter,
                    moved_at,
                    "rescheduled",
                    starts,
                    people,
                    RESCHEDULE_REASON,
                    previous,
                )
            else:
                self._change(interview_id, recruiter, scheduled, "scheduled", starts, people)
            ends = starts + timedelta(minutes=plan.duration_minutes)
            room = (end - ends) * 0.9
            for person in people:
                if owed and rng.random() < owed:
                    continue
                delay = timedelta(minutes=rng.uniform(15, person.slowest))
                submitted = ends + min(delay, room)
                cards.append(
                    self._scorecard(
                        interview_id, application_id, stage, plan, person, lean, submitted, ends
                    )
                )

    def _current(
        self, story: _Story, application_id: int, opening: OpeningShape, index: int, lean: float
    ) -> None:
        """The interviews of an active application's current stage: not scheduled yet, or
        scheduled (upcoming, or held, its scorecard submitted, in draft or still owed)."""
        rng = self.rng
        if rng.random() < UNSCHEDULED:
            return
        stage = opening.stages[index]
        start = story.entered[index]
        now = self.now
        recruiter = opening.spec.recruiter
        states = list(HELD_SCORECARD)
        state_weights = list(HELD_SCORECARD.values())
        for plan, people in zip(stage.interviews, self._interviewers(opening, stage), strict=True):
            scheduled = start + (now - start) * rng.uniform(0, 0.6)
            starts = _slot(scheduled + timedelta(days=rng.uniform(1, 8)))
            interview_id = self._interview_row(
                application_id, stage, plan, starts, scheduled, scheduled
            )
            self._assign(interview_id, people)
            self._change(interview_id, recruiter, scheduled, "scheduled", starts, people)
            ends = starts + timedelta(minutes=plan.duration_minutes)
            if ends > now - timedelta(minutes=10):
                continue  # upcoming, or under way: no scorecard yet
            for person in people:
                state = rng.choices(states, state_weights)[0]
                submitted = ends + timedelta(minutes=rng.uniform(15, person.slowest))
                if state == "submitted" and submitted < now - timedelta(minutes=5):
                    self._scorecard(
                        interview_id, application_id, stage, plan, person, lean, submitted, ends
                    )
                elif state != "owed":
                    saved = min(ends + timedelta(minutes=rng.uniform(10, 180)), now)
                    self._scorecard(
                        interview_id,
                        application_id,
                        stage,
                        plan,
                        person,
                        lean,
                        saved,
                        ends,
                        draft=True,
                    )

    def _cancelled_by_withdrawal(
        self, story: _Story, application_id: int, opening: OpeningShape, index: int
    ) -> None:
        """The candidate withdrew before the stage's interviews: booked, then cancelled."""
        rng = self.rng
        stage = opening.stages[index]
        start = story.entered[index]
        closed = _left(story, index, self.now)
        recruiter = opening.spec.recruiter
        for plan, people in zip(stage.interviews, self._interviewers(opening, stage), strict=True):
            scheduled = start + (closed - start) * rng.uniform(0.1, 0.7)
            starts = _slot(closed + timedelta(days=rng.uniform(1, 5)))
            interview_id = self._interview_row(
                application_id, stage, plan, starts, scheduled, closed, WITHDRAWN_CANCEL_REASON
            )
            self._assign(interview_id, people)
            self._change(interview_id, recruiter, scheduled, "scheduled", starts, people)
            self._change(
                interview_id,
                recruiter,
                closed,
                "cancelled",
                starts,
                people,
                WITHDRAWN_CANCEL_REASON,
            )

    def _scorecard(
        self,
        interview_id: int,
        application_id: int,
        stage: StageShape,
        plan: PlanInterviewShape,
        person: StaffMember,
        strength: float,
        at: datetime,
        ends: datetime,
        *,
        draft: bool = False,
    ) -> _Card:
        """One interviewer's scorecard: every focus requirement rated when submitted, the
        first half when a draft. Ratings lean on the candidate's strength and the
        interviewer's habit. (The hot loop of the load: plain strings, local names.)"""
        rng = self.rng
        rand = rng.random
        lean = min(1.0, max(0.0, strength + person.bias + rng.gauss(0, 0.08)))
        scorecard_id = self._id("scorecards")
        if lean > 0.78:
            recommendation = Recommendation.STRONG_YES
        elif lean > 0.5:
            recommendation = Recommendation.YES
        elif lean > 0.27:
            recommendation = Recommendation.NO
        else:
            recommendation = Recommendation.DEFINITELY_NOT
        focus = plan.focus if not draft else plan.focus[: max(1, len(plan.focus) // 2)]
        card = _Card(
            plan.name, stage.name, person.name, at, recommendation, TAKEAWAYS[recommendation]
        )
        kept = card.ratings
        append = self.rows["ratings"].append
        rating_id = self.next_id["ratings"]
        for item in focus:
            roll = rand()
            if roll < NOT_ASSESSED:
                rating = _NOT_ASSESSED
                evidence = ""
            else:
                value = lean + (roll - NOT_ASSESSED) * _SPREAD - 0.25
                if value > 0.8:
                    rating = _STRONG_YES
                elif value > 0.5:
                    rating = _YES
                elif value > 0.25:
                    rating = _NO
                else:
                    rating = _STRONG_NO
                notes = _EVIDENCE[rating]
                if rating in _NEEDS_EVIDENCE or rand() < WITH_EVIDENCE:
                    evidence = notes[int(rand() * len(notes))]
                else:
                    evidence = ""
            append(
                {
                    "id": rating_id,
                    "scorecard_id": scorecard_id,
                    "requirement_id": item.requirement_id,
                    "requirement_version_id": item.version_id,
                    "rating": rating,
                    "evidence": evidence,
                }
            )
            rating_id += 1
            kept.append((item, rating, evidence))
        self.next_id["ratings"] = rating_id
        started = max(ends, at - timedelta(minutes=rng.uniform(5, 40)))
        self.rows["scorecards"].append(
            {
                "id": scorecard_id,
                "interview_id": interview_id,
                "author_id": person.id,
                "application_id": application_id,
                "status": "draft" if draft else "submitted",
                "recommendation": None if draft else recommendation.value,
                "key_takeaways": "" if draft else card.takeaways,
                "created_at": started,
                "updated_at": at,
                "submitted_at": None if draft else at,
                "revision": 0 if draft else 1,
            }
        )
        return card

    def _decision(
        self,
        application_id: int,
        opening: OpeningShape,
        cards: Sequence[_Card],
        outcome: Outcome,
        at: datetime,
        reason: RejectionReason | None,
    ) -> None:
        """The hiring manager's decision, with the evidence snapshot a real one keeps."""
        requirements = opening.requirements
        summaries = scoring.summarise_all(
            [r.requirement_id for r in requirements],
            (
                (item.requirement_id, Rating(rating))
                for card in cards
                for item, rating, _ in card.ratings
            ),
        )
        panel = scoring.aggregate(card.recommendation for card in cards)
        unassessed = set(scoring.unassessed(summaries))
        against = scoring.goes_against(outcome, panel)
        rationale = DECISION_RATIONALES[outcome]
        data = scoring.DecisionInput(
            outcome,
            rationale,
            reason.value if reason else None,
            AGAINST_NOTES[outcome] if against else "",
            COVERAGE_OVERRIDE if outcome is Outcome.OFFER and unassessed else "",
        )
        scoring.check_decision(data, panel, len(unassessed))
        evidence = {
            "stage": "decision",
            "requirements": [
                {
                    "key": r.key,
                    "version": r.version,
                    "category": r.category,
                    "count": summaries[r.requirement_id].count,
                    "mean": summaries[r.requirement_id].mean,
                    "disagreement": summaries[r.requirement_id].disagreement,
                    "not_assessed": summaries[r.requirement_id].not_assessed,
                }
                for r in requirements
            ],
            "scorecards": [
                {
                    "interview": card.interview,
                    "stage": card.stage,
                    "interviewer": card.interviewer,
                    "submitted_at": card.submitted_at.isoformat(),
                    "revision": 1,
                    "recommendation": card.recommendation.value,
                    "key_takeaways": card.takeaways,
                    "ratings": [
                        {
                            "requirement": item.key,
                            "version": item.version,
                            "rating": rating,
                            "evidence": text,
                        }
                        for item, rating, text in card.ratings
                    ],
                }
                for card in cards
            ],
            "aggregate": {"count": panel.count, "mean": panel.mean, "verdict": panel.verdict},
            "unassessed": [r.key for r in requirements if r.requirement_id in unassessed],
            "against_note": data.against_note,
        }
        self.rows["decisions"].append(
            {
                "id": self._id("decisions"),
                "application_id": application_id,
                "decided_by_id": opening.spec.hiring_manager.id,
                "at": at,
                "outcome": outcome.value,
                "rejection_reason": data.rejection_reason,
                "rationale": rationale,
                "against_aggregate": against,
                "coverage_override": data.coverage_override,
                "evidence": evidence,
            }
        )


def _left(story: _Story, index: int, now: datetime) -> datetime:
    """When the application left the stage at `index` (now, if it is still there)."""
    if index + 1 < len(story.entered):
        return story.entered[index + 1]
    return story.closed_at or now


def generate(
    scale: Scale,
    rng: random.Random,
    now: datetime,
    openings: Sequence[OpeningShape],
    people: Sequence[StaffMember],
    first_ids: Mapping[str, int],
    chunk_size: int = 2000,
) -> Iterator[Chunk]:
    """Every candidate, application, stage move, interview, scorecard, rating and decision,
    `chunk_size` applications at a time, in order of application (ids follow time)."""
    generator = _Generator(scale, rng, now, openings, people, first_ids)
    stories = generator.stories()
    yield from generator.chunks(stories, chunk_size)
