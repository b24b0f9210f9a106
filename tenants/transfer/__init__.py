"""Import applications from an earlier spreadsheet (CSV, XLSX) and export a round's applications to one."""
