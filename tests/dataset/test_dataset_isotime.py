"""The numpy ISO 8601 writer gives exactly strftime's bytes, in every zone and century CSV holds."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.dataset.isotime import ISO_FORMAT, iso_column, iso_text

FIRST_1902, LAST_9999 = -2_145_916_800, 253_402_128_000  # the span CSV holds
# Whole-hour, half-hour and 45-minute offsets, both signs, daylight saving, and one zone
# (Monrovia, -00:44:30 until 1972) whose offset had seconds.
ZONES = ["Asia/Shanghai", "UTC", "America/New_York", "Europe/London", "Asia/Kolkata",
         "America/St_Johns", "Pacific/Chatham", "Australia/Lord_Howe", "Pacific/Kiritimati",
         "Africa/Monrovia", "America/Sao_Paulo"]

instants = st.lists(st.one_of(st.none(), st.integers(FIRST_1902, LAST_9999)), max_size=60)


def _strftime(array: pa.Array) -> list[str | None]:
    return pc.strftime(array, format=ISO_FORMAT).to_pylist()


@settings(max_examples=60, deadline=None)
@given(values=instants, zone=st.sampled_from(ZONES), cut=st.integers(0, 5))
def test_same_bytes_as_strftime(values, zone, cut):
    array = pa.array(values, pa.timestamp("s", tz=zone)).slice(min(cut, len(values)))
    column = pa.chunked_array([array, array[: len(array) // 2]], type=array.type)
    assert iso_column(column).to_pylist() == _strftime(pa.concat_arrays(column.chunks))


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London", "Australia/Lord_Howe"])
def test_each_second_around_a_daylight_saving_change(zone):
    # 2019-03-10 and 2019-03-31 (spring forward), 2019-04-07 (Lord Howe's half hour back).
    starts = {"America/New_York": 1_552_201_200, "Europe/London": 1_553_994_000,
              "Australia/Lord_Howe": 1_554_562_800}
    array = pa.array(range(starts[zone] - 7200, starts[zone] + 7200),
                     pa.timestamp("s", tz=zone))
    assert iso_text(array) is not None
    assert iso_column(pa.chunked_array([array])).to_pylist() == _strftime(array)


def test_text_is_iso_8601_with_the_offset():
    array = pa.array([1_573_401_605, None, -1], pa.timestamp("s", tz="Asia/Shanghai"))
    assert iso_column(pa.chunked_array([array])).to_pylist() == [
        "2019-11-11T00:00:05+08:00", None, "1970-01-01T07:59:59+08:00"]


@pytest.mark.parametrize("typ", [pa.timestamp("ms", tz="UTC"), pa.timestamp("s")])
def test_other_units_and_naive_times_are_left_to_strftime(typ):
    assert iso_text(pa.array([1_573_401_605], typ)) is None


def test_an_offset_with_seconds_is_left_to_strftime():
    monrovia_1960 = pa.array([-315_619_200], pa.timestamp("s", tz="Africa/Monrovia"))
    assert iso_text(monrovia_1960) is None
    assert iso_column(pa.chunked_array([monrovia_1960])).to_pylist() == _strftime(monrovia_1960)
