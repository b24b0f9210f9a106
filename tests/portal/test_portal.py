from datetime import date, timedelta

from sqlalchemy import select

from mentorby.tenants.applications.models import Application

PORTAL = "/lyngby-taarbaek/portal"


def _member(create_user, city, application, role):
    return create_user(city=city, role=role, email=application.email, name=application.name)


def test_mentee_sees_round_events_and_edits_profile(client, db, login, host_city, create_cohort, create_application,
                                                    create_user, in_host_city):
    cohort = create_cohort(host_city, name="Forår 2027", status="selecting")
    application = create_application(cohort, status="accepted", name="Priya")
    login(_member(create_user, host_city, application, "mentee"))
    home = client.get(f"{PORTAL}/")
    assert home.status_code == 200
    assert "Forår 2027" in home.text and "CV workshop" in home.text and "Mentor course" not in home.text
    assert "Matches are made after the kick-off" in home.text
    form = client.get(f"{PORTAL}/profile/{application.id}")
    assert form.status_code == 200 and 'name="email"' not in form.text
    saved = client.post(f"{PORTAL}/profile/{application.id}", data={
        "phone": "", "field": "it", "languages": ["en", "da"], "availability": [], "education": "BSc",
        "years_experience": "3", "job_goal": "Data analyst", "danish_level": "intermediate", "arrived_on": "",
        "partner_employer": ""})
    assert saved.status_code == 302, saved.text
    db.session.expire_all()
    changed = db.session.get(Application, application.id)
    assert changed.field == "it" and changed.languages == "da en" and changed.job_goal == "Data analyst"
    assert changed.email == application.email


def test_bad_profile_input_changes_nothing(client, db, login, host_city, create_cohort, create_application,
                                           create_user, as_city):
    cohort = create_cohort(host_city)
    application = create_application(cohort, status="accepted")
    login(_member(create_user, host_city, application, "mentee"))
    response = client.post(f"{PORTAL}/profile/{application.id}", data={
        "field": "astrology", "languages": [], "job_goal": "", "danish_level": "x"})
    assert response.status_code == 422
    assert "Choose at least one language." in response.text
    # After the request, whose refusal rolled back PostgreSQL's city setting with its savepoint.
    as_city(host_city)
    db.session.expire_all()
    assert db.session.get(Application, application.id).field == "engineering"


def test_someone_elses_application_is_404(client, login, host_city, create_cohort, create_application, create_user):
    cohort = create_cohort(host_city)
    mine = create_application(cohort, status="accepted")
    theirs = create_application(cohort, status="accepted", job_goal="their secret goal")
    login(_member(create_user, host_city, mine, "mentee"))
    assert client.get(f"{PORTAL}/profile/{theirs.id}").status_code == 404
    assert client.post(f"{PORTAL}/withdraw/{theirs.id}").status_code == 404
    assert "their secret goal" not in client.get(f"{PORTAL}/").text


def test_returning_mentor_reapplies_in_one_click(client, db, login, host_city, create_cohort, create_application,
                                                 create_user, in_host_city):
    old = create_cohort(host_city, name="Efterår 2026", status="followed_up",
                        starts_on=date.today() - timedelta(days=400))
    first = create_application(old, role="mentor", status="accepted", expertise="pharma, negotiation")
    new = create_cohort(host_city, name="Forår 2027")
    login(_member(create_user, host_city, first, "mentor"))
    home = client.get(f"{PORTAL}/")
    assert "Apply again as mentor" in home.text and "Forår 2027" in home.text
    response = client.post(f"{PORTAL}/reapply/{new.id}/mentor")
    assert response.status_code == 302
    home = client.get(f"{PORTAL}/")
    assert "Apply again" not in home.text and "Efterår 2026" in home.text
    again = db.session.execute(select(Application).where(Application.cohort_id == new.id)).scalar_one()
    assert again.expertise == "pharma, negotiation" and again.source == "reapply"
    # Twice is refused clearly, and a round not recruiting is not offered.
    client.post(f"{PORTAL}/reapply/{new.id}/mentor")
    assert "already applied" in client.get(f"{PORTAL}/").text
    assert client.post(f"{PORTAL}/reapply/{old.id}/mentor").status_code == 404
    assert client.post(f"{PORTAL}/reapply/{new.id}/mentee").status_code == 404


def test_withdrawing(client, db, login, host_city, create_cohort, create_application, create_user, in_host_city):
    cohort = create_cohort(host_city)
    application = create_application(cohort, status="accepted")
    login(_member(create_user, host_city, application, "mentee"))
    assert client.post(f"{PORTAL}/withdraw/{application.id}").status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == "withdrawn"


def test_portal_needs_a_participant(client, login, coordinator, create_user, host_city):
    assert client.get(f"{PORTAL}/").status_code == 302
    login(coordinator)
    assert client.get(f"{PORTAL}/").status_code == 403


def test_empty_portal_says_what_to_do(client, login, host_city, create_user):
    login(create_user(city=host_city, role="mentee"))
    assert "not in a round at the moment" in client.get(f"{PORTAL}/").text


def test_mentee_replaces_the_cv(client, db, login, host_city, create_cohort, create_application, create_user,
                                in_host_city):
    import io

    from mentorby.tenants.applications.models import CvDocument
    from tests.factories import PDF

    cohort = create_cohort(host_city)
    application = create_application(cohort, status="accepted", cv=PDF)
    login(_member(create_user, host_city, application, "mentee"))
    newer = PDF.replace(b"1.4", b"1.7")
    response = client.post(f"{PORTAL}/profile/{application.id}", content_type="multipart/form-data", data={
        "field": "engineering", "languages": ["en"], "job_goal": "Engineer", "danish_level": "beginner",
        "cv": (io.BytesIO(newer), "new cv.pdf")})
    assert response.status_code == 302, response.text
    db.session.expire_all()
    documents = list(db.session.execute(select(CvDocument)).scalars())
    assert [(d.filename, d.content) for d in documents] == [("new cv.pdf", newer)]


def test_the_portal_leads_with_the_live_round_not_the_closed_one(client, db, login, host_city, create_cohort,
                                                                 create_application, create_user):
    closed = create_cohort(host_city, name="Efterår 2025", status="closed",
                           starts_on=date.today() - timedelta(days=300))
    recruiting = create_cohort(host_city, name="Forår 2027", status="recruiting",
                               starts_on=date.today() + timedelta(days=60))
    old = create_application(closed, role="mentor", status="accepted", email="lars@cowi.example")
    create_application(recruiting, role="mentor", status="submitted", email="lars@cowi.example")
    login(_member(create_user, host_city, old, "mentor"))
    home = client.get(f"{PORTAL}/").text
    lead = home.split('id="round-title"', 1)[1].split("</h2>", 1)[0]
    assert "Forår 2027" in lead
    assert "The coordinator is reading the applications" in home
    assert "Efterår 2025" in home.split('id="history-title"', 1)[1]  # history, not the lead


def test_a_mentor_sees_the_mentees_profile_once_the_pair_is_published(client, db, login, host_city, create_cohort,
                                                                      create_application, create_user, in_host_city):
    from mentorby.tenants.matching.models import Match

    cohort = create_cohort(host_city, status="running")
    mentor = create_application(cohort, role="mentor", status="accepted", email="lars@cowi.example")
    mentee = create_application(cohort, role="mentee", status="accepted", job_goal="Process engineer in pharma",
                                danish_level="beginner", languages="en hi")
    match = Match(cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=mentee.id, status="proposed", score=50,
                  reasons=[])
    db.session.add(match)
    db.session.flush()
    login(_member(create_user, host_city, mentor, "mentor"))
    assert "Process engineer in pharma" not in client.get(f"{PORTAL}/").text  # a proposal is not told yet
    db.session.get(Match, match.id).status = "published"
    db.session.flush()
    home = client.get(f"{PORTAL}/").text
    assert "Process engineer in pharma" in home and "Beginner" in home and "Hindi" in home


def test_a_mentor_downloads_the_cv_only_of_their_own_mentee_who_shared_it(client, db, login, host_city, create_cohort,
                                                                         create_application, create_user, in_host_city):
    from mentorby.tenants.matching.models import Match
    from tests.factories import PDF

    cohort = create_cohort(host_city, status="running")
    mentor = create_application(cohort, role="mentor", status="accepted", email="lars@cowi.example")
    shared = create_application(cohort, role="mentee", status="accepted", name="Priya", cv=PDF, share_cv=True)
    kept = create_application(cohort, role="mentee", status="accepted", name="Wei", cv=PDF, share_cv=False)
    other = create_application(cohort, role="mentee", status="accepted", name="Ana", cv=PDF, share_cv=True)
    for mentee in (shared, kept):
        db.session.add(Match(cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=mentee.id, status="published",
                             score=50, reasons=[]))
    db.session.flush()
    login(_member(create_user, host_city, mentor, "mentor"))
    home = client.get(f"{PORTAL}/").text
    assert f"{PORTAL}/mentee/{shared.id}/cv" in home and f"{PORTAL}/mentee/{kept.id}/cv" not in home
    download = client.get(f"{PORTAL}/mentee/{shared.id}/cv")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert "attachment" in download.headers["Content-Disposition"]
    assert client.get(f"{PORTAL}/mentee/{kept.id}/cv").status_code == 404  # not shared
    assert client.get(f"{PORTAL}/mentee/{other.id}/cv").status_code == 404  # not this mentor's mentee


def test_a_bad_cv_in_the_profile_shows_with_the_other_problems_and_changes_nothing(client, db, login, host_city,
                                                                                   create_cohort, create_application,
                                                                                   create_user, as_city):
    import io

    from mentorby.tenants.applications.models import CvDocument
    from tests.factories import PDF

    cohort = create_cohort(host_city)
    application = create_application(cohort, status="accepted", cv=PDF)
    login(_member(create_user, host_city, application, "mentee"))
    response = client.post(f"{PORTAL}/profile/{application.id}", content_type="multipart/form-data", data={
        "field": "engineering", "languages": ["en"], "job_goal": "", "danish_level": "beginner",
        "years_experience": "61", "cv": (io.BytesIO(b"<html>%PDF-</html>"), "cv.pdf")})
    assert response.status_code == 422
    for text in ("This field is required.", "Use a whole number of years from 0 to 60.", "The CV must be a PDF file."):
        assert text in response.text
    as_city(host_city)  # after the refused request (see test_bad_profile_input_changes_nothing)
    db.session.expire_all()
    assert db.session.get(Application, application.id).job_goal != ""
    assert [d.content for d in db.session.execute(select(CvDocument)).scalars()] == [PDF]


def test_the_portal_finds_your_own_application_by_the_services_rule(db, host_city, create_cohort, create_application,
                                                                    create_user, in_host_city):
    from mentorby.tenants.applications import filing

    cohort = create_cohort(host_city)
    mine = create_application(cohort, status="accepted", email="Priya@Example.org")
    person = create_user(city=host_city, role="mentee", email="priya@example.org")
    assert filing.is_own(mine, person, {"mentee"})
    assert not filing.is_own(mine, person, {"mentor"})  # a role the person does not hold in the city
    assert not filing.is_own(create_application(cohort, status="accepted"), person, {"mentee"})
