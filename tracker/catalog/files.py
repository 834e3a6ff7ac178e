"""Read and validate the role catalog's TOML files, so bad data fails at load, not at use."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CATEGORIES: tuple[str, ...] = (
    "General",
    "Technical",
    "Communication",
    "Leadership",
    "Level",
    "Specialty",
)
KINDS: tuple[str, ...] = ("requirement", "responsibility")
DATA_DIR: Path = Path(__file__).resolve().parent / "data"

_KEY_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _cp1252_char(byte: int) -> str:
    """What one byte becomes when read as cp1252 (its five unused bytes pass through)."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


# A UTF-8 continuation byte (0x80-0xBF) as it looks after a cp1252 misreading.
_CONT = "[" + re.escape("".join(_cp1252_char(b) for b in range(0x80, 0xC0))) + "]"
# One whole misread UTF-8 sequence: lead bytes 0xC2-0xF4 read as themselves in cp1252.
_MOJIBAKE_RE = re.compile(
    f"[\u00c2-\u00df]{_CONT}|[\u00e0-\u00ef]{_CONT}{{2}}|[\u00f0-\u00f4]{_CONT}{{3}}"
)


def _to_byte(char: str) -> int:
    """Undo the cp1252 decoding of one byte (undefined cp1252 bytes came through as-is)."""
    try:
        return char.encode("cp1252")[0]
    except UnicodeEncodeError:
        return ord(char)


def _repair_run(match: re.Match[str]) -> str:
    run = match.group(0)
    try:
        return bytes(_to_byte(c) for c in run).decode("utf-8")
    except UnicodeDecodeError:  # not mojibake after all: keep the text as written
        return run


def repair_text(text: str) -> str:
    """Undo UTF-8 text misread as cp1252 (an apostrophe shown as `â€™`); leave the rest alone."""
    return _MOJIBAKE_RE.sub(_repair_run, text)


_WHITESPACE_RE = re.compile(r"\s+")
_DANGLING_PAREN_RE = re.compile(r"\s*\($")


def normalise_text(text: str) -> str:
    """Repair, collapse whitespace and drop a dangling "(": one rule for data and its tests."""
    text = _WHITESPACE_RE.sub(" ", repair_text(text)).strip()
    return _DANGLING_PAREN_RE.sub("", text)


def _normalise_prose(text: str) -> str:
    """Normalise each paragraph of a description but keep the paragraph breaks."""
    paragraphs = (normalise_text(p) for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


class CatalogFileError(ValueError):
    """A catalog file is malformed; the message names the file and the offending field."""


@dataclass(frozen=True)
class RequirementSpec:
    """One bullet of a job document, keyed so scorecards can refer to it forever."""

    key: str
    category: str
    section: str
    kind: str
    text: str
    position: int


@dataclass(frozen=True)
class LevelSpec:
    """A rung of a role's ladder and the requirements it adds to the shared ones."""

    key: str
    title: str
    grade: int
    rank: int
    description: str
    requirements: tuple[RequirementSpec, ...]


@dataclass(frozen=True)
class SpecialtySpec:
    """A specialty of a role and the requirements it adds to the shared ones."""

    key: str
    title: str
    description: str
    requirements: tuple[RequirementSpec, ...]


@dataclass(frozen=True)
class RoleSpec:
    """A role as its job document describes it: shared lists, levels and specialties."""

    key: str
    title: str
    description: str
    source: str
    requirements: tuple[RequirementSpec, ...]
    levels: tuple[LevelSpec, ...]
    specialties: tuple[SpecialtySpec, ...]

    def all_requirements(self) -> tuple[RequirementSpec, ...]:
        """Every requirement of the role, so callers can index or sync the whole catalog."""
        found = list(self.requirements)
        for level in self.levels:
            found.extend(level.requirements)
        for specialty in self.specialties:
            found.extend(specialty.requirements)
        return tuple(found)


class _Reader:
    """Walks one file's parsed TOML, raising errors that say exactly where the problem is."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: dict[str, str] = {}  # requirement key -> where it was first defined

    def fail(self, where: str, message: str) -> CatalogFileError:
        return CatalogFileError(f"{self.path.name}: {where}: {message}")

    def table(self, value: object, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "must be a table")
        return value

    def fields(
        self, data: dict[str, Any], where: str, required: set[str], optional: frozenset[str]
    ) -> None:
        missing = sorted(required - data.keys())
        if missing:
            raise self.fail(where, f"missing field(s): {', '.join(missing)}")
        unknown = sorted(data.keys() - required - optional)
        if unknown:
            raise self.fail(where, f"unknown field(s): {', '.join(unknown)}")

    def string(self, data: dict[str, Any], field: str, where: str, *, empty: bool = False) -> str:
        value = data[field]
        if not isinstance(value, str):
            raise self.fail(f"{where}.{field}", "must be a string")
        if not empty and not value.strip():
            raise self.fail(f"{where}.{field}", "must not be empty")
        return value

    def key(self, data: dict[str, Any], field: str, where: str) -> str:
        value = self.string(data, field, where)
        if not _KEY_RE.match(value):
            raise self.fail(
                f"{where}.{field}", f"{value!r} is not lowercase words joined by hyphens"
            )
        return value

    def array(self, data: dict[str, Any], field: str, where: str) -> list[Any]:
        value = data.get(field, [])
        if not isinstance(value, list):
            raise self.fail(f"{where}.{field}", "must be an array")
        return value

    def requirements(
        self, data: dict[str, Any], where: str, prefix: str
    ) -> tuple[RequirementSpec, ...]:
        found: list[RequirementSpec] = []
        for s, raw_section in enumerate(self.array(data, "sections", where)):
            at = f"{where}.sections[{s}]"
            section = self.table(raw_section, at)
            self.fields(section, at, {"title", "kind", "category", "items"}, frozenset())
            title = normalise_text(self.string(section, "title", at))
            kind = self.string(section, "kind", at)
            if kind not in KINDS:
                raise self.fail(f"{at}.kind", f"{kind!r} is not one of {', '.join(KINDS)}")
            category = self.string(section, "category", at)
            if category not in CATEGORIES:
                raise self.fail(
                    f"{at}.category", f"{category!r} is not one of {', '.join(CATEGORIES)}"
                )
            items = self.array(section, "items", at)
            if not items:
                raise self.fail(f"{at}.items", "must not be empty")
            for i, raw_item in enumerate(items):
                item_at = f"{at}.items[{i}]"
                item = self.table(raw_item, item_at)
                self.fields(item, item_at, {"slug", "text"}, frozenset())
                key = f"{prefix}/{self.key(item, 'slug', item_at)}"
                if key in self.seen:
                    raise self.fail(
                        f"{item_at}.slug",
                        f"duplicate requirement key {key!r} (first at {self.seen[key]})",
                    )
                self.seen[key] = item_at
                text = normalise_text(self.string(item, "text", item_at))
                if not text:
                    raise self.fail(f"{item_at}.text", "must not be empty")
                found.append(
                    RequirementSpec(
                        key=key,
                        category=category,
                        section=title,
                        kind=kind,
                        text=text,
                        position=len(found),
                    )
                )
        return tuple(found)

    def role(self, raw: dict[str, Any]) -> RoleSpec:
        self.fields(
            raw,
            "role",
            {"key", "title", "source", "description"},
            frozenset({"sections", "levels", "specialties"}),
        )
        key = self.key(raw, "key", "role")
        if key != self.path.stem:
            raise self.fail("role.key", f"{key!r} must match the file name {self.path.stem!r}")
        levels: list[LevelSpec] = []
        for n, raw_level in enumerate(self.array(raw, "levels", "role")):
            at = f"levels[{n}]"
            level = self.table(raw_level, at)
            self.fields(
                level, at, {"key", "title", "grade", "description"}, frozenset({"sections"})
            )
            level_key = self.key(level, "key", at)
            grade = level["grade"]
            if not isinstance(grade, int) or isinstance(grade, bool):
                raise self.fail(f"{at}.grade", f"{grade!r} is not an integer")
            if any(existing.key == level_key for existing in levels):
                raise self.fail(f"{at}.key", f"duplicate level {level_key!r}")
            levels.append(
                LevelSpec(
                    key=level_key,
                    title=normalise_text(self.string(level, "title", at)),
                    grade=grade,
                    rank=n,
                    description=_normalise_prose(self.string(level, "description", at)),
                    requirements=self.requirements(level, at, f"{key}/level/{level_key}"),
                )
            )
        specialties: list[SpecialtySpec] = []
        for n, raw_specialty in enumerate(self.array(raw, "specialties", "role")):
            at = f"specialties[{n}]"
            specialty = self.table(raw_specialty, at)
            self.fields(specialty, at, {"key", "title", "description"}, frozenset({"sections"}))
            specialty_key = self.key(specialty, "key", at)
            if any(existing.key == specialty_key for existing in specialties):
                raise self.fail(f"{at}.key", f"duplicate specialty {specialty_key!r}")
            specialties.append(
                SpecialtySpec(
                    key=specialty_key,
                    title=normalise_text(self.string(specialty, "title", at)),
                    description=_normalise_prose(self.string(specialty, "description", at)),
                    requirements=self.requirements(
                        specialty, at, f"{key}/specialty/{specialty_key}"
                    ),
                )
            )
        return RoleSpec(
            key=key,
            title=normalise_text(self.string(raw, "title", "role")),
            description=_normalise_prose(self.string(raw, "description", "role")),
            source=self.string(raw, "source", "role"),
            requirements=self.requirements(raw, "role", f"{key}/shared"),
            levels=tuple(levels),
            specialties=tuple(specialties),
        )


def _load_file(path: Path) -> RoleSpec:
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise CatalogFileError(f"{path.name}: not valid TOML: {error}") from error
    return _Reader(path).role(raw)


def load_catalog_files(directory: Path | None = None) -> list[RoleSpec]:
    """Load every role file in name order, rejecting the catalog as a whole if any is bad."""
    directory = DATA_DIR if directory is None else directory
    # Keys start with the role key, which must equal the file's (unique) name, so checking
    # duplicates within each file covers the whole catalog.
    return [_load_file(path) for path in sorted(directory.glob("*.toml"))]
