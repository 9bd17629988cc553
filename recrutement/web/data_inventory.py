"""What the platform collects about people and for how long (candidates.data_inventory),
for the two pages that list it: /donnees-personnelles (public) and /candidat/donnees."""

from __future__ import annotations

from flask import current_app

from recrutement.candidates import data_inventory


def retention_text() -> str:
    """The configured retention period as people say it: "2 ans", or a number of days."""
    return data_inventory.retention_text(current_app.config["RETENTION_DAYS"])


def personal_data_inventory() -> dict:
    """What is collected and for how long (candidates.data_inventory), for the pages
    that list it: /donnees-personnelles (public blueprint) and /candidat/donnees. A
    function, so that other pages do not pay for it."""

    def inventory() -> dict:
        config = current_app.config
        return {
            "sections": data_inventory.sections(config, retention_text()),
            "candidate_records": data_inventory.records(
                config, retention_text(), data_inventory.CANDIDATE
            ),
            "cookies": data_inventory.cookies(config),
            "links_text": data_inventory.LINKS_TEXT,
            "retention": retention_text(),
        }

    return {"personal_data_inventory": inventory}
