"""Import jobs: a file being imported, in the request (small) or by a background task (large).

The uploaded workbook and the error workbook hold personal data (ID numbers in clear), so
they are kept in the database, sealed with SM4-GCM under the keyring's current key, and the
upload is dropped as soon as the job ends. Kept in the database, not on disk, so a task
worker on another machine can read them.

A job belongs to the account that started it: only that account sees it (views filter on
`user`), and the importer re-checks the account's reach on every row when it runs.
"""

import logging
import secrets
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.db import connection, connections, models
from django.utils import timezone

from . import audit, crypto
from .services import DomainError
from .spreadsheets import ERRORS_SHOWN, Importer, SpreadsheetError, read_upload

logger = logging.getLogger(__name__)

# Files with more data rows than this are imported by the background worker.
SYNC_ROWS = getattr(settings, "IMPORT_SYNC_ROWS", 2000)

_SEAL_PREFIX = b"sm4gcm:"


def seal(data: bytes) -> bytes:
    """SM4-GCM of a file's bytes under the current key: b"sm4gcm:<key id>:" nonce tag body."""
    ring = crypto.load_keyring()
    key_id = ring["current"]
    nonce = secrets.token_bytes(12)
    encryptor = Cipher(algorithms.SM4(bytes.fromhex(ring["sm4"][key_id])),
                       modes.GCM(nonce)).encryptor()
    body = encryptor.update(data) + encryptor.finalize()
    return _SEAL_PREFIX + key_id.encode() + b":" + nonce + encryptor.tag + body


def unseal(sealed: bytes) -> bytes:
    sealed = bytes(sealed)
    if not sealed.startswith(_SEAL_PREFIX):
        raise ValueError("unknown sealed format")
    key_id, _, raw = sealed[len(_SEAL_PREFIX):].partition(b":")
    key = bytes.fromhex(crypto.load_keyring()["sm4"][key_id.decode()])
    nonce, tag, body = raw[:12], raw[12:28], raw[28:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    return decryptor.update(body) + decryptor.finalize()


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "正在导入"
        SUCCEEDED = "succeeded", "已导入"
        FAILED = "failed", "未导入"

    STAGES = {"": "等待处理", "reading": "正在读取", "validating": "正在校验",
              "writing": "正在写入", "marking": "正在标注错误", "done": "已完成"}

    kind = models.CharField("类型", max_length=32)
    user = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+",
                             verbose_name="导入人")
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    filename = models.CharField("文件名", max_length=200, blank=True)
    upload = models.BinaryField("上传文件（已加密）", default=b"", editable=False)
    status = models.CharField("状态", max_length=16, choices=Status.choices,
                              default=Status.QUEUED)
    stage = models.CharField("阶段", max_length=16, blank=True)
    total = models.PositiveIntegerField("数据行数", default=0)
    processed = models.PositiveIntegerField("已处理行数", default=0)
    imported = models.PositiveIntegerField("已导入", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误（前若干条）", default=list, blank=True)
    message = models.CharField("结果", max_length=500, blank=True)
    error_file = models.BinaryField("错误标注工作簿（已加密）", null=True, editable=False)
    task_id = models.CharField("任务编号", max_length=64, blank=True)
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "kind", "-created_at"])]

    def __str__(self):
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def finished(self):
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def stage_label(self):
        return self.STAGES.get(self.stage, self.stage)

    @property
    def percent(self) -> int:
        """Reading and checking are the first half of the bar, writing the second."""
        if self.status == self.Status.SUCCEEDED:
            return 100
        total = max(self.total, self.processed, 1)
        share = min(self.processed, total) / total
        if self.stage == "reading":
            return int(share * 25)
        if self.stage == "validating":
            return 25 + int(share * 25)
        if self.stage == "writing":
            return 50 + int(share * 50)
        if self.stage == "marking":
            return 50
        if self.stage == "done":
            return 100
        return 0

    @property
    def has_error_file(self):
        return bool(self.error_file)

    def error_workbook(self) -> bytes:
        return unseal(self.error_file)


class _Progress:
    """Progress of a running job, written at most every `interval` seconds.

    Inside the import's transaction the job row cannot be updated on the same connection
    (the page would see nothing until the commit): on PostgreSQL a second connection writes
    it; on SQLite the import holds the only write lock, so the page shows the writing stage
    without a count."""

    def __init__(self, job, interval=0.5):
        self.job = job
        self.interval = interval
        self.last = 0.0
        self.stage = None
        self.side = None
        # Transactions already open when the job started (a test's, a benchmark's) are not
        # the import's own.
        self.depth = len(connection.atomic_blocks)

    def __call__(self, stage, done, total):
        now = time.monotonic()
        if stage == self.stage and now - self.last < self.interval and done < total:
            return
        self.stage, self.last = stage, now
        self.job.stage, self.job.processed, self.job.total = stage, done, max(total, done)
        values = {"stage": stage, "processed": done, "total": max(total, done)}
        if len(connection.atomic_blocks) <= self.depth:
            ImportJob.objects.filter(pk=self.job.pk).update(**values)
        elif connection.vendor == "postgresql":
            self._side_update(values)

    def _side_update(self, values):
        try:
            if self.side is None:
                self.side = connections.create_connection("default")
            table = ImportJob._meta.db_table
            with self.side.cursor() as cursor:
                cursor.execute(f'UPDATE "{table}" SET stage = %s, processed = %s, total = %s '
                               "WHERE id = %s", [values["stage"], values["processed"],
                                                 values["total"], self.job.pk])
        except Exception:  # noqa: BLE001 - progress is a courtesy; the import goes on
            logger.warning("progress update failed", exc_info=True)

    def close(self):
        if self.side is not None:
            self.side.close()
            self.side = None


def execute(job: ImportJob, importer: Importer, data: bytes | None = None, reader=None):
    """Run `importer` on the job's file and record the outcome on the job."""
    job.status = ImportJob.Status.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    progress = _Progress(job)
    try:
        if data is None:
            data = unseal(job.upload)
        with audit.acting_as(job.user, job.ip):
            result = importer.run(data, filename=job.filename, progress=progress, reader=reader)
    except SpreadsheetError as error:
        job.status, job.message = ImportJob.Status.FAILED, error.message
        audit.record("import", None, success=False, user=job.user, ip=job.ip,
                     object_type=importer.object_type, object_repr=job.filename,
                     detail=f"{importer.spec.title}导入被拒绝：{error.message}")
    except Exception as error:  # noqa: BLE001 - any failure ends the job, nothing imported
        if isinstance(error, DomainError):
            job.message = error.message
        else:
            logger.exception("import job %s failed", job.pk)
            job.message = "导入时发生内部错误，未导入任何数据。请稍后重试或联系系统管理员。"
        job.status = ImportJob.Status.FAILED
    else:
        job.total = result.rows
        if result.ok:
            job.status = ImportJob.Status.SUCCEEDED
            job.imported = result.imported
            job.processed = result.imported
            job.stage = "done"
            job.message = importer.success_message(result.imported)
        else:
            job.status = ImportJob.Status.FAILED
            job.error_count = len(result.errors)
            job.errors = [e.as_dict() for e in result.errors[:ERRORS_SHOWN]]
            job.error_file = seal(result.error_workbook)
            rows = len({e.row for e in result.errors})
            job.message = (f"发现 {job.error_count} 处错误（涉及 {rows} 行），"
                           "未导入任何数据。请下载标注了错误的工作簿，改正后重新上传。")
    finally:
        progress.close()
    job.upload = b""
    job.finished_at = timezone.now()
    job.save()
    return job


def submit(user, importer: Importer, upload, *, task, ip=None, sync_rows=None) -> ImportJob:
    """Start importing an uploaded file: checked at once (size, workbook, header); small
    files are imported in the request, larger ones by `task` (a django-tasks task taking the
    job's id). Raises SpreadsheetError when the file as a whole is refused."""
    data = read_upload(upload)
    reader = importer.open(data)
    filename = (getattr(upload, "name", "") or "")[:200]
    job = ImportJob.objects.create(kind=importer.kind, user=user, ip=ip, filename=filename,
                                   total=reader.estimated_rows)
    limit = SYNC_ROWS if sync_rows is None else sync_rows
    if reader.estimated_rows <= limit:
        return execute(job, importer, data=data, reader=reader)
    reader.close()
    job.upload = seal(data)
    job.save(update_fields=["upload"])
    result = task.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def run_queued(job_id: int, importer_factory) -> str:
    """The body of an import task: claim the queued job (once) and run it."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return "skipped"
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    execute(job, importer_factory(job.user))
    return job.status
