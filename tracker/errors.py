"""Friendly error pages; a 500 rolls back so the database is never left half-written."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from tracker.domain.documents import human_size
from tracker.extensions import db

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "You do not have permission to do that."),
    404: ("Not found", "There is nothing here, or you may not see it."),
    405: ("Not allowed", "That method is not allowed here."),
    413: ("Too large", "The upload is larger than the tracker accepts."),
    429: ("Too many requests", "Please wait a moment and try again."),
    503: (
        "Busy",
        "The database was busy with another change, so nothing you sent was saved. "
        "Please try again in a moment.",
    ),
    500: ("Something went wrong", "The error was logged and nothing was saved."),
}


def _page(code: int, detail: str | None = None) -> tuple[str, int]:
    title, message = MESSAGES.get(code, ("Error", "Something went wrong."))
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def back_url() -> str | None:
    """Where "go back" leads after a refused upload: the page it came from when that is on
    this site (as a path, so it cannot lead elsewhere), else the candidate the URL names."""
    parts = urlsplit(request.referrer or "")
    if (
        parts.scheme in ("http", "https")
        and parts.netloc == request.host
        and parts.path.startswith("/")
        and not parts.path.startswith("//")
        and "\\" not in parts.path
    ):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    candidate_id = (request.view_args or {}).get("candidate_id")
    if isinstance(candidate_id, int):
        return url_for("candidates.show", candidate_id=candidate_id)
    return None


# Contention rather than a fault: SQLite's writer lock held past the busy timeout, and
# PostgreSQL's serialization failure, deadlock and lock timeout (SQLSTATEs).
BUSY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def is_contention(error: OperationalError) -> bool:
    original = error.orig
    if getattr(original, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    return "database is locked" in str(original) or "database is busy" in str(original)


def register(app: Flask) -> None:
    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError) -> tuple[str, int, dict[str, str]]:
        """A change that lost a wait for the database: roll back and say so (503, not a
        500); any other operational error stays a fault (logged, the 500 page)."""
        db.session.rollback()
        if not is_contention(error):
            raise error
        return (*_page(503), {"Retry-After": "2"})

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
        config = current_app.config
        return render_template(
            "errors/too_large.html",
            code=413,
            title=MESSAGES[413][0],
            file_limit=human_size(config["RESUME_MAX_BYTES"]),
            request_limit=human_size(config["MAX_CONTENT_LENGTH"]),
            back_url=back_url(),
        ), 413

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return _page(400, "Your form expired or was not sent from this site. Please try again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return _page(error.code or 500)

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        return _page(500)
