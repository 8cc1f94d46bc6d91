"""Passport and application status: the registry, its CSV import, verified lookups and change alerts."""
