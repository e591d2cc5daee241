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
