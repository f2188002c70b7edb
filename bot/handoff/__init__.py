"""Handing a conversation to human advisors: the queue, the advisors' desk, the relay."""
