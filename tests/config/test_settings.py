"""Production settings pass Django's deployment checks; development defaults stay safe."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "PRODUCTION": "true",
    "SECRET_KEY": "x7#kq2-production-like-secret-9f8e7d6c5b4a3z2y1x0w-vutsrqponm",
    "ALLOWED_HOSTS": "kinship.example.com",
    "DATABASE_URL": "sqlite:///:memory:",
    "EMAIL_URL": "smtp+tls://kinship:mail-password@smtp.example.com:587",
}


def manage(*args, env):
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "PRODUCTION", "SECRET_KEY", "EMAIL_URL")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_never_loads_the_demo_logins():
    result = manage("load_demo_data", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "never loaded where PRODUCTION=true" in result.stderr
