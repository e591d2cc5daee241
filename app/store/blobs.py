"""Folders of files kept inside a server store, and each PC's local copy of them.

A server store (PostgreSQL, SQL Server) holds what a SQLite store keeps beside its file: the files
of each model version and the imported views' Parquet files, as rows of `store_file` (name, size,
SHA-256) and `store_file_chunk` (the bytes, CHUNK bytes a row). They are written in the same
transaction as the row that makes them current (model_version, import_run), so a crash or a lost
connection leaves either all of them or none.

Each PC copies a folder once into its cache (platformdirs' user cache folder) and uses it from
there: the copy is written under a temporary name, every file checked against its SHA-256, and
renamed into place only when complete, so a killed download is never taken for a copy.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection, Engine

from app.store.db import StoreError, store_file, store_file_chunk

CHUNK = 4 << 20
TEMP_PREFIX = ".copying-"


def put_folder(conn: Connection, kind: str, owner: str, folder: Path) -> int:
    """Store every file of `folder` (not sub-folders) under (kind, owner) in `conn`'s transaction;
    returns the bytes written. Files already stored under that owner are replaced."""
    conn.execute(delete(store_file).where(store_file.c.kind == kind, store_file.c.owner == owner))
    total = 0
    now = datetime.now()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        digest = hashlib.sha256()
        size = path.stat().st_size
        file_id = conn.execute(store_file.insert().values(
            kind=kind, owner=owner, name=path.name, sha256="0" * 64, size=size, created_at=now)
        ).inserted_primary_key[0]
        with open(path, "rb") as fh:
            for seq, block in enumerate(iter(lambda: fh.read(CHUNK), b"")):
                digest.update(block)
                conn.execute(store_file_chunk.insert().values(file_id=file_id, seq=seq, data=block))
        conn.execute(store_file.update().where(store_file.c.id == file_id).values(sha256=digest.hexdigest()))
        total += size
    return total


def drop_owner(conn: Connection, kind: str, owner: str) -> None:
    ids = select(store_file.c.id).where(store_file.c.kind == kind, store_file.c.owner == owner)
    conn.execute(delete(store_file_chunk).where(store_file_chunk.c.file_id.in_(ids)))
    conn.execute(delete(store_file).where(store_file.c.kind == kind, store_file.c.owner == owner))


def drop_others(conn: Connection, kind: str, keep: str) -> None:
    """Remove every stored folder of `kind` except `keep`'s (an older import's views)."""
    ids = select(store_file.c.id).where(store_file.c.kind == kind, store_file.c.owner != keep)
    conn.execute(delete(store_file_chunk).where(store_file_chunk.c.file_id.in_(ids)))
    conn.execute(delete(store_file).where(store_file.c.kind == kind, store_file.c.owner != keep))


def has_folder(engine: Engine, kind: str, owner: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(store_file.c.id).where(store_file.c.kind == kind, store_file.c.owner == owner)
                            .limit(1)).first() is not None


def fetch_folder(engine: Engine, kind: str, owner: str, dest: Path, describe: str) -> Path:
    """Copy (kind, owner)'s files from the store to `dest` (a folder that must not exist yet),
    checking each one's size and SHA-256; returns `dest`. StoreError naming the file if the store
    holds none or a damaged one; `dest` then does not exist."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{dest.name}-", dir=dest.parent))
    try:
        with engine.connect() as conn:
            files = conn.execute(select(store_file).where(store_file.c.kind == kind, store_file.c.owner == owner)
                                 .order_by(store_file.c.name)).mappings().all()
            if not files:
                raise StoreError(f"store {describe} holds no files of {kind} {owner}")
            for f in files:
                digest = hashlib.sha256()
                size = 0
                with open(tmp / f["name"], "wb") as out:
                    for (block,) in conn.execute(select(store_file_chunk.c.data)
                                                 .where(store_file_chunk.c.file_id == f["id"])
                                                 .order_by(store_file_chunk.c.seq)):
                        block = bytes(block)
                        digest.update(block)
                        size += len(block)
                        out.write(block)
                    out.flush()
                    os.fsync(out.fileno())
                if size != f["size"] or digest.hexdigest() != f["sha256"]:
                    raise StoreError(f"store {describe}: file {f['name']} of {kind} {owner} is damaged "
                                     f"({size:,} bytes, SHA-256 {digest.hexdigest()[:12]}…; the store recorded "
                                     f"{f['size']:,} bytes, {f['sha256'][:12]}…)")
        try:
            os.replace(tmp, dest)
        except OSError:
            if not dest.exists():   # else another process of this PC finished the same copy first
                raise
            shutil.rmtree(tmp, ignore_errors=True)
        return dest
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def remove_stale_copies(folder: Path, older_than_s: float = 3600) -> None:
    """Temporary folders a killed copy left behind (old enough to belong to no running copy)."""
    import time
    if folder.exists():
        for leftover in folder.glob(f"{TEMP_PREFIX}*"):
            try:
                if time.time() - leftover.stat().st_mtime > older_than_s:
                    shutil.rmtree(leftover, ignore_errors=True)
            except OSError:
                pass
