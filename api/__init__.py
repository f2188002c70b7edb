"""The HTTP service: Telegram and WhatsApp webhooks, health checks. Thin: it calls bot/."""
