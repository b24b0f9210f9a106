import pytest
from sqlalchemy import func, select

from mentorby.tenants.partners.models import Partner
from tests.factories import create_partner


def _count(db):
    """How many partners the test's city has."""
    return db.session.execute(select(func.count()).select_from(Partner)).scalar()


def test_add_edit_and_list_partners(client, db, login, coordinator, host_city):
    login(coordinator)
    empty = client.get("/lyngby-taarbaek/coordinator/partners/")
    assert "No partners yet" in empty.text
    response = client.post(
        "/lyngby-taarbaek/coordinator/partners/new",
        data={"name": " DTU ", "kind": "university", "website": "https://www.dtu.dk", "public": "y"},
    )
    assert response.status_code == 302
    listing = client.get("/lyngby-taarbaek/coordinator/partners/?kind=university", headers={"HX-Request": "true"})
    assert "DTU" in listing.text and "<html" not in listing.text
    assert "DTU" in client.get("/lyngby-taarbaek/").text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "DTU", "kind": "company"}, "already exists"),
        ({"name": "dtu", "kind": "company"}, "already exists"),
        ({"name": "X", "kind": "spaceship"}, "Not a valid choice"),
        ({"name": "X", "kind": "company", "website": "not a url"}, "Invalid URL"),
        ({"name": "x" * 121, "kind": "company"}, "120"),
    ],
)
def test_bad_partner_input_changes_nothing(client, db, login, coordinator, in_host_city, data, message):
    create_partner(in_host_city, name="DTU", kind="university")
    login(coordinator)
    before = _count(db)
    response = client.post("/lyngby-taarbaek/coordinator/partners/new", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert _count(db) == before


def test_partner_list_uses_the_same_number_of_queries_for_5_and_200(db, login, coordinator, in_host_city,
                                                                  queries_at_sizes):
    login(coordinator)

    def grow(total):
        existing = _count(db)
        db.session.add_all(Partner(name=f"Company {existing + i:04d}", kind="company") for i in range(total - existing))
        db.session.flush()

    counts, page = queries_at_sizes("/lyngby-taarbaek/coordinator/partners/", grow, ceiling=6)
    assert counts[0] == counts[1]
    assert "Page 1 of 8" in page.text


def test_removing_a_partner_asks_first_and_says_what_goes_with_it(client, db, login, coordinator, in_host_city):
    cowi = create_partner(in_host_city, name="COWI", kind="company")
    login(coordinator)
    edit = client.get(f"/lyngby-taarbaek/coordinator/partners/{cowi.id}")
    assert f'href="/lyngby-taarbaek/coordinator/partners/{cowi.id}/delete"' in edit.text  # a link, not a button
    confirm = client.get(f"/lyngby-taarbaek/coordinator/partners/{cowi.id}/delete")
    assert confirm.status_code == 200 and "Remove COWI?" in confirm.text and "cannot be undone" in confirm.text
    # A post without the confirmation (a stray click, an old form) removes nothing.
    unconfirmed = client.post(f"/lyngby-taarbaek/coordinator/partners/{cowi.id}/delete")
    assert unconfirmed.status_code == 200 and "Remove COWI?" in unconfirmed.text
    assert _count(db) == 1
    done = client.post(f"/lyngby-taarbaek/coordinator/partners/{cowi.id}/delete", data={"confirm": "1"})
    assert done.status_code == 302 and _count(db) == 0
