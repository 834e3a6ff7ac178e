"""Accounts: creation with role checks, and sign-in verification."""

from __future__ import annotations

from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from tracker.domain.errors import ValidationFailed
from tracker.extensions import db
from tracker.models import AccessRole, User, UserRole

# argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()
# Verified against when the account is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-but-the-same-cost")

MIN_PASSWORD = 12
MAX_PASSWORD = 128


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    """Raise ValidationFailed on the password field when a password is too weak."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValidationFailed(
            f"Use between {MIN_PASSWORD} and {MAX_PASSWORD} characters.", field="password"
        )


def parse_roles(names: Iterable[str]) -> set[AccessRole]:
    roles = set()
    for name in names:
        try:
            roles.add(AccessRole(name.strip().lower()))
        except ValueError:
            allowed = ", ".join(r.value for r in AccessRole)
            raise ValidationFailed(f"Unknown role {name!r}; use {allowed}.", "roles") from None
    if not roles:
        raise ValidationFailed("Give the person at least one role.", "roles")
    return roles


def create_user(
    email: str,
    name: str,
    password: str,
    roles: Iterable[str],
    timezone: str = "UTC",
    *,
    commit: bool = True,
) -> User:
    """Create an account; the email is unique without regard to case."""
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationFailed(str(exc), "email") from None
    if not name.strip():
        raise ValidationFailed("Give the person's name.", "name")
    check_password_rules(password)
    role_set = parse_roles(roles)
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise ValidationFailed("An account with this email already exists.", "email")
    user = User(
        email=email, name=name.strip(), password_hash=hash_password(password), timezone=timezone
    )
    user.roles = [UserRole(role=r.value) for r in sorted(role_set)]
    db.session.add(user)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, else None (same work either way)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def check_password(user: User, password: str) -> bool:
    """Whether this is the user's password (for re-authentication)."""
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def users_with_role(role: AccessRole) -> list[User]:
    """Active people holding a role, by name, for choosing owners of an opening."""
    stmt = (
        select(User)
        .join(UserRole)
        .where(UserRole.role == role.value, User.active.is_(True))
        .order_by(User.name)
    )
    return list(db.session.scalars(stmt))
