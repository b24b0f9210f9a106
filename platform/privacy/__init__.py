"""Data protection: what personal data the platform holds, and the rights of the people it is about."""
