"""Personal data at rest: SM4-GCM encryption and HMAC-SM3 blind indexes (国密, PIPL 第五十一条).

Keys live outside the database: in the environment variable GONGJIAN_KEYRING (JSON) or in
`var/keys/keyring.json`, created on first use with mode 600. The keyring holds several SM4
keys, one of them current; each ciphertext names the key it was made with, so keys can be
rotated (`gongjian rotatekeys`) while old rows stay readable until re-encrypted.

    {"current": "k1", "sm4": {"k1": "<32 hex>"}, "index": "<64 hex>"}
"""

import base64
import json
import os
import secrets
import threading

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.db import models

PREFIX = "sm4gcm"
_lock = threading.Lock()
_keyring = None


def keyring_path():
    return settings.VAR_DIR / "keys" / "keyring.json"


def load_keyring(reload=False):
    global _keyring
    with _lock:
        if _keyring is not None and not reload:
            return _keyring
        raw = os.environ.get("GONGJIAN_KEYRING")
        if raw:
            ring = json.loads(raw)
        else:
            path = keyring_path()
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.parent.chmod(0o700)
                ring = {"current": "k1", "sm4": {"k1": secrets.token_hex(16)},
                        "index": secrets.token_hex(32)}
                path.write_text(json.dumps(ring, indent=2))
                path.chmod(0o600)
            ring = json.loads(path.read_text())
        _keyring = ring
        return ring


def save_keyring(ring):
    """Write a new keyring to the key file (rotation); refuses when keys come from the env."""
    if os.environ.get("GONGJIAN_KEYRING"):
        raise RuntimeError("密钥来自环境变量 GONGJIAN_KEYRING，请在环境中更新后再重新加密。")
    path = keyring_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(ring, indent=2))
    tmp.chmod(0o600)
    tmp.replace(path)
    load_keyring(reload=True)


def encrypt(plaintext: str) -> str:
    ring = load_keyring()
    key_id = ring["current"]
    key = bytes.fromhex(ring["sm4"][key_id])
    nonce = secrets.token_bytes(12)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    token = base64.b64encode(nonce + encryptor.tag + body).decode()
    return f"{PREFIX}:{key_id}:{token}"


def decrypt(stored: str) -> str:
    prefix, key_id, token = stored.split(":", 2)
    if prefix != PREFIX:
        raise ValueError("unknown ciphertext format")
    key = bytes.fromhex(load_keyring()["sm4"][key_id])
    raw = base64.b64decode(token)
    nonce, tag, body = raw[:12], raw[12:28], raw[28:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    return (decryptor.update(body) + decryptor.finalize()).decode()


def key_id_of(stored: str) -> str:
    return stored.split(":", 2)[1]


def blind_index(kind: str, value: str) -> str:
    """HMAC-SM3 of a normalised value: equal values give equal indexes, nothing else leaks."""
    mac = hmac.HMAC(bytes.fromhex(load_keyring()["index"]), hashes.SM3())
    mac.update(f"{kind}:{value.strip().upper()}".encode())
    return mac.finalize().hex()


class EncryptedField(models.TextField):
    """A text column stored as SM4-GCM ciphertext; reads give the plaintext back.

    Only `isnull` lookups make sense on it: search goes through the blind index column."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
