"""Screening in Telegram: a company's bot carries the same conversation as the web chat (issue 16).

``client`` is the one small synchronous client over python-telegram-bot that everything else calls.
``render`` (pure) turns transcript lines and the awaited question into texts and inline buttons; ``services``
handles an update (webhook or polling) through the chat's own services; ``delivery`` sends the transcript's new
lines (cursor per thread); ``nudge`` queues that delivery from the chat's services; ``connect`` connects and
disconnects a company's bot; ``views`` are the webhook and the owner's settings page.
"""
