"""Inventory intake: parsing, validation, storage and versions of building inventories."""
