"""Conversation flows, one module each. They do not register themselves: :mod:`helpline.wiring` lists them."""
