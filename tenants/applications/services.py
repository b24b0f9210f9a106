"""The applications area as other areas, the task list, the signal wiring and the demo data call it.

The area's own code lives by task: `filing` (an application from the applicant's side), `selection` (decisions,
notes, telling people), `queries` (the board, the pool, counts), `schemas` (the limits), `cv` (a CV's rules). Its own
blueprints and the import import those modules; this one names what the rest of the platform relies on, so that
the split does not reach into other areas' files.
"""

from mentorby.tenants.applications.cv import Upload
from mentorby.tenants.applications.errors import ApplicationError
from mentorby.tenants.applications.filing import purge_unconfirmed, submit_application
from mentorby.tenants.applications.models import CONFIRMED
from mentorby.tenants.applications.queries import accepted_by_cohort, counts, places_taken, start_checks

__all__ = [
    "CONFIRMED", "ApplicationError", "Upload", "accepted_by_cohort", "counts", "places_taken", "purge_unconfirmed",
    "start_checks", "submit_application",
]
