"""miasto energy: climate, typology, monthly balance, carriers, PV, measures and portfolios."""

# 0.3.1: PV export valued at all twelve RCEm 2024 months (eight were the mean of four);
# 0.3: infiltration of new buildings from their n50; 0.2: ventilation, auxiliary energy, PV re-split
ENGINE_VERSION = "0.3.1"
