"""A partner and its contact persons are checked by one schema: the form's limits, the service's checks, all at once."""

import re

import pytest
from sqlalchemy import func, select

from mentorby.tenants.partners import services
from mentorby.tenants.partners.models import Partner, PartnerKind
from tests.factories import create_partner

PARTNERS = "/lyngby-taarbaek/coordinator/partners"


def _tag(page: str, field_id: str) -> str:
    return re.search(rf'<(?:input|textarea|select)[^>]*id="{field_id}"[^>]*>', page).group(0)


def test_the_service_refuses_every_wrong_field_at_once(db, in_host_city):
    with pytest.raises(services.PartnerError) as caught:
        services.save_partner(db.session, {"name": " ", "kind": "spaceship", "website": "ftp://files.example",
                                           "description": "x" * 2001})
    assert {(problem.field, problem.code) for problem in caught.value.problems} == {
        ("name", "required"), ("kind", "bad_choice"), ("website", "bad_url"), ("description", "text_too_long")}
    assert db.session.execute(select(func.count()).select_from(Partner)).scalar_one() == 0


def test_a_partner_is_trimmed_and_its_kind_is_a_member_of_the_vocabulary(db, in_host_city):
    partner = services.save_partner(db.session, {"name": "  DTU ", "kind": "university",
                                                 "website": " https://www.dtu.dk "})
    assert (partner.name, partner.website, partner.description, partner.public) == (
        "DTU", "https://www.dtu.dk", "", True)
    assert partner.kind is PartnerKind.UNIVERSITY and not partner.is_company


def test_the_forms_take_their_limits_from_the_schema(client, login, coordinator, in_host_city):
    cowi = create_partner(in_host_city, name="COWI")
    login(coordinator)
    page = client.get(f"{PARTNERS}/{cowi.id}").text
    for field_id, longest in (("name", 120), ("website", 200), ("description", 2000), ("contact-name", 120),
                              ("contact-job_title", 120), ("contact-email", 254), ("contact-phone", 40)):
        assert f'maxlength="{longest}"' in _tag(page, field_id), field_id


def test_kinds_read_in_the_page_language(client, login, coordinator, in_host_city):
    create_partner(in_host_city, name="COWI", kind="company")
    login(coordinator)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "da"
    listing = client.get(f"{PARTNERS}/")
    assert "Virksomhed" in listing.text and "Universitet" in listing.text  # the row, and the filter's choices
    form = client.get(f"{PARTNERS}/new")
    assert '<option value="university">Universitet</option>' in form.text
    front = client.get("/lyngby-taarbaek/")
    assert "COWI" in front.text and "Virksomhed" in front.text


def test_a_bad_kind_filter_lists_every_partner(client, login, coordinator, in_host_city):
    create_partner(in_host_city, name="COWI", kind="company")
    create_partner(in_host_city, name="DTU", kind="university")
    login(coordinator)
    page = client.get(f"{PARTNERS}/?kind=spaceship")
    assert page.status_code == 200 and "COWI" in page.text and "DTU" in page.text
