"""obligraph: who in a cloud supply chain actually assures each security control."""

__version__ = "0.1.0"
