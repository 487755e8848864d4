"""Any text and any id survive the CSV form: quotes, commas, line breaks, "NA", empty strings."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brushbench.dataset import table_schema
from brushbench.dataset.csvio import open_csv_writer, read_csv_table, to_csv_table

SCHEMA = table_schema("reviews", "Asia/Shanghai")
FIRST_1902, LAST_9999 = -2_145_916_800, 253_402_128_000  # the span CSV holds exactly

texts = st.one_of(
    st.none(),
    st.sampled_from(["", "NA", "null", "nan", "N/A", '"', ",", "\n", "\r\n", "a\rb", "中文 👍"]),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
)
rows = st.lists(
    st.tuples(
        st.integers(-(2**63), 2**63 - 1),
        st.one_of(st.none(), st.integers(FIRST_1902, LAST_9999)),
        st.one_of(st.none(), st.integers(-128, 127)),
        texts,
    ),
    max_size=8,
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows)
def test_csv_round_trip_of_arbitrary_values(tmp_path, rows):
    table = pa.table(
        [
            pa.array([r[0] for r in rows], pa.int64()),
            pa.array([r[1] for r in rows], SCHEMA.field("created_at").type),
            pa.array([r[2] for r in rows], pa.int8()),
            pa.array([r[3] for r in rows], pa.string()),
        ],
        schema=SCHEMA,
    )
    path = tmp_path / "reviews.csv"
    writer = open_csv_writer(path, SCHEMA)
    writer.write_table(to_csv_table(table))
    writer.close()
    back = read_csv_table(path, SCHEMA)
    assert back.equals(table), (back.to_pydict(), table.to_pydict())


def test_times_the_csv_text_cannot_hold_are_refused(tmp_path):
    # Shanghai's 1900 offset was +08:05:43; "+08:05" would silently move the time.
    table = pa.table([pa.array([1], pa.int64()), pa.array([FIRST_1902 - 1], SCHEMA.field(1).type),
                      pa.array([5], pa.int8()), pa.array(["ok"])], schema=SCHEMA)
    writer = open_csv_writer(tmp_path / "reviews.csv", SCHEMA)
    with pytest.raises(ValueError, match="column created_at: CSV holds times from 1902-01-01"):
        writer.write_table(to_csv_table(table))


def test_the_writer_names_the_table_of_an_unwritable_time(tmp_path):
    from brushbench.dataset import DatasetWriter

    table = pa.table([pa.array([1], pa.int64()), pa.array([FIRST_1902 - 1], SCHEMA.field(1).type),
                      pa.array([5], pa.int8()), pa.array(["ok"])], schema=SCHEMA)
    with pytest.raises(ValueError, match="table reviews: column created_at: CSV holds"):
        with DatasetWriter(tmp_path / "ds", timezone="Asia/Shanghai", fmt="csv") as writer:
            writer.write("reviews", table)
    assert list(tmp_path.iterdir()) == []
