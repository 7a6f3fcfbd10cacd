"""schemathesis against /api/v1/openapi.json: no 500, and every answer conforms to the
description (status code, content type, body schema). Bounded: a few examples per operation.

Skipped when schemathesis is not installed (it is in the `test` extra)."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.gateway.harness import Harness

pytestmark = pytest.mark.slow
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance")


async def test_schemathesis_finds_no_500_and_no_schema_break(tmp_path: Path) -> None:
    binary = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if binary is None:
        pytest.skip("schemathesis is not installed")
    harness = await Harness.start(tmp_path)
    try:
        key = await harness.new_org()
        number = await harness.rent(key)
        lead = await harness.lead_with(key, "+14155550190")
        await harness.send(key, lead, number["number"], "seed")
        proc = await asyncio.create_subprocess_exec(
            binary, "run", f"{harness.url}/api/v1/openapi.json", "--url", harness.url,
            "--checks", CHECKS, "--max-examples", "8", "--workers", "1",
            "--phases", "examples,coverage,fuzzing", "--seed", "1",
            "-H", f"Authorization: {aiohttp.encode_basic_auth(key, '')}",
            "--no-color",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            cwd=tmp_path)
        output, _ = await asyncio.wait_for(proc.communicate(), 120)
        text = output.decode()
        assert proc.returncode == 0, text[-6000:]
    finally:
        await harness.close()
