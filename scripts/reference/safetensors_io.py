"""safetensors save/load for the family-2 scripts (Debian has no Python safetensors package).

The format code lives once, in vit_ref.py: save = write_safetensors (F32 by default), load = read_safetensors.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vit_ref import read_safetensors as load  # noqa: E402,F401
from vit_ref import write_safetensors as save  # noqa: E402,F401
