"""Command line: catalog load/export, user creation, demo data."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup

from tracker.domain.demo_scale import SCALES, Scale
from tracker.domain.errors import DomainError

catalog_cli = AppGroup("catalog", help="Load or export the role catalog.")
users_cli = AppGroup("users", help="Manage accounts.")
audit_cli = AppGroup("audit", help="Check the audit trail.")


@catalog_cli.command("load")
def catalog_load() -> None:
    """Load the catalog files; a second run changes nothing."""
    from tracker.services.catalog import load_catalog

    report = load_catalog()
    click.echo(report.summary())
    for key in report.new_versions:
        click.echo(f"  new version: {key}")
    for key in report.retired:
        click.echo(f"  retired: {key}")


@catalog_cli.command("export")
def catalog_export() -> None:
    """Print the whole catalog as JSON."""
    from tracker.services.catalog import export_catalog

    click.echo(json.dumps(export_catalog(), indent=2, ensure_ascii=False))


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="admin, recruiter, hiring_manager or interviewer; repeat for several.",
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="TRACKER_NEW_USER_PASSWORD",
    help="Prompted for when not given (or set TRACKER_NEW_USER_PASSWORD).",
)
@click.option("--timezone", default="UTC", show_default=True)
def users_create(
    email: str, name: str, roles: tuple[str, ...], password: str, timezone: str
) -> None:
    """Create an account with one or more roles."""
    from tracker.services.users import create_user

    names = [part for r in roles for part in r.split(",") if part.strip()]
    try:
        user = create_user(email, name, password, names, timezone=timezone)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Created {user.email} with roles: {', '.join(sorted(user.role_names))}.")


@click.command("demo")
@click.option(
    "--if-empty",
    is_flag=True,
    help="On a database with real data, skip the demo quietly instead of failing.",
)
@click.option(
    "--copies",
    default=1,
    show_default=True,
    type=click.IntRange(min=1, max=200),
    help="Repeat the demo openings and their candidates this many times (load tests).",
)
@click.option(
    "--scale",
    default="demo",
    show_default=True,
    type=click.Choice(["demo", *SCALES]),
    help="demo: three openings and about fifty candidates. large: a large company, "
    "100,000 candidates and 150,000 applications over 60 openings (a few minutes).",
)
def demo(if_empty: bool, copies: int, scale: str) -> None:
    """Load the catalog, demo users, openings and candidates into an empty database."""
    from tracker.services import demo as demo_service

    if scale != "demo":
        if copies != 1:
            raise click.UsageError("--copies repeats the demo scale only; leave it out.")
        _demo_at_scale(SCALES[scale], if_empty)
        return
    try:
        result = demo_service.load_demo(copies=copies)
    except demo_service.NotDemoDatabase as exc:
        if if_empty:
            click.echo(f"Demo data not loaded: {exc}")
            return
        raise click.ClickException(str(exc)) from None
    if result.loaded:
        click.echo(
            f"Demo data loaded: {result.openings} openings, {result.candidates} candidates, "
            f"{result.events} stage moves, {result.interviews} interviews."
        )
    else:
        click.echo("Demo data is already loaded; nothing was changed.")
    _echo_logins(result.password_hint, result.logins)


def _demo_at_scale(scale: Scale, if_empty: bool) -> None:
    from tracker.services import demo_large

    try:
        if demo_large.already_loaded(scale):  # refusals come before the progress bar
            result = demo_large.load_large(scale)
        else:
            with click.progressbar(
                length=scale.applications, label=f"Loading the {scale.name} demo", show_pos=True
            ) as bar:
                result = demo_large.load_large(scale, progress=bar.update)
    except demo_large.NotDemoDatabase as exc:
        if if_empty:
            click.echo(f"Demo data not loaded: {exc}")
            return
        raise click.ClickException(str(exc)) from None
    if result.loaded:
        rows = ", ".join(f"{n:,} {table}" for table, n in result.rows.items())
        click.echo(f"The {scale.name} demo loaded in {result.seconds:.0f} s: {rows}.")
    else:
        click.echo(f"The {scale.name} demo is already loaded; nothing was changed.")
    _echo_logins(result.password_hint, result.logins)


def _echo_logins(password_hint: str, logins: list[tuple[str, str]]) -> None:
    click.echo("")
    click.echo("Demo logins (password for all: " + password_hint + "):")
    for email, roles in logins:
        click.echo(f"  {email:<26} {roles}")


@audit_cli.command("verify")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(min=1))
def audit_verify(batch_size: int) -> None:
    """Walk the hash chain in id order; exit 1 naming the first broken entry."""
    from tracker.services import audit

    result = audit.verify(batch_size)
    if result.broken is not None:
        click.echo(f"Broken at entry #{result.broken.entry_id}: {result.broken.reason}")
        raise SystemExit(1)
    click.echo(f"Audit trail intact: {result.count} entries.")
    click.echo(f"Last hash: {result.last_hash} (keep it elsewhere to detect a cut tail).")


def register(app: Flask) -> None:
    app.cli.add_command(catalog_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo)
