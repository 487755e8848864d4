"""Arrow table to pandas DataFrame, without the pandas defaults that lose information.

pandas turns an integer column with nulls into float64, which cannot hold 64-bit random ids
exactly; such columns (and boolean ones with nulls) become pandas' nullable ``Int64``/``boolean``
dtypes instead. Columns without nulls keep plain numpy dtypes. Timestamps stay timezone-aware.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

_NULLABLE = {
    pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype(),
}


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """Convert ``table`` column by column (see the module docstring for the dtypes)."""
    columns = {}
    for field, column in zip(table.schema, table.columns, strict=True):
        if column.null_count and field.type in _NULLABLE:
            columns[field.name] = column.to_pandas(types_mapper=_NULLABLE.get)
        else:
            columns[field.name] = column.to_pandas()
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))
