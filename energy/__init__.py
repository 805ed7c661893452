"""miasto energy."""
