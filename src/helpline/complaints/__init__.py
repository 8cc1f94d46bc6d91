"""Complaints: taxonomy, reference numbers, routing, intake storage and tracking."""
