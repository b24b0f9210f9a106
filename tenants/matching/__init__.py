"""Pure matching logic for the Career Mentoring Programme: scores, pair/group assignment and speed-networking plans."""
