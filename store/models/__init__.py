"""All models; each feature keeps its tables in its own module, imported here so the metadata is whole."""

from store.models.core import *  # noqa: F401,F403 - re-exports the models
from store.models.core import Base  # noqa: F401 - re-exported
from store.models.deregistration import *  # noqa: F401,F403 - re-exports the models
from store.models.home import *  # noqa: F401,F403 - re-exports the models
from store.models.letters import *  # noqa: F401,F403 - re-exports the models
from store.models.meetings import *  # noqa: F401,F403 - re-exports the models
from store.models.receipts import *  # noqa: F401,F403 - re-exports the models
from store.models.requests import *  # noqa: F401,F403 - re-exports the models
