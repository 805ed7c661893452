"""miasto energy: climate, typology, monthly balance, carriers, PV, measures and portfolios."""

ENGINE_VERSION = "0.2.0"  # 0.2: ventilation systems, auxiliary energy, re-split PV climate
