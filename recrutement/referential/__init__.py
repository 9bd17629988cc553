"""The administrative referential: régions, départements, communes, groupings, PVD status."""
