"""All models; each feature keeps its tables in its own module, imported here so the metadata is whole."""

# Each module's models are re-exported with a star import: Alembic and the metadata need every table.
from store.models.core import *  # noqa: F401,F403 (re-exports: see above)
from store.models.core import Base  # noqa: F401 (re-exported: the declarative base)
from store.models.deregistration import *  # noqa: F401,F403 (re-exports: see above)
from store.models.home import *  # noqa: F401,F403 (re-exports: see above)
from store.models.letters import *  # noqa: F401,F403 (re-exports: see above)
from store.models.meetings import *  # noqa: F401,F403 (re-exports: see above)
from store.models.obligations import *  # noqa: F401,F403 (re-exports: see above)
from store.models.receipts import *  # noqa: F401,F403 (re-exports: see above)
from store.models.requests import *  # noqa: F401,F403 (re-exports: see above)
from store.models.reviews import *  # noqa: F401,F403 (re-exports: see above)
from store.models.teams import *  # noqa: F401,F403 (re-exports: see above)
