"""Scheduling rules: when an interview may be booked, and what a booking must hold.

Pure functions over plain values; the scheduling service loads the rows, asks these
functions, and persists what they allow.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.domain.errors import ValidationFailed
from tracker.domain.scoring import FieldErrors

MIN_MINUTES = 5
MAX_MINUTES = 480
MAX_URL = 500
PEER = "peer"

# Interviews start within these bounds (UTC), so that every time derived from one (its
# end, the calendar invite, "due" windows) stays a date Python and the database can hold.
EARLIEST_START = datetime(2000, 1, 1, tzinfo=UTC)
YEARS_AHEAD = 10
OUT_OF_RANGE = f"Choose a start between {EARLIEST_START:%Y-%m-%d} and {YEARS_AHEAD} years from now."

# Offered in the time-zone select; a viewer's own zone is added when it is not here.
COMMON_ZONES = (
    "UTC",
    "America/Los_Angeles",
    "America/Denver",
    "America/Phoenix",
    "America/Chicago",
    "America/New_York",
    "America/Toronto",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Amsterdam",
    "Europe/Madrid",
    "Europe/Warsaw",
    "Europe/Helsinki",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Jerusalem",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Sydney",
    "Pacific/Auckland",
)


class ChangeKind:
    SCHEDULED = "scheduled"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Person:
    """Someone chosen as an interviewer, as the rules need to see them."""

    name: str
    eligible: bool  # active and holding the interviewer role


@dataclass(frozen=True)
class Booking:
    """Another live interview of the same stage of the same application."""

    name: str
    conducted_by: str
    interviewer_ids: frozenset[int]


@dataclass(frozen=True)
class Slot:
    """What a schedule or reschedule asks for."""

    starts_at: datetime
    duration_minutes: int | None
    video_url: str
    interviewer_ids: tuple[int, ...]


def to_utc(local: datetime, zone_name: str) -> datetime:
    """A wall-clock time typed in a zone, as UTC; refuses unknown zones and times that
    do not exist there (the hour skipped when clocks go forward)."""
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FieldErrors({"timezone": "Choose a time zone from the list."}) from None
    naive = local.replace(tzinfo=None)
    aware = naive.replace(tzinfo=zone)
    try:  # near year 1 or 9999 the same instant in UTC may not be a date at all
        utc = aware.astimezone(UTC)
        round_trip = utc.astimezone(zone).replace(tzinfo=None)
    except (OverflowError, ValueError):
        raise FieldErrors({"starts_at": OUT_OF_RANGE}) from None
    if round_trip != naive:
        raise FieldErrors(
            {
                "starts_at": f"{naive:%Y-%m-%d %H:%M} does not exist in {zone_name} "
                "(the clocks skip that hour); choose another time."
            }
        )
    return utc


def latest_start(now: datetime) -> datetime:
    """The last start accepted: the same moment YEARS_AHEAD calendar years on (28 February
    for a 29 February)."""
    now = now.astimezone(UTC)
    try:
        return now.replace(year=now.year + YEARS_AHEAD)
    except ValueError:
        return now.replace(year=now.year + YEARS_AHEAD, day=28)


def check_start(starts_at: datetime, now: datetime) -> str | None:
    """Why a (timezone-aware) start cannot be booked, or None."""
    latest = latest_start(now)
    if EARLIEST_START <= starts_at <= latest:
        return None
    return f"Choose a start between {EARLIEST_START:%Y-%m-%d} and {latest:%Y-%m-%d} (UTC)."


def check_schedulable(
    *, application_active: bool, current_stage: bool, already_live: str | None
) -> None:
    """Only an active application's current stage is scheduled, once per interview."""
    if not application_active:
        raise ValidationFailed("This application is closed; its interviews cannot be scheduled.")
    if not current_stage:
        raise ValidationFailed(
            "Only the interviews of the application's current stage can be scheduled."
        )
    if already_live is not None:
        raise ValidationFailed(
            f"{already_live} is already scheduled; reschedule or cancel it instead."
        )


def check_changeable(*, cancelled: bool, application_active: bool, current_stage: bool) -> None:
    """A reschedule applies to a live interview of an active application's current stage."""
    if cancelled:
        raise ValidationFailed("This interview was cancelled; schedule a new one instead.")
    if not application_active:
        raise ValidationFailed("This application is closed; its interviews cannot be moved.")
    if not current_stage:
        raise ValidationFailed(
            "This interview belongs to an earlier stage; only the current stage's "
            "interviews can be rescheduled."
        )


def clean_video_url(url: str) -> str:
    """An https link with a host, or empty; anything else (http, javascript:...) is refused."""
    url = url.strip()
    if not url:
        return ""
    message = (
        "Use a secure video link starting with https:// and a host, "
        "for example https://meet.example.com/abc-defg."
    )
    if len(url) > MAX_URL:
        raise ValidationFailed(f"Keep the video link under {MAX_URL} characters.", "video_url")
    if re.search(r"[\s\x00-\x1f\x7f]", url):
        raise ValidationFailed(message, "video_url")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise ValidationFailed(message, "video_url") from None
    if parts.scheme.lower() != "https" or not host:
        if parts.scheme.lower() == "http":
            message = "Plain http:// links are refused; use the https:// address of the meeting."
        raise ValidationFailed(message, "video_url")
    return url


def check_slot(
    slot: Slot,
    *,
    default_minutes: int,
    people: Mapping[int, Person],
    conducted_by: str,
    others: Sequence[Booking],
    now: datetime | None = None,
) -> Slot:
    """Raise FieldErrors naming every field that is wrong; return the slot as stored
    (start in UTC, duration filled in from the plan, link trimmed). The start must fall
    between EARLIEST_START and YEARS_AHEAD years after `now` (default: the clock)."""
    errors: dict[str, str] = {}
    starts_at = slot.starts_at
    if starts_at.tzinfo is None or starts_at.utcoffset() is None:
        errors["starts_at"] = "Give the start time with its time zone."
    else:
        try:
            starts_at = starts_at.astimezone(UTC)
        except (OverflowError, ValueError):
            errors["starts_at"] = OUT_OF_RANGE
        else:
            problem = check_start(starts_at, now or datetime.now(UTC))
            if problem:
                errors["starts_at"] = problem

    minutes = default_minutes if slot.duration_minutes is None else slot.duration_minutes
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors["duration_minutes"] = (
            f"An interview lasts between {MIN_MINUTES} and {MAX_MINUTES} minutes."
        )

    video_url = ""
    try:
        video_url = clean_video_url(slot.video_url)
    except ValidationFailed as exc:
        errors["video_url"] = exc.message

    interviewer_ids = tuple(dict.fromkeys(slot.interviewer_ids))
    if not interviewer_ids:
        errors["interviewer_ids"] = "Choose at least one interviewer."
    else:
        unknown = [i for i in interviewer_ids if i not in people]
        ineligible = [
            people[i].name for i in interviewer_ids if i in people and not people[i].eligible
        ]
        if unknown:
            errors["interviewer_ids"] = "Choose interviewers from the list."
        elif ineligible:
            errors["interviewer_ids"] = (
                f"{', '.join(ineligible)} cannot interview: only active people with the "
                "interviewer role can."
            )
        elif conducted_by == PEER:
            chosen = set(interviewer_ids)
            for other in others:
                both = chosen & other.interviewer_ids
                if other.conducted_by == PEER and both:
                    names = ", ".join(sorted(people[i].name for i in both if i in people))
                    verb = "conducts" if len(both) == 1 else "conduct"
                    errors["interviewer_ids"] = (
                        f"{names} already {verb} {other.name}; the peer interviews need "
                        "different interviewers, so choose someone else."
                    )
                    break
    if errors:
        raise FieldErrors(errors)
    return Slot(starts_at, minutes, video_url, interviewer_ids)


def check_reason(reason: str, what: str) -> str:
    """Rescheduling and cancelling are kept in history with why."""
    reason = reason.strip()
    if not reason:
        raise FieldErrors({"reason": f"Give a reason for {what}; it is kept in the history."})
    return reason


def check_reschedule(
    before: Slot,
    slot: Slot,
    reason: str,
    *,
    default_minutes: int,
    people: Mapping[int, Person],
    conducted_by: str,
    others: Sequence[Booking],
    now: datetime | None = None,
) -> tuple[Slot, str]:
    """Every field error of a reschedule at once, then refuse one that changes nothing."""
    errors: dict[str, str] = {}
    cleaned = slot
    try:
        cleaned = check_slot(
            slot,
            default_minutes=default_minutes,
            people=people,
            conducted_by=conducted_by,
            others=others,
            now=now,
        )
    except FieldErrors as exc:
        errors.update(exc.errors)
    try:
        reason = check_reason(reason, "rescheduling")
    except FieldErrors as exc:
        errors.update(exc.errors)
    if errors:
        raise FieldErrors(errors)
    check_changed(before, cleaned)
    return cleaned, reason


def check_changed(before: Slot, after: Slot) -> None:
    """A reschedule that changes nothing is a mistake worth saying so."""
    if (
        before.starts_at == after.starts_at
        and before.duration_minutes == after.duration_minutes
        and before.video_url == after.video_url
        and set(before.interviewer_ids) == set(after.interviewer_ids)
    ):
        raise ValidationFailed(
            "Nothing changed: change the time, length, video link or interviewers.", "starts_at"
        )
