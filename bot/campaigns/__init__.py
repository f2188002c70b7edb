"""Awareness campaigns: what users agreed to receive (consent), who gets a campaign
(audience), and its delivery through the outbox at each channel's pace (dispatch)."""

TOPICS = ("news", "deadlines", "capsules")
