"""Every table the helpline has. Importing this module registers all models on ``Base.metadata``.

Models live beside their concern (``helpline.outbox``, ``helpline.complaints.models``, ...); this is the one
list of them that Alembic and the tests compare migrations against.
"""

from __future__ import annotations

from helpline import outbox, teaching, throttle  # noqa: F401
from helpline.complaints import models as complaints_models  # noqa: F401
from helpline.console import models as console_models  # noqa: F401
from helpline.handoff import models as handoff_models  # noqa: F401
from helpline.media import models as media_models  # noqa: F401
from helpline.oep import models as oep_models  # noqa: F401
from helpline.status import models as status_models  # noqa: F401
from helpline.storage import models  # noqa: F401
from helpline.storage.models import Base

metadata = Base.metadata
