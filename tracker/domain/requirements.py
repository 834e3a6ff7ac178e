"""How an opening's requirement set is composed and grouped for display."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CATEGORY_ORDER = ("General", "Technical", "Communication", "Leadership", "Level", "Specialty")


@dataclass(frozen=True)
class SetItem:
    """One requirement of an opening, and where it comes from."""

    requirement_id: int
    key: str
    category: str
    section: str
    text: str
    version: int
    origin: str  # "shared" | "level" | "inherited" | "specialty"
    origin_label: str
    order: tuple[int, int]  # (scope order, position) keeps document order


def level_scope(level_rank: int, candidate_rank: int) -> str | None:
    """Whether a level's requirements are the opening's own, inherited, or not included."""
    if candidate_rank == level_rank:
        return "level"
    if candidate_rank < level_rank:
        return "inherited"
    return None


def group_by_category(items: Iterable[SetItem]) -> list[tuple[str, list[SetItem]]]:
    """Group in the documents' category order, each group in document order."""
    groups: dict[str, list[SetItem]] = {}
    for item in sorted(items, key=lambda i: i.order):
        groups.setdefault(item.category, []).append(item)
    known = [c for c in CATEGORY_ORDER if c in groups]
    extra = sorted(c for c in groups if c not in CATEGORY_ORDER)
    return [(c, groups[c]) for c in known + extra]


def count_by_origin(items: Sequence[SetItem]) -> dict[str, int]:
    counts = {"shared": 0, "level": 0, "inherited": 0, "specialty": 0}
    for item in items:
        counts[item.origin] += 1
    return counts
