"""The password service on a real database: the shipped list of common passwords, and
the rules applied wherever an account gets a password."""

from __future__ import annotations

import pytest

from tracker.domain.errors import ValidationFailed
from tracker.extensions import db
from tracker.models import User
from tracker.services import passwords, users


def test_the_shipped_list_holds_ten_thousand_lower_case_passwords() -> None:
    common = passwords.common_passwords()
    assert len(common) == 10_000
    assert {"password", "123456", "qwerty123456", "1qaz2wsx3edc"} <= common
    assert all(p == p.lower() for p in common)


def test_the_list_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    passwords.common_passwords.cache_clear()
    first = passwords.common_passwords()
    assert passwords.common_passwords() is first


@pytest.mark.parametrize("password", ["qwerty123456", "QWERTY123456", "LeaveMeAlone"])
def test_common_passwords_are_refused_without_regard_to_case(password: str) -> None:
    with pytest.raises(ValidationFailed, match="most common") as caught:
        passwords.check_new_password(password, field="new_password")
    assert caught.value.field == "new_password"


def test_creating_an_account_applies_the_rules(app) -> None:
    """`flask users create`, the demo and the people page all go through create_user."""
    for password, message in [
        ("qwerty123456", "most common"),
        ("Annabel Example", "your email address or your name"),
        ("ann@example.com", "your email address or your name"),
    ]:
        with pytest.raises(ValidationFailed, match=message):
            users.create_user("ann@example.com", "Annabel Example", password, ["recruiter"])


def test_hashes_are_argon2id_and_verify(app) -> None:
    digest = passwords.hash_password("a long enough password")
    assert digest.startswith("$argon2id$")
    assert passwords.verify(digest, "a long enough password")
    assert not passwords.verify(digest, "a long enough passworD")
    assert not passwords.verify(None, "a long enough password")
    assert not passwords.verify("not a hash", "a long enough password")


def test_two_uses_racing_for_one_link_cannot_both_succeed(app, people, monkeypatch) -> None:
    """Both requests found the link unused; only the first to claim it sets a password."""
    token = passwords.issue_reset(
        people["recruiter"], by=people["admin"], ttl=app.config["PASSWORD_RESET_TTL"]
    )
    seen_unused = passwords.usable_reset(token)
    passwords.reset_password(token, "the first passphrase")
    monkeypatch.setattr(passwords, "usable_reset", lambda _token: seen_unused)
    with pytest.raises(passwords.InvalidResetLink):
        passwords.reset_password(token, "the second passphrase")
    db.session.expire_all()
    user = db.session.get(User, people["recruiter"].id)
    assert passwords.verify(user.password_hash, "the first passphrase")
