"""miasto service."""
