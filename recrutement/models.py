"""Import every model so that Alembic and create_all see the whole schema."""

from recrutement.accounts.models import Role, User, UserSession, user_department  # noqa: F401
from recrutement.alerts.models import AlertedOffer, SavedSearch  # noqa: F401
from recrutement.applications.models import Application, ApplicationMessage  # noqa: F401
from recrutement.candidates.models import CandidateProfile, Favourite  # noqa: F401
from recrutement.cofunding.models import (  # noqa: F401
    AnahOpinion,
    Attachment,
    CofundingMessage,
    CofundingRequest,
    FundingPlan,
    FundingRule,
    InstructionNote,
)
from recrutement.core.models import AuditEvent, RateLimitCounter  # noqa: F401
from recrutement.core.tasks import BackgroundTask  # noqa: F401
from recrutement.emails.models import OutgoingEmail  # noqa: F401
from recrutement.files.models import StoredFile  # noqa: F401, E402
from recrutement.offers.models import IndexTask, Offer, offer_town  # noqa: F401, E402
from recrutement.organisations.models import (  # noqa: F401
    Invitation,
    Membership,
    Organisation,
    organisation_town,
)
from recrutement.pilotage.models import Recruit  # noqa: F401
from recrutement.referential.models import (  # noqa: F401
    Commune,
    Department,
    Grouping,
    Region,
    grouping_member,
)
from recrutement.search.models import (  # noqa: F401
    SearchDocument,
    SearchState,
    SearchWord,
    SearchWordForm,
)
