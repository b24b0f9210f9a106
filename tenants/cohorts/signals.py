"""What the rounds area asks of the others, as blinker signals it owns (other areas answer, it never imports them).

Receivers are connected in one place, `tenants/wiring.py`, which the app factory runs; a test checks that each
signal has its receivers, so a rule cannot silently go missing because a module was not imported.
"""

from blinker import Namespace

_signals = Namespace()

#: Asked before a round starts running: each receiver returns (message code, params) pairs that stop it.
#: Sent with the round as sender and `session=`.
start_checks = _signals.signal("cohorts.start-checks")

#: Asked before a round's places change: each receiver returns {role: number of people already taking one}.
places_taken = _signals.signal("cohorts.places-taken")

#: Told after a joint event's time, length or place changed (calendars and those coming must hear of it).
#: Sent with the event as sender and `session=`.
event_moved = _signals.signal("cohorts.event-moved")


def problems_from(signal, sender, **kwargs) -> list[tuple[str, dict]]:
    """Every receiver's answer to `signal`, joined into one list of problems."""
    return [problem for _receiver, answer in signal.send(sender, **kwargs) for problem in (answer or [])]
