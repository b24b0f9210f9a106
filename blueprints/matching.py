"""The matching board: propose, change, pin, forbid, publish, and end pairs."""

from mentorby.blueprints.common import CityBlueprint

bp = CityBlueprint("matching", __name__)
