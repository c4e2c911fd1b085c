"""Comptoir: open digital public infrastructure for inclusive e-commerce."""

__version__ = "0.1.0"
