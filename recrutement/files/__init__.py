"""Uploaded files: checked by content, stored outside static/ under random names."""
