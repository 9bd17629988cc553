"""Fault drills (issue 14): each provokes a failure of production and checks that
nothing is lost and nothing doubled."""
