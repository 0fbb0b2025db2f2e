"""Personal data at rest (RULES.md §6): SM4/SM3 primitives, SM4-GCM storage, HMAC-SM3 blind
indexes, key rotation, and the synthetic roster's ciphertexts.

Every test runs with its own temporary keyring (settings.VAR_DIR pointed at tmp_path)."""

import base64
import io
import json
import re

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.management import CommandError, call_command
from django.db import connection

from gongjian.core import crypto
from gongjian.members import idnumber
from gongjian.members.models import Membership, Person, Team, TeamSeat
from gongjian.members.services import find_person_by_id_number

ID_A = "11010519491231002X"
PHONE_A = "13800138000"


@pytest.fixture(autouse=True)
def keyring(settings, tmp_path, monkeypatch):
    """A fresh key file under tmp_path; the keyring cache is reset before and after."""
    monkeypatch.delenv("GONGJIAN_KEYRING", raising=False)
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(crypto, "_keyring", None)
    ring = crypto.load_keyring()
    assert crypto.keyring_path().parent == tmp_path / "keys"
    return ring


def raw_rows(*columns, table="members_person"):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(columns)} FROM {table} ORDER BY id")
        return cursor.fetchall()


def digit_runs(value, length=6):
    digits = re.sub(r"\D", "", value)
    return {digits[i:i + n] for n in range(length, len(digits) + 1)
            for i in range(len(digits) - n + 1)}


# --- the primitives (RULES.md §6 vectors) -------------------------------------------------------

def test_sm4_ecb_vector():
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    out = encryptor.update(key) + encryptor.finalize()
    assert out.hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm3_vector():
    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert digest.finalize().hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")


# --- the keyring and SM4-GCM -----------------------------------------------------------------

def test_key_file_is_created_private(keyring):
    path = crypto.keyring_path()
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert keyring["current"] == "k1"
    assert len(bytes.fromhex(keyring["sm4"]["k1"])) == 16
    assert len(bytes.fromhex(keyring["index"])) == 32


def test_round_trip():
    stored = crypto.encrypt(ID_A)
    prefix, key_id, token = stored.split(":", 2)
    assert (prefix, key_id) == ("sm4gcm", "k1")
    assert len(base64.b64decode(token)) == 12 + 16 + len(ID_A)  # nonce, tag, body
    assert ID_A not in stored
    assert crypto.decrypt(stored) == ID_A
    assert crypto.decrypt(crypto.encrypt("张华娟 金安社区")) == "张华娟 金安社区"


def test_same_value_encrypts_differently():
    first, second = crypto.encrypt(ID_A), crypto.encrypt(ID_A)
    assert first != second
    assert base64.b64decode(first.split(":")[2])[:12] != base64.b64decode(
        second.split(":")[2])[:12]
    assert crypto.decrypt(first) == crypto.decrypt(second) == ID_A


@pytest.mark.parametrize("where", ["nonce", "tag", "body"])
def test_tampered_ciphertext_fails(where):
    prefix, key_id, token = crypto.encrypt(ID_A).split(":", 2)
    raw = bytearray(base64.b64decode(token))
    raw[{"nonce": 0, "tag": 12, "body": 28}[where]] ^= 0x01
    with pytest.raises(InvalidTag):
        crypto.decrypt(f"{prefix}:{key_id}:{base64.b64encode(bytes(raw)).decode()}")


def test_ciphertext_under_another_key_fails(keyring):
    stored = crypto.encrypt(ID_A)
    crypto.save_keyring({**keyring, "sm4": {**keyring["sm4"], "k2": "00" * 16}})
    with pytest.raises(InvalidTag):
        crypto.decrypt(stored.replace(":k1:", ":k2:", 1))
    with pytest.raises(ValueError):
        crypto.decrypt(stored.replace("sm4gcm:", "aes:", 1))


def test_blind_index_is_deterministic_and_normalised():
    index = crypto.blind_index("id", ID_A)
    assert re.fullmatch(r"[0-9a-f]{64}", index)
    assert crypto.blind_index("id", ID_A) == index
    assert crypto.blind_index("id", ID_A.lower()) == index
    assert crypto.blind_index("id", f"  {ID_A} ") == index
    assert crypto.blind_index("id", "440524188001010014") != index
    assert crypto.blind_index("phone", ID_A) != index  # the kind is part of the message


def test_blind_index_depends_on_the_index_key(keyring):
    index = crypto.blind_index("id", ID_A)
    crypto.save_keyring({**keyring, "index": "11" * 32})
    assert crypto.blind_index("id", ID_A) != index


def test_keys_from_the_environment(monkeypatch, keyring):
    ring = {"current": "e1", "sm4": {"e1": "22" * 16}, "index": "33" * 32}
    monkeypatch.setenv("GONGJIAN_KEYRING", json.dumps(ring))
    assert crypto.load_keyring(reload=True) == ring
    assert crypto.encrypt(ID_A).startswith("sm4gcm:e1:")
    with pytest.raises(RuntimeError, match="环境变量"):
        crypto.save_keyring(keyring)


# --- what the database holds -------------------------------------------------------------------

def test_stored_columns_hold_no_plaintext(tree):
    assert tree.person_a.id_number == ID_A
    (pk, id_number, phone), = [row for row in raw_rows("id_number", "phone")
                               if row[0] == tree.person_a.pk]
    assert id_number.startswith("sm4gcm:k1:") and phone.startswith("sm4gcm:k1:")
    for stored in (id_number, phone):
        for secret in (ID_A, PHONE_A):
            assert secret not in stored
            for run in digit_runs(secret):
                assert run not in stored, run
    assert crypto.decrypt(id_number) == ID_A
    assert crypto.decrypt(phone) == PHONE_A


def test_rows_read_back_as_plaintext_with_blind_indexes(tree, fresh):
    person = fresh(tree.person_a)
    assert (person.id_number, person.phone) == (ID_A, PHONE_A)
    assert person.id_number_index == crypto.blind_index("id", ID_A)
    assert person.phone_index == crypto.blind_index("phone", PHONE_A)
    other = fresh(tree.person_b)
    assert other.phone == "" and other.phone_index == ""
    (_pk, phone), = [row for row in raw_rows("phone") if row[0] == other.pk]
    assert phone == ""


def test_lookup_by_blind_index(tree):
    assert find_person_by_id_number(ID_A) == tree.person_a
    assert find_person_by_id_number(ID_A.lower()) == tree.person_a
    assert find_person_by_id_number(" 440524188001010014 ") == tree.person_b
    assert find_person_by_id_number("110105194912310021") is None
    assert find_person_by_id_number("") is None
    assert Person.objects.filter(phone_index=crypto.blind_index("phone", PHONE_A)).get() \
        == tree.person_a


# --- key rotation ----------------------------------------------------------------------------

def _stored_state():
    return {pk: (crypto.key_id_of(i) if i else None, crypto.key_id_of(p) if p else None,
                 crypto.decrypt(i) if i else "", crypto.decrypt(p) if p else "", ii, pi)
            for pk, i, p, ii, pi in raw_rows("id_number", "phone", "id_number_index",
                                             "phone_index")}


def test_rotation_keeps_old_rows_readable_then_reencrypts(tree, fresh, keyring):
    before = _stored_state()
    assert {s[0] for s in before.values()} == {"k1"}

    # A new current key: rows made with k1 still read; new rows are made with k2.
    crypto.save_keyring({**keyring, "current": "k2",
                         "sm4": {**keyring["sm4"], "k2": "44" * 16}})
    assert fresh(tree.person_a).id_number == ID_A
    assert crypto.encrypt("x").startswith("sm4gcm:k2:")

    call_command("rotatekeys", "--reencrypt-only", "--batch-size", "1", stdout=io.StringIO())
    after = _stored_state()
    assert after.keys() == before.keys()
    for pk, (id_key, phone_key, number, phone, id_index, phone_index) in after.items():
        assert id_key == "k2" and phone_key in ("k2", None)
        assert (number, phone, id_index, phone_index) == before[pk][2:]
    assert fresh(tree.person_a).id_number == ID_A


def test_rotatekeys_adds_a_key_and_reencrypts_everything(tree, fresh, capsys):
    before = _stored_state()
    call_command("rotatekeys")
    out = capsys.readouterr().out
    ring = json.loads(crypto.keyring_path().read_text())
    assert ring["current"] == "k2" and set(ring["sm4"]) == {"k1", "k2"}
    assert crypto.load_keyring() == ring
    assert "已新增 SM4 密钥 k2" in out and "共重新加密 3 个值" in out
    after = _stored_state()
    for pk, state in after.items():
        assert state[0] == "k2" and state[1] in ("k2", None)
        assert state[2:] == before[pk][2:]  # same plaintext, same blind indexes
    assert fresh(tree.person_b).id_number == "440524188001010014"
    assert find_person_by_id_number(ID_A) == tree.person_a

    call_command("rotatekeys", "--reencrypt-only")  # nothing left to do
    assert "共重新加密 0 个值" in capsys.readouterr().out
    call_command("rotatekeys")
    assert {s[0] for s in _stored_state().values()} == {"k3"}
    assert fresh(tree.person_a).phone == PHONE_A


def test_rotation_is_audited(tree):
    from gongjian.core.models import AuditEntry

    call_command("rotatekeys", stdout=io.StringIO())
    entry = AuditEntry.objects.get(event="key_rotate")
    assert "k2" in entry.detail and ID_A not in json.dumps(entry.after or {})


def test_rotatekeys_refuses_keys_from_the_environment(tree, monkeypatch, keyring):
    monkeypatch.setenv("GONGJIAN_KEYRING", json.dumps(keyring))
    with pytest.raises(CommandError, match="环境变量 GONGJIAN_KEYRING"):
        call_command("rotatekeys")
    assert json.loads(crypto.keyring_path().read_text()) == keyring

    # Keys rotated in the environment: re-encryption alone is allowed.
    rotated = {**keyring, "current": "k9", "sm4": {**keyring["sm4"], "k9": "55" * 16}}
    monkeypatch.setenv("GONGJIAN_KEYRING", json.dumps(rotated))
    crypto.load_keyring(reload=True)
    call_command("rotatekeys", "--reencrypt-only", stdout=io.StringIO())
    assert {s[0] for s in _stored_state().values()} == {"k9"}


# --- the synthetic roster stores exactly what EncryptedField stores --------------------------------

def test_synthetic_members_decrypt_and_agree(tree):
    from gongjian.demo.synth_members import build_members

    summary = build_members(tree.s, 60, seed=5, log=lambda line: None)
    assert summary["members"] == 60
    people = Person.objects.exclude(pk__in=[tree.person_a.pk, tree.person_b.pk])
    assert people.count() == 60
    raw = {pk: (i, p) for pk, i, p in raw_rows("id_number", "phone")}
    for person in people:
        stored_id, stored_phone = raw[person.pk]
        assert stored_id.startswith("sm4gcm:k1:") and person.id_number not in stored_id
        assert crypto.decrypt(stored_id) == person.id_number
        assert person.id_number_index == crypto.blind_index("id", person.id_number)
        if person.phone:
            assert crypto.decrypt(stored_phone) == person.phone
            assert person.phone_index == crypto.blind_index("phone", person.phone)
        assert idnumber.parse(person.id_number) == (person.birth_date, person.sex)
        assert person.id_number.startswith("97")  # no such province: never a real number
        person.clean()
        membership = person.memberships.get(active=True)
        membership.clean()
        assert membership.org_id == person.org_id
        assert membership.org.kind in ("branch", "temporary_branch")
        assert find_person_by_id_number(person.id_number) == person
    communities = {tree.a.pk, tree.b.pk}
    assert set(Team.objects.values_list("org_id", flat=True)) == communities
    for seat in TeamSeat.objects.select_related("team__org", "person__org"):
        assert seat.person.org.path.startswith(seat.team.org.path)
    current = TeamSeat.objects.filter(ended_on__isnull=True)
    assert current.filter(post="书记").count() == 2
    assert Membership.objects.filter(active=True).count() == 62
