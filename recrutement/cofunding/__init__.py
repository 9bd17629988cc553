"""Cofunding requests (demandes de cofinancement) and the rules that cap them."""
