"""The audit log of changes made by coordinators and admins."""
