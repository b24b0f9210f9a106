"""The coordinator's overview: where each of the city's current rounds stands."""
