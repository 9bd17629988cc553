"""The programme dashboard (pilotage): figures, charts and map."""
