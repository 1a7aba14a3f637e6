#!/usr/bin/python3
"""Writes the tiny .npy fixtures used by NpyTest (vit-model/src/test/resources/npy).

Run with Debian's numpy: /usr/bin/python3 scripts/reference/gen_npy_fixtures.py
"""
import os
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "vit-model", "src", "test", "resources", "npy")
os.makedirs(OUT, exist_ok=True)


def p(name):
    return os.path.join(OUT, name)


# Values chosen to be exactly representable in float32, with a recognisable pattern: v[i] = i * 0.25 - 1.
np.save(p("f4_2x3.npy"), (np.arange(6, dtype=np.float32) * 0.25 - 1).reshape(2, 3))
np.save(p("f8_2x3x4.npy"), (np.arange(24, dtype=np.float64) * 0.25 - 1).reshape(2, 3, 4))
np.save(p("f4_scalar.npy"), np.array(3.5, dtype=np.float32))
np.save(p("f4_vec5.npy"), np.arange(5, dtype=np.float32))
np.save(p("f4_empty_0x4.npy"), np.zeros((0, 4), dtype=np.float32))
np.save(p("f4_fortran_2x3.npy"), np.asfortranarray((np.arange(6, dtype=np.float32)).reshape(2, 3)))
np.save(p("i4_2x3.npy"), np.arange(6, dtype=np.int32).reshape(2, 3))
np.save(p("f4_bigendian_2x3.npy"), np.arange(6, dtype=">f4").reshape(2, 3))
# Format version 2.0 (4-byte header length), forced explicitly.
with open(p("f4_v2_2x3.npy"), "wb") as f:
    np.lib.format.write_array(f, (np.arange(6, dtype=np.float32) * 0.25 - 1).reshape(2, 3), version=(2, 0))
# Truncated: a valid header promising 2x3 floats followed by only 10 data bytes.
full = open(p("f4_2x3.npy"), "rb").read()
with open(p("f4_truncated.npy"), "wb") as f:
    f.write(full[:len(full) - 14])
# Not an .npy file at all.
with open(p("not_npy.npy"), "wb") as f:
    f.write(b"PK\x03\x04 this is a zip, not npy")
print("wrote fixtures to", os.path.abspath(OUT))
