"""Conversation flows. Each module registers its flow on import; this package imports them all.

Adding a flow: write a module with a :class:`helpline.engine.core.Flow` subclass, call ``register`` on an
instance, and import the module here. Its main-menu entry appears only once it is registered.
"""

from helpline.flows import faq, handoff, language, status_lookup  # noqa: F401  (imported for their registration)
from helpline.flows import complaint, tracking  # noqa: F401,E402  (complaints, issue 5)
