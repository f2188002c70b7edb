"""Fadaa: the conversation core. Knows nothing of HTTP, Telegram or WhatsApp."""

from bot.clock import prefer_packaged_tzdata

prefer_packaged_tzdata()
