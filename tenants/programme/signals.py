"""Events of the programme area, as blinker signals it owns (other areas listen; see tenants/wiring.py)."""

from blinker import Namespace

_signals = Namespace()

#: A city has just received its programme model; sent with the city as sender and `session=`, in the city's scope.
#: Areas that copy their part of the model (the survey set) answer it.
model_installed = _signals.signal("programme.model-installed")
