"""The demo cofunding requests (`flask demo seed`): Quimperlé (Finistère, 29) and
Commercy (Meuse, 55) each get one in every state, planned in data/cofunding.toml.

Each has a draft, a filed request, one in instruction (with a private note and
messages), one waiting for a complement, one granted (decision PDF, renewal draft
for the next period), one refused and one dismissed; in Finistère several requests
ask ANAH: one was granted after anah29@'s favourable opinion, two wait for it.
Commercy's filed request starts from the hire that the demo applications record,
when there is one.

- planned.py: the requests and their steps, read from data/cofunding.toml;
- requests.py: `create_demo_cofunding()`, which makes them through the services;
- timeline.py: moves each request's timestamps back to the days of its steps;
- documents.py: the supporting documents' PDFs, from data/documents.toml.

Idempotent: a planned request is recognised by its organisation and post title
(the one started from a hire, by any request made from a hire of the organisation)
and skipped when it exists. Periods are set relative to the current year. Refused
in production.
"""

from recrutement.demo.cofunding.planned import plan
from recrutement.demo.cofunding.requests import create_demo_cofunding
from recrutement.demo.cofunding.timeline import Timeline

__all__ = ["Timeline", "create_demo_cofunding", "plan"]
