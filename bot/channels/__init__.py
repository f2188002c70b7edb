"""Adapters between channels (terminal, Telegram, WhatsApp) and the engine."""
