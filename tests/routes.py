"""Every route of the app as a concrete URL, for the tests that walk `app.url_map`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from flask import Flask

# The file each static endpoint serves in these walks.
STATIC_FILES = {"static": "css/app.css", "bootstrap.static": "css/bootstrap.min.css"}
STATIC_ENDPOINTS = frozenset(STATIC_FILES)


class Route(NamedTuple):
    endpoint: str
    method: str
    url: str

    @property
    def key(self) -> tuple[str, str]:
        return self.endpoint, self.method


class MissingUrlArgument(AssertionError):
    """A route takes an argument the walking test has no value for: a new route that no
    test would reach. Add a value to the map the test uses."""


def concrete_urls(app: Flask, values: Mapping[str, object]) -> list[Route]:
    """(endpoint, method, url) for every route, with the given argument values filled in
    (`move` defaults to "advance"); fails naming each route whose argument has no value."""
    values = {"move": "advance", **values}
    out: list[Route] = []
    missing: list[str] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        args: dict[str, object] = {}
        for arg in sorted(rule.arguments):
            if arg == "filename" and rule.endpoint in STATIC_FILES:
                args[arg] = STATIC_FILES[rule.endpoint]
            elif arg in values:
                args[arg] = values[arg]
            else:
                missing.append(f"<{arg}> of {rule.endpoint} ({rule.rule})")
        if len(args) < len(rule.arguments):
            continue
        url = rule.build(args, append_unknown=False)[1]  # type: ignore[union-attr]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append(Route(rule.endpoint, method, url))
    if missing:
        raise MissingUrlArgument(
            "No URL value for: " + "; ".join(missing) + ". Add it to the test's URL map."
        )
    return out
