"""Textual screens: thin adapters over the core."""
