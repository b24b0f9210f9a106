"""Kick-off speed networking: the rotation plan, printable sheets, the phone view and ratings."""

from mentorby.blueprints.common import CityBlueprint

bp = CityBlueprint("networking", __name__)
