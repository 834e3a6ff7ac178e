"""Openings the report tests share: three of the hiring manager and recruiter across two
roles and three levels, and one of someone else's."""

from __future__ import annotations

from tests.factories import make_opening
from tracker.models import Opening


def report_openings(people: dict, hidden_title: str = "H Hidden") -> dict[str, Opening]:
    """A (Staff SIRT), B (Senior AppSec) and D (Distinguished, another role) of hm and
    recruiter; H of the other hiring manager and recruiter."""
    return {
        "a": make_opening(people["hm"], people["recruiter"], title="A Staff SIRT"),
        "b": make_opening(
            people["hm"],
            people["recruiter"],
            title="B Senior AppSec",
            level="senior",
            specialty="application-security",
        ),
        "d": make_opening(
            people["hm"],
            people["recruiter"],
            title="D Distinguished",
            role="distinguished-engineer",
            level="distinguished",
            specialty="secure",
        ),
        "h": make_opening(people["other_hm"], people["other_recruiter"], title=hidden_title),
    }
