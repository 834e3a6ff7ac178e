"""The requirement insight report on hand-built data sets: each test states the figures it
expects, worked out by hand, and checks the scope rules (visibility, independent
judgement, filters) and the fixed number of queries."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select

from tests.factories import make_application, make_interview, make_opening, make_user, move_to_stage
from tests.queries import recorded_queries
from tests.review_helpers import write_scorecard
from tracker.domain.reports import Section
from tracker.extensions import db
from tracker.models import (
    Application,
    Opening,
    PlanInterview,
    PlanInterviewFocus,
    PlanStage,
    Requirement,
    User,
)
from tracker.models.types import utcnow
from tracker.services.catalog import requirement_set
from tracker.services.report_scope import ReportFilter, Scope
from tracker.services.requirement_report import (
    SECTIONS,
    outcome,
    ratings,
    rejections,
    unassessed,
)

# ---- helpers -----------------------------------------------------------------------------


def table(section: Section) -> list[dict[str, Any]]:
    """The rows as {column key: value}, in the section's order."""
    keys = [c.key for c in section.columns]
    return [dict(zip(keys, row, strict=True)) for row in section.rows]


def by_requirement(section: Section) -> dict[str, dict[str, Any]]:
    return {row["requirement"]: row for row in table(section)}


def text_of(requirement_id: int) -> str:
    return db.session.get(Requirement, requirement_id).text


def section_of(requirement_id: int) -> str:
    return db.session.get(Requirement, requirement_id).section


def candidate(
    opening: Opening,
    recruiter: User,
    name: str,
    cards: list[tuple[User, dict[int, str | None]]],
    status: str = "active",
    *,
    interview: str = "Peer interview 1",
    also_assigned: tuple[User, ...] = (),
    draft: tuple[User, dict[int, str | None]] | None = None,
) -> Application:
    """An application in the Peer stage with one interview (`interview`), a submitted
    scorecard by each author in `cards` ({requirement id: rating}), an optional draft, and
    the final `status`. Interviewers in `also_assigned` are assigned and submit nothing."""
    application = make_application(opening, recruiter, name=name)
    move_to_stage(application, "peer")
    authors = [author for author, _ in cards]
    if draft:
        authors.append(draft[0])
    held = make_interview(application, [*authors, *also_assigned], interview)
    for author, rated in cards:
        write_scorecard(held, author, {r: (v, "") for r, v in rated.items()}, "yes")
    if draft:
        write_scorecard(
            held, draft[0], {r: (v, "") for r, v in draft[1].items()}, "no", status="draft"
        )
    application.status = status
    db.session.commit()
    return application


@pytest.fixture
def opening(people) -> Opening:
    return make_opening(people["hm"], people["recruiter"])


@pytest.fixture
def reqs(opening) -> list[int]:
    """The opening's requirement ids in document order (shared, levels, specialty)."""
    return [item.requirement_id for item in requirement_set(opening)]


@pytest.fixture
def pete(app) -> User:
    return make_user("pete@test.example", "Pete Peer", ["interviewer"])


@pytest.fixture
def quinn(app) -> User:
    return make_user("quinn@test.example", "Quinn Peer", ["interviewer"])


def admin_scope(people, **filters) -> Scope:
    return Scope(people["admin"], ReportFilter(**filters))


# ---- How each requirement is rated ---------------------------------------------------------


def test_ratings_counts_each_rating_of_submitted_scorecards(people, opening, reqs, pete) -> None:
    """A: Strong yes (Ivy) and No (Pete) -> assessed 2; B: Not assessed and blank -> 0
    assessed, 2 not assessed. Dee's draft (Strong no on A) counts nowhere."""
    a, b = reqs[:2]
    dee = make_user("dee@test.example", "Dee Drafter", ["interviewer"])
    candidate(
        opening,
        people["recruiter"],
        "Ada",
        [(people["interviewer"], {a: "strong_yes", b: "not_assessed"}), (pete, {a: "no", b: None})],
        draft=(dee, {a: "strong_no"}),
    )
    rows = by_requirement(ratings(admin_scope(people)))
    assert set(rows) == {text_of(a), text_of(b)}
    assert rows[text_of(a)] == {
        "requirement": text_of(a),
        "section": section_of(a),
        "role": "Security Engineer",
        "assessed": 2,
        "strong_no": 0,
        "no": 1,
        "yes": 0,
        "strong_yes": 1,
        "not_assessed": 0,
    }
    b_row = rows[text_of(b)]
    assert (b_row["assessed"], b_row["not_assessed"]) == (0, 2)


# ---- How ratings go with the outcome -------------------------------------------------------


@pytest.fixture
def decided(people, opening, reqs, pete):
    """Four decided applications rated by Ivy, plus noise that must not count.

                 H1 hired    H2 hired    J1 rejected  J2 rejected
    A            Strong yes  Strong yes  No           Strong no     scores 4 4 2 1
    B            Yes         Yes         Yes          Yes           does not vary
    C            Strong yes  Yes         -            -             hired only
    D            No          No          Yes          Strong yes    scores 2 2 3 4

    A: n 4, Σx 11, Σy 2, Σxy 8, Σx² 37, Σy² 2 -> r = (4·8 - 11·2) / √((4·37 - 121)(4·2 - 4))
       = 10 / √108 = 0.9623; mean when hired 4.00, when rejected 1.50.
    D: Σx 11, Σxy 4, Σx² 33 -> r = (16 - 22) / √(11·4) = -6 / √44 = -0.9045;
       hired 2.00, rejected 3.50.
    Noise: a withdrawn and an active application (A Strong no / Strong yes), Pete's Not
    assessed of A on J1, Dee's draft (A Strong no) on H1.
    """
    a, b, c, d = reqs[:4]
    ivy = people["interviewer"]
    dee = make_user("dee@test.example", "Dee Drafter", ["interviewer"])
    rec = people["recruiter"]
    candidate(
        opening,
        rec,
        "H1",
        [(ivy, {a: "strong_yes", b: "yes", c: "strong_yes", d: "no"})],
        "hired",
        draft=(dee, {a: "strong_no"}),
    )
    candidate(opening, rec, "H2", [(ivy, {a: "strong_yes", b: "yes", c: "yes", d: "no"})], "hired")
    candidate(
        opening,
        rec,
        "J1",
        [(ivy, {a: "no", b: "yes", d: "yes"}), (pete, {a: "not_assessed"})],
        "rejected",
    )
    candidate(opening, rec, "J2", [(ivy, {a: "strong_no", b: "yes", d: "strong_yes"})], "rejected")
    candidate(opening, rec, "Walked", [(ivy, {a: "strong_no"})], "withdrawn")
    candidate(opening, rec, "Still here", [(ivy, {a: "strong_yes"})], "active")
    return a, b, c, d


def test_outcome_correlation_worked_by_hand(people, decided) -> None:
    a, b, c, d = decided
    section = outcome(admin_scope(people))
    rows = table(section)
    # strongest first whatever the sign, then those without a correlation in document order
    assert [r["requirement"] for r in rows] == [text_of(x) for x in (a, d, b, c)]
    first, second, flat, one_sided = rows
    assert first["ratings"] == 4
    assert first["correlation"] == pytest.approx(10 / math.sqrt(108))
    assert first["correlation"] == pytest.approx(0.9623, abs=1e-4)
    assert (first["mean_hired"], first["mean_rejected"]) == (4.0, 1.5)
    assert first["reading"] == "Strong (goes with hiring)"
    assert second["correlation"] == pytest.approx(-0.9045, abs=1e-4)
    assert (second["mean_hired"], second["mean_rejected"]) == (2.0, 3.5)
    assert second["reading"] == "Strong (goes with rejection)"
    assert (flat["ratings"], flat["correlation"], flat["reading"]) == (4, None, "Too few outcomes")
    assert (flat["mean_hired"], flat["mean_rejected"]) == (3.0, 3.0)
    assert (one_sided["ratings"], one_sided["correlation"]) == (2, None)
    assert (one_sided["mean_hired"], one_sided["mean_rejected"]) == (3.5, None)
    assert one_sided["reading"] == "Too few outcomes"
    assert section.chart is not None and section.chart.values == ("correlation",)
    assert "correlation over ratings, not a cause" in section.description
    assert "Pearson" in section.description and "point-biserial" in section.description
    assert "withdrawn" in section.description and "at least 3 ratings" in section.description


def test_outcome_needs_decided_applications(people, opening, reqs) -> None:
    a = reqs[0]
    candidate(opening, people["recruiter"], "Open", [(people["interviewer"], {a: "yes"})])
    section = outcome(admin_scope(people))
    assert section.rows == ()
    assert section.empty.startswith("Needs hired and rejected applications with scorecards")


# ---- Requirements behind rejections --------------------------------------------------------


def test_rejections_rank_requirements_by_rejected_applications_with_a_no(
    people, opening, reqs, pete
) -> None:
    """Rejected: R1 (A No, B Strong no), R2 (A Strong no by Ivy and No by Pete: one
    application), R3 (B Yes only), R4 (no scorecard), R5 (only a draft: A No). Hired and
    active applications with A No do not count. Security Engineer: 3 rejected applications
    have a submitted scorecard (R1, R2, R3): A 2 of 3 = 67%, B 1 of 3 = 33%.
    Distinguished Engineer: one rejected application, X No: 1 of 1 = 100%; X ties with B
    and comes first by role title."""
    a, b = reqs[:2]
    ivy, rec = people["interviewer"], people["recruiter"]
    dee = make_user("dee@test.example", "Dee Drafter", ["interviewer"])
    candidate(opening, rec, "R1", [(ivy, {a: "no", b: "strong_no"})], "rejected")
    candidate(opening, rec, "R2", [(ivy, {a: "strong_no"}), (pete, {a: "no"})], "rejected")
    candidate(opening, rec, "R3", [(ivy, {b: "yes"})], "rejected")
    candidate(opening, rec, "R4", [], "rejected")
    candidate(opening, rec, "R5", [], "rejected", draft=(dee, {a: "no"}))
    candidate(opening, rec, "Hired", [(ivy, {a: "no"})], "hired")
    candidate(opening, rec, "Active", [(ivy, {a: "strong_no"})], "active")
    other = make_opening(
        people["hm"], rec, "Distinguished Engineer", "distinguished-engineer", "distinguished", None
    )
    x = requirement_set(other)[0].requirement_id
    candidate(other, rec, "DE1", [(ivy, {x: "no"})], "rejected")

    section = rejections(admin_scope(people))
    assert [(r["requirement"], r["role"], r["rejected"]) for r in table(section)] == [
        (text_of(a), "Security Engineer", 2),
        (text_of(x), "Distinguished Engineer", 1),
        (text_of(b), "Security Engineer", 1),
    ]
    assert [round(r["share"], 4) for r in table(section)] == [0.6667, 1.0, 0.3333]


def test_rejections_show_the_top_ten_in_document_order_on_ties(people, opening, reqs) -> None:
    twelve = reqs[:12]
    candidate(
        opening,
        people["recruiter"],
        "Many",
        [(people["interviewer"], dict.fromkeys(twelve, "no"))],
        "rejected",
    )
    rows = table(rejections(admin_scope(people)))
    assert [r["requirement"] for r in rows] == [text_of(r) for r in twelve[:10]]
    assert {(r["rejected"], r["share"]) for r in rows} == {(1, 1.0)}


# ---- Requirements the plan leaves unassessed -----------------------------------------------


def set_focus(opening: Opening, focus: dict[str, list[int]]) -> None:
    """Replace the plan's focus: {plan interview name: requirement ids}."""
    interviews = dict(
        db.session.execute(
            select(PlanInterview.name, PlanInterview.id)
            .join(PlanStage, PlanStage.id == PlanInterview.stage_id)
            .where(PlanStage.opening_id == opening.id)
        ).all()
    )
    db.session.execute(
        delete(PlanInterviewFocus).where(
            PlanInterviewFocus.plan_interview_id.in_(list(interviews.values()))
        )
    )
    db.session.add_all(
        PlanInterviewFocus(plan_interview_id=interviews[name], requirement_id=rid)
        for name, ids in focus.items()
        for rid in ids
    )
    db.session.commit()


def test_unassessed_flags_requirements_planned_but_rarely_rated(
    people, opening, reqs, pete, quinn
) -> None:
    """Peer interview 1 has R, S, T in focus; the HM interview has U. Three submitted
    scorecards of Peer interview 1 (and Dee's draft, which does not count):

          Ivy           Pete   Quinn        planned  assessed  rate   anywhere
    R     Yes           -      -            3        1         33%    2 (Ivy's Peer 2 card)
    S     Yes           No     Strong yes   3        3         100%   3
    T     Not assessed  blank  -            3        0         0%     1 (Ivy's Peer 2 card)
    U     no scorecard of the HM interview yet: not listed, counted in the note
    """
    r, s, t, u = reqs[:4]
    set_focus(opening, {"Peer interview 1": [r, s, t], "Hiring manager interview": [u]})
    ivy = people["interviewer"]
    dee = make_user("dee@test.example", "Dee Drafter", ["interviewer"])
    application = candidate(
        opening,
        people["recruiter"],
        "Petra",
        [
            (ivy, {r: "yes", s: "yes", t: "not_assessed"}),
            (pete, {s: "no", t: None}),
            (quinn, {s: "strong_yes"}),
        ],
        draft=(dee, {r: "yes", t: "yes"}),
    )
    second = make_interview(application, [ivy], "Peer interview 2")
    write_scorecard(second, ivy, {r: ("yes", ""), t: ("yes", "")}, "yes")

    section = unassessed(admin_scope(people))
    assert [
        (x["requirement"], x["planned"], x["assessed_planned"], x["assessed_anywhere"], x["flag"])
        for x in table(section)
    ] == [
        (text_of(t), 3, 0, 1, "Never assessed"),
        (text_of(r), 3, 1, 2, "Rarely assessed"),
        (text_of(s), 3, 3, 3, ""),
    ]
    assert [round(x["rate"], 4) for x in table(section)] == [0.0, 0.3333, 1.0]
    assert section.notes == (
        "1 requirement in the plans in scope has no submitted scorecard from its interviews "
        "yet, so it is not listed.",
    )
    assert "50%" in section.description


def test_unassessed_is_empty_until_planned_interviews_have_scorecards(people, opening) -> None:
    """Every requirement of the opening is in some interview's focus by default; none has a
    scorecard yet, so none is judged and the note counts them all."""
    waiting = len(requirement_set(opening))
    section = unassessed(admin_scope(people))
    assert section.rows == ()
    assert section.notes == (
        f"{waiting} requirements in the plans in scope have no submitted scorecard from their "
        "interviews yet, so they are not listed.",
    )
    assert "Once interviewers submit scorecards" in section.empty


# ---- Scope: independence, visibility, filters ------------------------------------------------


def test_independence_keeps_others_ratings_out_where_the_viewer_owes_feedback(
    people, opening, reqs
) -> None:
    """Hal (the hiring manager) owes his Peer interview 1 scorecard on X, so Ivy's Strong no
    on X stays out of his figures; his own Yes on X (HM interview) counts. On Y he owes
    nothing and sees Ivy's No. Rejected applications with a submitted scorecard Hal may
    count: X (his own) and Y -> A: 1 of 2 = 50% for Hal; 2 of 2 = 100% for the admin."""
    a = reqs[0]
    hal, ivy, rec = people["hm"], people["interviewer"], people["recruiter"]
    x = make_application(opening, rec, name="X")
    hm_interview = make_interview(x, [hal], stage_key="hiring_manager")
    write_scorecard(hm_interview, hal, {a: ("yes", "")}, "yes")
    move_to_stage(x, "peer")
    peer = make_interview(x, [hal, ivy], "Peer interview 1")
    write_scorecard(peer, ivy, {a: ("strong_no", "")}, "no")
    x.status = "rejected"
    db.session.commit()
    candidate(opening, rec, "Y", [(ivy, {a: "no"})], "rejected")

    hal_view, admin_view = Scope(hal), admin_scope(people)
    mine = by_requirement(ratings(hal_view))[text_of(a)]
    assert (mine["yes"], mine["no"], mine["strong_no"]) == (1, 1, 0)
    everyone = by_requirement(ratings(admin_view))[text_of(a)]
    assert (everyone["yes"], everyone["no"], everyone["strong_no"]) == (1, 1, 1)
    assert [(r["rejected"], r["share"]) for r in table(rejections(hal_view))] == [(1, 0.5)]
    assert [(r["rejected"], r["share"]) for r in table(rejections(admin_view))] == [(2, 1.0)]


def test_independence_applies_to_every_section(people, opening, reqs) -> None:
    """All the data sits on applications where Hal still owes his Peer interview 2
    scorecard: the admin sees every section filled, Hal sees none of it."""
    a = reqs[0]
    ivy, hal, rec = people["interviewer"], people["hm"], people["recruiter"]
    for name, status, rating in (
        ("P1", "hired", "strong_yes"),
        ("P2", "hired", "yes"),
        ("P3", "rejected", "no"),
        ("P4", "rejected", "strong_no"),
    ):
        application = candidate(opening, rec, name, [(ivy, {a: rating})], status)
        make_interview(application, [hal], "Peer interview 2")
    for _key, build in SECTIONS:
        assert build(admin_scope(people)).rows, _key
        assert build(Scope(hal)).rows == (), _key


def test_another_hiring_manager_sees_nothing(people, opening, reqs) -> None:
    a = reqs[0]
    ivy, rec = people["interviewer"], people["recruiter"]
    candidate(opening, rec, "H", [(ivy, {a: "strong_yes"})], "hired")
    candidate(opening, rec, "J", [(ivy, {a: "no"})], "rejected")
    for viewer in (people["other_hm"], people["other_recruiter"]):
        for _key, build in SECTIONS:
            section = build(Scope(viewer))
            assert section.rows == () and section.notes == (), (viewer.name, _key)
    assert all(build(admin_scope(people)).rows for _key, build in SECTIONS)


def test_filters_narrow_every_figure(people, opening, reqs) -> None:
    """A shared requirement A, rated Yes on the Staff SIRT opening (an application that
    arrived ten days ago) and No on a Senior opening (arrived now)."""
    a = reqs[0]
    ivy, rec = people["interviewer"], people["recruiter"]
    old = candidate(opening, rec, "Old", [(ivy, {a: "yes"})])
    old.created_at = utcnow() - timedelta(days=10)
    senior = make_opening(
        people["hm"], rec, "Senior Security Engineer", level="senior", specialty=None
    )
    candidate(senior, rec, "New", [(ivy, {a: "no"})])
    db.session.commit()

    def counts(**filters) -> tuple[int, int] | None:
        row = by_requirement(ratings(admin_scope(people, **filters))).get(text_of(a))
        return None if row is None else (row["yes"], row["no"])

    assert counts() == (1, 1)
    assert counts(opening_id=opening.id) == (1, 0)
    assert counts(level_id=senior.level_id) == (0, 1)
    assert counts(since=utcnow() - timedelta(days=5)) == (0, 1)
    assert counts(until=utcnow() - timedelta(days=5)) == (1, 0)
    assert counts(role_id=senior.role_id) == (1, 1)
    other_role = db.session.scalar(
        select(Requirement.role_id).where(Requirement.role_id != senior.role_id)
    )
    assert counts(role_id=other_role) is None
    # Both default plans put the role's Technical requirements in Peer interview 1's focus,
    # and each opening has one scorecard of it: planned 2 in all, 1 for each opening.
    technical = [i.text for i in requirement_set(opening) if i.category == "Technical"]
    for filters, planned in (
        ({}, 2),
        ({"opening_id": opening.id}, 1),
        ({"opening_id": senior.id}, 1),
        ({"since": utcnow() - timedelta(days=5)}, 1),
    ):
        rows = table(unassessed(admin_scope(people, **filters)))
        assert sorted(r["requirement"] for r in rows) == sorted(technical), filters
        assert {(r["planned"], r["flag"]) for r in rows} == {(planned, "Never assessed")}


def test_empty_states_say_what_to_do_next(people) -> None:
    scope = admin_scope(people)
    empties = {key: build(scope) for key, build in SECTIONS}
    assert all(section.rows == () for section in empties.values())
    assert "Once interviewers submit their scorecards" in empties["requirement-ratings"].empty
    assert empties["requirement-outcome"].empty.startswith(
        "Needs hired and rejected applications with scorecards"
    )
    assert "Once interviewers submit scorecards" in empties["requirement-rejections"].empty
    assert "Once interviewers submit scorecards" in empties["requirement-unassessed"].empty


# ---- A fixed number of queries -------------------------------------------------------------


def queries_per_section(viewer: User) -> dict[str, int]:
    scope = Scope(viewer)
    scope.withheld()  # the one query every section shares, made once per scope
    counts = {}
    for key, build in SECTIONS:
        with recorded_queries() as statements:
            build(scope)
        counts[key] = len(statements)
    return counts


def test_each_section_makes_one_query_however_much_data(people, opening, reqs, pete) -> None:
    ivy, rec = people["interviewer"], people["recruiter"]

    def add_round(tag: str) -> None:
        for n, (status, rating) in enumerate(
            (("hired", "strong_yes"), ("rejected", "no"), ("rejected", "strong_no"))
        ):
            candidate(
                opening,
                rec,
                f"{tag}{n}",
                [(ivy, dict.fromkeys(reqs[:6], rating)), (pete, {reqs[0]: "yes"})],
                status,
            )

    add_round("a")
    small = queries_per_section(people["admin"]), queries_per_section(people["hm"])
    for tag in "bcdefgh":
        add_round(tag)
    large = queries_per_section(people["admin"]), queries_per_section(people["hm"])
    assert small == large
    assert set(small[0].values()) == {1} and set(small[1].values()) == {1}


def test_sections_are_in_page_order_with_unique_keys() -> None:
    assert [key for key, _build in SECTIONS] == [
        "requirement-ratings",
        "requirement-outcome",
        "requirement-rejections",
        "requirement-unassessed",
    ]
    assert [build.__name__ for _key, build in SECTIONS] == [
        "ratings",
        "outcome",
        "rejections",
        "unassessed",
    ]


# ---- The page -----------------------------------------------------------------------------


def test_the_page_and_its_csv_show_the_sections(client, auth, people, decided) -> None:
    assert auth.login("admin@test.example").status_code == 302
    page = client.get("/reports/requirements")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for key, _build in SECTIONS:
        assert f'id="{key}"' in html
    assert "Strong (goes with hiring)" in html and "+0.96" in html and "-0.90" in html
    csv = client.get("/reports/requirements.csv?section=requirement-outcome")
    assert csv.status_code == 200
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0] == (
        "Requirement,Section,Role,Ratings on decided applications,Mean when hired,"
        "Mean when rejected,Correlation,Reading"
    )
    assert lines[1].endswith(",4,4.0,1.5,0.962,Strong (goes with hiring)")
