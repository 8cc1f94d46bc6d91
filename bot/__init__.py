"""Telegram channel ring: python-telegram-bot transport."""
