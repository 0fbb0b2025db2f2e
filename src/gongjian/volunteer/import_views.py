"""Volunteer ledger spreadsheets: the templates, the uploads (a past-activity ledger, a team's
members) checked in full and imported all or nothing, and the error workbook of a refused
file. Thin: the rules are in imports.py, the writes in its importers through the services."""

import io
from pathlib import PurePath

from django import forms
from django.http import FileResponse
from django.shortcuts import get_object_or_404

from gongjian.core import audit, jobs, spreadsheets
from gongjian.core.access import restrict
from gongjian.core.forms import Styled
from gongjian.core.generic import ScopedView
from gongjian.core.spreadsheets import XLSX_CONTENT_TYPE, SpreadsheetError

from .imports import LEDGER_SPEC, MAX_ROWS, TEAM_SPEC, LedgerImporter, TeamMemberImporter
from .models import Team, Volunteer

RECENT_JOBS = 10
KINDS = (LedgerImporter.kind, TeamMemberImporter.kind)


def xlsx_response(data: bytes, filename: str):
    response = FileResponse(io.BytesIO(data), as_attachment=True, filename=filename,
                            content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "no-store"  # names and phones: not kept by browsers or proxies
    return response


class UploadForm(Styled, forms.Form):
    file = forms.FileField(
        label="台账文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
        error_messages={"required": "请选择要上传的文件。", "empty": "文件是空的。"},
        help_text=f"单个文件不超过 {spreadsheets.MAX_BYTES // 1048576} MB、{MAX_ROWS} 行。")


class _Import(ScopedView):
    """Organisers only: they register volunteers and record service (谁组织谁记录)."""

    model = Volunteer
    action = "add"
    template_name = "volunteer/import.html"
    kind = ""

    def importer(self):
        raise NotImplementedError

    def jobs(self):
        return jobs.ImportJob.objects.filter(user=self.request.user, kind=self.kind) \
            .defer("upload", "error_file")

    def context(self):
        return {}

    def page(self, form, job=None, status=200, refusal=""):
        return self.render({"form": form, "job": job, "refusal": refusal,
                            "jobs": self.jobs()[:RECENT_JOBS], **self.context()},
                           status=status)

    def get(self, request, **kwargs):
        return self.page(UploadForm())

    def post(self, request, **kwargs):
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > spreadsheets.MAX_BYTES + 64 * 1024:
            return self.page(UploadForm(), status=413, refusal=(
                f"文件过大，单个文件不能超过 {spreadsheets.MAX_BYTES / 1048576:.0f} MB；"
                "请拆分后分批导入。"))
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form, status=400)
        upload = form.cleaned_data["file"]
        importer = self.importer(upload.name or "")
        try:
            # Checked and written in the request (MAX_ROWS bounds the file): no worker task.
            job = jobs.submit(request.user, importer, upload, task=None,
                              ip=audit.client_ip(request), sync_rows=MAX_ROWS + 1)
        except SpreadsheetError as error:
            form.add_error("file", error.message)
            audit.record("import", None, success=False, object_type=importer.object_type,
                         object_repr=upload.name[:200],
                         detail=f"{importer.spec.title}导入被拒绝：{error.message}")
            return self.page(form, status=400)
        return self.page(UploadForm(), job=job,
                         status=200 if job.status == jobs.ImportJob.Status.SUCCEEDED else 400)


class LedgerImport(_Import):
    kind = LedgerImporter.kind

    def importer(self, filename=""):
        return LedgerImporter(self.request.user, filename)

    def context(self):
        return {"spec": LEDGER_SPEC, "title": "导入志愿服务台账",
                "template_url_name": "volunteer_ledger_template", "team": None}


class LedgerTemplate(_Import):
    def get(self, request):
        return xlsx_response(LedgerImporter(request.user).template(), "志愿服务台账导入模板.xlsx")


class _TeamPages(_Import):
    kind = TeamMemberImporter.kind

    def team(self):
        if not hasattr(self, "_team"):
            self._team = get_object_or_404(restrict(self.request.user, "change", Team),
                                           pk=self.kwargs["pk"])
        return self._team

    def importer(self, filename=""):
        return TeamMemberImporter(self.request.user, self.team())


class TeamImport(_TeamPages):
    def get(self, request, **kwargs):
        self.team()
        return super().get(request, **kwargs)

    def context(self):
        return {"spec": TEAM_SPEC, "title": f"导入队员：{self.team().name}",
                "template_url_name": "volunteer_team_import_template", "team": self.team()}


class TeamTemplate(_TeamPages):
    def get(self, request, pk):
        return xlsx_response(self.importer().template(), f"{self.team().name}-队员导入模板.xlsx")


class ImportErrors(_Import):
    def get(self, request, pk):
        job = get_object_or_404(jobs.ImportJob.objects.filter(
            user=request.user, kind__in=KINDS, error_file__isnull=False), pk=pk)
        stem = PurePath(job.filename).stem or "志愿服务台账"
        return xlsx_response(job.error_workbook(), f"{stem}-错误标注.xlsx")
