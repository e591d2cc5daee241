"""Saving and loading model files without pickle: .npy arrays + JSON, sealed by a SHA-256 manifest.

A model is a folder `<models_dir>/<version>/` holding `manifest.json` (every file with its size and
SHA-256) and the files it names. It is written under a unique temporary name, each file synced to
disk as it is written, and renamed only when complete (retried while a virus scanner holds a new
file), so a crash mid-training never leaves a half-written model behind a version name.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from app.domain.routing import RoutingError
from app.files import FolderBusyError, rename_with_retries, sync_folder, write_synced

FORMAT = "routing-ml-model/1"     # the folder's layout (manifest + files); what they hold: model.MODEL_FORMAT
FORMAT_PREFIX = "routing-ml-model/"


class ModelError(RoutingError):
    """A model folder is missing, tampered with or truncated; the message names the file."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def write_model(models_dir: Path, version: str, arrays: dict[str, np.ndarray], documents: dict[str, Any],
                texts: dict[str, list[str]]) -> Path:
    """Write arrays (.npy), JSON documents and newline-joined text lists, then seal and publish."""
    models_dir.mkdir(parents=True, exist_ok=True)
    final = models_dir / version
    if final.exists():
        raise ModelError(f"model {version} already exists in {models_dir}")
    _remove_stale_temporaries(models_dir)
    tmp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{version}-", dir=models_dir))
    try:
        files = []
        for name, arr in arrays.items():
            if arr.dtype == object:
                raise ValueError(f"array {name} has dtype object; refusing to write a pickled array")
            data = np.ascontiguousarray(arr)
            write_synced(tmp / f"{name}.npy", lambda fh, a=data: np.save(fh, a, allow_pickle=False))
            files.append(f"{name}.npy")
        for name, doc in documents.items():
            _write_text(tmp / f"{name}.json", json.dumps(doc, ensure_ascii=False))
            files.append(f"{name}.json")
        for name, lines in texts.items():
            if any("\n" in s for s in lines):
                raise ValueError(f"text list {name} holds a line break")
            _write_text(tmp / f"{name}.txt", "\n".join(lines))
            files.append(f"{name}.txt")
        manifest = {"format": FORMAT, "version": version,
                    "files": {f: {"sha256": _sha256(tmp / f), "bytes": (tmp / f).stat().st_size} for f in files}}
        _write_text(tmp / "manifest.json", json.dumps(manifest, indent=1))
        try:
            rename_with_retries(tmp, final)
        except FileExistsError:
            raise ModelError(f"model {version} already exists in {models_dir}") from None
        except FolderBusyError as exc:
            raise ModelError(f"the new model {version} could not be put in place in {models_dir}: {exc.strerror}. "
                             f"Close the program that has it open and train again.") from None
        sync_folder(models_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


TEMP_PREFIX = ".writing-"
STALE_SECONDS = 24 * 3600   # a temporary folder this old belongs to no running training


def _write_text(path: Path, text: str) -> None:
    write_synced(path, lambda fh: fh.write(text.encode("utf-8")))


def _remove_stale_temporaries(models_dir: Path) -> None:
    """Temporary folders left by a crash, or that a virus scanner kept from being removed."""
    now = time.time()
    for folder in models_dir.glob(f"{TEMP_PREFIX}*"):
        try:
            if folder.is_dir() and now - folder.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass


def read_model(folder: Path) -> tuple[dict[str, np.ndarray], dict[str, Any], dict[str, list[str]]]:
    """Verify every file against the manifest, then load; any mismatch is refused by name."""
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise ModelError(f"model folder {folder} has no manifest.json (missing or half-written model)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        entries = manifest["files"]
        fmt = manifest.get("format")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ModelError(f"model {folder.name}: manifest.json is damaged") from None
    if fmt != FORMAT:
        number = fmt.rpartition("/")[2] if isinstance(fmt, str) and fmt.startswith(FORMAT_PREFIX) else ""
        if number.isdigit() and int(number) > int(FORMAT.rpartition("/")[2]):
            # a folder a newer program wrote: say so, as for a newer model (app.ml.model.check_format)
            raise ModelError(f"model {folder.name} was trained by a newer version of Routing ML (folder format "
                             f"{fmt}; this program reads {FORMAT}); update Routing ML on this PC, or retrain "
                             f"the model with this version in the Training tab or with `routing-ml train`")
        raise ModelError(f"model {folder.name} has format {fmt!r}, expected {FORMAT}")
    arrays, docs, texts = {}, {}, {}
    for name, meta in entries.items():
        path = folder / name
        if not path.exists():
            raise ModelError(f"model {folder.name}: file {name} is missing")
        size = path.stat().st_size
        if size != meta["bytes"]:
            raise ModelError(f"model {folder.name}: file {name} is truncated or changed "
                             f"({size} bytes, manifest says {meta['bytes']})")
        # each file is read once: checked and used from the same bytes (reading it again to load
        # it was a third of the load's time, and a file changed in between would go unnoticed)
        # an uninitialised buffer, not bytearray(size): that zero-fills it while holding the GIL
        # (0.2 s for the 280 MB item matrix, when the window's GUI thread could not run); the pages
        # are touched by the read, which lets the GIL go
        data = np.empty(size, dtype=np.uint8)
        with open(path, "rb") as fh:
            got = fh.readinto(data)
        if got != size or hashlib.sha256(data).hexdigest() != meta["sha256"]:
            raise ModelError(f"model {folder.name}: file {name} was changed after training "
                             f"(SHA-256 does not match the manifest); refusing to load it")
        stem = name.rsplit(".", 1)[0]
        try:
            if name.endswith(".npy"):
                arrays[stem] = _npy_array(data)
            elif name.endswith(".json"):
                docs[stem] = json.loads(data.tobytes().decode("utf-8"))
            elif name.endswith(".txt"):
                content = data.tobytes().decode("utf-8")
                texts[stem] = content.split("\n") if content else []
        except (ValueError, UnicodeDecodeError) as exc:
            raise ModelError(f"model {folder.name}: file {name} cannot be read ({exc})") from None
    return arrays, docs, texts


def _npy_array(data: np.ndarray) -> np.ndarray:
    """The array of a .npy file's bytes, without copying them (never a pickled object array)."""
    import io
    head = io.BytesIO(memoryview(data)[:min(len(data), 1 << 16)])
    version = np.lib.format.read_magic(head)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran, dtype = read_header(head)
    if dtype.hasobject:
        raise ValueError("an object array (pickled data) is never loaded")
    count = int(np.prod(shape, dtype=np.int64))
    offset = head.tell()
    if offset + count * dtype.itemsize != len(data):
        raise ValueError(f"{len(data) - offset} bytes of data for an array of shape {shape}")
    if count == 0:
        return np.zeros(shape, dtype=dtype)
    flat = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
    return np.reshape(flat, shape[::-1]).T if fortran else np.reshape(flat, shape)
