"""Candidates: their profile, favourites, home, and personal data (export, deletion, retention)."""
