"""Request hooks: security headers and the template helpers every page uses."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, Response, current_app, request
from flask_login import current_user
from werkzeug.exceptions import SecurityError

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def viewer_zone() -> ZoneInfo:
    """The signed-in user's time zone, else the site default."""
    name = getattr(current_user, "timezone", None) or current_app.config["DEFAULT_TIMEZONE"]
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M %Z") -> str:
    """Show a stored UTC time in the viewer's zone."""
    if value is None:
        return ""
    return value.astimezone(viewer_zone()).strftime(fmt)


def has_role(*names: str) -> bool:
    """Whether the signed-in user holds any of these roles (for showing navigation only;
    access itself is decided by the policy in each view)."""
    if not current_user.is_authenticated:
        return False
    return bool({str(r) for r in current_user.role_names} & set(names))


def refuse_untrusted_host() -> None:
    """A Host outside TRUSTED_HOSTS leaves the request without URLs to build: refuse it
    before any other hook (sign-in, CSRF, second factor) runs or builds one."""
    if isinstance(request.routing_exception, SecurityError):
        raise request.routing_exception


def untrusted_host(error: SecurityError) -> Response:
    """Plain text: the friendly page needs url_for, which has no host to build for."""
    return Response("Bad request: this host is not served here.\n", 400, mimetype="text/plain")


def register(app: Flask) -> None:
    app.add_template_filter(localtime, "localtime")
    app.add_template_global(has_role)
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_untrusted_host)
    app.register_error_handler(SecurityError, untrusted_host)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # same-origin keeps the Referer that Flask-WTF checks over HTTPS, and leaks no URL out.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("SECURITY_HEADERS_HSTS"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
