"""miasto energy: climate, typology, monthly balance, carriers, PV, measures and portfolios."""

ENGINE_VERSION = "0.1.0"
