"""The Team page: the city's coordinators and their invitations, not the participants'."""

from sqlalchemy import func, select

from mentorby.platform.accounts.models import Invitation
from mentorby.platform.accounts.services import invite
from tests.factories import create_user
from tests.platform.test_danish_forms import assert_danish, visible_text

TEAM = "/lyngby-taarbaek/coordinator/team"


def _invitations(db) -> list[tuple[str, str]]:
    """The invitations of the test's city, oldest first."""
    db.session.expire_all()
    return db.session.execute(select(Invitation.email, Invitation.role).order_by(Invitation.id)).all()


def test_the_team_is_the_coordinators_and_their_invitations_only(app, client, db, login, coordinator, in_host_city):
    create_user(email="contact@cowi.example", name="Camilla Kontakt", city=in_host_city, role="company_contact")
    create_user(email="mentor@example.org", name="Lars Mentor", city=in_host_city, role="mentor")
    with app.test_request_context():
        for email, role in (("new.coordinator@lyngby.example", "coordinator"), ("wei.chen@example.org", "mentee"),
                            ("sofie@example.org", "mentor"), ("hr@cowi.example", "company_contact")):
            invite(db.session, in_host_city, email=email, name=email.split("@")[0], role=role, invited_by=coordinator)
    login(coordinator)
    page = client.get(TEAM)
    assert page.status_code == 200
    text = visible_text(page.text)
    assert coordinator.email in text and "new.coordinator@lyngby.example" in text
    for other in ("contact@cowi.example", "mentor@example.org", "wei.chen@example.org", "sofie@example.org",
                  "hr@cowi.example"):
        assert other not in text, other


def test_inviting_from_the_team_page_invites_a_coordinator(client, db, login, coordinator, in_host_city):
    login(coordinator)
    # A role sent along (an old form, a crafted post) is not the page's to choose: the team is coordinators.
    response = client.post(TEAM, data={"name": "Kirsten Kollega", "email": " Kirsten@Lyngby.example ",
                                       "role": "company_contact"})
    assert response.status_code == 302
    assert _invitations(db) == [("kirsten@lyngby.example", "coordinator")]
    assert "Kirsten Kollega" in client.get(TEAM).text


def test_bad_invitations_change_nothing(client, db, login, coordinator, in_host_city):
    login(coordinator)
    for data in ({"name": "", "email": ""}, {"name": "X", "email": "not-an-e-mail"}, {"name": "x" * 121,
                                                                                      "email": "a@b.example"}):
        response = client.post(TEAM, data=data)
        assert response.status_code == 422
    response = client.post(TEAM, data={"name": "Me", "email": coordinator.email})
    assert response.status_code == 422 and "already has this role" in response.text
    assert db.session.execute(select(func.count()).select_from(Invitation)).scalar_one() == 0


def test_the_team_page_in_danish(client, login, coordinator, host_city):
    login(coordinator)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "da"
    page = client.get(TEAM)
    assert_danish(page.text, "the team page")
    assert "Invitér en koordinator" in page.text and "Rolle" not in visible_text(page.text)
