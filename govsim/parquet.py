"""A run's small tables to Parquet: the file ``DataFrame.to_parquet(path, index=False)`` writes, faster.

A sweep writes two small tables per run (53 and 159 rows for a real-world run). pandas' writer spends
most of that time converting the frame to Arrow column by column and building the same pandas
metadata (the dtypes that ``read_parquet`` restores) for every table. Here the Arrow schema, that
metadata included, is made once per column layout (names and dtypes), and the columns are handed to
Arrow as they are: numpy columns without a copy, Arrow-backed strings as their Arrow arrays. Any other
layout (categories, objects, a named index, attrs) is written by pandas' own path, and so is a table
whose columns do not fit the remembered schema.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

_PLAIN = {"f", "i", "u", "b"}  # numpy kinds whose pandas metadata does not depend on the values


def write_parquet(table: pd.DataFrame, path: str | Path) -> None:
    """Write ``table`` to ``path`` as ``table.to_parquet(path, index=False)`` would (same schema,
    pandas metadata, values and snappy compression)."""
    if table.attrs:  # pandas keeps attrs in the file's metadata: its own writer does that
        table.to_parquet(path, index=False)
        return
    pq.write_table(arrow_table(table), str(path))


def arrow_table(table: pd.DataFrame) -> pa.Table:
    """``pa.Table.from_pandas(table, preserve_index=False)``, with the schema remembered per layout."""
    columns = _plain_columns(table)
    if columns is None:
        return pa.Table.from_pandas(table, preserve_index=False)
    key = (tuple(table.columns), tuple(str(t) for t in table.dtypes))
    try:
        return pa.Table.from_arrays(columns, schema=_schema(key, table))
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):  # a column Arrow types otherwise: pandas' way
        return pa.Table.from_pandas(table, preserve_index=False)


def _plain_columns(table: pd.DataFrame) -> list | None:
    """The columns as Arrow can take them, or None if one is not plain numbers or Arrow-backed text."""
    if table.attrs or not isinstance(table.index, pd.RangeIndex) or not table.columns.is_unique:
        return None
    if not all(isinstance(name, str) for name in table.columns):
        return None
    out = []
    for _, column in table.items():
        values = column.array
        if isinstance(values, pd.arrays.ArrowStringArray):
            out.append(pa.array(values))
        elif isinstance(values, pd.arrays.NumpyExtensionArray) and values.dtype.kind in _PLAIN:
            out.append(pa.array(np.asarray(values)))
        else:
            return None
    return out


def _schema(key: tuple, table: pd.DataFrame) -> pa.Schema:
    """The schema pandas gives tables of this layout: worked out from the first one (its metadata
    describes names and dtypes only, for the plain columns :func:`_plain_columns` accepts)."""
    cached = _SCHEMAS.get(key)
    if cached is None:
        cached = _SCHEMAS[key] = pa.Schema.from_pandas(table.iloc[:0], preserve_index=False)
    return cached


_SCHEMAS: dict[tuple, pa.Schema] = {}
