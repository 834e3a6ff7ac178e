"""The large demo's generator (tracker.domain.demo_scale), pure: a tiny company built on
a made-up plan, and the rules its rows must keep."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from tests.demo_support import TINY
from tracker.domain import demo_scale as ds
from tracker.domain.pipeline import DEFAULT_PLAN, Stage, StageKind
from tracker.domain.scoring import (
    RECOMMENDATION_SCORES,
    Rating,
    RatingInput,
    Recommendation,
    check_scorecard,
)

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
STAGE_KEYS = [t.key for t in DEFAULT_PLAN]
FOCUS_SIZES = {  # like the real default focus of a senior opening
    "Recruiter screening call": 16,
    "Hiring manager interview": 6,
    "Peer interview 1": 9,
    "Peer interview 2": 17,
    "Director / CISO interview": 8,
}


def job(scale: ds.Scale = TINY, seed: int = 7) -> tuple:
    """What the service hands demo_scale.generate, on plans shaped like the default one."""
    rng = random.Random(seed)
    people = ds.staff(scale, rng, first_id=1)
    specs = ds.opening_specs(scale, rng, people)
    ids = iter(range(1, 10**6))
    openings = []
    for number, spec in enumerate(specs, start=1):
        stages = []
        for template in DEFAULT_PLAN:
            interviews = tuple(
                ds.PlanInterviewShape(
                    next(ids),
                    t.name,
                    position,
                    t.duration_minutes,
                    t.conducted_by,
                    tuple(
                        ds.FocusItem(rid, rid + 5000, f"req-{rid}", 1, "Technical")
                        for rid in range(
                            100 * position + 1, 100 * position + 1 + FOCUS_SIZES[t.name]
                        )
                    ),
                )
                for position, t in enumerate(template.interviews)
            )
            stages.append(
                ds.StageShape(next(ids), template.key, template.name, template.kind, interviews)
            )
        openings.append(ds.OpeningShape(number, spec, tuple(stages)))
    first_ids = {t: 1 for t in ds.TABLES}
    return scale, rng, NOW, openings, people, first_ids, 100


def collect(chunks) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {t: [] for t in ds.TABLES}
    for chunk in chunks:
        for table, chunk_rows in chunk.rows.items():
            rows[table].extend(chunk_rows)
    return rows


def build(scale: ds.Scale = TINY, seed: int = 7) -> tuple[dict[str, list[dict]], list]:
    """Everything the generator makes for `scale`, and the openings it made it for."""
    args = job(scale, seed)
    return collect(ds.generate(*args)), args[3]


@pytest.fixture(scope="module")
def tiny() -> tuple[dict[str, list[dict]], list]:
    return build()


def stage_lookup(openings: list) -> dict[int, tuple[int, ds.StageShape]]:
    return {s.id: (i, s) for o in openings for i, s in enumerate(o.stages)}


# --- The tables ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(ds.FUNNEL))
def test_each_stage_outcomes_add_up(key: str) -> None:
    odds = ds.FUNNEL[key]
    assert odds.advance + odds.reject + odds.withdraw + odds.stay == pytest.approx(1)
    assert 0 < odds.days[0] < odds.days[1]


def test_the_funnel_covers_every_stage_but_hired() -> None:
    assert list(ds.FUNNEL) == [k for k in STAGE_KEYS if k != "hired"]
    assert list(ds.STRENGTH) == STAGE_KEYS
    strengths = list(ds.STRENGTH.values())
    assert strengths == sorted(strengths)  # the further, the stronger


def test_the_funnel_narrows_and_few_reach_an_offer() -> None:
    reach = ds.expected_reach()
    assert list(reach) == STAGE_KEYS
    shares = list(reach.values())
    assert all(later < earlier for earlier, later in pairwise(shares)), reach
    assert reach["peer"] < 0.5  # most applications stop at the screen or the manager
    assert reach["offer"] < 0.03
    assert 0.005 < reach["hired"] < reach["offer"]


def test_the_large_scale_makes_enough_interviews() -> None:
    """150,000 applications must make at least 400,000 interviews."""
    assert ds.expected_interviews() * ds.LARGE.applications >= 400_000


def test_the_large_scale_is_the_issue_numbers() -> None:
    assert ds.SCALES["large"] is ds.LARGE
    assert (ds.LARGE.candidates, ds.LARGE.applications, ds.LARGE.openings) == (
        100_000,
        150_000,
        60,
    )
    assert ds.LARGE.interviewers >= 200
    assert ds.LARGE.recruiters == 10


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"applications": 299}, "Every candidate applies at least once"),
        ({"applications": 1201}, "at most 4 times"),
        ({"openings": 4}, "at least 5 openings"),
        ({"interviewers": 2}, "at least 3 interviewer"),
        ({"directors": 1}, "at least 1 director"),
        ({"admins": 0}, "at least 1 admin"),
        ({"days": 30}, "at least 180 days"),
    ],
)
def test_impossible_scales_are_refused(changes: dict, message: str) -> None:
    values = {**TINY.__dict__, **changes}
    with pytest.raises(ValueError, match=message):
        ds.Scale(**values)


# --- People and openings ---------------------------------------------------------------------


def test_staff_keeps_the_demo_logins_and_has_unique_emails() -> None:
    people = ds.staff(ds.LARGE, random.Random(1), first_id=10)
    emails = [p.email for p in people]
    assert len(set(emails)) == len(emails)
    assert [p.id for p in people] == list(range(10, 10 + len(people)))
    by_email = {p.email: p for p in people}
    for email, name, roles, group in ds.DEMO_LOGINS:
        assert (by_email[email].name, by_email[email].roles, by_email[email].group) == (
            name,
            roles,
            group,
        )
    groups = Counter(p.group for p in people)
    assert groups == {
        "admin": 3,
        "recruiter": 10,
        "hiring_manager": 20,
        "director": 3,
        "ciso": 1,
        "interviewer": 200,
    }


def test_user_rows_share_one_password_hash() -> None:
    people = ds.staff(TINY, random.Random(1), first_id=1)
    users, roles = ds.user_rows(people, "the-hash", NOW, first_role_id=1)
    assert {u["password_hash"] for u in users} == {"the-hash"}
    assert len(roles) == sum(len(p.roles) for p in people)
    assert len({r["id"] for r in roles}) == len(roles)


def test_openings_give_the_demo_logins_real_work() -> None:
    people = ds.staff(ds.LARGE, random.Random(3), first_id=1)
    specs = ds.opening_specs(ds.LARGE, random.Random(3), people)
    assert len(specs) == 60
    assert len({s.title for s in specs}) == 60
    assert [s.title for s in specs[:3]] == [o[0] for o in ds.DEMO_OPENINGS]
    managed = Counter(s.hiring_manager.email for s in specs)
    recruited = Counter(s.recruiter.email for s in specs)
    assert managed["hm@example.com"] == 4
    assert managed.most_common(1)[0][0] == "hm@example.com" or managed["hm@example.com"] >= 4
    assert recruited["recruiter@example.com"] >= 10
    assert recruited.most_common(1)[0][0] == "recruiter@example.com"
    panels = Counter(m.email for s in specs for m, _ in s.panel)
    assert panels["peer1@example.com"] >= 12
    assert panels.most_common(1)[0][0] == "peer1@example.com"
    assert all(len({m.email for m, _ in s.panel}) == len(s.panel) for s in specs)
    assert all(s.hiring_manager.email == "hm@example.com" for s in specs if s.weight == 2.0)
    assert Counter(s.status for s in specs) == {"open": 57, "on_hold": 3}


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("scale", [TINY, ds.LARGE], ids=["tiny", "large"])
def test_hm_always_manages_four_openings(scale: ds.Scale, seed: int) -> None:
    people = ds.staff(scale, random.Random(seed), first_id=1)
    specs = ds.opening_specs(scale, random.Random(seed), people)
    managed = Counter(s.hiring_manager.email for s in specs)
    assert managed["hm@example.com"] == 4
    assert len(specs) == scale.openings
    assert {s.director.email for s in specs} >= {"director@example.com"}


# --- The rows ---------------------------------------------------------------------------------


def test_counts_and_contiguous_ids(tiny) -> None:
    rows, _ = tiny
    assert len(rows["candidates"]) == TINY.candidates
    assert len(rows["applications"]) == TINY.applications
    for table, table_rows in rows.items():
        assert [r["id"] for r in table_rows] == list(range(1, len(table_rows) + 1)), table
    # Every key a table's rows carry is the same, as one executemany needs.
    for table, table_rows in rows.items():
        assert len({tuple(sorted(r)) for r in table_rows}) <= 1, table


def test_the_same_seed_makes_the_same_company() -> None:
    first, _ = build(seed=11)
    again, _ = build(seed=11)
    other, _ = build(seed=12)
    assert first == again
    assert first["applications"] != other["applications"]


def test_a_later_run_makes_the_same_rows_moved_in_time() -> None:
    """`now` is on the half hour, so a run an hour (or a week) later differs only in time."""
    args = job(seed=5)
    later = timedelta(days=7, hours=1, minutes=30)
    first = collect(ds.generate(*args))
    moved = collect(ds.generate(*job(seed=5)[:2], NOW + later, *args[3:]))

    def shift(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
        return {
            table: [
                {k: v + later if isinstance(v, datetime) else v for k, v in row.items()}
                for row in table_rows
            ]
            for table, table_rows in rows.items()
        }

    without_evidence = {t: r for t, r in shift(first).items() if t != "decisions"}
    assert without_evidence == {t: r for t, r in moved.items() if t != "decisions"}
    assert len(first["decisions"]) == len(moved["decisions"])


def test_candidates_have_unique_emails_and_distinct_openings(tiny) -> None:
    rows, _ = tiny
    emails = [c["email_normalized"] for c in rows["candidates"]]
    assert len(set(emails)) == len(emails)
    assert all(c["email"] == c["email"].lower() for c in rows["candidates"])
    first_names = {n for n in ds.FIRST + ds.MORE_FIRST}
    assert all(c["name"].split(" ", 1)[0] in first_names for c in rows["candidates"])
    pairs = Counter((a["candidate_id"], a["opening_id"]) for a in rows["applications"])
    assert max(pairs.values()) == 1  # so at most one active per candidate and opening
    per_candidate = Counter(a["candidate_id"] for a in rows["applications"])
    assert max(per_candidate.values()) <= ds.MAX_APPLICATIONS
    created = {c["id"]: c["created_at"] for c in rows["candidates"]}
    for application in rows["applications"]:
        assert created[application["candidate_id"]] <= application["created_at"]


def test_histories_replay_to_the_current_stage_and_status(tiny) -> None:
    rows, openings = tiny
    stages = stage_lookup(openings)
    events = defaultdict(list)
    for event in rows["stage_events"]:
        events[event["application_id"]].append(event)
    assert set(events) == {a["id"] for a in rows["applications"]}
    for application in rows["applications"]:
        history = events[application["id"]]
        first, last = history[0], history[-1]
        assert (first["move"], first["from_stage_id"], first["from_status"]) == (
            "apply",
            None,
            None,
        )
        assert stages[first["to_stage_id"]][1].key == "applied"
        assert first["at"] == application["created_at"]
        for before, after in pairwise(history):
            assert after["from_stage_id"] == before["to_stage_id"]
            assert after["from_status"] == before["to_status"]
            assert before["at"] < after["at"]
        assert (last["to_stage_id"], last["to_status"]) == (
            application["stage_id"],
            application["status"],
        )
        assert last["at"] == application["updated_at"] <= NOW
        assert application["version"] == len(history)
        closed = application["status"] != "active"
        assert (application["closed_at"] is not None) == closed
        if application["status"] == "rejected":
            assert application["rejection_reason"] and last["note"]
        if application["status"] == "hired":
            assert stages[application["stage_id"]][1].kind is StageKind.HIRED
        assert application["created_at"] >= NOW - timedelta(days=TINY.days + 1)


def test_interviews_lie_inside_the_stages_reached(tiny) -> None:
    rows, openings = tiny
    stages = stage_lookup(openings)
    reached: dict[int, dict[int, datetime]] = defaultdict(dict)
    left: dict[tuple[int, int], datetime] = {}
    for event in rows["stage_events"]:
        reached[event["application_id"]].setdefault(event["to_stage_id"], event["at"])
        if event["from_stage_id"] is not None:
            left[(event["application_id"], event["from_stage_id"])] = event["at"]
    applications = {a["id"]: a for a in rows["applications"]}
    for interview in rows["interviews"]:
        app_id = interview["application_id"]
        stage_id = interview["stage_id"]
        assert stage_id in reached[app_id], "an interview at a stage never reached"
        assert stages[stage_id][1].kind is StageKind.INTERVIEW
        assert reached[app_id][stage_id] <= interview["created_at"] <= interview["starts_at"]
        if interview["status"] == "scheduled" and (app_id, stage_id) in left:
            end = interview["starts_at"] + timedelta(minutes=interview["duration_minutes"])
            assert end < left[(app_id, stage_id)], "held after the application moved on"
        if interview["starts_at"] > NOW:
            assert applications[app_id]["status"] == "active" or interview["status"] == "cancelled"


def test_scorecards_follow_their_interview_and_rate_its_focus(tiny) -> None:
    rows, openings = tiny
    plan = {i.id: i for o in openings for s in o.stages for i in s.interviews}
    interviews = {i["id"]: i for i in rows["interviews"]}
    assigned = {(a["interview_id"], a["user_id"]) for a in rows["interview_assignments"]}
    ratings = defaultdict(list)
    for rating in rows["ratings"]:
        ratings[rating["scorecard_id"]].append(rating)
    statuses = Counter()
    for card in rows["scorecards"]:
        interview = interviews[card["interview_id"]]
        assert interview["status"] == "scheduled"
        assert (card["interview_id"], card["author_id"]) in assigned
        assert card["application_id"] == interview["application_id"]
        end = interview["starts_at"] + timedelta(minutes=interview["duration_minutes"])
        assert end <= card["updated_at"] <= NOW, "a scorecard for a future interview"
        focus = plan[interview["plan_interview_id"]].focus
        focus_ids = [f.requirement_id for f in focus]
        given = [
            RatingInput(r["requirement_id"], Rating(r["rating"]), r["evidence"])
            for r in ratings[card["id"]]
        ]
        assert {r.requirement_id for r in given} <= set(focus_ids)
        versions = {f.requirement_id: f.version_id for f in focus}
        assert all(
            versions[r["requirement_id"]] == r["requirement_version_id"]
            for r in ratings[card["id"]]
        )
        submitted = card["status"] == "submitted"
        recommendation = Recommendation(card["recommendation"]) if submitted else None
        check_scorecard(focus_ids, given, recommendation, submitting=submitted)
        assert (card["submitted_at"] is not None) == submitted
        statuses[card["status"]] += 1
    assert statuses["draft"] < statuses["submitted"] / 10
    owed = {
        (i["id"], a["user_id"])
        for i in rows["interviews"]
        for a in rows["interview_assignments"]
        if a["interview_id"] == i["id"]
        and i["status"] == "scheduled"
        and i["starts_at"] + timedelta(minutes=i["duration_minutes"]) < NOW
    } - {(c["interview_id"], c["author_id"]) for c in rows["scorecards"]}
    assert len(owed) + statuses["draft"] > 0  # a few still owed or in draft
    assert len(owed) < statuses["submitted"] / 10
    assert ds.HELD_SCORECARD["draft"] > 0 and ds.HELD_SCORECARD["owed"] > 0


def test_most_stop_early_few_reach_an_offer(tiny) -> None:
    rows, openings = tiny
    stages = stage_lookup(openings)
    furthest: dict[int, int] = defaultdict(int)
    for event in rows["stage_events"]:
        position = stages[event["to_stage_id"]][0]
        furthest[event["application_id"]] = max(furthest[event["application_id"]], position)
    total = len(rows["applications"])
    reach = [sum(1 for f in furthest.values() if f >= k) / total for k in range(len(STAGE_KEYS))]
    assert reach[0] == 1
    assert all(later < earlier for earlier, later in pairwise(reach)), reach
    assert reach[STAGE_KEYS.index("peer")] < 0.5  # most never get past the manager
    assert reach[STAGE_KEYS.index("offer")] < 0.05
    assert reach[STAGE_KEYS.index("hired")] > 0
    status = Counter(a["status"] for a in rows["applications"])
    assert status["rejected"] > total / 2
    assert 0 < status["withdrawn"] < status["rejected"]
    assert 0.03 < status["active"] / total < 0.2
    active_stages = {
        stages[a["stage_id"]][1].key for a in rows["applications"] if a["status"] == "active"
    }
    assert {"applied", "recruiter_screen", "hiring_manager", "peer"} <= active_stages


def test_the_further_a_candidate_got_the_better_their_scorecards() -> None:
    rows, openings = build(ds.Scale("small", 1000, 1500, 6, 3, 3, 3, 3, 12))
    stages = stage_lookup(openings)
    furthest = {a["id"]: stages[a["stage_id"]][0] for a in rows["applications"]}
    scores: dict[int, list[int]] = defaultdict(list)
    for card in rows["scorecards"]:
        if card["status"] == "submitted":
            score = RECOMMENDATION_SCORES[Recommendation(card["recommendation"])]
            scores[furthest[card["application_id"]]].append(score)
    mean = {k: sum(v) / len(v) for k, v in scores.items() if len(v) >= 20}
    screen, peer, hired = (STAGE_KEYS.index(k) for k in ("recruiter_screen", "peer", "hired"))
    assert mean[screen] < mean[peer] < mean[hired]
    assert mean[hired] >= 3  # mostly yes and strong yes
    assert mean[screen] < 2.5  # mostly no


def test_decisions_where_the_pipeline_reached_one(tiny) -> None:
    rows, openings = tiny
    stages = stage_lookup(openings)
    decided = {d["application_id"]: d for d in rows["decisions"]}
    for application in rows["applications"]:
        key = stages[application["stage_id"]][1].key
        status = application["status"]
        expected = (
            "offer"
            if key in ("offer", "hired")
            else "reject"
            if key == "decision" and status == "rejected"
            else None
        )
        decision = decided.get(application["id"])
        assert (decision["outcome"] if decision else None) == expected, (key, status)
        if decision:
            assert decision["evidence"]["scorecards"] and decision["rationale"]
            assert decision["against_aggregate"] == bool(decision["evidence"]["against_note"])
            assert decision["at"] <= application["updated_at"]
    assert {d["outcome"] for d in rows["decisions"]} == {"offer", "reject"}


def test_enough_interviews_per_application_for_the_large_scale() -> None:
    """The large scale must reach 400,000 interviews from 150,000 applications."""
    rows, _ = build(ds.Scale("sample", 2000, 3000, 12, 3, 4, 3, 3, 20))
    held = sum(1 for i in rows["interviews"] if i["status"] == "scheduled")
    assert held / 3000 * ds.LARGE.applications >= 400_000
    assert len(rows["interviews"]) / len(rows["applications"]) < 3.5


def test_rules_stages_match_the_default_plan() -> None:
    _, openings = build(ds.Scale("min", 50, 60, 5, 1, 1, 1, 3, 3))
    assert all(
        o.rules == tuple(Stage(t.key, t.name, t.kind) for t in DEFAULT_PLAN) for o in openings
    )
