"""The staff console: a Flask blueprint under /staff (queue, case view, handoff, overview, export)."""
