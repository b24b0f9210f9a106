"""A coordinator's own API tokens, and the invitations the team page withdraws."""

from sqlalchemy import func, select

from mentorby.platform.accounts.models import ApiToken, Invitation
from mentorby.platform.accounts.services import create_api_token, invite
from tests.factories import create_user

TOKENS = "/lyngby-taarbaek/coordinator/api-tokens"


def _tokens(db) -> list[tuple[str, bool]]:
    db.session.expire_all()
    return [(token.name, token.revoked_at is not None)
            for token in db.session.execute(select(ApiToken).order_by(ApiToken.id)).scalars()]


def test_a_token_is_made_shown_once_and_revoked(client, db, login, coordinator, in_host_city):
    login(coordinator)
    made = client.post(TOKENS, data={"name": " Power BI export "})
    assert made.status_code == 200 and "Copy the token now" in made.text
    secret = made.text.split('id="new-token">')[1].split("<")[0]
    assert secret.startswith("mby_") and secret not in client.get(TOKENS).text
    assert _tokens(db) == [("Power BI export", False)]
    token = db.session.execute(select(ApiToken)).scalar_one()
    revoked = client.post(f"{TOKENS}/{token.id}/revoke")
    assert revoked.status_code == 302 and _tokens(db) == [("Power BI export", True)]
    assert "revoked" in client.get(TOKENS).text


def test_bad_token_names_make_no_token(client, db, login, coordinator, in_host_city):
    login(coordinator)
    page = client.get(TOKENS).text
    assert 'maxlength="80"' in page
    for name, words in (("", "This field is required."), ("x" * 81, "Use at most 80 characters.")):
        response = client.post(TOKENS, data={"name": name})
        assert response.status_code == 422 and words in response.text and "Copy the token now" not in response.text
    assert _tokens(db) == []


def test_another_coordinators_token_is_not_found(client, db, login, coordinator, in_host_city):
    colleague = create_user(email="colleague@lyngby.example", city=in_host_city, role="coordinator")
    theirs = create_api_token(db.session, colleague, "their export").token
    login(coordinator)
    assert "their export" not in client.get(TOKENS).text
    assert client.post(f"{TOKENS}/{theirs.id}/revoke").status_code == 404
    assert _tokens(db) == [("their export", False)]


def test_withdrawing_an_invitation_ends_its_link(app, client, db, login, coordinator, in_host_city):
    with app.test_request_context():
        invitation = invite(db.session, in_host_city, email="kirsten@lyngby.example", name="Kirsten",
                            role="coordinator", invited_by=coordinator)
    login(coordinator)
    response = client.post(f"/lyngby-taarbaek/coordinator/team/invitations/{invitation.id}/revoke")
    assert response.status_code == 302
    assert "The invitation to kirsten@lyngby.example is withdrawn." in client.get(response.headers["Location"]).text
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).revoked_at is not None
    open_ones = select(func.count()).select_from(Invitation).where(Invitation.revoked_at.is_(None))
    assert db.session.execute(open_ones).scalar_one() == 0
