"""The CLI dispatchers: version, usage errors and the exit-code convention (2 = usage)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from audit import __version__
from audit.cli import main as audit_main
from certs.cli import main as certs_main


def test_version_flags(capsys: pytest.CaptureFixture[str]) -> None:
    for main, prog in ((audit_main, "audit"), (certs_main, "certs")):
        with pytest.raises(SystemExit) as exc:
            main(["--version"])
        assert exc.value.code == 0
        assert capsys.readouterr().out.strip() == f"{prog} {__version__}"


@pytest.mark.parametrize("prog", ["audit", "certs"])
def test_unknown_subcommand_is_a_usage_error(prog: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", f"{prog}.cli", "no-such-command"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
