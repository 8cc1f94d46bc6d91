"""Talking to a person: the flow (:mod:`.flow`), the table (:mod:`.models`) and the staff actions and event
writers (:mod:`.service`). The console's pages for it are in :mod:`helpline.console.handoff`."""
