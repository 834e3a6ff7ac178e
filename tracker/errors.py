"""Friendly error pages; a 500 rolls back so the database is never left half-written."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from tracker.extensions import db

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "You do not have permission to do that."),
    404: ("Not found", "There is nothing here, or you may not see it."),
    405: ("Not allowed", "That method is not allowed here."),
    413: ("Too large", "The upload is larger than the tracker accepts."),
    429: ("Too many requests", "Please wait a moment and try again."),
    500: ("Something went wrong", "The error was logged and nothing was saved."),
}


def _page(code: int, detail: str | None = None) -> tuple[str, int]:
    title, message = MESSAGES.get(code, ("Error", "Something went wrong."))
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return _page(400, "Your form expired or was not sent from this site. Please try again.")

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError) -> tuple[str, int, dict[str, str]]:
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
        return (
            "Bad request: this host name is not served here.",
            400,
            {"Content-Type": "text/plain; charset=utf-8"},
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return _page(error.code or 500)

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        return _page(500)
