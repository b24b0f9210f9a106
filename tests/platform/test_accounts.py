from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mentorby.platform.accounts.models import Invitation, Membership, User
from mentorby.platform.accounts.services import invite
from mentorby.platform.outbox.models import SENT
from tests.factories import PASSWORD
from tests.platform.helpers import last_mail, link_in

NEW_PASSWORD = "a long and new passphrase"


def test_login_and_logout(client, coordinator):
    response = client.post("/login", data={"email": "Coordinator@Lyngby.example ", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/account").status_code == 302


def test_each_role_lands_on_its_working_page(client, db, as_city, host_city, other_city, coordinator):
    from tests.factories import create_user

    people = {
        "/lyngby-taarbaek/coordinator/": coordinator,
        "/lyngby-taarbaek/portal/": create_user(city=host_city, role="mentee", email="mentee@lyngby.example"),
        "/aarhus/portal/": create_user(city=other_city, role="mentor", email="mentor@aarhus.example"),
        "/national/": create_user(platform_role="national", email="national@example.org"),
        "/platform/cities": create_user(platform_role="admin", email="admin@example.org"),
    }
    for target, user in people.items():
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302 and response.headers["Location"] == target, user.email
        client.post("/logout")
    # Roles in two cities: "My account" lists them; a ?next= still wins.
    create_user(city=other_city, role="mentor", email="both@example.org")
    as_city(host_city)
    both = db.session.execute(select(User).where(User.email == "both@example.org")).scalar_one()
    db.session.add(Membership(user_id=both.id, role="mentee"))
    db.session.flush()
    assert client.post("/login", data={"email": "both@example.org", "password": PASSWORD}).headers["Location"] == \
        "/account"
    client.post("/logout")
    response = client.post("/login?next=/lyngby-taarbaek/portal/", data={"email": "both@example.org",
                                                                         "password": PASSWORD})
    assert response.headers["Location"] == "/lyngby-taarbaek/portal/"


@pytest.mark.parametrize(
    ("email", "password"),
    [("coordinator@lyngby.example", "wrong password here"), ("nobody@example.org", PASSWORD), ("not-an-email", "x"),
     ("a" * 250 + "@x.dk", PASSWORD), ("coordinator@lyngby.example", "p" * 200)],
)
def test_bad_logins_are_refused_with_a_message(client, coordinator, email, password):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 422
    assert 'class="error' in response.text
    assert client.get("/account").status_code == 302


def test_login_is_rate_limited(client, coordinator):
    for _ in range(10):
        client.post("/login", data={"email": "coordinator@lyngby.example", "password": "wrong password x"})
    response = client.post("/login", data={"email": "coordinator@lyngby.example", "password": PASSWORD})
    assert response.status_code == 429


def test_password_reset_link_works_once(client, db, coordinator):
    client.post("/password/forgot", data={"email": "coordinator@lyngby.example"})
    mail = last_mail(db, "coordinator@lyngby.example")
    assert mail.kind == "password_reset" and mail.status == SENT
    link = link_in(mail)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.post("/login", data={"email": coordinator.email, "password": NEW_PASSWORD}).status_code == 302
    reused = client.post(link, data={"password": "another new passphrase", "confirm": "another new passphrase"})
    assert reused.status_code == 400
    assert "already been used" in reused.text


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(client, db):
    response = client.post("/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert "If the address belongs to an account" in response.text
    assert last_mail(db, "nobody@example.org") is None


def test_expired_and_forged_links_are_refused(app, client, db, coordinator):
    client.post("/password/forgot", data={"email": coordinator.email})
    link = link_in(last_mail(db, coordinator.email))
    app.config["PASSWORD_RESET_MAX_AGE"] = timedelta(seconds=-1)
    try:
        expired = client.get(link)
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = timedelta(hours=1)
    assert expired.status_code == 400 and "expired" in expired.text
    assert client.get(link[:-3] + "abc").status_code == 400


def test_short_passwords_are_refused(client, db, coordinator):
    client.post("/password/forgot", data={"email": coordinator.email})
    link = link_in(last_mail(db, coordinator.email))
    response = client.post(link, data={"password": "short", "confirm": "short"})
    assert response.status_code == 422
    assert "at least 12 characters" in response.text


def _invite(app, db, city, email, role="coordinator"):
    """Invite someone to the city (the test reads as that city) and hand back the invitation and its link."""
    with app.test_request_context():
        invitation = invite(db.session, city, email=email, name="New Person", role=role, invited_by=None)
    db.session.commit()
    return invitation, link_in(last_mail(db, email))


def test_invitation_creates_account_and_membership_once(app, client, db, in_host_city):
    invitation, link = _invite(app, db, in_host_city, "new@lyngby.example")
    page = client.get(link)
    assert page.status_code == 200 and "new@lyngby.example" in page.text
    assert 'value="New Person"' in page.text  # the name the coordinator wrote is filled in
    response = client.post(link, data={"name": "Nina", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/lyngby-taarbaek/coordinator/")
    assert client.get("/lyngby-taarbaek/coordinator/").status_code == 200
    user = db.session.execute(select(User).where(User.email == "new@lyngby.example")).scalar_one()
    roles = db.session.execute(select(Membership.role).where(Membership.user_id == user.id)).scalars().all()
    assert roles == ["coordinator"]
    second = app.test_client().post(link, data={"name": "X", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert second.status_code == 400 and "already been used" in second.text


def test_invitation_with_mismatched_passwords_changes_nothing(app, client, db, in_host_city):
    _, link = _invite(app, db, in_host_city, "new@lyngby.example")
    response = client.post(link, data={"name": "Nina", "password": NEW_PASSWORD, "confirm": "something else!!"})
    assert response.status_code == 422
    assert db.session.execute(select(func.count()).select_from(User)).scalar() == 0
    assert db.session.execute(select(Invitation.accepted_at)).scalar() is None


def test_existing_user_confirms_invitation_with_password(app, client, db, in_host_city, other_coordinator):
    _, link = _invite(app, db, in_host_city, other_coordinator.email, role="company_contact")
    wrong = client.post(link, data={"password": "not my password"})
    assert wrong.status_code == 422
    right = client.post(link, data={"password": PASSWORD})
    assert right.status_code == 302
    assert db.session.execute(
        select(Membership.role).where(Membership.user_id == other_coordinator.id)
    ).scalar_one() == "company_contact"


def test_a_new_invitation_replaces_the_open_one(app, client, db, in_host_city):
    _, first = _invite(app, db, in_host_city, "twice@lyngby.example")
    _, second = _invite(app, db, in_host_city, "twice@lyngby.example")
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 200


def test_wrong_csrf_token_is_refused(app, client, coordinator):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"email": coordinator.email, "password": PASSWORD,
                                               "csrf_token": "forged"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "form has expired" in response.text
    assert client.get("/account").status_code == 302


def test_csrf_token_travels_in_htmx_header(app, client, coordinator, login):
    login(coordinator)
    page = client.get("/lyngby-taarbaek/coordinator/")
    assert 'hx-headers=\'{"X-CSRFToken": "' in page.text


def test_a_password_reset_ends_other_sessions(app, client, db, coordinator, login):
    other = login(coordinator, target=app.test_client())
    assert other.get("/account").status_code == 200
    client.post("/password/forgot", data={"email": coordinator.email})
    link = link_in(last_mail(db, coordinator.email))
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert other.get("/account").status_code == 302


def test_a_deactivated_person_is_signed_out(client, db, coordinator, login):
    login(coordinator)
    coordinator.active = False
    db.session.flush()
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "https://evil.example/", "/%0a/evil.example",
                                    "/\\evil.example"])
def test_login_never_redirects_off_site(client, coordinator, target):
    response = client.post(f"/login?next={target}", data={"email": coordinator.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/lyngby-taarbaek/coordinator/"  # the coordinator's landing page


def test_odd_page_numbers_and_query_keys_are_harmless(client, coordinator, login, host_city):
    login(coordinator)
    for query in ("page=%C2%B2", "page=-1", "page=abc", "endpoint=x&page=2", "_external=1"):
        assert client.get(f"/lyngby-taarbaek/coordinator/partners/?{query}").status_code == 200


# --- sign-ins the server can end ------------------------------------------------------------------


def _open_sign_ins(db, user):
    from mentorby.platform.accounts.sessions import open_sign_ins

    db.session.expire_all()
    return open_sign_ins(db.session, user.id)


def test_logout_ends_the_session_on_the_server(app, client, db, coordinator):
    client.post("/login", data={"email": coordinator.email, "password": PASSWORD},
                headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36"})
    cookie = client.get_cookie("session").value
    assert client.get("/lyngby-taarbaek/coordinator/").status_code == 200
    [sign_in] = _open_sign_ins(db, coordinator)
    assert sign_in.device == "Chrome · Linux" and len(sign_in.token_hash) == 64
    assert cookie.find(sign_in.token_hash) == -1  # the cookie holds the random id, the server only its digest
    client.post("/logout")
    stolen = app.test_client()
    stolen.set_cookie("session", cookie)
    assert stolen.get("/lyngby-taarbaek/coordinator/").status_code == 302  # to the login page
    assert _open_sign_ins(db, coordinator) == []


def test_the_csrf_token_is_renewed_at_sign_in(client, coordinator):
    client.get("/login")
    with client.session_transaction() as session:
        session["csrf_token"] = "token-of-the-anonymous-page"
    client.post("/login", data={"email": coordinator.email, "password": PASSWORD})
    with client.session_transaction() as session:
        assert session.get("csrf_token") != "token-of-the-anonymous-page"


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, client, db, coordinator):
    phone = app.test_client()
    phone.post("/login", data={"email": coordinator.email, "password": PASSWORD})
    client.post("/login", data={"email": coordinator.email, "password": PASSWORD})
    assert len(_open_sign_ins(db, coordinator)) == 2
    response = client.post("/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                       "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302
    assert len(_open_sign_ins(db, coordinator)) == 1


def test_a_password_reset_ends_every_session(app, client, db, coordinator):
    signed_in = app.test_client()
    signed_in.post("/login", data={"email": coordinator.email, "password": PASSWORD})
    client.post("/password/forgot", data={"email": coordinator.email})
    link = link_in(last_mail(db, coordinator.email))
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert signed_in.get("/account").status_code == 302
    assert _open_sign_ins(db, coordinator) == []


def test_account_lists_sessions_ends_one_and_signs_out_everywhere(app, client, db, coordinator, other_coordinator):
    laptop = app.test_client()
    laptop.post("/login", data={"email": coordinator.email, "password": PASSWORD},
                headers={"User-Agent": "Mozilla/5.0 (Windows NT 10.0) Gecko/20100101 Firefox/131.0"})
    client.post("/login", data={"email": coordinator.email, "password": PASSWORD},
                headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"})
    page = client.get("/account")
    assert "Firefox · Windows" in page.text and "Safari · iPhone" in page.text and "this device" in page.text
    other = [s for s in _open_sign_ins(db, coordinator) if "Firefox" in s.user_agent][0]
    # Someone else's session id is not found through one's own account.
    stranger = app.test_client()
    stranger.post("/login", data={"email": other_coordinator.email, "password": PASSWORD})
    assert stranger.post(f"/account/sessions/{other.id}/end").status_code == 404
    assert laptop.get("/account").status_code == 200
    assert client.post(f"/account/sessions/{other.id}/end").status_code == 302
    assert laptop.get("/account").status_code == 302
    assert client.post("/account/sessions/end-all").status_code == 302
    assert client.get("/account").status_code == 302
    assert _open_sign_ins(db, coordinator) == []


def test_a_deactivated_person_is_signed_out_at_the_next_request(client, db, coordinator):
    client.post("/login", data={"email": coordinator.email, "password": PASSWORD})
    coordinator.active = False
    db.session.flush()
    assert client.get("/lyngby-taarbaek/coordinator/").status_code == 302
    assert _open_sign_ins(db, coordinator) == []


def test_password_reset_answers_alike_for_known_and_unknown_addresses(app, client, db, coordinator, tmp_path):
    """The request only queues a task, whatever the address: the medians of the two answer times are alike."""
    import statistics
    import time

    from huey.storage import SqliteStorage

    from mentorby.platform.extensions import limiter
    from mentorby.platform.tasks import huey

    # A real queue (in a file of this test's own): the worker, not the request, looks the address up.
    limiter.enabled, huey.immediate = False, False
    huey.storage = SqliteStorage("mentorby", filename=str(tmp_path / "queue.sqlite"))
    try:
        times = {"known": [], "unknown": []}
        for round_ in range(70):
            for kind, email in (("known", coordinator.email), ("unknown", f"nobody{round_}@example.org")):
                started = time.perf_counter()
                assert client.post("/password/forgot", data={"email": email}).status_code == 302
                times[kind].append(time.perf_counter() - started)
        assert huey.pending_count() == 140
        known, unknown = (statistics.median(times[kind][10:]) for kind in ("known", "unknown"))
        assert abs(known - unknown) < max(0.002, 0.25 * min(known, unknown)), (known, unknown)
    finally:
        limiter.enabled, huey.immediate = True, True
    # Run by a worker, the task sends the link to the account, and nothing to an unknown address.
    from mentorby.platform.tasks import send_password_reset

    assert send_password_reset.call_local(coordinator.email, "en") is True
    assert send_password_reset.call_local("nobody@example.org", "en") is False


def test_failed_sign_ins_are_limited_per_account_whatever_the_address(client, coordinator, app):
    limit = int(app.config["ACCOUNT_LOGIN_RATE_LIMIT"].split()[0])
    for attempt in range(limit):
        response = client.post("/login", data={"email": coordinator.email, "password": "wrong password here"},
                               environ_base={"REMOTE_ADDR": f"10.0.{attempt // 250}.{attempt % 250 + 1}"})
        assert response.status_code == 422
    blocked = client.post("/login", data={"email": coordinator.email, "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert blocked.status_code == 429
    other = client.post("/login", data={"email": "someone.else@example.org", "password": "wrong password here"},
                        environ_base={"REMOTE_ADDR": "10.9.9.10"})
    assert other.status_code == 422  # another account is not blocked


def test_a_trusted_proxy_that_sends_no_header_is_logged(app, client, caplog):
    import logging

    app.config["TRUSTED_PROXIES"] = 1
    try:
        with caplog.at_level(logging.WARNING, logger=app.logger.name):
            client.get("/health")
            client.get("/health")
    finally:
        app.config["TRUSTED_PROXIES"] = 0
    assert sum("X-Forwarded-For" in record.getMessage() for record in caplog.records) == 1


def test_a_person_changes_their_name_and_language(client, db, login, coordinator):
    login(coordinator)
    assert 'maxlength="120"' in client.get("/account").text
    response = client.post("/account", data={"name": "  Mette Koordinator ", "locale": "da"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (coordinator.name, coordinator.locale) == ("Mette Koordinator", "da")
    assert "Mine byer" in client.get("/account").text  # the page follows the chosen language


def test_bad_account_details_change_nothing(client, db, login, coordinator):
    login(coordinator)
    before = (coordinator.name, coordinator.locale)
    for data, words in (({"name": "", "locale": "en"}, "This field is required."),
                        ({"name": "x" * 121, "locale": "en"}, "Use at most 120 characters."),
                        ({"name": "Mette", "locale": "fr"}, "Not a valid choice")):
        response = client.post("/account", data=data)
        assert response.status_code == 422 and words in response.text, data
    db.session.expire_all()
    assert (coordinator.name, coordinator.locale) == before


def test_a_wrong_current_password_changes_nothing(client, db, login, coordinator):
    login(coordinator)
    before = coordinator.password_hash
    response = client.post("/account/password", data={"current": "not my password at all", "password": NEW_PASSWORD,
                                                       "confirm": NEW_PASSWORD})
    assert response.status_code == 422 and "The current password is not correct." in response.text
    db.session.expire_all()
    assert coordinator.password_hash == before
