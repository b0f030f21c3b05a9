"""baclo: an offline reference and interaction checker for baclofen."""

__version__ = "0.1.0"
