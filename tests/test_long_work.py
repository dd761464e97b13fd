"""Long work: quiet SentencePiece trainer, progress bars that never mix with printed lines."""

import os
import shutil
import subprocess
import sys
import time

import pytest

from conftest import ROOT, run_cli

CORPUS = os.path.join(ROOT, "examples", "data", "corpus.txt")


def test_sentencepiece_trainer_is_quiet_unless_verbose(tmp_path):
    prog = tmp_path / "sp.lsp"
    prog.write_text('(println (torch_train_sentencepiece "%s" "%s" 200 "bpe"))\n'
                    % (CORPUS, tmp_path / "sp"))
    r = run_cli([str(prog)], cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Training completed successfully.")
    assert r.stderr == ""
    r = run_cli(["--verbose", str(prog)], cwd=str(tmp_path))
    assert r.returncode == 0 and "trainer" in r.stderr and len(r.stderr.splitlines()) > 20


PROGRESS = """\
(loopcount 6 i
   (torch_progress (+ i 1) 6 "work")
   (sleep 250)
   (println "line" i))
(println "done")
"""


def test_progress_bar_silent_when_piped(tmp_path):
    prog = tmp_path / "p.lsp"
    prog.write_text(PROGRESS)
    r = run_cli([str(prog)])
    assert r.stderr == ""
    assert r.stdout == "".join("line %d\n" % i for i in range(6)) + "done\n\n"


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_progress_bar_and_printed_lines_on_a_terminal(tmp_path):
    """What a user sees in a terminal (tmux renders it): the bar on its own line, below the
    printed lines, and never in the middle of one."""
    prog = tmp_path / "p.lsp"
    prog.write_text(PROGRESS)
    name = "lispe-progress-%d" % os.getpid()
    cmd = "cd %s && PYTHONPATH=%s %s -m lispe_py %s; sleep 30" % (tmp_path, ROOT, sys.executable, prog)
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "100", "-y", "20", cmd], check=True)
    try:
        def screen():
            return subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True,
                                  text=True).stdout.rstrip("\n").splitlines()
        middle = None
        for _ in range(300):
            lines = [l.rstrip() for l in screen()]
            if middle is None and "line 2" in lines:
                middle = lines
            if "done" in lines:
                break
            time.sleep(0.05)
        assert "done" in lines, lines
        text = [l for l in lines if l]
        for l in text:
            assert not ("line" in l and "|" in l), text       # no bar in a printed line
        assert text[:5] == ["line %d" % i for i in range(5)]
        assert text[5].startswith("work: 100%|") and "6/6" in text[5]
        assert text[6:] == ["line 5", "done"]
        shown = [l for l in middle if l]       # while running: the bar is the last line
        assert shown[-1].startswith("work:") and "|" in shown[-1], shown
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
