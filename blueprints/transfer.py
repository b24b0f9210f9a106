"""Import applications from an earlier spreadsheet and export a round's participants (CSV and XLSX)."""

from mentorby.blueprints.common import CityBlueprint

bp = CityBlueprint("transfer", __name__, url_prefix="/coordinator/cohorts")
