"""Surveys of a round, their answers, and the evaluation of the success criteria."""
