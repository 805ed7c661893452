"""Differences between two versions of an inventory, matched on ``building_id``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from energy.inventory.columns import COLUMNS
from service.inventory.export import to_records

#: Floats closer than this (relative) count as equal, so that a CSV round trip is not a change.
FLOAT_RTOL = 1e-9


def _frame(data) -> pd.DataFrame:
    frame = pd.DataFrame(data) if not isinstance(data, pd.DataFrame) else data
    if "building_id" not in frame.columns:
        raise ValueError("an inventory to diff needs a 'building_id' column")
    ids = frame["building_id"].astype("string")
    duplicated = ids[ids.duplicated()].unique().tolist()
    if duplicated:
        raise ValueError(f"building_id must be unique to diff; duplicated: {duplicated[:5]}")
    return frame.assign(building_id=ids).set_index("building_id")


def _differs(old: pd.Series, new: pd.Series) -> np.ndarray:
    """Elementwise 'changed': missing on both sides is equal; floats compared with FLOAT_RTOL."""
    old_missing, new_missing = old.isna().to_numpy(), new.isna().to_numpy()
    numeric = pd.api.types.is_numeric_dtype(old.dtype) and pd.api.types.is_numeric_dtype(new.dtype)
    if numeric:
        a, b = old.astype(float).to_numpy(), new.astype(float).to_numpy()
        with np.errstate(invalid="ignore"):
            same = np.isclose(a, b, rtol=FLOAT_RTOL, atol=0.0)
    else:
        same = (old.astype("string") == new.astype("string")).fillna(False).to_numpy()
    return (old_missing != new_missing) | (~old_missing & ~new_missing & ~same)


def diff_inventories(old, new) -> dict:
    """Buildings added, removed and changed between two inventories.

    Parameters
    ----------
    old, new : DataFrame or list of dict
        Canonical inventories (as returned by ``parse_inventory`` or stored); ``building_id`` unique.

    Returns
    -------
    dict
        ``added`` and ``removed``: lists of building_id (in the order of ``new`` / ``old``);
        ``changed``: ``[{"building_id": id, "fields": {field: [old, new]}}]`` in the order of
        ``new``, values JSON-ready (missing -> None). Columns present on one side only compare
        against missing.
    """
    a, b = _frame(old), _frame(new)
    added = b.index[~b.index.isin(a.index)].tolist()
    removed = a.index[~a.index.isin(b.index)].tolist()
    common = b.index[b.index.isin(a.index)]
    fields = [c for c in COLUMNS if c != "building_id" and (c in a.columns or c in b.columns)]
    fields += [c for c in dict.fromkeys([*a.columns, *b.columns]) if c not in fields and c != "building_id"]
    a_common = a.reindex(index=common, columns=fields)
    b_common = b.reindex(index=common, columns=fields)
    mask = pd.DataFrame({f: _differs(a_common[f], b_common[f]) for f in fields}, index=common, columns=fields)
    changed_ids = common[mask.any(axis=1).to_numpy()]
    changed = []
    if len(changed_ids):
        old_rec = to_records(a_common.loc[changed_ids].reset_index())
        new_rec = to_records(b_common.loc[changed_ids].reset_index())
        flags = mask.loc[changed_ids].to_numpy()
        for bid, o, n, row_flags in zip(changed_ids, old_rec, new_rec, flags, strict=True):
            changed_fields = [f for f, flag in zip(fields, row_flags, strict=True) if flag]
            changed.append({"building_id": bid, "fields": {f: [o[f], n[f]] for f in changed_fields}})
    return {"added": added, "removed": removed, "changed": changed}
