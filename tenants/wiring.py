"""Where the areas' signals meet their receivers: the one place that knows which area answers which question.

The app factory calls `connect()` (so does every worker, through it). Connecting here, not in the receiving area's
module, means a rule cannot vanish because that module happened not to be imported; `RECEIVERS` is what a test
checks against the signals' actual receivers.
"""

from mentorby.tenants import public_page
from mentorby.tenants.applications import of_partners
from mentorby.tenants.applications import services as applications
from mentorby.tenants.applications import signals as application_signals
from mentorby.tenants.cohorts import signals as cohort_signals
from mentorby.tenants.events import services as events
from mentorby.tenants.matching import services as matching
from mentorby.tenants.partners import signals as partner_signals
from mentorby.tenants.programme import signals as programme_signals
from mentorby.tenants.surveys import builder as surveys

#: Each signal and the functions that answer it, in the order their answers are wanted.
RECEIVERS = (
    (cohort_signals.start_checks, (applications.start_checks, matching.start_checks)),
    (cohort_signals.places_taken, (applications.places_taken,)),
    (cohort_signals.event_moved, (events.event_changed,)),
    (application_signals.participant_left, (matching.participant_left,)),
    (partner_signals.partner_removed, (of_partners.unlink_partner,)),
    (programme_signals.model_installed, (surveys.model_installed,)),
)


def connect() -> None:
    """Connect every receiver to its signal (idempotent: blinker keeps one connection per receiver)."""
    for signal, receivers in RECEIVERS:
        for receiver in receivers:
            signal.connect(receiver)
    public_page.listen()
