"""The hiring tracker: create_app wires extensions, blueprints, handlers and commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None, env: str | None = None) -> Flask:
    """Build the app; no I/O beyond reading settings, no migrations."""
    from config import INSTANCE_DIR, config_for

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(INSTANCE_DIR),
        instance_relative_config=True,
    )
    config_class = config_for("test" if test_config and test_config.get("TESTING") else env)
    app.config.from_object(config_class)
    if test_config:
        app.config.update(test_config)
    config_class.finalise(app.config)
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        # Behind that many reverse proxies, trust their X-Forwarded-For/-Proto (and no
        # more), so sign-in throttling and the audit trail see the client's address.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_hooks(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from tracker import models  # noqa: F401  (every table registered before use)
    from tracker.auth.flow import load_user
    from tracker.database import configure as configure_connections
    from tracker.extensions import bootstrap, csrf, db, limiter, login_manager, migrate
    from tracker.services import audit

    db.init_app(app)
    configure_connections(app)  # SQLite: WAL, busy timeout, foreign keys on every connection
    audit.install(app)  # every change from here on leaves an audit entry
    # Batch mode lets SQLite alter tables; compare_type makes `flask db check` strict.
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    # Exports and role changes need a sign-in from the last few minutes.
    login_manager.refresh_view = "auth.reauthenticate"
    login_manager.needs_refresh_message = "Please confirm your password to continue."
    login_manager.needs_refresh_message_category = "info"
    login_manager.user_loader(load_user)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)


# The largest value of an integer id column (32-bit, as PostgreSQL's INTEGER): a larger id
# names nothing, in a URL or a form.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` capped at the largest id the database holds, so a huge id in a URL is
    a 404 at routing rather than an integer overflow in the query. `<int(max=...):...>`
    still sets its own limit."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_converters(app: Flask) -> None:
    """Before any blueprint: a rule picks its converter when it is added to the map."""
    app.url_map.converters["int"] = IdConverter


def register_blueprints(app: Flask) -> None:
    from tracker.account.views import bp as account_bp
    from tracker.applications.views import bp as applications_bp
    from tracker.audit.views import bp as audit_bp
    from tracker.auth.views import bp as auth_bp
    from tracker.candidates.views import bp as candidates_bp
    from tracker.main.views import bp as main_bp
    from tracker.openings.views import bp as openings_bp
    from tracker.people.views import bp as people_bp
    from tracker.plans.views import bp as plans_bp
    from tracker.reports.views import bp as reports_bp
    from tracker.resumes.views import bp as resumes_bp
    from tracker.reviews.views import bp as reviews_bp
    from tracker.scheduling.views import bp as scheduling_bp
    from tracker.scorecards.views import bp as scorecards_bp
    from tracker.two_factor.views import bp as two_factor_bp

    for bp in (
        main_bp,
        auth_bp,
        openings_bp,
        candidates_bp,
        applications_bp,
        plans_bp,
        scheduling_bp,
        scorecards_bp,
        reviews_bp,
        account_bp,
        two_factor_bp,
        people_bp,
        audit_bp,
        resumes_bp,
        reports_bp,
    ):
        app.register_blueprint(bp)


def register_errorhandlers(app: Flask) -> None:
    from tracker.errors import register

    register(app)


def register_hooks(app: Flask) -> None:
    from tracker.web import register

    register(app)


def register_commands(app: Flask) -> None:
    from tracker.cli import register

    register(app)
