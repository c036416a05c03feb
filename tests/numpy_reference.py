"""Numpy formulas the kernel's compiled loops must equal bit for bit (shared by tests/test_fused_*.py)."""

from __future__ import annotations

import numpy as np

from govsim.codes import MEMBER, PARTNER


def access_weight(status, view, member=None):
    """(N, K) share of a forum's goods a country receives: 1 member (or any country in a universal
    forum), the forum's partner_access as a partner, else 0."""
    member = (status == MEMBER) | view.universal if member is None else member
    return np.where(member, 1.0, np.where(status == PARTNER, view.partner_access, 0.0))
