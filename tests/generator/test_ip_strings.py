"""IPv4 addresses written as the standard library's ipaddress spells them."""

from __future__ import annotations

import ipaddress

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.generator.tables import dotted_ips


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 2**32 - 1), min_size=0, max_size=300))
def test_dotted_ips_match_ipaddress(values):
    edges = [0, 1, 255, 256, 65535, 65536, 2**24, 2**32 - 1]
    ip = np.array(values + edges, dtype=np.uint32)
    assert dotted_ips(ip).to_pylist() == [str(ipaddress.IPv4Address(int(v))) for v in ip]
