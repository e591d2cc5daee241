"""Command-line output that other programs read: UTF-8 when redirected (Windows would write the
console's code page), and --out FILE written only when complete."""
from __future__ import annotations

import io
import json
import sys

import pytest

from app.cli import main
from app.store.db import Store


def _new_item(store: Store) -> str:
    routed = set(store.routed_item_codes().to_list())
    return next(c for c in store.item_codes() if c not in routed)


class Cp1252Pipe(io.TextIOWrapper):
    """Standard output redirected to a file on English Windows: cp1252, not a terminal."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="cp1252")

    def written(self) -> bytes:
        self.flush()
        return self.buffer.getvalue()


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_redirected_output_is_utf8_with_korean_operation_names(trained_store, monkeypatch, as_json):
    out, err = Cp1252Pipe(), Cp1252Pipe()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    argv = ["predict", "--item", _new_item(trained_store), "--store", str(trained_store.path)]
    assert main(argv + (["--json"] if as_json else [])) == 0
    text = out.written().decode("utf-8")            # not cp1252: that could not hold Korean at all
    names = {"수입검사", "절단", "레이저 절단", "스프링 코일링", "고무 가류성형", "트리밍"}
    if as_json:
        data = json.loads(text)
        ops = data["predictions"][0]["candidates"][0]["operations"]
        assert any(op["JOB_NM"] in names or any("\uac00" <= ch <= "\ud7a3" for ch in op["JOB_NM"]) for op in ops)
    else:
        assert any("\uac00" <= ch <= "\ud7a3" for ch in text)


def test_errors_redirected_on_a_cp1252_console_do_not_crash(trained_store, monkeypatch):
    out, err = Cp1252Pipe(), Cp1252Pipe()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["predict", "--item", "씰-없음", "--store", str(trained_store.path)]) == 2
    assert "씰-없음" in err.written().decode("utf-8")


@pytest.fixture
def out_dir(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_out_writes_the_json_to_a_file(trained_store, out_dir, capsys):
    target = out_dir / "예측 결과.json"
    code = _new_item(trained_store)
    rc = main(["predict", "--item", code, "--json", "--out", str(target), "--store", str(trained_store.path)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert out == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["predictions"][0]["ITEM_CD"] == code
    assert [p.name for p in out_dir.iterdir()] == [target.name]   # no temporary file left


def test_a_failed_command_leaves_an_earlier_out_file_as_it_was(trained_store, out_dir, capsys):
    target = out_dir / "models.json"
    target.write_text("earlier", encoding="utf-8")
    rc = main(["models", "--activate", "NO-SUCH-VERSION", "--out", str(target), "--store", str(trained_store.path)])
    _, err = capsys.readouterr()
    assert rc == 2 and "NO-SUCH-VERSION" in err
    assert target.read_text(encoding="utf-8") == "earlier"
    assert [p.name for p in out_dir.iterdir()] == ["models.json"]
    rc = main(["models", "--json", "--out", str(target), "--store", str(trained_store.path)])
    assert rc == 0 and json.loads(target.read_text(encoding="utf-8"))[0]["active"] is True


def test_out_in_a_missing_folder_or_a_locked_file_is_one_clear_line(trained_store, out_dir, capsys, monkeypatch):
    rc = main(["models", "--out", str(out_dir / "nowhere" / "m.txt"), "--store", str(trained_store.path)])
    _, err = capsys.readouterr()
    assert rc == 2 and err.strip().splitlines() == [
        f"routing-ml: --out {out_dir / 'nowhere' / 'm.txt'}: the folder {out_dir / 'nowhere'} does not exist"]

    import os

    from app import files
    monkeypatch.setattr(files, "RETRY_DELAYS", (0.001,))

    def locked(src, dst):   # Windows while Excel has the file open
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")
    monkeypatch.setattr(os, "replace", locked)
    target = out_dir / "models.txt"
    rc = main(["models", "--out", str(target), "--store", str(trained_store.path)])
    _, err = capsys.readouterr()
    assert rc == 2 and "the file is open in another program (Excel?)" in err
    assert list(out_dir.iterdir()) == []


def test_a_reader_that_stops_early_ends_the_command_quietly(trained_store, tmp_path):
    """`routing-ml predict ... --json | head -1`: the reader closes the pipe after one line; the
    command exits 0 with nothing on stderr (no BrokenPipeError, no 'Exception ignored')."""
    import subprocess
    codes = tmp_path / "codes.txt"
    codes.write_text("\n".join(trained_store.item_codes()[:60]), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "app", "predict", "--items-file", str(codes), "--json",
                             "--store", str(trained_store.path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()                   # what head does after its line
    err = proc.stderr.read().decode("utf-8", "replace")
    assert proc.wait(timeout=300) == 0, err
    assert first.startswith(b"{")
    assert err == ""


@pytest.mark.parametrize("error", [OSError(22, "Invalid argument"), BrokenPipeError(32, "Broken pipe")],
                         ids=["windows-EINVAL", "EPIPE"])
def test_a_closed_pipe_as_windows_reports_it_is_quiet_too(trained_store, monkeypatch, error):
    """Windows says EINVAL (sometimes EPIPE) when the reader of standard output has gone."""
    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise error

        def flush(self):
            raise error
    err = io.StringIO()
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["models", "--json", "--store", str(trained_store.path)]) == 0
    assert err.getvalue() == ""


def test_an_os_error_of_the_command_itself_is_still_reported(trained_store, monkeypatch, capsys):
    import app.cli as cli

    def fails(args):
        raise OSError(22, "Invalid argument", "C:\\plant\\views")
    monkeypatch.setattr(cli, "cmd_models", fails)
    assert main(["models", "--store", str(trained_store.path)]) == 1
    assert "unexpected error" in capsys.readouterr().err
