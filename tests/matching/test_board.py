"""The matching board and its services, against the database (the engine itself is tested pure beside this)."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mentorby.platform.tenancy import utcnow
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.matching import services as matching
from mentorby.tenants.matching.models import Match, PairRule
from tests import factories as F
from tests.platform.helpers import last_mail

#: Every test here reads and writes as the host city, Lyngby.
pytestmark = pytest.mark.usefixtures("in_host_city")

BOARD = "/lyngby-taarbaek/coordinator/cohorts/{}/matching"


@pytest.fixture
def round_of_three(host_city, create_cohort, create_application):
    """A round with three mentors and three mentees, each pair sharing a field."""
    cohort = create_cohort(host_city, status="selecting")
    people = {}
    for n, field in enumerate(("it", "health", "law"), start=1):
        people[f"mentor_{field}"] = create_application(
            cohort, role="mentor", status="accepted", name=f"Mentor {field}", field=field, industry=field,
            expertise=f"{field} careers, networking", email=f"mentor{n}@example.org")
        people[f"mentee_{field}"] = create_application(
            cohort, status="accepted", name=f"Mentee {field}", field=field, job_goal=f"a job in {field} careers",
            email=f"mentee{n}@example.org")
    # Plain ids: requests commit and expire the objects.
    return cohort.id, {key: application.id for key, application in people.items()}


def _matches(db, **where):
    db.session.expire_all()
    query = select(Match.mentor_id, Match.mentee_id, Match.status).order_by(Match.id)
    for key, value in where.items():
        query = query.where(getattr(Match, key) == value)
    return db.session.execute(query).all()


def test_proposal_pairs_by_field_and_explains_why(db, host_city, round_of_three):
    cohort_id, people = round_of_three
    cohort = db.session.get(Cohort, cohort_id)
    proposal = matching.propose(db.session, cohort)
    assert proposal.unmatched == []
    pairs = {(m.mentor_id, m.mentee_id) for m in matching.live_matches(db.session, cohort)}
    assert pairs == {(people[f"mentor_{f}"], people[f"mentee_{f}"]) for f in ("it", "health", "law")}
    match = matching.live_matches(db.session, cohort)[0]
    assert match.status == "proposed" and match.score > 0
    assert {key for key, points, *_ in match.reasons if points} >= {"field", "goal_expertise", "languages"}


def test_more_mentees_than_places_reports_who_and_why(client, db, login, coordinator, host_city, round_of_three,
                                                      create_application):
    cohort_id, _people = round_of_three
    cohort = db.session.get(Cohort, cohort_id)
    extra = create_application(cohort, status="accepted", name="Mentee extra", field="it").id
    login(coordinator)
    page = client.post(f"{BOARD.format(cohort_id)}/propose", data={"method": "optimal", "priority": "best_total"},
                       headers={"HX-Request": "true"})
    assert page.status_code == 200 and "<html" not in page.text
    assert "every suitable mentor is full" in page.text
    assert len(_matches(db)) == 3
    assert extra not in {mentee for _, mentee, _ in _matches(db)}


def test_no_mentors_is_a_clear_refusal(client, db, login, coordinator, host_city, create_cohort, create_application):
    cohort = create_cohort(host_city, status="selecting")
    create_application(cohort, status="accepted")
    board = BOARD.format(cohort.id)
    login(coordinator)
    assert "Nobody to match yet" in client.get(board).text
    response = client.post(f"{board}/propose", data={"method": "optimal"})
    assert response.status_code == 422 and "Accept at least one mentor" in response.text
    assert _matches(db) == []


def test_assign_pin_and_forbid(client, db, login, coordinator, host_city, round_of_three):
    cohort_id, people = round_of_three
    it_mentor, law_mentor = people["mentor_it"], people["mentor_law"]
    it_mentee = people["mentee_it"]
    login(coordinator)
    client.post(f"{BOARD.format(cohort_id)}/propose", data={"method": "optimal"})
    # Forbid the engine's pair: it disappears and a re-run never proposes it again.
    assert client.post(f"{BOARD.format(cohort_id)}/rule", data={
        "mentor_id": it_mentor, "mentee_id": it_mentee, "kind": "forbid"}).status_code == 302
    client.post(f"{BOARD.format(cohort_id)}/propose", data={"method": "optimal"})
    assert (it_mentor, it_mentee, "proposed") not in _matches(db)
    # Hand-picking a forbidden pair is refused; picking a full mentor too.
    refused = client.post(f"{BOARD.format(cohort_id)}/assign", data={"mentor_id": it_mentor, "mentee_id": it_mentee})
    assert refused.status_code == 422 and "forbidden this pair" in refused.text
    full = client.post(f"{BOARD.format(cohort_id)}/assign", data={
        "mentor_id": law_mentor, "mentee_id": people["mentee_health"]})
    assert full.status_code == 422 and "as many as they can take" in full.text
    # A pin survives a re-run.
    client.post(f"{BOARD.format(cohort_id)}/rule", data={"mentor_id": it_mentor, "mentee_id": it_mentee, "kind": ""})
    client.post(f"{BOARD.format(cohort_id)}/assign", data={"mentor_id": it_mentor, "mentee_id": it_mentee})
    client.post(f"{BOARD.format(cohort_id)}/rule", data={"mentor_id": it_mentor, "mentee_id": it_mentee, "kind": "pin"})
    client.post(f"{BOARD.format(cohort_id)}/propose", data={"method": "stable"})
    assert (it_mentor, it_mentee, "proposed") in _matches(db)
    assert db.session.execute(select(func.count()).select_from(PairRule)).scalar() == 1


def test_publish_tells_both_sides_and_lets_the_round_run(client, db, login, coordinator, host_city, round_of_three,
                                                         create_user):
    cohort_id, people = round_of_three
    login(coordinator)
    move = client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/move", data={"target": "running"})
    assert move.status_code == 422 and "Publish the pairs" in move.text
    client.post(f"{BOARD.format(cohort_id)}/propose", data={"method": "optimal"})
    published = client.post(f"{BOARD.format(cohort_id)}/publish")
    assert published.status_code == 302
    assert {status for _, _, status in _matches(db)} == {"published"}
    mail = last_mail(db, "mentee1@example.org")
    assert mail.kind == "match_published" and "Mentor it" in mail.body
    assert client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/move",
                       data={"target": "running", "early": "1", "note": "Ready"}).status_code == 302
    assert client.post(f"{BOARD.format(cohort_id)}/publish").status_code == 422  # nothing left to publish
    # The mentee sees the mentor in the portal.
    mentee = create_user(city=host_city, role="mentee", email="mentee1@example.org")
    client.post("/logout")
    login(mentee)
    assert "Mentor it" in client.get("/lyngby-taarbaek/portal/").text


def test_end_and_replace_keep_the_history(client, db, login, coordinator, host_city, round_of_three,
                                          create_application):
    cohort_id, people = round_of_three
    cohort = db.session.get(Cohort, cohort_id)
    spare = create_application(cohort, role="mentor", status="accepted", name="Spare Mentor", field="it").id
    login(coordinator)
    client.post(f"{BOARD.format(cohort_id)}/propose", data={"method": "optimal"})
    client.post(f"{BOARD.format(cohort_id)}/publish")
    # Pairs change only while the round runs.
    assert client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/move",
                       data={"target": "running", "early": "1", "note": "Ready"}).status_code == 302
    it_mentee, health_mentee = people["mentee_it"], people["mentee_health"]
    nobody = client.post(f"{BOARD.format(cohort_id)}/{it_mentee}/replace", data={"mentor_id": "", "reason": "x"})
    assert nobody.status_code == 422 and "Choose a mentor for Mentee it in the list first." in nobody.text
    no_reason = client.post(f"{BOARD.format(cohort_id)}/{it_mentee}/replace", data={"mentor_id": spare})
    assert no_reason.status_code == 422 and "short reason" in no_reason.text
    changed = client.post(f"{BOARD.format(cohort_id)}/{it_mentee}/replace",
                          data={"mentor_id": spare, "reason": "Mentor moved abroad"})
    assert changed.status_code == 302
    rows = _matches(db, mentee_id=it_mentee)
    assert [(mentor, status) for mentor, _, status in rows] == [(people["mentor_it"], "replaced"),
                                                                 (spare, "published")]
    early = client.post(f"{BOARD.format(cohort_id)}/{health_mentee}/end", data={"outcome": "ended_early"})
    assert early.status_code == 422
    assert client.post(f"{BOARD.format(cohort_id)}/{health_mentee}/end", data={
        "outcome": "ended_early", "ended_by": "mentee", "reason": "Found a job!"}).status_code == 302
    page = client.get(BOARD.format(cohort_id))
    assert "Mentor moved abroad" in page.text and "Found a job!" in page.text
    assert client.post(f"{BOARD.format(cohort_id)}/{health_mentee}/end", data={"outcome": "completed"}
                       ).status_code == 404  # nothing published left for this mentee


def test_weights_page(client, db, login, coordinator, host_city):
    login(coordinator)
    assert client.get("/lyngby-taarbaek/coordinator/matching/weights").status_code == 200
    data = {"field": "10", "goal_expertise": "50", "languages": "20", "availability": "10", "preference": "10",
            "conflict_policy": "forbid"}
    assert client.post("/lyngby-taarbaek/coordinator/matching/weights", data=data).status_code == 302
    weights, policy = matching.city_weights(db.session)
    assert weights.goal_expertise == 50 and policy == "forbid"
    zero = data | {key: "0" for key in ("field", "goal_expertise", "languages", "availability", "preference")}
    assert client.post("/lyngby-taarbaek/coordinator/matching/weights", data=zero).status_code == 422
    assert client.post("/lyngby-taarbaek/coordinator/matching/weights", data=data | {"field": "-1"}
                       ).status_code == 422


def test_board_queries_do_not_grow_with_the_round(client, db, login, coordinator, host_city, create_cohort,
                                                  create_application, count_queries):
    cohort = create_cohort(host_city, status="selecting", mentor_capacity=100, mentee_capacity=100)
    cohort_id = cohort.id
    login(coordinator)
    counts = []
    for total in (5, 30):
        have = db.session.execute(select(func.count(Match.id))).scalar()
        while len(_matches(db)) < total:
            n = len(_matches(db))
            cohort = db.session.get(Cohort, cohort_id)
            mentor = create_application(cohort, role="mentor", status="accepted", name=f"M{n}")
            mentee = create_application(cohort, status="accepted", name=f"E{n}")
            db.session.add(Match(cohort_id=cohort_id, mentor_id=mentor.id, mentee_id=mentee.id,
                                 status="proposed", score=50, reasons=[["field", 20, ["it"]]]))
            db.session.flush()
        assert have <= total
        with count_queries() as counter:
            assert client.get(BOARD.format(cohort_id)).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_the_keywords_of_a_goal_or_an_expertise():
    assert matching.keywords("Project engineer in wind energy") == {"project", "engineer", "wind", "energy"}
    assert matching.keywords("Ingeniør i vindenergi, og projektledelse") == {"ingeniør", "vindenergi",
                                                                              "projektledelse"}



def test_the_api_lists_a_rounds_pairs(client, db, app, coordinator, host_city, round_of_three, login):
    from mentorby.platform.accounts.services import create_api_token

    cohort_id, people = round_of_three
    login(coordinator)
    client.post(f"{BOARD.format(cohort_id)}/propose", data={"method": "optimal"})
    client.post(f"{BOARD.format(cohort_id)}/publish")
    with app.test_request_context():
        secret = create_api_token(db.session, coordinator, "test").secret
    pairs = client.get(f"/api/v1/cities/lyngby-taarbaek/cohorts/{cohort_id}/matches",
                       headers={"Authorization": f"Bearer {secret}"}).json
    assert {(p["mentor_application_id"], p["mentee_application_id"], p["status"]) for p in pairs} == {
        (people[f"mentor_{f}"], people[f"mentee_{f}"], "published") for f in ("it", "health", "law")}


def test_leaving_the_round_releases_the_pairs(client, db, login, coordinator, host_city, round_of_three):
    cohort_id, people = round_of_three
    login(coordinator)
    client.post(f"{BOARD.format(cohort_id)}/propose", data={"method": "optimal"})
    client.post(f"{BOARD.format(cohort_id)}/publish")
    client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/applications/{people['mentor_it']}/status",
                data={"status": "withdrawn"})
    rows = _matches(db, mentor_id=people["mentor_it"])
    assert [status for _, _, status in rows] == ["ended_early"]
    page = client.get(BOARD.format(cohort_id))
    table = page.text.split('<table class="board">')[1].split("</table>")[0]
    assert page.status_code == 200 and "Mentor it" not in table
    move = client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/move", data={"target": "running"})
    assert move.status_code == 422 and "1 accepted mentees have no published pair" in move.text


def test_pins_that_cannot_all_hold_are_refused_not_crashed(client, db, login, coordinator, host_city,
                                                           round_of_three):
    cohort_id, people = round_of_three
    login(coordinator)
    board = BOARD.format(cohort_id)
    assert client.post(f"{board}/rule", data={"mentor_id": people["mentor_it"], "mentee_id": people["mentee_it"],
                                              "kind": "pin"}).status_code == 302
    second = client.post(f"{board}/rule", data={"mentor_id": people["mentor_law"], "mentee_id": people["mentee_it"],
                                                "kind": "pin"})
    assert second.status_code == 422 and "already pinned" in second.text
    full = client.post(f"{board}/rule", data={"mentor_id": people["mentor_it"], "mentee_id": people["mentee_law"],
                                              "kind": "pin"})
    assert full.status_code == 422 and "as many as they can take" in full.text
    assert client.post(f"{board}/propose", data={"method": "stable"}).status_code == 200
    assert (people["mentor_it"], people["mentee_it"], "proposed") in _matches(db)
    assert client.post(f"{board}/assign", data={"mentor_id": "9" * 30, "mentee_id": "x"}).status_code == 422
    assert client.post(f"{board}/{'9' * 15}/end", data={"outcome": "completed"}).status_code == 404
    weights = "/lyngby-taarbaek/coordinator/matching/weights"
    data = {"field": "sNaN", "goal_expertise": "1", "languages": "1", "availability": "1", "preference": "1",
            "conflict_policy": "flag"}
    assert client.post(weights, data=data).status_code == 422
    tiny = data | {key: "0.001" for key in ("field", "goal_expertise", "languages", "availability", "preference")}
    assert client.post(weights, data=tiny).status_code == 422


def test_groups_leave_kept_pairs_alone(client, db, login, coordinator, host_city, round_of_three,
                                       create_application):
    cohort_id, people = round_of_three
    cohort = db.session.get(Cohort, cohort_id)
    for n in range(4):
        create_application(cohort, role="mentor", status="accepted", name=f"Group mentor {n}", field="it",
                           mentoring_format="group", mentee_capacity=4)
        create_application(cohort, status="accepted", name=f"Group mentee {n}", field="it")
    login(coordinator)
    board = BOARD.format(cohort_id)
    client.post(f"{board}/propose", data={"method": "optimal"})  # the 1:1 mentors take three mentees
    client.post(f"{board}/publish")
    page = client.post(f"{board}/propose", data={"method": "groups"})
    assert page.status_code == 200
    live = _matches(db)
    per_mentee = Counter(mentee for _, mentee, status in live if status in ("proposed", "published"))
    published_mentees = {mentee for _, mentee, status in live if status == "published"}
    assert all(per_mentee[m] == 1 for m in published_mentees)  # kept 1:1 pairs get no group on top


# --- issue 8: every method proposes or says why; the board's proposal is labelled with its run ---------------------


def _one_mentor_round(create_cohort, create_application, city, status="selecting", capacity=1):
    """A round whose only mentor offered one mentee, and two mentees."""
    cohort = create_cohort(city, status=status)
    mentor = create_application(cohort, role="mentor", status="accepted", name="Sofie Holm", field="it",
                                mentoring_format="one", mentee_capacity=capacity)
    mentees = [create_application(cohort, status="accepted", name=name, field="it")
               for name in ("Ana Rodrigues", "Wei Chen")]
    return cohort.id, mentor.id, [m.id for m in mentees]


def test_a_failed_run_says_why_and_leaves_the_labelled_proposal(client, db, login, coordinator, host_city,
                                                                create_cohort, create_application):
    cohort_id, mentor, _mentees = _one_mentor_round(create_cohort, create_application, host_city)
    board = BOARD.format(cohort_id)
    login(coordinator)
    made = client.post(f"{board}/propose", data={"method": "optimal", "priority": "everyone_matched"},
                       headers={"HX-Request": "true"})
    assert made.status_code == 200 and "1 pair proposed with" in made.text
    before = _matches(db)
    failed = client.post(f"{board}/propose", data={"method": "groups", "priority": "best_total"},
                         headers={"HX-Request": "true"})
    assert failed.status_code == 422
    assert ("The run with \u201cGroups: 2 mentors with 3-4 mentees\u201d proposed nothing. No mentor offered to "
            "mentor a group") in failed.text
    assert "Nothing on the board has changed." in failed.text and "proposed with" not in failed.text
    assert "Last run: Best pairs overall (optimal), everyone matched first" in failed.text
    assert '<option value="groups" selected>' in failed.text  # what was tried stays chosen in the answer
    assert _matches(db) == before
    # Reloaded, the board shows the round's choice: the run that made its proposal.
    page = client.get(board)
    assert '<option value="optimal" selected>' in page.text
    assert '<option value="everyone_matched" selected>' in page.text
    assert "Last run: Best pairs overall (optimal), everyone matched first" in page.text
    assert "every suitable mentor is full" in page.text  # the unmatched mentee's reason is kept with the run


def test_the_round_remembers_its_method_and_priority(client, db, login, coordinator, host_city, round_of_three):
    cohort_id, _people = round_of_three
    board = BOARD.format(cohort_id)
    login(coordinator)
    page = client.get(board)
    assert '<option value="optimal" selected>' in page.text and '<option value="best_total" selected>' in page.text
    assert "Last run" not in page.text
    assert client.post(f"{board}/propose", data={"method": "stable", "priority": "everyone_matched"}
                       ).status_code == 200
    page = client.get(board)
    assert '<option value="stable" selected>' in page.text and '<option value="everyone_matched" selected>' in page.text
    assert "Last run: Stable: no two would rather have each other," in page.text  # no priority for stable


@pytest.mark.parametrize(("data", "text"), [
    ({"method": "groups"}, "No mentor offered to mentor a group"),
    ({"method": "magic"}, "Choose one of the options in the list."),
    ({"method": "optimal", "priority": "fastest"}, "Choose one of the options in the list."),
])
def test_runs_that_cannot_propose_are_422_and_change_nothing(client, db, login, coordinator, host_city,
                                                             create_cohort, create_application, data, text):
    cohort_id, _mentor, _mentees = _one_mentor_round(create_cohort, create_application, host_city)
    login(coordinator)
    response = client.post(f"{BOARD.format(cohort_id)}/propose", data=data)
    assert response.status_code == 422 and text in response.text
    assert _matches(db) == []
    assert "Last run" not in client.get(BOARD.format(cohort_id)).text


# --- phases -------------------------------------------------------------------------------------------------------


def test_a_recruiting_round_is_not_matched_and_the_board_says_why(client, db, login, coordinator, host_city,
                                                                  create_cohort, create_application):
    cohort_id, mentor, mentees = _one_mentor_round(create_cohort, create_application, host_city, status="recruiting")
    board = BOARD.format(cohort_id)
    login(coordinator)
    page = client.get(board)
    assert page.status_code == 200 and "Pairs are made once recruitment has closed" in page.text
    assert f'href="/lyngby-taarbaek/coordinator/cohorts/{cohort_id}"' in page.text
    assert "/matching/propose" not in page.text and "/matching/assign" not in page.text
    for url, data in ((f"{board}/propose", {"method": "optimal"}),
                      (f"{board}/assign", {"mentor_id": mentor, "mentee_id": mentees[0]}),
                      (f"{board}/rule", {"mentor_id": mentor, "mentee_id": mentees[0], "kind": "pin"}),
                      (f"{board}/publish", {})):
        response = client.post(url, data=data)
        assert response.status_code == 422 and "Pairs are made once recruitment has closed" in response.text, url
    assert _matches(db) == []
    assert db.session.execute(select(func.count()).select_from(PairRule)).scalar() == 0


def test_pairs_change_or_end_only_while_the_round_runs(client, db, login, coordinator, host_city, round_of_three,
                                                        create_application):
    cohort_id, people = round_of_three
    cohort = db.session.get(Cohort, cohort_id)
    spare = create_application(cohort, role="mentor", status="accepted", name="Spare Mentor", field="it").id
    board = BOARD.format(cohort_id)
    login(coordinator)
    client.post(f"{board}/propose", data={"method": "optimal"})
    client.post(f"{board}/publish")
    page = client.get(board)
    assert "New mentor" not in page.text and "End the pair" not in page.text
    assert "get a new mentor or end only while the round is running" in page.text
    mentee = people["mentee_it"]
    replace = client.post(f"{board}/{mentee}/replace", data={"mentor_id": spare, "reason": "Moved"})
    assert replace.status_code == 422 and "Pairs get a new mentor or end only while the round is running." in (
        replace.text)
    end = client.post(f"{board}/{mentee}/end", data={"outcome": "completed", "ended_by": "coordinator"})
    assert end.status_code == 422
    assert {status for _, _, status in _matches(db)} == {"published"}


# --- the manual picker --------------------------------------------------------------------------------------------


def test_the_picker_chooses_nobody_and_shows_scores_and_places(client, db, login, coordinator, host_city,
                                                               create_cohort, create_application):
    cohort_id, mentor, mentees = _one_mentor_round(create_cohort, create_application, host_city, capacity=2)
    board = BOARD.format(cohort_id)
    login(coordinator)
    page = client.get(board)
    picker = page.text.split(f'id="pick-{mentees[0]}"')[1].split("</select>")[0]
    assert re.match(r' name="mentor_id">\s*<option value="" selected>Choose a mentor…</option>', picker)
    assert re.search(rf'<option value="{mentor}">Sofie Holm – score \d+ – 2 places free</option>', picker)
    assert picker.count("selected") == 1
    nothing = client.post(f"{board}/assign", data={"mentor_id": "", "mentee_id": mentees[0]})
    assert nothing.status_code == 422 and "Choose a mentor for Ana Rodrigues in the list first." in nothing.text
    assert _matches(db) == []
    assert client.post(f"{board}/assign", data={"mentor_id": mentor, "mentee_id": mentees[0]}).status_code == 302
    page = client.get(board, headers={"Accept-Language": "da"})
    picker = page.text.split(f'id="pick-{mentees[1]}"')[1].split("</select>")[0]
    assert re.search(r"Sofie Holm – score \d+ – 1 ledig plads</option>", picker)
    assert "håndplukket" in page.text


def test_forbidden_mentors_cannot_be_picked_and_can_be_allowed_again(client, db, login, coordinator, host_city,
                                                                     round_of_three):
    cohort_id, people = round_of_three
    board = BOARD.format(cohort_id)
    it_mentor, it_mentee = people["mentor_it"], people["mentee_it"]
    login(coordinator)
    client.post(f"{board}/propose", data={"method": "optimal"})
    client.post(f"{board}/rule", data={"mentor_id": it_mentor, "mentee_id": it_mentee, "kind": "forbid"})
    page = client.get(board)
    assert re.search(rf'<option value="{it_mentor}" disabled>Mentor it – score \d+ – forbidden</option>', page.text)
    assert "Allow Mentor it again" in page.text
    client.post(f"{board}/rule", data={"mentor_id": it_mentor, "mentee_id": it_mentee, "kind": ""})
    assert "Allow Mentor it again" not in client.get(board).text
    client.post(f"{board}/propose", data={"method": "optimal"})
    client.post(f"{board}/rule", data={"mentor_id": it_mentor, "mentee_id": it_mentee, "kind": "pin"})
    assert f'id="unpin-{it_mentee}"' in client.get(board).text


# --- the score weights lead back to the board -----------------------------------------------------------------------


def test_the_weights_lead_back_to_the_board_they_came_from(client, db, login, coordinator, host_city, round_of_three,
                                                          other_city, create_cohort):
    cohort_id, _people = round_of_three
    weights = "/lyngby-taarbaek/coordinator/matching/weights"
    login(coordinator)
    assert f'href="{weights}?cohort={cohort_id}"' in client.get(BOARD.format(cohort_id)).text
    page = client.get(f"{weights}?cohort={cohort_id}")
    assert f'href="{BOARD.format(cohort_id)}" id="back-to-board"' in page.text
    assert f'action="{weights}?cohort={cohort_id}"' in page.text
    data = {"field": "10", "goal_expertise": "50", "languages": "20", "availability": "10", "preference": "10",
            "conflict_policy": "flag"}
    saved = client.post(f"{weights}?cohort={cohort_id}", data=data)
    assert saved.status_code == 302 and saved.headers["Location"] == BOARD.format(cohort_id)
    bad = client.post(f"{weights}?cohort={cohort_id}", data=data | {"field": "-1"})
    assert bad.status_code == 422 and "back-to-board" in bad.text
    # Opened from nowhere (or with another city's round), the page lists the boards of the rounds being matched.
    foreign = create_cohort(other_city, name="Aarhus round", status="selecting").id
    for url in (weights, f"{weights}?cohort={foreign}", f"{weights}?cohort=x"):
        page = client.get(url)
        assert page.status_code == 200 and "back-to-board" not in page.text and "Aarhus round" not in page.text
        assert f'href="{BOARD.format(cohort_id)}"' in page.text
    assert client.post(f"{weights}?cohort={foreign}", data=data).headers["Location"] == weights


# --- issue 10: vocabularies, pairs that carry their people, limits from the schema ------------------------------------


def test_a_pairs_codes_are_members_of_their_vocabularies(db, host_city, round_of_three):
    from mentorby.tenants.matching.models import (
        ConflictPolicy,
        EndedBy,
        MatchingRun,
        MatchStatus,
        Method,
        PairRuleKind,
        Priority,
    )

    cohort_id, people = round_of_three
    cohort = db.session.get(Cohort, cohort_id)
    matching.propose(db.session, cohort, method="stable", priority="everyone_matched")
    matching.set_rule(db.session, cohort, people["mentor_it"], people["mentee_it"], "pin")
    matching.save_weights(db.session, {"field": 1, "goal_expertise": 1, "languages": 1, "availability": 1,
                                       "preference": 1, "conflict_policy": "forbid"})
    db.session.expire_all()
    match = db.session.execute(select(Match).order_by(Match.id)).scalars().first()
    run = db.session.execute(select(MatchingRun)).scalar_one()
    rule = db.session.execute(select(PairRule)).scalar_one()
    assert match.status is MatchStatus.PROPOSED
    assert (run.method, run.priority) == (Method.STABLE, Priority.EVERYONE_MATCHED)
    assert isinstance(run.method, Method) and isinstance(run.priority, Priority)
    assert rule.kind is PairRuleKind.PIN
    assert matching.city_weights(db.session)[1] is ConflictPolicy.FORBID
    # A code assigned reads back as its member at once; an unknown one is refused there and then.
    match.ended_by = "mentee"
    assert match.ended_by is EndedBy.MENTEE
    with pytest.raises(ValueError):
        match.status = "finished"


def test_a_pair_carries_its_mentor_its_mentee_and_the_pair_that_replaced_it(client, db, login, coordinator,
                                                                          round_of_three, create_application):
    cohort_id, people = round_of_three
    cohort = db.session.get(Cohort, cohort_id)
    spare = create_application(cohort, role="mentor", status="accepted", name="Spare Mentor", field="it").id
    login(coordinator)
    client.post(f"{BOARD.format(cohort_id)}/propose", data={"method": "optimal"})
    client.post(f"{BOARD.format(cohort_id)}/publish")
    client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/move",
                data={"target": "running", "early": "1", "note": "Ready"})
    assert client.post(f"{BOARD.format(cohort_id)}/{people['mentee_it']}/replace",
                       data={"mentor_id": spare, "reason": "Mentor moved abroad"}).status_code == 302
    db.session.expire_all()
    old, new = db.session.execute(select(Match).where(Match.mentee_id == people["mentee_it"])
                                  .order_by(Match.id)).scalars()
    assert (old.mentor.name, old.mentee.name, new.mentor.name) == ("Mentor it", "Mentee it", "Spare Mentor")
    assert old.replaced_by is new and old.replaced_by_id == new.id and new.replaced_by is None


def test_the_board_names_pairs_and_ended_pairs_in_a_fixed_number_of_queries(client, db, login, coordinator,
                                                                            host_city, create_cohort,
                                                                            create_application, count_queries):
    """Names come from each pair's mentor and mentee, loaded with the board's queries, also for people who left."""
    from mentorby.tenants.matching.models import COMPLETED, ENDED_EARLY, PROPOSED

    cohort = create_cohort(host_city, status="running", mentor_capacity=200, mentee_capacity=200)
    cohort_id = cohort.id
    login(coordinator)
    counts = []
    for total in (5, 30):
        while len(_matches(db)) < 2 * total:
            n = len(_matches(db))
            cohort = db.session.get(Cohort, cohort_id)
            mentor = create_application(cohort, role="mentor", status="accepted", name=f"Mentor {n}")
            mentee = create_application(cohort, status="accepted", name=f"Mentee {n}")
            left = create_application(cohort, status="withdrawn", name=f"Left {n}")
            db.session.add(Match(cohort_id=cohort_id, mentor_id=mentor.id, mentee_id=mentee.id, status=PROPOSED,
                                 score=50, reasons=[["field", 20, ["it"], "field.same"]]))
            db.session.add(Match(cohort_id=cohort_id, mentor_id=mentor.id, mentee_id=left.id,
                                 status=ENDED_EARLY if n % 4 else COMPLETED, end_reason=f"Reason {n}"))
            db.session.flush()
        with count_queries() as counter:
            page = client.get(BOARD.format(cohort_id))
        assert page.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
    ended = page.text.split("Ended pairs")[1]
    assert "Mentor 0 – Left 0: <strong>completed</strong> · Reason 0" in ended
    assert "Mentor 2 – Left 2: <strong>ended early</strong> · Reason 2" in ended
    table = page.text.split('<table class="board">')[1].split("</table>")[0]
    assert "<strong>Mentor 58</strong>" in table and "<strong>?</strong>" not in table


def test_the_boards_choices_are_the_vocabularies(client, db, login, coordinator, round_of_three):
    from flask_babel import force_locale

    from mentorby.tenants.matching.models import ENDINGS, EndedBy, Method, Priority

    cohort_id, people = round_of_three
    board = BOARD.format(cohort_id)
    login(coordinator)
    client.post(f"{board}/propose", data={"method": "optimal"})
    client.post(f"{board}/publish")
    client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/move",
                data={"target": "running", "early": "1", "note": "Ready"})
    page = client.get(board).text

    def options(select_id):
        return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>',
                          page.split(f'id="{select_id}"')[1].split("</select>")[0])

    mentee = people["mentee_it"]
    with force_locale("en"):
        assert options("method") == [(m.value, m.label) for m in Method]
        assert options("priority") == [(p.value, p.label) for p in Priority]
        assert options(f"ended-by-{mentee}") == [(who.value, who.label) for who in EndedBy]
    assert options(f"outcome-{mentee}") == [("completed", "Completed"), ("ended_early", "Ended early")]
    assert [code for code, _label in options(f"outcome-{mentee}")] == [s.value for s in ENDINGS]
    assert f'id="end-reason-{mentee}" name="reason" maxlength="2000"' in page
    danish = client.get(board, headers={"Accept-Language": "da"}).text
    assert ">Afsluttet før tid</option>" in danish and ">Højeste samlede score</option>" in danish


@pytest.mark.parametrize(("form", "text"), [
    ({"outcome": "completed", "ended_by": "coordinator", "reason": "x" * 2001}, "Use at most 2000 characters."),
    ({"outcome": "completed", "ended_by": "the board"}, "Choose one of the options in the list."),
    ({"outcome": "replaced", "ended_by": "mentor"}, "Choose one of the options in the list."),
    ({"outcome": "ended_early", "ended_by": "mentor", "reason": "   "}, "Write a short reason"),
])
def test_a_bad_end_of_a_pair_is_422_and_changes_nothing(client, db, login, coordinator, round_of_three, form, text):
    cohort_id, people = round_of_three
    board = BOARD.format(cohort_id)
    login(coordinator)
    client.post(f"{board}/propose", data={"method": "optimal"})
    client.post(f"{board}/publish")
    client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/move",
                data={"target": "running", "early": "1", "note": "Ready"})
    response = client.post(f"{board}/{people['mentee_law']}/end", data=form)
    assert response.status_code == 422 and text in response.text
    assert {status for _, _, status in _matches(db)} == {"published"}


def test_a_new_mentors_reason_keeps_to_the_schemas_limit(client, db, login, coordinator, round_of_three,
                                                         create_application):
    """The reason's limit is the schema's, as for ending a pair: a longer one is refused, not cut short."""
    cohort_id, people = round_of_three
    spare = create_application(db.session.get(Cohort, cohort_id), role="mentor", status="accepted",
                               name="Spare Mentor", field="it").id
    board = BOARD.format(cohort_id)
    login(coordinator)
    client.post(f"{board}/propose", data={"method": "optimal"})
    client.post(f"{board}/publish")
    client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/move",
                data={"target": "running", "early": "1", "note": "Ready"})
    assert f'id="replace-reason-{people["mentee_it"]}" name="reason" required maxlength="2000"' in (
        client.get(board).text)
    long = client.post(f"{board}/{people['mentee_it']}/replace", data={"mentor_id": spare, "reason": "x" * 2001})
    assert long.status_code == 422 and "Use at most 2000 characters." in long.text
    assert {status for _, _, status in _matches(db)} == {"published"}


def test_only_a_mentee_with_a_published_pair_in_this_round_can_be_ended(client, db, login, coordinator, host_city,
                                                                       round_of_three, create_cohort,
                                                                       create_application):
    cohort_id, people = round_of_three
    board = BOARD.format(cohort_id)
    other = create_cohort(host_city, status="running", name="Another round")
    stranger = create_application(other, status="accepted", name="Other mentee").id
    login(coordinator)
    client.post(f"{board}/propose", data={"method": "optimal"})
    client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/move", data={"target": "running"})
    for mentee in (people["mentee_it"], people["mentor_it"], stranger):  # proposed only, a mentor, another round
        for action in ("end", "replace"):
            assert client.post(f"{board}/{mentee}/{action}", data={"outcome": "completed", "mentor_id": "1",
                                                                   "reason": "x"}).status_code == 404


def test_the_weights_form_takes_its_limits_from_the_schema_and_shows_every_problem_at_once(client, db, login,
                                                                                          coordinator):
    weights = "/lyngby-taarbaek/coordinator/matching/weights"
    login(coordinator)
    page = client.get(weights).text
    assert page.count('max="100"') == 5 and page.count('min="0"') == 5
    bad = client.post(weights, data={"field": "-1", "goal_expertise": "50", "languages": "101", "availability": "",
                                     "preference": "10", "conflict_policy": "sometimes"})
    assert bad.status_code == 422
    summary = bad.text.split('class="error-summary"')[1].split("</div>")[0]
    assert summary.count("Use weights from 0 to 100.") == 2 and "This field is required." in summary
    assert "Not a valid choice." in summary  # the select could not even read it
    assert matching.city_weights(db.session)[0].field == 20  # the defaults: nothing was saved
    assert [error.code for error in _problems(lambda: matching.check_weights(
        {"field": 0.001, "goal_expertise": 0, "languages": 0, "availability": 0.004, "preference": 0,
         "conflict_policy": "flag"}))] == ["all_weights_zero"]
    assert {(error.field, error.code) for error in _problems(lambda: matching.check_weights(
        {"field": "x", "goal_expertise": float("nan"), "languages": 1, "conflict_policy": "maybe"}))} == {
        ("field", "bad_weight"), ("goal_expertise", "bad_weight"), ("availability", "required"),
        ("preference", "required"), ("conflict_policy", "bad_choice")}


def _problems(check):
    with pytest.raises(matching.MatchingError) as refused:
        check()
    return refused.value.problems


@pytest.mark.parametrize("value", ["-1", "99999999999", "0", "1_0x"])
def test_the_weights_page_opened_with_no_round_of_this_city_leads_to_every_board(client, login, coordinator,
                                                                                 round_of_three, value):
    cohort_id, _people = round_of_three
    login(coordinator)
    page = client.get(f"/lyngby-taarbaek/coordinator/matching/weights?cohort={value}")
    assert page.status_code == 200 and "back-to-board" not in page.text
    assert f'href="{BOARD.format(cohort_id)}"' in page.text


def test_the_api_documents_a_pairs_vocabularies(client):
    from mentorby.tenants.matching.models import EndedBy, MatchStatus

    match = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Match"]["properties"]
    assert match["status"]["enum"] == list(MatchStatus.codes())
    assert match["ended_by"]["enum"] == [*EndedBy.codes(), None] and match["ended_by"]["nullable"]


def test_the_board_reads_live_and_ended_pairs_together_newest_ended_first(db, host_city, in_host_city, create_cohort,
                                                                          create_application, count_queries):
    cohort = create_cohort(host_city, status="running")
    mentor = create_application(cohort, role="mentor", status="accepted", name="Anna Mentor")
    gone = create_application(cohort, role="mentor", status="withdrawn", name="Gone Mentor")
    first, second = (create_application(cohort, status="accepted", name=name) for name in ("Bo", "Cai"))
    now = utcnow()

    def pair(mentor_id, mentee_id, status, days_ago=None):
        return F.MatchFactory(city=host_city, cohort_id=cohort.id, mentor_id=mentor_id, mentee_id=mentee_id,
                              status=status, ended_at=None if days_ago is None else now - timedelta(days=days_ago))

    older = pair(gone.id, first.id, "replaced", days_ago=9)
    newer = pair(mentor.id, second.id, "ended_early", days_ago=1)
    live = pair(mentor.id, first.id, "published")
    pair(gone.id, second.id, "proposed")  # its mentor withdrew: released, neither live nor ended
    db.session.expunge_all()
    cohort = db.session.get(Cohort, cohort.id)
    mentors, mentees = matching.participants(db.session, cohort)
    people = {a.id: a for a in (*mentors, *mentees)}
    with count_queries() as counter:
        shown_live, ended = matching.live_and_ended(db.session, cohort, people)
        names = [(m.mentor.name, m.mentee.name) for m in (*shown_live, *ended)]
    # One statement for the pairs, one for the person who is no longer in the round (the withdrawn mentor).
    assert counter.count == 2, counter.statements
    assert [m.id for m in shown_live] == [live.id] and [m.id for m in ended] == [newer.id, older.id]
    assert names == [("Anna Mentor", "Bo"), ("Anna Mentor", "Cai"), ("Gone Mentor", "Bo")]
    assert [m.id for m in matching.live_matches(db.session, cohort)] == [live.id]


def test_a_closed_rounds_rows_show_the_pairs_that_ended(client, db, login, coordinator, host_city, create_cohort,
                                                        create_application):
    """Once a round is over no pair is live: each mentee's row shows whom they had, not "no mentor yet"."""
    from mentorby.tenants.matching.models import COMPLETED, ENDED_EARLY

    cohort = create_cohort(host_city, status="running")
    mentor = create_application(cohort, role="mentor", status="accepted", name="Sofie Holm")
    paired = create_application(cohort, status="accepted", name="Ravi Patel")
    alone = create_application(cohort, status="accepted", name="Ana Rodrigues")
    db.session.add(Match(cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=paired.id, status=COMPLETED))
    db.session.flush()
    login(coordinator)
    rows = _rows(client.get(BOARD.format(cohort.id)).text, paired.id, alone.id)
    # While the round runs, the mentee is free for a new mentor (the ended pair is listed under the table).
    assert "<strong>Sofie Holm</strong>" not in rows[0] and "no mentor yet" in rows[0]
    cohort.status = "closed"
    db.session.flush()
    rows = _rows(client.get(BOARD.format(cohort.id)).text, paired.id, alone.id)
    assert "<strong>Sofie Holm</strong>" in rows[0] and "completed" in rows[0] and "no mentor yet" not in rows[0]
    assert "no mentor yet" in rows[1]
    db.session.add(Match(cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=alone.id, status=ENDED_EARLY))
    db.session.flush()
    assert "ended early" in _rows(client.get(BOARD.format(cohort.id)).text, alone.id)[0]


def _rows(page: str, *mentees: int) -> list[str]:
    return [page.split(f'<tr id="mentee-{mentee}">')[1].split("</tr>")[0] for mentee in mentees]
