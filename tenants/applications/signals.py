"""Events of the applications area, as blinker signals it owns (other areas listen; see tenants/wiring.py)."""

from blinker import Namespace

_signals = Namespace()

#: Someone no longer takes part in a round (withdrew, was declined or wait-listed after being accepted).
#: Sent with the application as sender and `session=`, `ended_by=` ("coordinator", "mentor" or "mentee").
participant_left = _signals.signal("applications.participant-left")
