"""Offers (fiches de poste): what they are, their lifecycle, who may act on them."""
