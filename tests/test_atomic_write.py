"""A run killed at any moment leaves the previous output or none, never a torn file."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from fabula import FabulaError

from fabula.write.atomic import write_atomic

WRITER = r"""
import json, sys
from fabula.write.atomic import write_atomic
path = sys.argv[1]
i = 0
while True:
    i += 1
    write_atomic(path, json.dumps({"round": i, "payload": "x" * 3_000_000}))
"""


def test_sigkill_mid_write_never_tears_the_output(tmp_path):
    out = tmp_path / "out.json"
    write_atomic(out, json.dumps({"round": 0, "payload": "previous"}))
    for delay in (0.05, 0.13, 0.31, 0.57):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(out)])
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        data = json.loads(out.read_text())  # raises if torn
        assert data["payload"] in ("previous", "x" * 3_000_000)


def test_failed_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    out = tmp_path / "out.json"
    write_atomic(out, "old")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(FabulaError, match="No space left"):
        write_atomic(out, "new")
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_output_gets_the_usual_mode_or_keeps_the_old_files(tmp_path):
    mask = os.umask(0o022)
    try:
        new = tmp_path / "new.json"
        write_atomic(new, "{}")
        assert new.stat().st_mode & 0o777 == 0o644
        old = tmp_path / "old.json"
        old.write_text("[]")
        old.chmod(0o640)
        write_atomic(old, "{}")
        assert old.stat().st_mode & 0o777 == 0o640 and old.read_text() == "{}"
    finally:
        os.umask(mask)
