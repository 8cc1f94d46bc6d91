"""Recruiting agents (Overseas Employment Promoters): the registry staff import from the Bureau's list, the fuzzy
name and licence-number lookup behind the "Check an agent" flow, and complaints linked to a registered OEP.

``models`` (tables), ``names`` (licence numbers, names and cities as workers type them), ``rows`` and ``importer``
(the CSV import), ``source`` (the upstream seam and the in-memory index), ``turns`` (the answer to the flow's ask
and the complaint link), ``cli`` (``helpline oep ...``), ``fictional`` (a seeded list of made-up agencies for
tests, benchmarks and demos). See the README's "Checking an agent" section.
"""
