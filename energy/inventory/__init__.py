"""A city's inventory of buildings as the engine reads it: the columns and their rules
(``columns``), the readers of CSV, XLSX and JSON submissions (``readers``, ``parsing``), the
validation of every cell (``validation``) and the plausibility warnings (``plausibility``).

Pure logic about building data, next to the typology it fills in; the service's intake
(``service.inventory``) receives the upload, calls :func:`energy.inventory.parsing.parse_inventory`
and stores the result. See ``COLUMNS.md`` for every column, its unit and its Polish header.
"""
