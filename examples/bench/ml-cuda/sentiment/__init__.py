"""A bag-of-words sentiment model scored by a native kernel."""

__version__ = "0.6.0"
