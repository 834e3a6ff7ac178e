"""Cells for CSV files that people open in a spreadsheet."""

from __future__ import annotations

# A cell starting with one of these is read as a formula by spreadsheet programs (CSV
# injection): `=HYPERLINK(...)` in a name field would run when the export is opened.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as CSV text that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
