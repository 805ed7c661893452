"""Packaged data files of the energy engine (see SOURCES.md)."""
