"""Logging in against a real `comptoir serve` process, over real HTTP: the operator enrols a
person with the command line, the person asks for a code, the operator's SMS console shows it,
and the code opens the session. The code appears in the SMS and nowhere in the server's log."""

from __future__ import annotations

import html
import os
import re
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.support.servers import COMPTOIR, comptoir_server

pytestmark = pytest.mark.slow

PHONE = "+17585550177"


def comptoir(data_dir: Path, *args: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPTOIR_")}
    env["COMPTOIR_DATA_DIR"] = str(data_dir)
    done = subprocess.run(
        [COMPTOIR, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_a_person_logs_in_to_a_running_node_with_the_code_from_the_sms_console(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "node"
    comptoir(data_dir, "db", "upgrade")
    enrolled = comptoir(
        data_dir, "identity", "person", "add", "--name", "Josette Leon",
        "--phone", PHONE, "--birthdate", "1990-05-06", "--locale", "fr",
    )  # fmt: skip
    assert '"person_id"' in enrolled
    with comptoir_server(
        data_dir,
        extra_env={
            "COMPTOIR_BLOCKS": "home,identity,channels.sms",
            "COMPTOIR_OUTBOX_POLL_SECONDS": "0.05",
        },
    ) as server:
        link = comptoir(data_dir, "operator", "link").strip().splitlines()[-1]
        with (
            httpx.Client(base_url=server.url, timeout=10) as operator,
            httpx.Client(base_url=server.url, timeout=10) as person,
        ):
            signed = operator.get(link.replace("http://127.0.0.1:8000", server.url))
            assert signed.status_code == 303
            code = log_in(operator, person)
        log = server.log()
    assert code not in log


def log_in(operator: httpx.Client, person: httpx.Client) -> str:
    """Ask for a code, read it on the SMS console, send it; returns the code."""
    form = person.get("/identity/login", params={"next": "/identity/me"})
    sent = person.post(
        "/identity/login",
        data={"phone": PHONE, "next": "/identity/me", "csrf_token": csrf(form.text)},
    )
    assert sent.status_code == 200, sent.text

    code = None
    deadline = time.monotonic() + 20
    while code is None and time.monotonic() < deadline:
        console = html.unescape(operator.get("/operator/sms").text)
        found = re.search(r"(\d{6})", console.split(PHONE, 1)[-1]) if PHONE in console else None
        code = found.group(1) if found else None
        time.sleep(0.1)
    assert code is not None, "the SMS console never showed the code"

    signed_in = person.post(
        "/identity/login/code",
        data={
            "phone": PHONE,
            "code": code,
            "next": "/identity/me",
            "csrf_token": csrf(sent.text),
        },
        follow_redirects=False,
    )
    assert signed_in.status_code == 303, signed_in.text
    assert signed_in.headers["location"] == "/identity/me"
    me = person.get("/identity/me")
    assert me.status_code == 200 and "Josette Leon" in me.text
    return code
