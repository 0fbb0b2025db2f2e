"""Rotate the SM4 key: add a new key as current, then re-encrypt every encrypted column.

Old ciphertexts name the key they were made with, so the site keeps working while this runs;
each batch is re-encrypted in its own transaction with its rows locked, so an edit made
meanwhile is never overwritten. Blind indexes use a separate key and do not change.
"""

import secrets

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from gongjian.core import audit, crypto
from gongjian.core.crypto import EncryptedField


def encrypted_columns():
    """(model, [EncryptedField, ...]) for every concrete model with encrypted columns."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        fields = [f for f in meta.local_concrete_fields if isinstance(f, EncryptedField)]
        if fields:
            found.append((model, fields))
    return found


def add_key():
    """A new random SM4 key, made current in the key file; returns its id."""
    ring = crypto.load_keyring(reload=True)
    numbers = [int(k[1:]) for k in ring["sm4"] if k[:1] == "k" and k[1:].isdigit()]
    key_id = f"k{max(numbers, default=0) + 1}"
    while key_id in ring["sm4"]:
        key_id += "x"
    new = {**ring, "sm4": {**ring["sm4"], key_id: secrets.token_hex(16)}, "current": key_id}
    crypto.save_keyring(new)
    return key_id


def reencrypt(model, fields, *, batch_size=1000):
    """Re-encrypt the model's encrypted columns with the current key, `batch_size` rows a
    transaction; values already under the current key are left as they are.

    Returns (values re-encrypted, values already current)."""
    current = crypto.load_keyring()["current"]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = quote(model._meta.pk.column)
    columns = [quote(f.column) for f in fields]
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    update = (f"UPDATE {table} SET {', '.join(f'{c} = %s' for c in columns)} "
              f"WHERE {pk} = %s")
    done = kept = 0
    last = None
    while True:
        where = "" if last is None else f"WHERE {pk} > %s "
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT {pk}, {', '.join(columns)} FROM {table} {where}"
                           f"ORDER BY {pk} LIMIT %s{lock}",
                           [batch_size] if last is None else [last, batch_size])
            rows = cursor.fetchall()
            if not rows:
                return done, kept
            changed = []
            for key, *values in rows:
                fresh = []
                for stored in values:
                    if stored and crypto.key_id_of(stored) != current:
                        stored = crypto.encrypt(crypto.decrypt(stored))
                        done += 1
                    elif stored:
                        kept += 1
                    fresh.append(stored)
                if fresh != values:
                    changed.append([*fresh, key])
            if changed:
                cursor.executemany(update, changed)
            last = rows[-1][0]


class Command(BaseCommand):
    help = ("轮换 SM4 数据加密密钥：在密钥文件中新增一把密钥并设为当前密钥，"
            "再用它重新加密所有加密字段（身份证号码、手机号等）。盲索引不变。")

    def add_arguments(self, parser):
        parser.add_argument("--reencrypt-only", action="store_true",
                            help="不新增密钥，只把不是用当前密钥加密的值重新加密"
                                 "（密钥来自环境变量时，先在环境中更换当前密钥再运行）。")
        parser.add_argument("--batch-size", type=int, default=1000,
                            help="每个事务处理的行数（默认 1000）。")

    def handle(self, *args, reencrypt_only, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size 须为正整数。")
        if not reencrypt_only:
            try:
                key_id = add_key()
            except RuntimeError as error:
                raise CommandError(
                    "密钥来自环境变量 GONGJIAN_KEYRING，不能在密钥文件中新增密钥。"
                    "请在环境变量中加入新密钥并设为当前密钥，重启服务后运行"
                    " rotatekeys --reencrypt-only。") from error
            self.stdout.write(f"已新增 SM4 密钥 {key_id} 并设为当前密钥。")
        current = crypto.load_keyring()["current"]
        total = 0
        for model, fields in encrypted_columns():
            done, kept = reencrypt(model, fields, batch_size=batch_size)
            total += done
            names = "、".join(str(f.verbose_name) for f in fields)
            self.stdout.write(f"  {model._meta.verbose_name}（{names}）：重新加密 {done} 个值，"
                              f"{kept} 个已是当前密钥。")
        audit.record("key_rotate", object_type="crypto.keyring", object_repr=f"SM4 {current}",
                     detail=("重新加密" if reencrypt_only else f"新增密钥 {current} 并重新加密")
                     + f"，共 {total} 个值")
        self.stdout.write(self.style.SUCCESS(
            f"完成：共重新加密 {total} 个值，当前密钥 {current}。"))
