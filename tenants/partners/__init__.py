"""A city's partner organisations: companies, university, language school, municipality."""
