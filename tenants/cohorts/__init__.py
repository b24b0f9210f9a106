"""Rounds of the programme (`Cohort`): dates, joint events, capacities and the life cycle."""
