"""The running round: 1:1 sessions that mentors and mentees log, and the round's health for the coordinator."""
