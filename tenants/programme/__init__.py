"""The programme model of a city: its joint-event sequence and success criteria."""
