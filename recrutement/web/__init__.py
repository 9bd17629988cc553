"""HTTP: one blueprint per audience, each a thin layer over the domain services."""
