"""Build the packaged climate data from the ministry (IMGW) typical meteorological years.

Run once by a maintainer (not at run time)::

    python energy/data/climate/build_climate.py /path/to/shared/data/climate_pl

Reads every ``epw/POL_*_IMGW.epw`` with :func:`pvlib.iotools.read_epw` and writes, per station,
``<station_id>.csv.gz`` holding only the columns the engine uses (ghi, dni, dhi [W/m^2] rounded
to 1 W/m^2; temp_air [degC] and wind_speed [m/s] rounded to 0.1), 8760 rows in file order
(hour ending 01:00 local standard time on 1 January first). ``stations.csv`` lists the stations
with coordinates: NOAA ISD station history where ``monthly_normals.csv`` has the station
(the EPW headers are wrong for Torun and lack elevation for eight stations), else the EPW header.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pvlib

HERE = Path(__file__).resolve().parent
COLUMNS = ["ghi", "dni", "dhi", "temp_air", "wind_speed"]
# Stations absent from monthly_normals.csv (no ISD row there): elevation missing (0.0) in the EPW
# header; approximate station elevation [m] from topographic maps, an engineering default.
ELEVATION_FALLBACK_M = {"124180": 91.0, "123100": 21.0}


def build(shared_climate_dir: Path) -> pd.DataFrame:
    """Write the compact per-station files and return the station table."""
    normals = pd.read_csv(shared_climate_dir / "monthly_normals.csv")
    normals["station_id"] = (normals["wmo_id"] * 10).astype(str)
    normals = normals.set_index("station_id")
    rows = []
    for path in sorted((shared_climate_dir / "epw").glob("POL_*_IMGW.epw")):
        data, meta = pvlib.iotools.read_epw(path)
        station_id = str(meta["WMO_code"])
        assert len(data) == 8760, path
        out = pd.DataFrame(
            {
                "ghi": data["ghi"].round(0).astype(int),
                "dni": data["dni"].round(0).astype(int),
                "dhi": data["dhi"].round(0).astype(int),
                "temp_air": data["temp_air"].round(1),
                "wind_speed": data["wind_speed"].round(1),
            }
        )
        out.to_csv(HERE / f"{station_id}.csv.gz", index=False, compression="gzip")
        with open(path, encoding="latin-1") as fh:
            comments = next((ln for ln in fh if ln.startswith("COMMENTS 1")), "")
        period = comments.split("Period of Record")[-1].strip().rstrip("_").strip()
        if station_id in normals.index:
            ref = normals.loc[station_id]
            lat, lon, alt = float(ref["lat"]), float(ref["lon"]), float(ref["elevation_m"])
            coord_source = "NOAA NCEI ISD station history (via climate_pl/monthly_normals.csv)"
        else:
            lat, lon = float(meta["latitude"]), float(meta["longitude"])
            alt = float(meta["altitude"]) or ELEVATION_FALLBACK_M[station_id]
            coord_source = "EPW header; elevation approximate (engineering default)"
        rows.append(
            {
                "station_id": station_id,
                "name": str(meta["city"]),
                "lat": lat,
                "lon": lon,
                "altitude_m": alt,
                "tz_offset_h": float(meta["TZ"]),
                "period": f"TMY, record {period}",
                "epw_file": path.name,
                "annual_ghi_kwh_m2": round(data["ghi"].sum() / 1000, 1),
                "annual_temp_air_c": round(data["temp_air"].mean(), 2),
                "coord_source": coord_source,
            }
        )
    stations = pd.DataFrame(rows)
    stations.to_csv(HERE / "stations.csv", index=False)
    return stations


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "climate_pl"
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else default).to_string())
