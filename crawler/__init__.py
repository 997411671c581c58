"""Patroli: crawler, store, evidence and the demo marketplace."""

__version__ = "0.1.0"
