"""The applications area as other areas, the import, the task list and the signal wiring call it.

The area's own code lives by task: `filing` (an application from the applicant's side), `selection` (decisions,
notes, telling people), `queries` (the board, the pool, counts), `schemas` (the limits), `cv` (a CV's rules).
Its own blueprints import those modules; this one names what the rest of the platform relies on.
"""

from mentorby.tenants.applications.cv import Upload
from mentorby.tenants.applications.errors import ApplicationError
from mentorby.tenants.applications.filing import purge_unconfirmed, submit_application, submit_many
from mentorby.tenants.applications.models import CONFIRMED
from mentorby.tenants.applications.queries import (
    accepted_by_cohort,
    accepted_counts,
    counts,
    places_taken,
    start_checks,
)

__all__ = [
    "CONFIRMED", "ApplicationError", "Upload", "accepted_by_cohort", "accepted_counts", "counts", "places_taken",
    "purge_unconfirmed", "start_checks", "submit_application", "submit_many",
]
