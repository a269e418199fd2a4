"""Shell completion: Typer's --install-completion / --show-completion, and the shell's
completion requests answered by a2pctl itself (commands, options, files)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cli_support import cli_env


def _complete(words: str, cwd: Path) -> list[str]:
    env = cli_env()
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    env.update(_A2PCTL_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(cword))
    done = subprocess.run(
        [sys.executable, "-m", "a2pctl"], env=env, cwd=cwd, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_show_completion_prints_the_bash_script_for_a2pctl(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "a2pctl", "--show-completion", "bash"],
        env=cli_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "_a2pctl_completion()" in done.stdout
    assert "_A2PCTL_COMPLETE=complete_bash" in done.stdout


def test_the_shell_completes_commands_and_their_options(tmp_path: Path) -> None:
    assert _complete("a2pctl val", tmp_path) == ["validate"]
    assert {"deregister", "import", "export", "init", "brand"} <= set(
        _complete("a2pctl ", tmp_path)
    )
    assert "--keep-valid" in _complete("a2pctl import --k", tmp_path)


def test_file_arguments_are_left_to_the_shells_own_file_completion(tmp_path: Path) -> None:
    env = cli_env()
    env.update(_A2PCTL_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS="a2pctl validate ac")
    done = subprocess.run(
        [sys.executable, "-m", "a2pctl"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "_files"
