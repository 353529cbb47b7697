"""Exports over the core (no Textual here)."""
