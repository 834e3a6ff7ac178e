"""Plain stand-ins for users and openings, for the pure policy rules."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class P:
    """A person: an id and the access roles they hold."""

    id: int
    roles: set[str] = field(default_factory=set)

    @property
    def role_names(self) -> set[str]:
        return self.roles


@dataclass
class Op:
    """An opening: who manages it and who recruits for it."""

    hiring_manager_id: int
    recruiter_id: int
