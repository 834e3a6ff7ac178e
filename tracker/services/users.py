"""Accounts: creation with role checks, sign-in attempts (lock, log, audit), and the
people admin (roles, active flag, unlock)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from tracker.domain import accounts
from tracker.domain.errors import NotFound, ValidationFailed
from tracker.extensions import db
from tracker.models import AccessRole, User, UserRole
from tracker.models.types import utcnow
from tracker.services import audit, passwords, sessions

# Sign-in attempts go to this logger: outcome, who, IP and UTC time; never the password.
log = logging.getLogger("tracker.auth")

MIN_PASSWORD = passwords.MIN_PASSWORD
MAX_PASSWORD = passwords.MAX_PASSWORD
DEFAULT_LOCKOUT = accounts.Lockout()


def lookup_email(email: str) -> str:
    """The form an email is stored and looked up in (also the per-account throttle key)."""
    return email.strip().lower()


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
    password: str | None,
    roles: Iterable[str],
    timezone: str = "UTC",
    *,
    commit: bool = True,
) -> User:
    """Create an account; the email is unique without regard to case. Without a password
    the account cannot be signed in to until a reset link sets one."""
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationFailed(str(exc), "email") from None
    if not name.strip():
        raise ValidationFailed("Give the person's name.", "name")
    if password is not None:
        passwords.check_new_password(password, email=email, name=name, field="password")
    role_set = parse_roles(roles)
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise ValidationFailed("An account with this email already exists.", "email")
    user = User(
        email=email,
        name=name.strip(),
        password_hash=(
            passwords.hash_password(password) if password is not None else passwords.unusable_hash()
        ),
        password_changed_at=utcnow() if password is not None else None,
        timezone=timezone,
    )
    user.roles = [UserRole(role=r.value) for r in sorted(role_set)]
    db.session.add(user)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return user


def _refusal(user: User | None, password_matches: bool) -> str | None:
    """Why this sign-in is refused (for the log only; the person sees one message)."""
    if user is None:
        return "unknown-account"
    if not user.active:
        return "inactive"
    if accounts.is_locked(user.locked_until, utcnow()):
        return "locked"
    if not password_matches:
        return "wrong-password"
    return None


def _log_attempt(outcome: str, user: User | None, email: str, ip: str | None) -> None:
    # A known account is named by id; only an unknown one by the email typed.
    who = f"user_id={user.id}" if user is not None else f"email={email!r}"
    level = logging.INFO if outcome in ("success", "logout") else logging.WARNING
    log.log(level, "sign-in %s %s ip=%s at=%s", outcome, who, ip, utcnow().isoformat())


def authenticate(
    email: str,
    password: str,
    *,
    ip: str | None = None,
    lockout: accounts.Lockout = DEFAULT_LOCKOUT,
) -> User | None:
    """The active, unlocked user with this email and password, else None.

    Every attempt costs the same hashing work; a refused one is logged and audited, and a
    wrong password counts towards the lock. Success is recorded by `signed_in`, once the
    sign-in is complete (after a second factor, if any).
    """
    submitted = lookup_email(email)
    user = db.session.scalar(select(User).where(User.email == submitted))
    matches = passwords.verify(user.password_hash if user else None, password)
    reason = _refusal(user, matches)
    if user is not None and reason is None:
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = passwords.hash_password(password)
            db.session.commit()
        return user
    if user is not None and reason == "wrong-password":
        user.failed_logins, lock = accounts.after_failed_password(
            user.failed_logins or 0, utcnow(), lockout
        )
        if lock is not None:
            user.locked_until = lock
            log.warning("account user_id=%s locked until %s", user.id, lock.isoformat())
    audit.record(
        "login.failure",
        "users",
        user.id if user else None,
        {"email": submitted, "ip": ip, "reason": reason},
    )
    _log_attempt(f"failure reason={reason}", user, submitted, ip)
    db.session.commit()
    return None


def signed_in(user: User, ip: str | None) -> None:
    """A sign-in is complete: the failure count starts again, and it is logged and audited
    (in the same transaction as the new session, when the caller left that open)."""
    user.failed_logins = 0
    user.locked_until = None
    audit.record("login.success", "users", user.id, {"email": user.email, "ip": ip}, actor=user)
    _log_attempt("success", user, user.email, ip)
    db.session.commit()


def signed_out(user: User, ip: str | None) -> None:
    audit.record("logout", "users", user.id, {"email": user.email, "ip": ip}, actor=user)
    _log_attempt("logout", user, user.email, ip)
    db.session.commit()


def check_password(user: User, password: str) -> bool:
    """Whether this is the user's password (for re-authentication)."""
    return passwords.verify(user.password_hash, password)


def users_with_role(role: AccessRole) -> list[User]:
    """Active people holding a role, by name, for choosing owners of an opening."""
    stmt = (
        select(User)
        .join(UserRole)
        .where(UserRole.role == role.value, User.active.is_(True))
        .order_by(User.name)
    )
    return list(db.session.scalars(stmt))


# People admin -------------------------------------------------------------------------


def everyone() -> list[User]:
    """Every account, by name (roles load with them)."""
    return list(db.session.scalars(select(User).order_by(User.name, User.id)))


def get_person(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such person.")
    return user


def create_person(
    email: str,
    name: str,
    password: str | None,
    roles: Iterable[str],
    *,
    actor: User,
    reset_ttl: timedelta,
) -> tuple[User, str | None]:
    """An admin adds someone. Without an initial password, a reset link is issued in the
    same transaction; its token is returned to be shown once."""
    user = create_user(email, name, password, roles, commit=False)
    audit.record(
        "user.create",
        "users",
        user.id,
        {"after": {"email": user.email, "name": user.name, "roles": _role_list(user)}},
        actor=actor,
    )
    if password is None:
        return user, passwords.issue_reset(user, by=actor, ttl=reset_ttl)
    db.session.commit()
    return user, None


def _role_list(user: User) -> list[str]:
    return sorted(r.value for r in user.role_names)


def update_access(
    person: User,
    role_names: Iterable[str],
    active: bool,
    *,
    actor: User,
    actor_session: str | None = None,
) -> bool:
    """Set a person's roles and active flag. A change ends the person's sessions (all but
    the actor's own current one), so new rights apply at once. Returns whether anything
    changed. An admin may not remove their own admin role or deactivate themselves."""
    new_roles = parse_roles(role_names)
    if person.id == actor.id:
        if AccessRole.ADMIN not in new_roles:
            raise ValidationFailed("You cannot remove your own admin role.", "roles")
        if not active:
            raise ValidationFailed("You cannot deactivate your own account.", "active")
    before = _role_list(person)
    after = sorted(r.value for r in new_roles)
    changed = False
    if before != after:
        kept = [r for r in person.roles if AccessRole(r.role) in new_roles]
        added = sorted(new_roles - person.role_names)
        person.roles = kept + [UserRole(role=r.value) for r in added]
        audit.record(
            "user.roles", "users", person.id, {"before": before, "after": after}, actor=actor
        )
        changed = True
    if active != person.active:
        audit.record(
            "user.active",
            "users",
            person.id,
            {"before": person.active, "after": active},
            actor=actor,
        )
        person.active = active
        changed = True
    if changed:
        keep = actor_session if person.id == actor.id else None
        sessions.end_all(person.id, keep=keep, commit=False)
    db.session.commit()
    return changed


def is_locked(user: User) -> bool:
    return accounts.is_locked(user.locked_until, utcnow())


def unlock(person: User, *, actor: User) -> None:
    """Lift a lock after failed sign-ins, before it runs out."""
    person.failed_logins = 0
    person.locked_until = None
    audit.record("user.unlock", "users", person.id, actor=actor)
    db.session.commit()
