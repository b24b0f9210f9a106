"""Events of the partners area, as blinker signals it owns (other areas listen; see tenants/wiring.py)."""

from blinker import Namespace

_signals = Namespace()

#: A partner organisation is about to be removed; sent with the partner as sender and `session=`.
partner_removed = _signals.signal("partners.partner-removed")
