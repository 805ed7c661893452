"""miasto integration."""
