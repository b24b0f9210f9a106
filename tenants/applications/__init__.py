"""Recruitment and selection: the mentor pool, applications to a round, CVs and consent."""
