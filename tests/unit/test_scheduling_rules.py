"""The scheduling rules as plain function calls, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tracker.domain.errors import ValidationFailed
from tracker.domain.scheduling import (
    MAX_MINUTES,
    Booking,
    Person,
    Slot,
    check_changeable,
    check_changed,
    check_reason,
    check_reschedule,
    check_schedulable,
    check_slot,
    clean_video_url,
    to_utc,
)
from tracker.domain.scoring import FieldErrors

AT = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
IVY, HAL, OLD, REX = 1, 2, 3, 4
PEOPLE = {
    IVY: Person("Ivy Interviewer", True),
    HAL: Person("Hal Manager", True),
    OLD: Person("Otto Left", False),  # inactive, or without the interviewer role
    REX: Person("Rex Recruiter", False),
}
PEER_ONE = Booking("Peer interview 1", "peer", frozenset({IVY}))


def slot(**overrides) -> Slot:
    values = {
        "starts_at": AT,
        "duration_minutes": 45,
        "video_url": "https://meet.example/abc",
        "interviewer_ids": (HAL,),
    }
    values.update(overrides)
    return Slot(**values)


def errors_of(call) -> dict[str, str]:
    with pytest.raises(FieldErrors) as caught:
        call()
    return caught.value.errors


@pytest.mark.parametrize(
    ("active", "current", "live", "message"),
    [
        (True, True, None, None),
        (False, True, None, "This application is closed"),
        (True, False, None, "current stage"),
        (True, True, "Peer interview 1", "Peer interview 1 is already scheduled"),
        (False, False, "Peer interview 1", "closed"),  # the first reason wins
    ],
)
def test_check_schedulable(active, current, live, message) -> None:
    call = lambda: check_schedulable(  # noqa: E731
        application_active=active, current_stage=current, already_live=live
    )
    if message is None:
        call()
    else:
        with pytest.raises(ValidationFailed, match=message) as caught:
            call()
        assert caught.value.field is None


@pytest.mark.parametrize(
    ("cancelled", "active", "current", "message"),
    [
        (False, True, True, None),
        (True, True, True, "was cancelled"),
        (False, False, True, "closed"),
        (False, True, False, "earlier stage"),
    ],
)
def test_check_changeable(cancelled, active, current, message) -> None:
    call = lambda: check_changeable(  # noqa: E731
        cancelled=cancelled, application_active=active, current_stage=current
    )
    if message is None:
        call()
    else:
        with pytest.raises(ValidationFailed, match=message):
            call()


@pytest.mark.parametrize(
    ("url", "cleaned"),
    [
        ("", ""),
        ("   ", ""),
        ("https://meet.example/abc", "https://meet.example/abc"),
        ("  https://meet.example/abc?pwd=1  ", "https://meet.example/abc?pwd=1"),
        ("HTTPS://Zoom.example:8443/j/1", "HTTPS://Zoom.example:8443/j/1"),
    ],
)
def test_video_url_accepted(url: str, cleaned: str) -> None:
    assert clean_video_url(url) == cleaned


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://meet.example/abc", "Plain http:// links are refused"),
        ("javascript:alert(1)", "https://"),
        ("JavaScript://%0aalert(1)", "https://"),
        ("data:text/html,<b>x</b>", "https://"),
        ("ftp://files.example/x", "https://"),
        ("meet.example/abc", "https://"),
        ("//meet.example/abc", "https://"),
        ("https://", "https://"),
        ("https:///path-only", "https://"),
        ("https://meet.example/a b", "https://"),
        ("https://meet.example/\nSet-Cookie:x", "https://"),
        ("https://[::1", "https://"),
        ("https://meet.example/" + "a" * 500, "under 500 characters"),
    ],
)
def test_video_url_refused(url: str, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message) as caught:
        clean_video_url(url)
    assert caught.value.field == "video_url"


def test_check_slot_accepts_and_normalises() -> None:
    """A start in any zone comes back in UTC; the plan's duration fills a blank one."""
    berlin = timezone(timedelta(hours=1))
    result = check_slot(
        slot(starts_at=datetime(2026, 3, 2, 15, 30, tzinfo=berlin), duration_minutes=None),
        default_minutes=60,
        people=PEOPLE,
        conducted_by="hiring_manager",
        others=[],
    )
    assert result.starts_at == AT and result.starts_at.tzinfo is UTC
    assert result.duration_minutes == 60
    assert result.interviewer_ids == (HAL,)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"starts_at": datetime(2026, 3, 2, 14, 30)}, "starts_at", "time zone"),
        ({"duration_minutes": 4}, "duration_minutes", "between 5 and 480"),
        ({"duration_minutes": 0}, "duration_minutes", "between 5 and 480"),
        ({"duration_minutes": -30}, "duration_minutes", "between 5 and 480"),
        ({"duration_minutes": 481}, "duration_minutes", "between 5 and 480"),
        ({"video_url": "http://meet.example"}, "video_url", "http:// links are refused"),
        ({"interviewer_ids": ()}, "interviewer_ids", "at least one interviewer"),
        ({"interviewer_ids": (HAL, 99)}, "interviewer_ids", "from the list"),
        ({"interviewer_ids": (HAL, OLD)}, "interviewer_ids", "Otto Left cannot interview"),
        ({"interviewer_ids": (REX,)}, "interviewer_ids", "interviewer role"),
    ],
)
def test_check_slot_refusals(overrides: dict, field: str, message: str) -> None:
    errors = errors_of(
        lambda: check_slot(
            slot(**overrides),
            default_minutes=45,
            people=PEOPLE,
            conducted_by="hiring_manager",
            others=[],
        )
    )
    assert list(errors) == [field]
    assert message in errors[field]


@pytest.mark.parametrize("minutes", [5, 30, 480])
def test_duration_bounds_are_inclusive(minutes: int) -> None:
    result = check_slot(
        slot(duration_minutes=minutes),
        default_minutes=45,
        people=PEOPLE,
        conducted_by="peer",
        others=[],
    )
    assert result.duration_minutes == minutes


def test_check_slot_reports_every_field_at_once() -> None:
    errors = errors_of(
        lambda: check_slot(
            slot(
                starts_at=datetime(2026, 3, 2, 14, 30),
                duration_minutes=1000,
                video_url="javascript:alert(1)",
                interviewer_ids=(),
            ),
            default_minutes=45,
            people=PEOPLE,
            conducted_by="peer",
            others=[],
        )
    )
    assert set(errors) == {"starts_at", "duration_minutes", "video_url", "interviewer_ids"}


@pytest.mark.parametrize(
    ("conducted_by", "chosen", "others", "refused"),
    [
        ("peer", (IVY,), [PEER_ONE], True),  # the same person on both peer interviews
        ("peer", (HAL, IVY), [PEER_ONE], True),  # one shared person is enough to refuse
        ("peer", (HAL,), [PEER_ONE], False),  # different people
        ("peer", (IVY,), [], False),  # the first peer interview
        ("hiring_manager", (IVY,), [PEER_ONE], False),  # only peer interviews must differ
        ("peer", (IVY,), [Booking("Hiring manager interview", "hiring_manager", {IVY})], False),
    ],
)
def test_peer_interviews_need_different_interviewers(conducted_by, chosen, others, refused) -> None:
    call = lambda: check_slot(  # noqa: E731
        slot(interviewer_ids=chosen),
        default_minutes=45,
        people=PEOPLE,
        conducted_by=conducted_by,
        others=others,
    )
    if refused:
        errors = errors_of(call)
        assert errors["interviewer_ids"].startswith("Ivy Interviewer already conducts Peer")
        assert "different interviewers" in errors["interviewer_ids"]
    else:
        call()


def test_peer_refusal_names_everyone_on_both() -> None:
    errors = errors_of(
        lambda: check_slot(
            slot(interviewer_ids=(IVY, HAL)),
            default_minutes=45,
            people=PEOPLE,
            conducted_by="peer",
            others=[Booking("Peer interview 1", "peer", frozenset({IVY, HAL}))],
        )
    )
    assert errors["interviewer_ids"].startswith(
        "Hal Manager, Ivy Interviewer already conduct Peer interview 1"
    )


def test_duplicate_interviewers_are_kept_once() -> None:
    result = check_slot(
        slot(interviewer_ids=(HAL, HAL, IVY)),
        default_minutes=45,
        people=PEOPLE,
        conducted_by="director_or_ciso",
        others=[],
    )
    assert result.interviewer_ids == (HAL, IVY)


@pytest.mark.parametrize(
    ("reason", "ok"), [("Candidate asked", True), ("", False), ("  \n ", False)]
)
def test_reasons_are_required(reason: str, ok: bool) -> None:
    if ok:
        assert check_reason(f" {reason} ", "cancelling") == reason
    else:
        errors = errors_of(lambda: check_reason(reason, "cancelling"))
        assert errors == {"reason": "Give a reason for cancelling; it is kept in the history."}


@pytest.mark.parametrize(
    ("change", "unchanged"),
    [
        ({}, True),
        ({"interviewer_ids": (HAL,)}, True),
        ({"starts_at": AT + timedelta(days=1)}, False),
        ({"duration_minutes": 60}, False),
        ({"video_url": ""}, False),
        ({"interviewer_ids": (HAL, IVY)}, False),
    ],
)
def test_a_reschedule_must_change_something(change: dict, unchanged: bool) -> None:
    before = slot()
    if unchanged:
        with pytest.raises(ValidationFailed, match="Nothing changed"):
            check_changed(before, slot(**change))
    else:
        check_changed(before, slot(**change))


def test_check_reschedule_reports_reason_with_field_errors_and_excludes_itself() -> None:
    errors = errors_of(
        lambda: check_reschedule(
            slot(),
            slot(duration_minutes=2),
            "",
            default_minutes=45,
            people=PEOPLE,
            conducted_by="peer",
            others=[],
        )
    )
    assert set(errors) == {"duration_minutes", "reason"}
    moved, reason = check_reschedule(
        slot(),
        slot(starts_at=AT + timedelta(hours=1)),
        " Interviewer ill ",
        default_minutes=45,
        people=PEOPLE,
        conducted_by="peer",
        others=[],
    )
    assert (moved.starts_at, reason) == (AT + timedelta(hours=1), "Interviewer ill")


@pytest.mark.parametrize(
    ("local", "zone", "utc"),
    [
        (datetime(2026, 3, 2, 9, 0), "America/New_York", datetime(2026, 3, 2, 14, 0, tzinfo=UTC)),
        (datetime(2026, 7, 2, 9, 0), "America/New_York", datetime(2026, 7, 2, 13, 0, tzinfo=UTC)),
        (datetime(2026, 7, 2, 9, 0), "Asia/Kolkata", datetime(2026, 7, 2, 3, 30, tzinfo=UTC)),
        (datetime(2026, 7, 2, 9, 0), "UTC", datetime(2026, 7, 2, 9, 0, tzinfo=UTC)),
        # 01:30 happens twice when New York's clocks go back; the first (EDT) one is meant
        (
            datetime(2026, 11, 1, 1, 30),
            "America/New_York",
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        ),
    ],
)
def test_to_utc(local: datetime, zone: str, utc: datetime) -> None:
    result = to_utc(local, zone)
    assert result == utc and result.tzinfo is UTC


@pytest.mark.parametrize(
    ("local", "zone", "field", "message"),
    [
        (datetime(2026, 3, 8, 2, 30), "America/New_York", "starts_at", "does not exist"),
        (datetime(2026, 3, 29, 2, 30), "Europe/Berlin", "starts_at", "skip that hour"),
        (datetime(2026, 3, 2, 9, 0), "Mars/Olympus_Mons", "timezone", "Choose a time zone"),
        (datetime(2026, 3, 2, 9, 0), "", "timezone", "Choose a time zone"),
        (datetime(2026, 3, 2, 9, 0), "../../etc/passwd", "timezone", "Choose a time zone"),
    ],
)
def test_to_utc_refusals(local: datetime, zone: str, field: str, message: str) -> None:
    errors = errors_of(lambda: to_utc(local, zone))
    assert message in errors[field]


# --- Impossible and far-off dates -------------------------------------------------------

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("local", "zone"),
    [
        # would be in year 0 in UTC, before the first date Python can hold
        (datetime(1, 1, 1, 0, 0), "Asia/Tokyo"),
        (datetime(1, 1, 1, 8, 59), "Asia/Tokyo"),
        # would be in year 10000 in UTC, after the last date Python can hold
        (datetime(9999, 12, 31, 23, 59), "America/Los_Angeles"),
        (datetime(9999, 12, 31, 16, 1), "America/Los_Angeles"),
        (datetime.max, "America/Los_Angeles"),
        (datetime.min, "Pacific/Auckland"),
    ],
)
def test_to_utc_refuses_a_time_that_has_no_utc_equivalent(local: datetime, zone: str) -> None:
    errors = errors_of(lambda: to_utc(local, zone))
    assert list(errors) == ["starts_at"]
    assert "Choose a start between 2000-01-01 and 10 years from now" in errors["starts_at"]


@pytest.mark.parametrize(
    ("local", "zone", "utc"),
    [
        # the last times of those extremes that still exist in UTC convert (the slot
        # rules then refuse them as out of the window)
        # (Tokyo's local mean time then was 9:18:59 ahead of UTC)
        (datetime(1, 1, 1, 9, 19), "Asia/Tokyo", datetime(1, 1, 1, 0, 0, 1, tzinfo=UTC)),
        (
            datetime(9999, 12, 31, 15, 59),
            "America/Los_Angeles",
            datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
        ),
    ],
)
def test_to_utc_converts_the_extremes_that_exist(local: datetime, zone: str, utc: datetime) -> None:
    assert to_utc(local, zone) == utc


@pytest.mark.parametrize(
    ("starts_at", "ok"),
    [
        (datetime(2000, 1, 1, 0, 0, tzinfo=UTC), True),
        (datetime(2000, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=1))), True),  # same instant
        (datetime(1999, 12, 31, 23, 59, tzinfo=UTC), False),
        (datetime(1, 1, 1, 0, 0, tzinfo=UTC), False),
        (NOW, True),
        (NOW - timedelta(days=30), True),  # an interview that already happened, recorded late
        (datetime(2036, 3, 1, 12, 0, tzinfo=UTC), True),  # ten years from now, exactly
        (datetime(2036, 3, 1, 12, 1, tzinfo=UTC), False),
        (datetime(2036, 3, 1, 13, 1, tzinfo=timezone(timedelta(hours=1))), False),
        (datetime(9999, 12, 31, 23, 50, tzinfo=UTC), False),  # its end would overflow
        (datetime.max.replace(tzinfo=UTC), False),
    ],
)
def test_check_slot_only_accepts_starts_from_2000_to_ten_years_ahead(
    starts_at: datetime, ok: bool
) -> None:
    call = lambda: check_slot(  # noqa: E731
        slot(starts_at=starts_at, duration_minutes=MAX_MINUTES),
        default_minutes=45,
        people=PEOPLE,
        conducted_by="peer",
        others=[],
        now=NOW,
    )
    if ok:
        result = call()
        assert result.starts_at == starts_at
        assert result.starts_at + timedelta(minutes=result.duration_minutes) < datetime.max.replace(
            tzinfo=UTC
        )
    else:
        errors = errors_of(call)
        assert errors == {"starts_at": "Choose a start between 2000-01-01 and 2036-03-01 (UTC)."}


@pytest.mark.parametrize(
    ("now", "latest"),
    [
        (datetime(2028, 2, 29, 9, 0, tzinfo=UTC), datetime(2038, 2, 28, 9, 0, tzinfo=UTC)),
        (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), datetime(2036, 12, 31, 23, 59, tzinfo=UTC)),
    ],
)
def test_the_window_ends_ten_calendar_years_ahead(now: datetime, latest: datetime) -> None:
    def attempt(starts_at: datetime) -> Slot:
        return check_slot(
            slot(starts_at=starts_at),
            default_minutes=45,
            people=PEOPLE,
            conducted_by="peer",
            others=[],
            now=now,
        )

    assert attempt(latest).starts_at == latest
    assert "starts_at" in errors_of(lambda: attempt(latest + timedelta(minutes=1)))


def test_check_reschedule_refuses_a_start_out_of_the_window_with_other_errors() -> None:
    errors = errors_of(
        lambda: check_reschedule(
            slot(),
            slot(starts_at=datetime(9999, 12, 31, 23, 50, tzinfo=UTC), duration_minutes=30),
            " ",
            default_minutes=45,
            people=PEOPLE,
            conducted_by="peer",
            others=[],
            now=NOW,
        )
    )
    assert set(errors) == {"starts_at", "reason"}
    assert "2000-01-01 and 2036-03-01" in errors["starts_at"]
