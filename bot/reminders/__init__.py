"""Reminders: rules (time math), queries (their rows), dispatch (claim, queue, recover,
recompute). What the user is told lives in `bot/flows/reminders.py`; the tick runs among
the background jobs of `bot/scheduler.py`."""
