"""schemathesis against the app's own OpenAPI document: no answer of 500 and none that breaks the document.

Bounded: a few dozen generated requests per operation, anonymous and with a coordinator's token of the host city
(whose rounds, applications and pairs exist, so that ids in the document's paths can hit real rows).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from mentorby.platform.accounts.services import create_api_token
from tests.factories import create_application, create_cohort

EXAMPLES = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8, "the API document lists too few operations"
    return operations


@pytest.fixture
def token(db, in_host_city, coordinator):
    """A coordinator's token, and a round with an application to find."""
    cohort = create_cohort(in_host_city, status="selecting")
    create_application(cohort, role="mentee", status="accepted")
    return create_api_token(db.session, coordinator, "schemathesis").secret


def _run(operation, headers=None, city=None):
    @given(case=operation.as_strategy())
    @EXAMPLES
    def requests(case):
        if city and "city" in (case.path_parameters or {}):
            case.path_parameters["city"] = city  # the token's city, or nearly every answer is a 404
        case.headers = {**(case.headers or {}), **(headers or {})}
        response = case.call()
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
        case.validate_response(response)

    requests()


def test_anonymous_requests_follow_the_document(app, host_city):
    for operation in _operations(app):
        _run(operation)


def test_a_coordinators_requests_follow_the_document(app, token):
    for operation in _operations(app):
        _run(operation, headers={"Authorization": f"Bearer {token}"}, city="lyngby-taarbaek")
