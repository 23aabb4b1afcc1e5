"""Speech-to-text service."""

__version__ = "0.4.2"
