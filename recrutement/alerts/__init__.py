"""Alerts: saved searches, their unsubscribe links, and the mails of new offers."""
