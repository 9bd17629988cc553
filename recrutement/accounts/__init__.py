"""Accounts: users, roles, passwords, sign-in, tokens, permissions."""
