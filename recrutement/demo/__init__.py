"""The demo data (`flask demo seed`, see README): its content lives in data/*.toml, read
by small builders that go through the domain services as a user would.

- accounts.py: `seed()`, the referential, stand-in PVD towns, the demo accounts and
  collectivités (data/accounts.toml);
- places.py: the départements the programme covers, the stand-in PVD towns;
- common.py: the mail domain, the refusal in production, reading data files.
"""

from recrutement.demo.accounts import seed
from recrutement.demo.common import DOMAIN, DemoRefused

__all__ = ["DOMAIN", "DemoRefused", "seed"]
