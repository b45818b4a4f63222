"""What starting Kinship loads: every app's hooks.py, and no demo or benchmark code, which
only the commands that use them import (their steps are declared by dotted path)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
import config.urls  # what the first request loads
print(" ".join(sorted(name for name in sys.modules if name.split(".")[0] in {apps})))
"""
APPS = {"core", "customers", "mail", "groups", "client_groups", "linking", "billing", "bookings"}


def test_starting_loads_every_apps_hooks_and_no_demo_or_benchmark_code():
    probe = PROBE.replace("{apps}", repr(APPS))
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert {f"{app}.hooks" for app in APPS if (ROOT / app / "hooks.py").exists()} <= set(loaded)
    unwanted = [name for name in loaded if name.rsplit(".", 1)[-1] in {"demo", "benchmarks", "benchmark"}]
    assert not unwanted, f"loaded at start: {unwanted}"
