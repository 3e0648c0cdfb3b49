"""All models; each feature keeps its tables in its own module, imported here so the metadata is whole."""

from store.models.core import *  # noqa: F401,F403
from store.models.core import Base  # noqa: F401
from store.models.deregistration import *  # noqa: F401,F403
from store.models.home import *  # noqa: F401,F403
from store.models.letters import *  # noqa: F401,F403
from store.models.meetings import *  # noqa: F401,F403
from store.models.obligations import *  # noqa: F401,F403
from store.models.receipts import *  # noqa: F401,F403
from store.models.requests import *  # noqa: F401,F403
from store.models.reviews import *  # noqa: F401,F403
