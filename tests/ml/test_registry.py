import json

import numpy as np
import pytest

from app.ml.registry import ModelError, read_model, write_model


def _write(tmp_path):
    return write_model(tmp_path, "v1", {"X": np.arange(12, dtype=np.float32).reshape(3, 4)},
                       {"info": {"items": 3}}, {"codes": ["A", "B", "씰링"]})


def test_round_trip_keeps_arrays_documents_and_korean_text(tmp_path):
    folder = _write(tmp_path)
    arrays, docs, texts = read_model(folder)
    assert arrays["X"].shape == (3, 4) and arrays["X"][2, 3] == 11
    assert docs["info"] == {"items": 3}
    assert texts["codes"] == ["A", "B", "씰링"]


def test_tampered_file_is_refused_by_name(tmp_path):
    folder = _write(tmp_path)
    data = bytearray((folder / "X.npy").read_bytes())
    data[-1] ^= 0xFF
    (folder / "X.npy").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="X.npy was changed"):
        read_model(folder)


def test_truncated_file_is_refused(tmp_path):
    folder = _write(tmp_path)
    (folder / "X.npy").write_bytes((folder / "X.npy").read_bytes()[:40])
    with pytest.raises(ModelError, match="truncated"):
        read_model(folder)


def test_pickled_arrays_are_never_written(tmp_path):
    with pytest.raises(ValueError, match="pickle"):
        write_model(tmp_path, "v2", {"bad": np.array([{"a": 1}], dtype=object)}, {}, {})
    assert not (tmp_path / "v2").exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # the temporary folder is gone too


def test_missing_manifest_means_half_written(tmp_path):
    folder = _write(tmp_path)
    (folder / "manifest.json").unlink()
    with pytest.raises(ModelError, match="manifest"):
        read_model(folder)


def test_manifest_lists_every_file_with_its_hash(tmp_path):
    folder = _write(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["files"]) == {"X.npy", "info.json", "codes.txt"}
    assert all(len(m["sha256"]) == 64 for m in manifest["files"].values())


@pytest.fixture
def windows_fsync(monkeypatch):
    """os.fsync as on Windows: a file handle opened read-only gives [Errno 9] Bad file descriptor."""
    import errno
    import fcntl
    import os
    import stat
    real_fsync, synced = os.fsync, []

    def fsync(fd):
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
        if regular and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
            raise OSError(errno.EBADF, "Bad file descriptor")
        if regular:
            synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        return real_fsync(fd)
    monkeypatch.setattr(os, "fsync", fsync)
    return synced


@pytest.mark.skipif(__import__("sys").platform != "linux", reason="simulates Windows with Linux's fcntl and /proc")
def test_a_model_is_written_where_fsync_needs_a_writable_handle(tmp_path, windows_fsync):
    folder = _write(tmp_path)
    assert sorted(p.rsplit("/", 1)[1] for p in windows_fsync) == sorted(
        ["X.npy", "info.json", "codes.txt", "manifest.json"])   # every file reached the disk
    assert read_model(folder)[0]["X"].shape == (3, 4)


@pytest.fixture
def busy_folder(monkeypatch):
    """os.replace as on Windows while a virus scanner has a new file open: access denied `fails`
    times, then it works. Returns the list of attempts."""
    import os

    from app import files
    monkeypatch.setattr(files, "RETRY_DELAYS", (0.001,) * 4)
    real_replace, attempts = os.replace, []

    def set_failures(fails):
        def replace(src, dst):
            attempts.append(dst)
            if len(attempts) <= fails:
                raise PermissionError(13, "Access is denied")
            return real_replace(src, dst)
        monkeypatch.setattr(os, "replace", replace)
        return attempts
    return set_failures


def test_publishing_a_model_retries_while_another_program_holds_a_file(tmp_path, busy_folder):
    attempts = busy_folder(3)
    folder = _write(tmp_path)
    assert len(attempts) == 4
    assert read_model(folder)[1]["info"] == {"items": 3}
    assert [p.name for p in tmp_path.iterdir()] == ["v1"]


def test_a_folder_held_open_for_good_is_a_clear_error_and_leaves_nothing_behind(tmp_path, busy_folder):
    busy_folder(99)
    with pytest.raises(ModelError) as error:
        _write(tmp_path)
    message = str(error.value)
    assert message.startswith(f"the new model v1 could not be put in place in {tmp_path}")
    assert "another program (a virus scanner" in message and "train again" in message
    assert list(tmp_path.iterdir()) == []


def test_temporary_folders_left_by_a_crash_are_removed_but_not_one_being_written(tmp_path):
    import os
    import time

    from app.ml import registry
    crashed = tmp_path / f"{registry.TEMP_PREFIX}old-abc"
    writing = tmp_path / f"{registry.TEMP_PREFIX}now-def"
    for folder in (crashed, writing):
        folder.mkdir()
        (folder / "X.npy").write_bytes(b"half")
    two_days_ago = time.time() - 2 * 86400
    os.utime(crashed, (two_days_ago, two_days_ago))
    _write(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([writing.name, "v1"])


def test_every_kind_of_array_comes_back_as_it_was_written(tmp_path):
    arrays = {"f32": np.arange(12, dtype=np.float32).reshape(3, 4), "fortran": np.asfortranarray(
              np.arange(6, dtype=np.float64).reshape(2, 3)), "flags": np.array([True, False, True]),
              "empty": np.zeros((0, 5), dtype=np.int32), "i64": np.arange(5, dtype=np.int64)}
    folder = write_model(tmp_path, "v1", arrays, {}, {})
    back, _, _ = read_model(folder)
    for name, a in arrays.items():
        assert back[name].dtype == a.dtype and back[name].shape == a.shape, name
        assert np.array_equal(back[name], a), name
    back["f32"][0, 0] = 99          # a loaded array is the program's own to change
    assert back["f32"][0, 0] == 99


def test_a_file_whose_bytes_do_not_make_its_array_is_refused_by_name(tmp_path):
    import hashlib
    folder = _write(tmp_path)
    data = (folder / "X.npy").read_bytes()[:-8]       # short of the data its header announces
    (folder / "X.npy").write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["X.npy"] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="X.npy cannot be read"):
        read_model(folder)
