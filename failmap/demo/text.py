"""Vectorized string building: messages, ids and JSON fragments for whole columns at once.

Generating tens of millions of rows rules out Python string formatting per row; these helpers
build Arrow string arrays from numpy draws with Arrow compute kernels instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Part: TypeAlias = pa.Array | pa.ChunkedArray | str

_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def cat(*parts: Part) -> pa.Array:
    """Element-wise concatenation; plain strings are repeated on every row, nulls propagate."""
    arrays = [pa.scalar(p, pa.string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*arrays, "")


def num(fmt: str, values: np.ndarray) -> pa.Array:
    """printf-style formatting of a numeric array (`"%.2f"`, `"%03d"`)."""
    return pa.array(np.char.mod(fmt, values), type=pa.string())


def pick(rng: np.random.Generator, options: Sequence[str], n: int) -> pa.Array:
    """`n` uniform draws from `options`."""
    return take(options, rng.integers(0, len(options), size=n))


def take(options: Sequence[str], index: np.ndarray) -> pa.Array:
    """`options[index]` as strings; index -1 gives null."""
    index = np.asarray(index)
    valid = index >= 0
    taken = pc.take(pa.array(list(options), type=pa.string()), pa.array(np.where(valid, index, 0)))
    if valid.all():
        return taken
    return pc.if_else(pa.array(valid), taken, pa.scalar(None, pa.string()))


def splitmix64(values: np.ndarray) -> np.ndarray:
    """A bijective 64-bit mix: distinct inputs give distinct, random-looking outputs.

    Ids are derived from it so they look like opaque hashes yet can never collide.
    """
    z = values.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def hex64(values: np.ndarray, digits: int = 16) -> pa.Array:
    """Lower-case hex of uint64 values, keeping the last `digits` digits (zero-padded)."""
    values = np.asarray(values, dtype=np.uint64)
    shifts = np.arange(4 * (digits - 1), -4, -4, dtype=np.uint64)
    nibbles = ((values[:, None] >> shifts) & np.uint64(15)).astype(np.intp)
    raw = np.ascontiguousarray(_HEX_DIGITS[nibbles]).view(f"S{digits}").ravel()
    return pa.array(raw, type=pa.binary(digits)).cast(pa.string())


def random_hex(rng: np.random.Generator, n: int, digits: int) -> pa.Array:
    """Random hex strings (memory addresses, upload ids): variable parts for error grouping."""
    return hex64(rng.integers(0, np.iinfo(np.int64).max, size=n, dtype=np.int64), digits)


def json_string(values: pa.Array) -> pa.Array:
    """JSON string literals (quoted, escaped) of a string array; nulls become `null`."""
    escaped = pc.replace_substring(values, "\\", "\\\\")
    escaped = pc.replace_substring(escaped, '"', '\\"')
    quoted = cat('"', escaped, '"')
    return pc.fill_null(quoted, "null")


def mix_seed(*parts: int) -> np.uint64:
    """One 64-bit value from several integers (seed, start date, salt), order-sensitive."""
    value = np.uint64(0)
    for part in parts:
        value = splitmix64(np.array([value ^ (np.uint64(part) & _MASK64)]))[0]
    return value
