"""Helpline core: conversation engine, knowledge base, matcher, storage and service. Imports no channel SDK."""

__version__ = "0.1.0"
