"""Personal data rights: what the platform holds about a person in a city (access), the city's privacy notice."""
