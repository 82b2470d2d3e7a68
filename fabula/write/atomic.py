"""Write a file so that a crash at any moment leaves the old file or none, never a torn one."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import FabulaError


def write_atomic(path: str | Path, data: str | bytes) -> None:
    p = Path(path)
    directory = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise FabulaError(f"{p}: is a directory; give a file name for the output")
    if not directory.is_dir():
        raise FabulaError(f"{directory}: output folder does not exist")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        raise FabulaError(f"{p}: cannot write ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            # mkstemp makes the file private (0600): give it the mode of the file it replaces,
            # or the one a plain open() would have given
            try:
                mode = p.stat().st_mode & 0o7777
            except OSError:
                mode = 0o666 & ~_umask()
            os.fchmod(fh.fileno(), mode)
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise FabulaError(f"{p}: cannot write ({exc.strerror or exc})") from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
