"""Pieces every domain uses: time, column types, the audit journal."""
