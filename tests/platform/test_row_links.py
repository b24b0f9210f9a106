"""A board's row addresses come from one pattern a page, and are exactly what url_for gives for each row."""

from flask import g, url_for

from mentorby.blueprints.common import RowLinks


def test_row_links_are_url_for_for_every_id(app, host_city):
    with app.test_request_context("/"):
        g.city = host_city
        here = {"q": "12 21", "sort": "name", "dir": "desc", "page": 2}
        for endpoint, values in (("applications.detail", {"cohort_id": 12}),
                                 ("applications.set_status", {"cohort_id": 1, **here}),
                                 ("matching.end", {"cohort_id": 21})):
            links = RowLinks(endpoint, "application_id", **values)
            assert links.parts is not None  # split once: no url_for per row
            for row_id in (1, 2, 7, 12, 21, 100, 98765):
                assert links(row_id) == url_for(endpoint, application_id=row_id, **values)


def test_an_address_that_does_not_split_cleanly_falls_back_to_url_for(monkeypatch):
    from mentorby.blueprints import common

    # An address with the id in two places has no one place to put it: each row asks url_for.
    monkeypatch.setattr(common, "url_for", lambda endpoint, **values: f"/a/{values['row']}/b/{values['row']}")
    links = RowLinks("anything", "row")
    assert links.parts is None
    assert links(12) == "/a/12/b/12" and links(7) == "/a/7/b/7"
