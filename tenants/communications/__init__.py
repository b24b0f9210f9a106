"""A city's communications: announcements to a round or the mentor pool, certificates of participation."""
