"""A round's joint events as people live them.

Venue and agenda, materials, invitations and RSVP, check-in at the door, attendance and no-shows, calendar feeds and
reminders.
"""
