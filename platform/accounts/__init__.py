"""Accounts: users, passwords, memberships, invitations, API tokens."""
