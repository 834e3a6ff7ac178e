"""Send people to the page for their work."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index() -> Response:
    return redirect(url_for("openings.index"))
