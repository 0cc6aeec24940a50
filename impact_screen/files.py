"""Writing files whole or not at all: a crash mid-write never leaves half a file behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomically(path: Path, content: bytes | str | Iterable[str]) -> Path:
    """Write to a temporary file beside `path`, then rename it over `path` (atomic on one disk).
    `content` may be pieces of text, written as they come (a large JSON document is never held
    whole in memory)."""
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    pieces = [content] if isinstance(content, str | bytes) else content
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            for piece in pieces:
                stream.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
