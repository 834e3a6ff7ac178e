"""The second-factor service against the real database, at a fixed moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select, update

from tests.factories import enrol_totp, make_user
from tracker.domain import otp
from tracker.domain.errors import DomainError, ValidationFailed
from tracker.extensions import db
from tracker.models import RecoveryCode, User
from tracker.services import two_factor

NOW = datetime(2030, 1, 1, 12, 0, 10, tzinfo=UTC)
STEP = otp.time_step(NOW)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(two_factor, "utcnow", lambda: NOW)


@pytest.fixture
def audited(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """What the service hands to the audit trail."""
    calls: list[tuple] = []

    def record(action, object_type, object_id=None, details=None, *, actor=None) -> None:
        calls.append((action, object_type, object_id, actor))

    monkeypatch.setattr(two_factor.audit, "record", record)
    return calls


def code(secret: str, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(NOW, counter_offset=offset)


def enrolled(user: User) -> list[str]:
    """Turn TOTP on through the service; the plain recovery codes."""
    two_factor.begin_enrolment(user)
    return two_factor.confirm_enrolment(user, code(user.totp_pending_secret))


def recovery_rows(user: User) -> list[RecoveryCode]:
    return list(db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)))


def test_admin_must_enrol_others_may(people) -> None:
    plain_admin = make_user("a2@test.example", "Al Admin", ["admin"], totp=False)
    assert two_factor.must_enrol(plain_admin)
    assert not two_factor.must_enrol(people["admin"])  # has TOTP
    assert not two_factor.must_enrol(people["recruiter"])
    assert two_factor.needs_code(people["admin"])
    assert not two_factor.needs_code(people["recruiter"])


def test_enrolment_confirms_with_a_code_of_the_pending_secret(people, audited) -> None:
    user = people["recruiter"]
    two_factor.begin_enrolment(user)
    secret = user.totp_pending_secret
    assert secret and len(secret) >= 32 and user.totp_secret is None
    uri = two_factor.provisioning_uri(user)
    assert uri == pyotp.TOTP(secret).provisioning_uri(
        name="rec@test.example", issuer_name="Hiring tracker"
    )

    with pytest.raises(ValidationFailed) as wrong:
        two_factor.confirm_enrolment(user, code(secret, 2))  # outside the window
    assert wrong.value.field == "code"
    assert user.totp_secret is None and user.totp_pending_secret == secret
    assert audited == []

    codes = two_factor.confirm_enrolment(user, code(secret))
    db.session.expire_all()
    assert user.totp_secret == secret and user.totp_pending_secret is None
    assert user.totp_enabled_at == NOW
    assert user.totp_last_counter == STEP
    assert audited == [("2fa.enable", "users", user.id, user)]

    assert len(codes) == 10 == len(set(codes))
    assert all(len(c) == 11 and c[5] == "-" for c in codes)
    rows = recovery_rows(user)
    assert {r.code_hash for r in rows} == {otp.recovery_code_hash(c) for c in codes}
    assert not any(c.replace("-", "") in r.code_hash for c in codes for r in rows)
    assert two_factor.remaining_recovery_codes(user) == 10


def test_a_new_pending_secret_replaces_the_old_one(people) -> None:
    user = people["recruiter"]
    two_factor.begin_enrolment(user)
    first = user.totp_pending_secret
    two_factor.begin_enrolment(user)
    assert user.totp_pending_secret != first
    with pytest.raises(ValidationFailed):
        two_factor.confirm_enrolment(user, code(first))


def test_confirm_without_a_pending_secret_is_refused(people) -> None:
    with pytest.raises(ValidationFailed, match="Start setting up"):
        two_factor.confirm_enrolment(people["recruiter"], "123456")
    with pytest.raises(DomainError):
        two_factor.provisioning_uri(people["recruiter"])


@pytest.mark.parametrize(
    ("offsets", "accepted"),
    [
        ([0], [True]),
        ([0, 0], [True, False]),  # the same code twice: a replay
        ([0, -1], [True, False]),  # an older step after a newer one: a replay too
        ([-1, 0, 1], [True, True, True]),  # each later step once
        ([1, 0], [True, False]),
        ([2], [False]),  # outside the window
        ([-2], [False]),
    ],
)
def test_a_totp_code_works_once(people, offsets: list[int], accepted: list[bool]) -> None:
    user = enrol_totp(people["recruiter"])
    secret = user.totp_secret
    assert [two_factor.verify(user, code(secret, o)) for o in offsets] == accepted


def test_replay_is_refused_even_if_another_request_used_the_step_meanwhile(people) -> None:
    """The counter is checked in the UPDATE itself, not only on the loaded row."""
    user = enrol_totp(people["recruiter"])
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(totp_last_counter=STEP)
        .execution_options(synchronize_session=False)
    )
    assert user.totp_last_counter is None  # what this request loaded is stale
    assert not two_factor.verify(user, code(user.totp_secret))
    db.session.expire_all()
    assert user.totp_last_counter == STEP


def test_each_recovery_code_works_exactly_once(people, audited) -> None:
    user = people["recruiter"]
    codes = enrolled(user)
    audited.clear()
    typed = codes[3].upper().replace("-", " ")  # as someone might type it
    assert two_factor.verify(user, typed)
    assert not two_factor.verify(user, codes[3])
    assert two_factor.remaining_recovery_codes(user) == 9
    assert audited == [("2fa.recovery_used", "users", user.id, user)]
    used = [r for r in recovery_rows(user) if r.used_at is not None]
    assert [r.code_hash for r in used] == [otp.recovery_code_hash(codes[3])]
    assert used[0].used_at == NOW
    assert all(two_factor.verify(user, c) for c in codes[:3] + codes[4:])
    assert two_factor.remaining_recovery_codes(user) == 0


def test_a_recovery_code_is_only_good_for_its_owner(people) -> None:
    codes = enrolled(people["recruiter"])
    other = enrol_totp(people["hm"])
    assert not two_factor.verify(other, codes[0])
    assert two_factor.verify(people["recruiter"], codes[0])


@pytest.mark.parametrize("typed", ["", "12345", "abcdefghij", "not a code", "0" * 32])
def test_nonsense_is_refused(people, typed: str) -> None:
    user = people["recruiter"]
    enrolled(user)
    assert not two_factor.verify(user, typed)


def test_no_code_passes_without_totp(people) -> None:
    user = people["recruiter"]
    two_factor.begin_enrolment(user)  # pending only: not on yet
    assert not two_factor.verify(user, code(user.totp_pending_secret))


def test_regenerating_replaces_every_recovery_code(people, audited) -> None:
    user = people["recruiter"]
    old = enrolled(user)
    with pytest.raises(ValidationFailed):
        two_factor.regenerate_recovery_codes(user, "000000")
    assert two_factor.remaining_recovery_codes(user) == 10
    new = two_factor.regenerate_recovery_codes(user, code(user.totp_secret, 1))
    assert len(new) == 10 and not set(new) & set(old)
    assert audited[-1] == ("2fa.codes_regenerated", "users", user.id, user)
    assert not two_factor.verify(user, old[0])
    assert two_factor.verify(user, new[0])


def test_regenerating_needs_totp_on(people) -> None:
    with pytest.raises(DomainError, match="not on"):
        two_factor.regenerate_recovery_codes(people["recruiter"], "123456")


def test_a_non_admin_may_turn_it_off_with_a_code(people, audited) -> None:
    user = people["recruiter"]
    enrolled(user)
    with pytest.raises(ValidationFailed):
        two_factor.disable(user, "000000")
    assert user.totp_enabled
    two_factor.disable(user, code(user.totp_secret, 1))
    db.session.expire_all()
    assert not user.totp_enabled
    assert user.totp_last_counter is None and user.totp_enabled_at is None
    assert recovery_rows(user) == []
    assert audited[-1] == ("2fa.disable", "users", user.id, user)


def test_an_admin_may_not_turn_it_off(people, audited) -> None:
    admin = people["admin"]
    with pytest.raises(DomainError, match="mandatory for administrators") as refused:
        two_factor.disable(admin, code(admin.totp_secret))
    assert not isinstance(refused.value, ValidationFailed)
    db.session.expire_all()
    assert admin.totp_enabled
    assert admin.totp_last_counter is None  # the code was not even spent
    assert audited == []


def test_starting_over_on_a_new_device_needs_a_current_code(people) -> None:
    user = enrol_totp(people["recruiter"])
    old_secret = user.totp_secret
    with pytest.raises(ValidationFailed):
        two_factor.begin_enrolment(user, "000000")
    assert user.totp_pending_secret is None
    two_factor.begin_enrolment(user, code(old_secret))
    assert user.totp_pending_secret and user.totp_secret == old_secret
    two_factor.confirm_enrolment(user, code(user.totp_pending_secret))
    assert user.totp_secret != old_secret


def test_wrong_sign_in_codes_lock_the_account(app, people) -> None:
    user = enrol_totp(people["recruiter"])
    threshold = app.config["LOGIN_LOCKOUT_THRESHOLD"]
    for _ in range(threshold - 1):
        assert not two_factor.verify_sign_in(user, "000000")
    assert user.failed_logins == threshold - 1 and user.locked_until is None
    assert not two_factor.verify_sign_in(user, "000000")
    assert user.locked_until == NOW + app.config["LOGIN_LOCKOUT_DURATION"]
    # Locked: even the right code is refused, and is not spent.
    assert not two_factor.verify_sign_in(user, code(user.totp_secret))
    assert user.totp_last_counter is None
    user.locked_until = NOW - timedelta(seconds=1)
    db.session.commit()
    assert two_factor.verify_sign_in(user, code(user.totp_secret))
    assert user.failed_logins == 0 and user.locked_until is None


def test_a_right_sign_in_code_clears_the_failure_count(people) -> None:
    user = enrol_totp(people["recruiter"])
    assert not two_factor.verify_sign_in(user, "000000")
    assert two_factor.verify_sign_in(user, code(user.totp_secret))
    assert user.failed_logins == 0


@pytest.mark.parametrize(
    ("pending", "found"),
    [
        (None, False),
        ("rec", False),
        ({}, False),
        ({"user_id": "1", "at": NOW.isoformat()}, False),
        ({"user_id": None, "at": NOW.isoformat()}, False),
        ({"at": NOW.isoformat()}, False),
        ({"user_id": 0, "at": "yesterday"}, False),
        ({"user_id": 0, "at": NOW.replace(tzinfo=None).isoformat()}, False),  # naive
        ({"user_id": 0, "at": (NOW - timedelta(minutes=6)).isoformat()}, False),
        ({"user_id": 0, "at": (NOW + timedelta(minutes=1)).isoformat()}, False),
        ({"user_id": 0, "at": (NOW - timedelta(minutes=4)).isoformat()}, True),
        ({"user_id": 0, "at": NOW.isoformat()}, True),
    ],
)
def test_pending_user(people, pending, found: bool) -> None:
    user = enrol_totp(people["recruiter"])
    if isinstance(pending, dict) and pending.get("user_id") == 0:
        pending = {**pending, "user_id": user.id}
    assert (two_factor.pending_user(pending, NOW) is user) is found


@pytest.mark.parametrize("change", ["inactive", "totp_off", "gone"])
def test_pending_user_must_still_need_the_code(people, change: str) -> None:
    user = enrol_totp(people["recruiter"])
    pending = {"user_id": user.id, "at": NOW.isoformat()}
    if change == "inactive":
        user.active = False
    elif change == "totp_off":
        user.totp_secret = None
    else:
        pending["user_id"] = user.id + 1000
    db.session.commit()
    assert two_factor.pending_user(pending, NOW) is None
