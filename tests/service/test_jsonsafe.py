"""One JSON-safe conversion (service.jsonsafe) for stored records, inventory records and exports."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from service.inventory.export import to_records
from service.jsonsafe import frame_records


def test_every_kind_of_missing_and_numpy_value_becomes_plain_json():
    frame = pd.DataFrame(
        {
            "area": [1.5, np.nan, np.inf],
            "storeys": pd.array([3, None, 1], dtype="Int64"),
            "has_pv": pd.array([True, None, False], dtype="boolean"),
            "year": np.array([1968, 1985, 2021], dtype=np.int64),
            "mixed": pd.Series([np.float64(2.5), float("-inf"), pd.NaT], dtype=object),
            "name": ["SP 24", None, np.str_("P 7")],
            "months": [[1.0, np.nan], (np.int64(2),), []],
        }
    )
    records = frame_records(frame)
    assert json.loads(json.dumps(records, allow_nan=False)) == records
    assert records == [
        {"area": 1.5, "storeys": 3, "has_pv": True, "year": 1968, "mixed": 2.5, "name": "SP 24", "months": [1.0, None]},
        {"area": None, "storeys": None, "has_pv": None, "year": 1985, "mixed": None, "name": None, "months": [2]},
        {"area": None, "storeys": 1, "has_pv": False, "year": 2021, "mixed": None, "name": "P 7", "months": []},
    ]  # fmt: skip
    assert all(type(r["year"]) is int and type(r["area"]) in (float, type(None)) for r in records)


def test_inventory_records_are_the_same_conversion_on_the_canonical_columns():
    frame = pd.DataFrame({"building_id": ["A", "B"], "heated_area_m2": [100.0, math.nan],
                          "note": pd.Series([float("inf"), "x"], dtype=object)})  # fmt: skip
    records = to_records(frame)
    assert [r["heated_area_m2"] for r in records] == [100.0, None]
    assert [r["note"] for r in records] == [None, "x"]  # an infinite cell is not stored as Infinity
    assert records[0]["building_id"] == "A" and list(records[0])[0] == "building_id"
    json.dumps(records, allow_nan=False)


def test_frame_json_writes_each_record_exactly_as_json_dumps_does():
    from service.jsonsafe import frame_json

    frame = pd.DataFrame(
        {
            "area": [1.5, np.nan, np.inf],
            "storeys": pd.array([3, None, 1], dtype="Int64"),
            "floors": np.array([2, 3, 4], dtype=np.int32),
            "has_pv": pd.array([True, None, False], dtype="boolean"),
            "flag": np.array([True, False, True]),
            "year": np.array([1968, 1985, 2021], dtype=np.int64),
            "mixed": pd.Series([np.float64(2.5), float("-inf"), pd.NaT], dtype=object),
            "name": ['Szkoła "Łódź"\n', None, np.str_("P 7")],
            "city": pd.Series(["Kraków", "Київ", None], dtype="string"),
            "months": [[1.0, np.nan], (np.int64(2),), []],
            "tiny": [1e-300, -0.0, 1 / 3],
            "zażółć %s": [1.0, 2.0, 3.0],
        }
    )
    expected = [json.dumps(r, allow_nan=False) for r in frame_records(frame)]
    assert frame_json(frame) == expected
    assert [json.loads(t) for t in frame_json(frame)] == frame_records(frame)
    assert frame_json(frame.iloc[:0]) == [] and frame_json(pd.DataFrame(index=range(2))) == ["{}", "{}"]
    odd = pd.DataFrame({1: [1.0], "b": ["x"]})  # a name that is not text: json.dumps writes it as text
    assert (
        frame_json(odd)
        == [json.dumps(r, allow_nan=False) for r in frame_records(odd)]
        == ['{"1": 1.0, "b": "x"}']
    )
