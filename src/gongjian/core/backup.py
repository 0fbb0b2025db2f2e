"""Backups that restore (`gongjian backup`, `gongjian restore`).

One file, `gongjian-backup-<time>.tar.gz`, holds:

- `manifest.json`: when and from which database, the schema's migration state, the row count
  of every table, a SHA-256 of every member, and the key ring's reference — the ids and
  fingerprints of the keys the personal data is encrypted with, never the keys themselves
  (keys kept beside the data would protect nothing);
- the database: SQLite copied with its online backup API (a consistent copy while the site
  runs); PostgreSQL with `pg_dump -Fc` in the same snapshot as the counts, or, without
  `pg_dump`, Django's `dumpdata` of every app in one repeatable-read transaction;
- `media/`: the uploads (photos, documents).

A restore checks everything before it changes anything: the members against their checksums,
the migrations against the code's, the keys against the running key ring, the target database
empty (unless forced); then it restores and compares every table's count with the manifest.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

FORMAT = "gongjian-backup"
VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMPS = {"sqlite": "database.sqlite3", "pg_dump": "database.pgdump", "dumpdata": "database.json"}


class BackupError(Exception):
    """A refused backup or restore; the message is for the operator, in Chinese."""


# ---- what is compared ---------------------------------------------------------------------

def code_migrations() -> set[str]:
    """Every migration the code has, as "app.name" (what a fully migrated database records)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.graph.nodes}


def _tables() -> list[str]:
    # Every table of an installed model (auto-created many-to-many tables included).
    return sorted(connection.introspection.django_table_names(only_existing=True,
                                                              include_views=False))


def _count(cursor, tables) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - table names from introspection
        counts[table] = cursor.fetchone()[0]
    return counts


def _applied(cursor) -> list[str]:
    cursor.execute("SELECT app, name FROM django_migrations")
    return sorted(f"{app}.{name}" for app, name in cursor.fetchall())


def _fingerprint(hex_key: str) -> str:
    return hashlib.sha256(b"gongjian-key:" + bytes.fromhex(hex_key)).hexdigest()[:16]


def key_reference() -> dict:
    """Which keys the data needs, by id and fingerprint: enough to check a key ring, useless
    to decrypt anything."""
    from . import crypto

    ring = crypto.load_keyring()
    return {"current": ring.get("current"),
            "sm4": {key_id: _fingerprint(key) for key_id, key in ring.get("sm4", {}).items()},
            "index": _fingerprint(ring["index"]) if ring.get("index") else None}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


# ---- backup ---------------------------------------------------------------------------------

def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持备份 {vendor} 数据库（支持 SQLite 与 PostgreSQL）。")
    return vendor


def _pg_env() -> tuple[list[str], dict]:
    params = connection.settings_dict
    args = ["-d", params["NAME"]]
    if params.get("HOST"):
        args += ["-h", params["HOST"]]
    if params.get("PORT"):
        args += ["-p", str(params["PORT"])]
    if params.get("USER"):
        args += ["-U", params["USER"]]
    env = dict(os.environ)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    return args, env


def _dump_sqlite(target: Path) -> tuple[dict, list[str]]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)  # the online backup API: a consistent copy
        cursor = copy.cursor()
        tables = [t for t in _tables() if _exists_in(cursor, t)]
        counts = {}
        for table in tables:
            counts[table] = cursor.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
        applied = sorted(f"{a}.{n}" for a, n in
                         cursor.execute("SELECT app, name FROM django_migrations").fetchall())
    finally:
        copy.close()
    return counts, applied


def _exists_in(cursor, table: str) -> bool:
    return cursor.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                          (table,)).fetchone() is not None


@contextlib.contextmanager
def _snapshot():
    """One repeatable-read transaction: the dump and the counts see the same data."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield cursor


def _dump_postgresql(target: Path, kind: str) -> tuple[dict, list[str]]:
    from django.core.management import call_command

    with _snapshot() as cursor:
        if kind == "pg_dump":
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            args, env = _pg_env()
            result = subprocess.run(  # noqa: S603 - the client found on PATH, our own arguments
                [shutil.which("pg_dump") or "pg_dump", "-Fc", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}", "-f", str(target), *args],
                env=env, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise BackupError(f"pg_dump 失败：{result.stderr.strip()[:500]}")
        else:
            with open(target, "w", encoding="utf-8") as stream:
                call_command("dumpdata", format="json", use_base_manager=True, stdout=stream,
                             verbosity=0)
        return _count(cursor, _tables()), _applied(cursor)


def create_backup(directory: Path | str | None = None) -> tuple[Path, dict]:
    """Write a backup file into `directory` (default var/backups/); its path and manifest."""
    engine = _engine()
    directory = Path(directory) if directory else Path(settings.VAR_DIR) / "backups"
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    path = directory / f"gongjian-backup-{stamp}.tar.gz"
    serial = 1
    while path.exists():  # two backups in one second
        serial += 1
        path = directory / f"gongjian-backup-{stamp}-{serial}.tar.gz"
    kind = "sqlite" if engine == "sqlite" else ("pg_dump" if shutil.which("pg_dump")
                                               else "dumpdata")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="gongjian-backup-") as work:
        dump = Path(work) / DUMPS[kind]
        if kind == "sqlite":
            counts, applied = _dump_sqlite(dump)
        else:
            counts, applied = _dump_postgresql(dump, kind)
        files = _media_files(media_root)
        manifest = {
            "format": FORMAT, "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "engine": engine, "dump": {"kind": kind, "name": dump.name, "sha256": _sha256(dump)},
            "migrations": applied,
            "counts": counts,
            "media": {p.relative_to(media_root).as_posix(): _sha256(p) for p in files},
            "keys": key_reference(),
        }
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=dump.name)
            for file in files:
                archive.add(file, arcname=f"{MEDIA}/{file.relative_to(media_root).as_posix()}")
        partial.chmod(0o600)  # personal data (encrypted, but still): the owner only
        partial.replace(path)
    return path, manifest


# ---- restore --------------------------------------------------------------------------------

def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.loads(archive.extractfile(member).read().decode("utf-8"))
    except (KeyError, AttributeError, ValueError) as error:
        raise BackupError("备份文件缺少有效的清单（manifest.json），不是共建的备份文件或已损坏。") from error
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError("备份文件的格式不受支持（不是本程序生成的共建备份）。")
    return manifest


def _safe_name(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def _unpack(path: Path, work: Path) -> dict:
    """Extract the archive into `work`, checking every member against the manifest."""
    try:
        with tarfile.open(path, "r:*") as archive:
            manifest = _read_manifest(archive)
            expected = {manifest["dump"]["name"]: manifest["dump"]["sha256"]}
            expected.update({f"{MEDIA}/{name}": digest
                             for name, digest in manifest["media"].items()})
            seen = set()
            for member in archive:
                if member.name == MANIFEST:
                    continue
                if (not member.isfile() or member.name not in expected
                        or not _safe_name(member.name)):
                    raise BackupError(f"备份文件中有清单之外的内容“{member.name}”，已拒绝。")
                target = work / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.extractfile(member) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
                if _sha256(target) != expected[member.name]:
                    raise BackupError(f"备份文件已损坏：“{member.name}”的校验值不符。")
                seen.add(member.name)
    except (tarfile.TarError, EOFError, OSError, KeyError, TypeError, zlib.error) as error:
        if isinstance(error, FileNotFoundError):
            raise BackupError(f"找不到备份文件“{path}”。") from error
        raise BackupError(f"备份文件已损坏或不完整，无法读取（{type(error).__name__}）。") from error
    missing = set(expected) - seen
    if missing:
        raise BackupError(f"备份文件不完整：缺少 {len(missing)} 个文件（如“{sorted(missing)[0]}”）。")
    return manifest


def _check_migrations(manifest: dict) -> None:
    have = set(manifest["migrations"])
    code = code_migrations()
    older, newer = sorted(code - have), sorted(have - code)
    if older or newer:
        detail = "；".join(filter(None, [
            f"备份缺少 {len(older)} 个迁移（如 {older[0]}）" if older else "",
            f"备份多出 {len(newer)} 个迁移（如 {newer[0]}）" if newer else ""]))
        raise BackupError("备份的数据库结构与当前程序版本不一致，已拒绝恢复：" + detail
                          + "。请用生成该备份时的程序版本恢复，再升级程序并运行 gongjian migrate。")


def _check_keys(manifest: dict) -> None:
    wanted, have = manifest.get("keys") or {}, key_reference()
    missing = [key_id for key_id, fp in (wanted.get("sm4") or {}).items()
               if have["sm4"].get(key_id) != fp]
    if missing or (wanted.get("index") and wanted["index"] != have["index"]):
        raise BackupError(
            "当前密钥环与备份时不同（缺少密钥 " + ("、".join(missing) or "索引密钥")
            + "），恢复后个人信息将无法解密。请先放回备份时的密钥环（var/keys/keyring.json 或环境变量"
              " GONGJIAN_KEYRING），再恢复。")


def _check_engine(manifest: dict) -> None:
    engine, kind = _engine(), manifest["dump"]["kind"]
    if kind == "sqlite" and engine != "sqlite":
        raise BackupError("这是 SQLite 数据库的备份，不能恢复到 PostgreSQL。")
    if kind == "pg_dump" and engine != "postgresql":
        raise BackupError("这是 PostgreSQL 数据库（pg_dump）的备份，不能恢复到 SQLite。")
    if kind == "pg_dump" and not shutil.which("pg_restore"):
        raise BackupError("恢复 PostgreSQL 备份需要 pg_restore，请先安装 PostgreSQL 客户端。")


def existing_data() -> dict[str, int]:
    """What the target database already holds (accounts, organisations), {} when empty."""
    tables = set(connection.introspection.table_names())
    from gongjian.orgs.models import Organization

    from .models import User

    found = {}
    for label, model in (("个账户", User), ("个组织", Organization)):
        if model._meta.db_table in tables:
            count = model._base_manager.count()
            if count:
                found[label] = count
    return found


def _restore_sqlite(dump: Path) -> None:
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("恢复须在事务之外进行。")
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)  # replaces every page of the live database
    finally:
        source.close()


def _restore_pg_dump(dump: Path) -> None:
    args, env = _pg_env()
    connection.close()  # pg_restore drops the tables: hold no lock on them
    result = subprocess.run(  # noqa: S603 - the client found on PATH, our own arguments
        [shutil.which("pg_restore") or "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
         "--single-transaction", "--exit-on-error", *args, str(dump)],
        env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_restore 失败，数据库未改变：{result.stderr.strip()[:500]}")


def _restore_dumpdata(dump: Path) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    with transaction.atomic():
        # The dump holds content types and permissions too: nothing re-creates them in between.
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        call_command("loaddata", str(dump), verbosity=0)


def _restore_media(unpacked: Path) -> None:
    root = Path(settings.MEDIA_ROOT)
    source = unpacked / MEDIA
    if root.exists():
        for child in root.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    root.mkdir(parents=True, exist_ok=True)
    if source.exists():
        shutil.copytree(source, root, dirs_exist_ok=True)


def restore_backup(path: Path | str, *, force: bool = False) -> dict:
    """Restore a backup file; returns its manifest. Refuses (BackupError) before changing
    anything when the file is damaged, from another schema or key ring, or the database
    holds data and `force` is not given."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="gongjian-restore-") as work:
        manifest = _unpack(path, Path(work))
        _check_engine(manifest)
        _check_migrations(manifest)
        _check_keys(manifest)
        found = existing_data()
        if found and not force:
            held = "、".join(f"{n} {label}" for label, n in found.items())
            raise BackupError(f"目标数据库不是空的（已有 {held}），恢复会覆盖全部现有数据。"
                              "确认覆盖请加 --force。")
        dump = Path(work) / manifest["dump"]["name"]
        kind = manifest["dump"]["kind"]
        if kind == "sqlite":
            _restore_sqlite(dump)
        elif kind == "pg_dump":
            _restore_pg_dump(dump)
        else:
            _restore_dumpdata(dump)
        _restore_media(Path(work))
    with connection.cursor() as cursor:
        counts = _count(cursor, sorted(manifest["counts"]))
    wrong = {t: (n, counts.get(t)) for t, n in manifest["counts"].items() if counts.get(t) != n}
    if wrong:
        table, (want, got) = next(iter(sorted(wrong.items())))
        raise BackupError(f"恢复后有 {len(wrong)} 张表的行数与备份清单不符（如 {table}：备份 "
                          f"{want} 行，现有 {got} 行）。请检查数据库后重新恢复。")
    return manifest


def describe(manifest: dict) -> str:
    rows = sum(manifest["counts"].values())
    created = datetime.datetime.fromisoformat(manifest["created_at"])
    return (f"{timezone.localtime(created):%Y-%m-%d %H:%M:%S} 的备份：{len(manifest['counts'])} 张表共 "
            f"{rows} 行，{len(manifest['media'])} 个上传文件")
