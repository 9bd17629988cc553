"""Applications (candidatures) and candidate profiles."""
