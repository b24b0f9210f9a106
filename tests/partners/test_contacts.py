"""Contact persons of partner organisations: the services, the coordinator's pages, isolation between cities."""

import pytest
from sqlalchemy import func, select

from mentorby.platform.accounts.models import Invitation
from mentorby.tenants.applications.models import Application
from mentorby.tenants.partners import services
from mentorby.tenants.partners.models import Partner, PartnerContact
from tests.factories import create_partner, create_user
from tests.platform.helpers import last_mail

PARTNERS = "/lyngby-taarbaek/coordinator/partners"
HTMX = {"HX-Request": "true"}
CONTACT = {"name": "  Camilla   Kontakt ", "email": " HR@COWI.example ", "job_title": "HR partner",
           "phone": "+45 45 97 22 11"}


def _contacts(db):
    """The contact persons of the test's city."""
    db.session.expire_all()
    return list(db.session.execute(select(PartnerContact).order_by(PartnerContact.id)).scalars())


def _add(db, partner, **values):
    return services.add_contact(db.session, partner, {**CONTACT, **values})


def _open_invitations(db):
    db.session.expire_all()
    return list(db.session.execute(
        select(Invitation.email, Invitation.role).where(Invitation.revoked_at.is_(None))
    ).all())


# --- services -----------------------------------------------------------------------------------


def test_add_contact_trims_and_lower_cases(db, in_host_city):
    cowi = create_partner(in_host_city, name="COWI")
    contact = _add(db, cowi)
    assert (contact.name, contact.email, contact.job_title, contact.phone) == (
        "Camilla Kontakt", "hr@cowi.example", "HR partner", "+45 45 97 22 11")
    assert contact.partner_id == cowi.id and contact.tenant_id == in_host_city.id and contact.invited_at is None


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"name": "   "}, "required", "name"),
        ({"email": "not-an-email"}, "bad_email", "email"),
        ({"email": "two@@cowi.example"}, "bad_email", "email"),
        ({"email": ""}, "bad_email", "email"),
        ({"name": "x" * 121}, "text_too_long", "name"),
        ({"job_title": "x" * 121}, "text_too_long", "job_title"),
        ({"email": "a" * 250 + "@x.dk"}, "text_too_long", "email"),
        ({"phone": "call me"}, "bad_phone", "phone"),
        ({"email": "Hr@Cowi.Example"}, "contact_email_taken", "email"),
    ],
)
def test_bad_contacts_are_refused_with_a_code(db, in_host_city, values, code, field):
    cowi = create_partner(in_host_city, name="COWI")
    _add(db, cowi)
    with pytest.raises(services.PartnerError) as caught:
        _add(db, cowi, **values)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert len(_contacts(db)) == 1


def test_the_same_person_may_be_a_contact_of_two_partners(db, in_host_city):
    _add(db, create_partner(in_host_city, name="COWI"))
    _add(db, create_partner(in_host_city, name="DTU", kind="university"))
    assert len(_contacts(db)) == 2


def test_a_partner_has_a_bounded_number_of_contacts(db, in_host_city, monkeypatch):
    monkeypatch.setattr(services, "MAX_CONTACTS", 2)
    cowi = create_partner(in_host_city, name="COWI")
    _add(db, cowi, email="one@cowi.example")
    _add(db, cowi, email="two@cowi.example")
    with pytest.raises(services.PartnerError) as caught:
        _add(db, cowi, email="three@cowi.example")
    assert caught.value.code == "contact_limit" and caught.value.params == {"max": 2}


def test_invite_contact_invites_as_company_contact(app, db, in_host_city, coordinator):
    cowi = create_partner(in_host_city, name="COWI")
    contact = _add(db, cowi)
    with app.test_request_context():
        services.invite_contact(db.session, in_host_city, cowi, contact, invited_by=coordinator)
        assert contact.invited_at is not None
    assert _open_invitations(db) == [("hr@cowi.example", "company_contact")]
    assert last_mail(db, "hr@cowi.example").kind == "invitation"


def test_inviting_someone_who_already_is_a_company_contact_changes_nothing(app, db, in_host_city, coordinator):
    create_user(email="hr@cowi.example", city=in_host_city, role="company_contact")
    cowi = create_partner(in_host_city, name="COWI")
    contact = _add(db, cowi)
    with app.test_request_context():
        with pytest.raises(services.PartnerError) as caught:
            services.invite_contact(db.session, in_host_city, cowi, contact, invited_by=coordinator)
        assert contact.invited_at is None
    assert (caught.value.code, caught.value.params) == ("already_member", {"name": "Camilla Kontakt"})
    assert _open_invitations(db) == []


def test_only_company_contacts_are_invited(app, db, in_host_city, coordinator):
    dtu = create_partner(in_host_city, name="DTU", kind="university")
    contact = _add(db, dtu)
    with app.test_request_context():
        with pytest.raises(services.PartnerError) as caught:
            services.invite_contact(db.session, in_host_city, dtu, contact, invited_by=coordinator)
    assert caught.value.code == "not_a_company"
    assert _open_invitations(db) == []


def test_remove_contact_withdraws_an_open_invitation(app, db, in_host_city, coordinator):
    cowi = create_partner(in_host_city, name="COWI")
    contact = _add(db, cowi)
    with app.test_request_context():
        services.invite_contact(db.session, in_host_city, cowi, contact, invited_by=coordinator)
        services.remove_contact(db.session, contact)
    assert _contacts(db) == []
    assert _open_invitations(db) == []


def test_remove_contact_keeps_the_invitation_while_another_partner_lists_the_person(app, db, in_host_city, coordinator):
    cowi = create_partner(in_host_city, name="COWI")
    contact = _add(db, cowi)
    _add(db, create_partner(in_host_city, name="COWI Fonden", kind="other"))
    with app.test_request_context():
        services.invite_contact(db.session, in_host_city, cowi, contact, invited_by=coordinator)
        services.remove_contact(db.session, contact)
    assert len(_contacts(db)) == 1
    assert _open_invitations(db) == [("hr@cowi.example", "company_contact")]


def test_deleting_a_partner_removes_its_contacts_and_unlinks_applications(db, in_host_city, create_cohort,
                                                                        create_application):
    cowi = create_partner(in_host_city, name="COWI")
    _add(db, cowi)
    cohort = create_cohort(in_host_city)
    mentor = create_application(cohort, role="mentor", employer="COWI")
    mentee = create_application(cohort, role="mentee", partner_employer="cowi")
    assert (mentor.employer_id, mentee.partner_employer_id) == (cowi.id, cowi.id)
    services.delete_partner(db.session, cowi)
    db.session.expire_all()
    rows = db.session.execute(
        select(Application.employer, Application.employer_id, Application.partner_employer,
               Application.partner_employer_id).order_by(Application.id)
    ).all()
    assert db.session.execute(select(func.count()).select_from(Partner)).scalar() == 0
    assert rows == [("COWI", None, "", None), ("", None, "cowi", None)]
    assert _contacts(db) == []


# --- the coordinator's pages ------------------------------------------------------------------


def _form(**values):
    return {f"contact-{key}": value for key, value in {**CONTACT, **values}.items()}


def test_coordinator_adds_a_contact_with_htmx_and_gets_the_fragment(client, db, login, coordinator, in_host_city):
    cowi = create_partner(in_host_city, name="COWI")
    login(coordinator)
    page = client.get(f"{PARTNERS}/{cowi.id}")
    assert "No contact persons yet" in page.text and 'id="contact-email"' in page.text
    response = client.post(f"{PARTNERS}/{cowi.id}/contacts", data=_form(), headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text and response.text.lstrip().startswith('<section id="contacts"')
    assert "Camilla Kontakt is added." in response.text and "hr@cowi.example" in response.text
    assert "Invite as company contact" in response.text
    assert [c.email for c in _contacts(db)] == ["hr@cowi.example"]


def test_coordinator_adds_a_contact_without_javascript(client, db, login, coordinator, in_host_city):
    cowi = create_partner(in_host_city, name="COWI")
    login(coordinator)
    response = client.post(f"{PARTNERS}/{cowi.id}/contacts", data=_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{PARTNERS}/{cowi.id}#contacts")
    page = client.get(response.headers["Location"])
    assert "Camilla Kontakt is added." in page.text and "HR partner" in page.text and "Not invited" in page.text


@pytest.mark.parametrize("headers", [HTMX, {}])
@pytest.mark.parametrize(
    ("values", "text"),
    [
        ({"email": "not an e-mail"}, "Enter an e-mail address like name@example.com."),
        ({"name": ""}, "This field is required."),
        ({"phone": "call me"}, "Enter a phone number"),
        ({"name": "x" * 121}, "120"),
    ],
)
def test_bad_contact_input_is_422_and_writes_nothing(client, db, login, coordinator, in_host_city, headers, values,
                                                     text):
    cowi = create_partner(in_host_city, name="COWI")
    login(coordinator)
    response = client.post(f"{PARTNERS}/{cowi.id}/contacts", data=_form(**values), headers=headers)
    assert response.status_code == 422
    assert text in response.text and 'aria-invalid="true"' in response.text
    assert ("<html" in response.text) is (not headers)
    assert _contacts(db) == []


def test_a_duplicate_contact_is_refused_with_a_message(client, db, login, coordinator, in_host_city):
    cowi = create_partner(in_host_city, name="COWI")
    _add(db, cowi)
    login(coordinator)
    response = client.post(f"{PARTNERS}/{cowi.id}/contacts", data=_form(email="HR@cowi.example"), headers=HTMX)
    assert response.status_code == 422
    assert "already has a contact with this e-mail address" in response.text
    assert len(_contacts(db)) == 1


def test_coordinator_invites_a_contact(client, db, login, coordinator, in_host_city):
    cowi = create_partner(in_host_city, name="COWI")
    contact = _add(db, cowi)
    login(coordinator)
    response = client.post(f"{PARTNERS}/{cowi.id}/contacts/{contact.id}/invite", headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    assert "Invitation sent to hr@cowi.example." in response.text
    assert "has not accepted yet" in response.text and "Invite again" in response.text
    assert _open_invitations(db) == [("hr@cowi.example", "company_contact")]
    assert _contacts(db)[0].invited_at is not None


@pytest.mark.parametrize("headers", [HTMX, {}])
def test_inviting_an_existing_company_contact_shows_a_message(client, db, login, coordinator, in_host_city, headers):
    create_user(email="hr@cowi.example", city=in_host_city, role="company_contact")
    cowi = create_partner(in_host_city, name="COWI")
    contact = _add(db, cowi)
    login(coordinator)
    page = client.get(f"{PARTNERS}/{cowi.id}")
    assert "Company contact: can sign in" in page.text and "Invite as company contact" not in page.text
    response = client.post(f"{PARTNERS}/{cowi.id}/contacts/{contact.id}/invite", headers=headers,
                           follow_redirects=not headers)
    assert response.status_code == (409 if headers else 200)
    assert "Camilla Kontakt already is a company contact of the city" in response.text
    assert "We could not" not in response.text and "Something went wrong" not in response.text
    assert _open_invitations(db) == []
    assert _contacts(db)[0].invited_at is None


def test_contacts_of_other_kinds_are_not_invited(client, db, login, coordinator, in_host_city):
    dtu = create_partner(in_host_city, name="DTU", kind="university")
    contact = _add(db, dtu)
    login(coordinator)
    assert "Invite as company contact" not in client.get(f"{PARTNERS}/{dtu.id}").text
    response = client.post(f"{PARTNERS}/{dtu.id}/contacts/{contact.id}/invite", headers=HTMX)
    assert response.status_code == 409 and "Only contacts at companies" in response.text
    assert _open_invitations(db) == []


def test_coordinator_removes_a_contact(client, db, login, coordinator, in_host_city):
    cowi = create_partner(in_host_city, name="COWI")
    url = f"{PARTNERS}/{cowi.id}/contacts/{_add(db, cowi).id}/delete"
    login(coordinator)
    response = client.post(url, headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    assert "Camilla Kontakt is removed." in response.text and "No contact persons yet" in response.text
    assert _contacts(db) == []
    again = client.post(url)
    assert again.status_code == 404


def test_a_contact_is_reached_only_through_its_own_partner(client, db, login, coordinator, in_host_city):
    cowi = create_partner(in_host_city, name="COWI")
    dtu = create_partner(in_host_city, name="DTU", kind="university")
    contact = _add(db, cowi)
    login(coordinator)
    for action in ("delete", "invite"):
        assert client.post(f"{PARTNERS}/{dtu.id}/contacts/{contact.id}/{action}").status_code == 404
    assert len(_contacts(db)) == 1 and _open_invitations(db) == []


def test_another_citys_coordinator_gets_404_through_their_own_city(client, db, login, as_city, in_host_city,
                                                                   other_city, other_coordinator):
    cowi = create_partner(in_host_city, name="COWI")
    contact = _add(db, cowi)
    login(other_coordinator)
    aarhus = f"/aarhus/coordinator/partners/{cowi.id}"
    assert client.get(aarhus).status_code == 404
    assert client.post(f"{aarhus}/contacts", data=_form(email="new@cowi.example")).status_code == 404
    for action in ("delete", "invite"):
        response = client.post(f"{aarhus}/contacts/{contact.id}/{action}", headers=HTMX)
        assert response.status_code == 404 and "Camilla" not in response.text
    # And through Lyngby's URLs: not their city.
    assert client.post(f"{PARTNERS}/{cowi.id}/contacts", data=_form(email="new@cowi.example")).status_code == 403
    assert len(_contacts(db)) == 1 and _open_invitations(db) == []
    as_city(other_city)
    assert _contacts(db) == []
