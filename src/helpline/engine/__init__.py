"""The pure conversation engine (see README.md in this folder): ``step(state, message, ctx)``."""

from helpline.engine.core import FLOWS, Context, Flow, Turn, register, step

__all__ = ["FLOWS", "Context", "Flow", "Turn", "register", "step", "load_flows"]


def load_flows() -> None:
    """Import the flow modules so they register themselves."""
    import helpline.flows  # noqa: F401
