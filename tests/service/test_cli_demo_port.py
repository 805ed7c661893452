"""`make run PORT=...`: a taken port is said plainly before any key is printed or anything stored."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path


def test_demo_refuses_a_taken_port_before_printing_keys(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        db = tmp_path / "demo.db"
        run = subprocess.run(
            [sys.executable, "-m", "service.cli", "demo", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
            env={"MIASTO_DATABASE_URL": f"sqlite:///{db}", "PATH": "/usr/bin:/bin"},
        )
    assert run.returncode == 2
    assert f"port {port}" in run.stderr and "taken" in run.stderr
    assert "key" not in run.stdout
    assert not db.exists(), "nothing migrated or stored"
