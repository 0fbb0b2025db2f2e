"""`gongjian backup` and `gongjian restore`: back up, wipe or change, restore, and find every
row and upload back; damaged files, other schema versions and non-empty databases refused
with nothing changed. Runs on the suite's database (SQLite or PostgreSQL, see README)."""

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from gongjian import cli
from gongjian.core import backup
from gongjian.core.models import User
from gongjian.members.models import Person
from gongjian.orgs.models import Organization

# Backup and restore work on committed data and replace the whole database.
pytestmark = pytest.mark.django_db(transaction=True)


def table_counts():
    with connection.cursor() as cursor:
        return backup._count(cursor, backup._tables())


@pytest.fixture
def dataset(tree, users, settings, tmp_path):
    """The small street of conftest.py, its accounts, and two uploads (one in a sub-folder)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    photos = settings.MEDIA_ROOT / "projects" / "photos"
    photos.mkdir(parents=True)
    (photos / "楼道.jpg").write_bytes(b"\xff\xd8\xff photo bytes \x00\x01" * 100)
    (settings.MEDIA_ROOT / "minutes.pdf").write_bytes(b"%PDF-1.4 minutes")
    return tree


def run(*argv):
    """`gongjian …` in this process; a refusal is its exit message."""
    try:
        cli.main(list(argv))
    except SystemExit as refusal:
        return str(refusal.code)
    return None


def back_up(tmp_path, capsys):
    assert run("backup", "--dir", str(tmp_path / "backups")) is None
    out = capsys.readouterr().out
    assert "已备份" in out and "密钥环" in out
    files = sorted((tmp_path / "backups").glob("gongjian-backup-*.tar.gz"))
    assert len(files) == 1
    return files[0]


def media_snapshot(root):
    root = Path(root)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_backup_wipe_restore_finds_every_row_and_upload(dataset, users, settings, tmp_path,
                                                        capsys):
    counts, uploads = table_counts(), media_snapshot(settings.MEDIA_ROOT)
    person = Person.objects.get(pk=dataset.person_a.pk)
    street_hash = User.objects.get(pk=users.street.pk).password
    path = back_up(tmp_path, capsys)

    with tarfile.open(path) as archive:
        names = archive.getnames()
        manifest = json.loads(archive.extractfile("manifest.json").read())
    assert names[0] == "manifest.json"
    assert "media/projects/photos/楼道.jpg" in names
    assert manifest["counts"]["core_user"] == User.objects.count()
    assert manifest["counts"] == counts
    assert set(manifest["migrations"]) >= backup.code_migrations()
    expected_kind = "sqlite" if connection.vendor == "sqlite" else "pg_dump"
    assert manifest["dump"]["kind"] == expected_kind
    # The key ring's reference, never a key.
    from gongjian.core import crypto

    ring = crypto.load_keyring()
    text = path.read_bytes()
    assert ring["sm4"][ring["current"]].encode() not in text
    assert ring["index"].encode() not in json.dumps(manifest).encode()
    assert manifest["keys"]["current"] == ring["current"]

    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    assert not User.objects.exists() and not Organization.objects.exists()

    assert run("restore", str(path)) is None
    assert "各表行数与备份一致" in capsys.readouterr().out
    assert table_counts() == counts
    assert media_snapshot(settings.MEDIA_ROOT) == uploads
    again = Person.objects.get(pk=person.pk)
    assert (again.name, again.id_number, again.phone) == (person.name, person.id_number,
                                                          person.phone)
    from gongjian.core.crypto import blind_index

    assert Person.objects.filter(id_number_index=blind_index("id", person.id_number)).exists()
    assert User.objects.get(username="street").password == street_hash
    assert Organization.objects.get(code="JS-A1").path == dataset.a1.path


def test_a_database_with_data_is_overwritten_only_when_forced(dataset, settings, tmp_path,
                                                              capsys):
    path = back_up(tmp_path, capsys)
    counts = table_counts()
    User.objects.create_user("after_backup", password="Later@2026pw")
    (Path(settings.MEDIA_ROOT) / "later.txt").write_text("after the backup")

    refusal = run("restore", str(path))
    assert "目标数据库不是空的" in refusal and "--force" in refusal
    assert User.objects.filter(username="after_backup").exists()

    assert run("restore", str(path), "--force") is None
    assert table_counts() == counts
    assert not User.objects.filter(username="after_backup").exists()
    assert not (Path(settings.MEDIA_ROOT) / "later.txt").exists()


def _rewrite(path, target, *, manifest=None, member=None):
    """A copy of the backup with its manifest or one member's bytes changed."""
    with tarfile.open(path) as source, tarfile.open(target, "w:gz") as out:
        for info in source.getmembers():
            data = source.extractfile(info).read()
            if info.name == "manifest.json" and manifest:
                data = json.dumps(manifest(json.loads(data))).encode()
            elif member and info.name == member[0]:
                data = member[1](data)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


def test_damaged_or_foreign_files_are_refused_and_nothing_changes(dataset, settings,
                                                                  tmp_path, capsys):
    path = back_up(tmp_path, capsys)
    call_command("flush", interactive=False, verbosity=0)
    User.objects.create_user("only_one", password="Only@2026pw")
    counts, uploads = table_counts(), media_snapshot(settings.MEDIA_ROOT)

    raw = bytearray(path.read_bytes())
    middle = len(raw) // 2
    raw[middle:middle + 64] = bytes(64)
    corrupted = tmp_path / "corrupted.tar.gz"
    corrupted.write_bytes(bytes(raw))
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(path.read_bytes()[: len(raw) // 3])
    dump_name = backup.DUMPS["sqlite" if connection.vendor == "sqlite" else "pg_dump"]
    tampered = _rewrite(path, tmp_path / "tampered.tar.gz",
                        member=(dump_name, lambda data: data[:-10] + b"0123456789"))
    older = _rewrite(path, tmp_path / "older.tar.gz", manifest=lambda m: {
        **m, "migrations": [n for n in m["migrations"] if n != "core.0001_initial"]})
    other_keys = _rewrite(path, tmp_path / "keys.tar.gz", manifest=lambda m: {
        **m, "keys": {**m["keys"], "sm4": {"k9": "0" * 16}}})
    not_ours = tmp_path / "not-ours.tar.gz"
    with tarfile.open(not_ours, "w:gz") as out:
        out.addfile(tarfile.TarInfo("hello.txt"), io.BytesIO(b""))

    refusals = {
        corrupted: "已损坏", truncated: "已损坏", tampered: "校验值不符",
        older: "数据库结构与当前程序版本不一致", other_keys: "密钥环与备份时不同",
        not_ours: "缺少有效的清单", tmp_path / "missing.tar.gz": "找不到备份文件"}
    for file, message in refusals.items():
        refusal = run("restore", str(file), "--force")
        assert refusal and refusal.startswith("未恢复") and message in refusal, (file.name,
                                                                               refusal)
        assert table_counts() == counts, file.name
        assert media_snapshot(settings.MEDIA_ROOT) == uploads, file.name
    assert "core.0001_initial" in run("restore", str(older), "--force")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL without pg_dump")
def test_without_pg_dump_the_backup_is_django_dumpdata(dataset, settings, tmp_path, capsys,
                                                       monkeypatch):
    counts, uploads = table_counts(), media_snapshot(settings.MEDIA_ROOT)
    person = Person.objects.get(pk=dataset.person_a.pk)
    real_which = shutil.which
    monkeypatch.setattr(backup.shutil, "which",
                        lambda name: None if name == "pg_dump" else real_which(name))
    path = back_up(tmp_path, capsys)
    with tarfile.open(path) as archive:
        assert json.loads(archive.extractfile("manifest.json").read())["dump"]["kind"] \
            == "dumpdata"
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    assert run("restore", str(path)) is None
    assert table_counts() == counts
    assert media_snapshot(settings.MEDIA_ROOT) == uploads
    assert Person.objects.get(pk=person.pk).id_number == person.id_number
    # New rows get new ids after a restore (the sequences follow the loaded rows).
    assert User.objects.create_user("fresh", password="Fresh@2026pw").pk > max(
        u for u in User.objects.exclude(username="fresh").values_list("pk", flat=True))
