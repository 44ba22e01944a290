"""Signals other apps (further along the arrows) answer, so screening never imports them.

``application_erasing``: sent inside the erasure's transaction with ``response_ids`` (list of ints);
a receiver deletes or clears its own rows about those applications.

``application_exporting``: sent once per application with ``response`` (a ``Response``); a receiver
returns a dict merged into that application's export (e.g. ``{"chat": [...]}``).
"""

from django.dispatch import Signal

application_erasing = Signal()
application_exporting = Signal()
