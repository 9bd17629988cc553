"""The demo data (`flask demo seed`, `--offers N`, `--national`; see README): its content
lives in data/*.toml, read by small builders that go through the domain services as the
demo users would (bulk inserts only for volume: offers across France, the national
programme). Every builder is idempotent and refused in production.

- common.py: the mail domain, the refusal in production, reading data files;
- accounts.py: `seed()`: the referential, stand-in PVD towns, the demo accounts and
  collectivités (data/accounts.toml); places.py: where the programme goes;
- offers/: offers in every state and across France (data/offers.toml);
- applications.py: applications in every state (data/applications.toml);
- cofunding/: cofunding requests in every state (data/cofunding.toml, documents.toml);
- national/: a whole programme for the dashboard (data/national.toml).
"""

from recrutement.demo.accounts import seed
from recrutement.demo.common import DOMAIN, DemoRefused

__all__ = ["DOMAIN", "DemoRefused", "seed"]
