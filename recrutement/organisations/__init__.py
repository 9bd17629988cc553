"""Organisations (collectivités), their members and invitations."""
