"""The pure conversation engine (see README.md in this folder): ``step(state, message, ctx)``."""

from helpline.engine.core import Context, Facts, Flow, Turn, step

__all__ = ["Context", "Facts", "Flow", "Turn", "step"]
