"""The demo city loaded by `make run`."""
