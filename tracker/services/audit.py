"""The audit trail (placeholder interface; the hash-chained implementation replaces it)."""

from __future__ import annotations

from typing import Any


def record(
    action: str,
    object_type: str,
    object_id: object | None = None,
    details: dict[str, Any] | None = None,
    *,
    actor: Any = None,
) -> None:
    """Append one entry in the current transaction (committed with it)."""


def viewed(object_type: str, object_id: object, what: str, *, actor: Any = None) -> None:
    """Record that personal data was viewed (placeholder: the audit trail implements it)."""
