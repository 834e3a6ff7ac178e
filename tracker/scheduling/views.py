"""Scheduling pages: book, move and cancel an application's interviews; calendar invites."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from tracker.domain import policy
from tracker.domain.errors import DomainError, NotFound
from tracker.domain.pipeline import Status
from tracker.domain.scoring import FieldErrors
from tracker.extensions import db
from tracker.forms import show_domain_error
from tracker.models import Application, Interview
from tracker.scheduling.forms import cancel_form, reschedule_form, schedule_form
from tracker.services import applications, scheduling
from tracker.web import viewer_zone

bp = Blueprint("scheduling", __name__)

FormKey = tuple[str, int]  # ("schedule", plan interview id) | ("reschedule"|"cancel", interview id)


def _application_or_404(application_id: int) -> Application:
    """The application if the user may schedule it: 404 if they may not see it, else 403."""
    try:
        application = applications.get_application(application_id, current_user)
    except NotFound:
        abort(404)
    if not policy.can_schedule(current_user, application.opening):
        abort(403)
    return application


def _interview_or_404(interview_id: int) -> Interview:
    try:
        return scheduling.get_interview(interview_id, current_user)
    except NotFound:
        abort(404)


def _page_url(application_id: int, anchor: str = "") -> str:
    url = url_for("scheduling.show", application_id=application_id)
    return url + (f"#{anchor}" if anchor else "")


def render_page(
    application: Application,
    bound: tuple[FormKey, FlaskForm] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The scheduling page; `bound` replaces one form with the one the user sent."""
    page = scheduling.schedule_page(application)
    zone = viewer_zone().key
    people = scheduling.interviewers()
    forms: dict[FormKey, FlaskForm] = {}
    for planned in page.planned:
        live = planned.live
        if live is not None:
            forms[("reschedule", live.id)] = reschedule_form(live, zone, people, posted=False)
            forms[("cancel", live.id)] = cancel_form(live, posted=False)
        elif page.schedulable:
            forms[("schedule", planned.plan_interview.id)] = schedule_form(
                planned.plan_interview, zone, people, posted=False
            )
    stray: list[str] = []
    if bound:
        key, form = bound
        if key in forms:
            forms[key] = form
        else:  # the form is no longer on the page (cancelled meanwhile...): say why on top
            stray = [m for errors in form.errors.values() for m in errors] + list(form.form_errors)
    return render_template(
        "scheduling/show.html",
        page=page,
        application=application,
        forms=forms,
        open_key=bound[0] if bound else None,
        stray_errors=stray,
        zone=zone,
    ), status


@bp.route("/applications/<int:application_id>/interviews")
@login_required
def show(application_id: int) -> tuple[str, int]:
    return render_page(_application_or_404(application_id))


@bp.route(
    "/applications/<int:application_id>/interviews/<int:plan_interview_id>/schedule",
    methods=["POST"],
)
@login_required
def schedule(application_id: int, plan_interview_id: int) -> Response | tuple[str, int]:
    application = _application_or_404(application_id)
    try:
        plan_interview = scheduling.get_plan_interview(application, plan_interview_id)
    except NotFound:
        abort(404)
    zone = viewer_zone().key
    form = schedule_form(plan_interview, zone, scheduling.interviewers(), posted=True)
    if form.validate_on_submit():
        try:
            interview = scheduling.schedule(
                application,
                plan_interview.id,
                form.starts_at_utc(),
                form.duration_minutes.data,
                form.video_url.data or "",
                form.interviewer_ids.data or [],
                current_user,
            )
        except scheduling.NotPermitted:
            abort(403)
        except (DomainError, FieldErrors) as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            flash(f"{plan_interview.name} scheduled for {_when(interview)}.", "success")
            return redirect(_page_url(application.id, f"slot-{plan_interview.id}"))
    return render_page(application, (("schedule", plan_interview.id), form), 422)


def _changeable(interview_id: int) -> tuple[Interview, Application]:
    """The interview and its application, if the user may schedule for its opening."""
    interview = _interview_or_404(interview_id)
    application = interview.application
    if not policy.can_schedule(current_user, application.opening):
        abort(403)
    return interview, application


@bp.route("/interviews/<int:interview_id>/reschedule", methods=["POST"])
@login_required
def reschedule(interview_id: int) -> Response | tuple[str, int]:
    interview, application = _changeable(interview_id)
    form = reschedule_form(interview, viewer_zone().key, scheduling.interviewers(), posted=True)
    if form.validate_on_submit():
        try:
            scheduling.reschedule(
                interview,
                form.starts_at_utc(),
                form.duration_minutes.data,
                form.video_url.data or "",
                form.interviewer_ids.data or [],
                form.reason.data or "",
                current_user,
            )
        except scheduling.NotPermitted:
            abort(403)
        except (DomainError, FieldErrors) as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            flash(f"{interview.plan_interview.name} rescheduled to {_when(interview)}.", "success")
            return redirect(_page_url(application.id, f"slot-{interview.plan_interview_id}"))
    return render_page(application, (("reschedule", interview.id), form), 422)


@bp.route("/interviews/<int:interview_id>/cancel", methods=["POST"])
@login_required
def cancel(interview_id: int) -> Response | tuple[str, int]:
    interview, application = _changeable(interview_id)
    form = cancel_form(interview, posted=True)
    if form.validate_on_submit():
        try:
            scheduling.cancel(interview, form.reason.data or "", current_user)
        except scheduling.NotPermitted:
            abort(403)
        except (DomainError, FieldErrors) as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            flash(f"{interview.plan_interview.name} cancelled.", "success")
            return redirect(_page_url(application.id, f"slot-{interview.plan_interview_id}"))
    return render_page(application, (("cancel", interview.id), form), 422)


@bp.route("/interviews/<int:interview_id>/invite.ics")
@login_required
def invite(interview_id: int) -> Response:
    """The calendar invite, for the interviewers and those who schedule; 404 for others."""
    interview = _interview_or_404(interview_id)
    response = Response(scheduling.calendar_invite(interview), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="interview-{interview.id}.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _when(interview: Interview) -> str:
    return interview.starts_at.astimezone(viewer_zone()).strftime("%Y-%m-%d %H:%M %Z")


# --- The candidate page's interview list ----------------------------------------------


@dataclass
class ApplicationInterviews:
    interviews: list[Interview]
    can_schedule: bool


@bp.app_template_global("application_interviews")
def application_interviews(application: Application) -> ApplicationInterviews:
    """One application's interviews for the candidate page. The first call loads those of
    all the candidate's applications at once, so the page's query count stays flat."""
    cache: dict[int, dict[int, list[Interview]]] = g.setdefault("_interviews_by_candidate", {})
    if application.candidate_id not in cache:
        cache[application.candidate_id] = scheduling.interviews_of_candidate(
            application.candidate_id
        )
    return ApplicationInterviews(
        interviews=cache[application.candidate_id].get(application.id, []),
        can_schedule=application.status == Status.ACTIVE.value
        and policy.can_schedule(current_user, application.opening),
    )
