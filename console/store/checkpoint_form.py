"""The two forms of a checkpoint in the ``checkpoints.state`` column, and reading either.

- **JSON** (every log written before issue 14): zlib-compressed JSON of
  ``CityState.checkpoint()``, numeric columns as base64 (``{"dtype", "shape", "b64"}``).
- **Compact** (written since): ``MAGIC``, then zlib (level 1) of a pickle of the same dict
  holding plain values only (dict, list, str, int, float, bool, None, bytes), numeric columns
  as raw little-endian bytes (``{"dtype", "shape", "raw"}``). A cold seek paid for the JSON
  form three times (the text decode, the base64, and re-sharing every case document's repeated
  strings); a pickle keeps an object written once per file as one object when read back, so the
  case documents come back already sharing their values (``values_shared``) and decode several
  times faster.

A pickle read from a file is a program unless told otherwise: ``_PlainUnpickler`` refuses
every global, so a hostile file can build nothing but plain values (its error is a
``ValueError``, like a corrupt zlib stream or JSON text).
"""

from __future__ import annotations

import base64
import io
import json
import pickle
import zlib
from typing import Any

MAGIC = b"ZCP1"  # never the start of a zlib stream (0x78 ...)
#: Set in a decoded compact checkpoint: the documents share their repeated values as the
#: state that wrote it did (the pickle kept the identities), so nothing needs re-sharing.
VALUES_SHARED = "values_shared"


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"a checkpoint holds plain values only, not {module}.{name}")


def encode_json(state: dict[str, Any]) -> bytes:
    """The JSON form (what older consoles read) of a checkpoint dict (columns in either)."""
    text = {k: _columns(v, raw=False) for k, v in state.items() if k != VALUES_SHARED}
    return zlib.compress(json.dumps(text, separators=(",", ":")).encode(), 6)


def encode_compact(state: dict[str, Any]) -> bytes:
    """The compact form of a checkpoint dict (columns in either)."""
    plain = {k: _columns(v, raw=True) for k, v in state.items() if k != VALUES_SHARED}
    return MAGIC + zlib.compress(pickle.dumps(plain, protocol=5), 1)


def decode(blob: bytes) -> dict[str, Any]:
    """Either form back to the checkpoint dict (compact columns as ``raw`` bytes, which
    ``console.state`` unpacks like base64 ones). ValueError for anything else."""
    try:
        if blob[: len(MAGIC)] == MAGIC:
            data = _PlainUnpickler(io.BytesIO(zlib.decompress(blob[len(MAGIC) :]))).load()
            if not isinstance(data, dict):
                raise ValueError("a checkpoint is a mapping")
            data[VALUES_SHARED] = True
            return data
        data = json.loads(zlib.decompress(blob))
    except (pickle.UnpicklingError, zlib.error, EOFError, UnicodeDecodeError) as e:
        raise ValueError(f"unreadable checkpoint: {e}") from e
    if not isinstance(data, dict):
        raise ValueError("a checkpoint is a mapping")
    return data


def _columns(v: Any, raw: bool) -> Any:
    """A packed column (or a dict of them) with its bytes as they are (``raw``) or as base64
    text; anything else as it is."""
    if not isinstance(v, dict):
        return v
    if "dtype" in v and ("b64" in v or "raw" in v):
        data = v["raw"] if "raw" in v else base64.b64decode(v["b64"])
        packed = data if raw else base64.b64encode(data).decode()
        return {"dtype": v["dtype"], "shape": v["shape"], "raw" if raw else "b64": packed}
    return {k: _columns(x, raw) for k, x in v.items()}
