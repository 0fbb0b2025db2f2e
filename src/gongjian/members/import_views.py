"""Roster spreadsheets: the import template, the upload, the progress of a large import,
the error workbook, and the export of any filtered roster."""

from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from gongjian.core import audit, spreadsheets
from gongjian.core.access import restrict
from gongjian.core.filtersets import filter_errors
from gongjian.core.forms import Styled
from gongjian.core.generic import ObjectListView, ScopedView
from gongjian.core.jobs import SYNC_ROWS, ImportJob
from gongjian.core.spreadsheets import MAX_BYTES, MAX_ROWS, XLSX_CONTENT_TYPE, SpreadsheetError

from . import idnumber
from .imports import SPEC, MemberImporter, export_workbook
from .models import Membership, Person
from .tasks import start_member_import
from .views import RosterRows

RECENT_JOBS = 10


def xlsx_response(data: bytes, filename: str):
    import io

    response = FileResponse(io.BytesIO(data), as_attachment=True, filename=filename,
                            content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "no-store"  # personal data: not kept by browsers or proxies
    return response


class UploadForm(Styled, forms.Form):
    file = forms.FileField(
        label="名册文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
        error_messages={"required": "请选择要上传的文件。", "empty": "文件是空的。"},
        help_text=f"单个文件不超过 {MAX_BYTES // 1048576} MB、{MAX_ROWS} 行；"
                  f"超过 {SYNC_ROWS} 行的文件在后台导入，可查看进度。")


class _ImportView(ScopedView):
    model = Membership
    action = "add"

    def own_jobs(self):
        return ImportJob.objects.filter(user=self.request.user, kind=MemberImporter.kind) \
            .defer("upload", "error_file")


class ImportTemplate(_ImportView):
    def get(self, request):
        data = MemberImporter(request.user).template()
        return xlsx_response(data, "党员名册导入模板.xlsx")


class ImportPage(_ImportView):
    template_name = "members/import_upload.html"

    def page(self, form, job=None, status=200, refusal=""):
        return self.render({"form": form, "job": job, "spec": SPEC, "refusal": refusal,
                            "jobs": self.own_jobs()[:RECENT_JOBS]}, status=status)

    def get(self, request):
        return self.page(UploadForm())

    def post(self, request):
        # Refuse an oversize upload from its declared length, before Django stores it.
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > spreadsheets.MAX_BYTES + 64 * 1024:
            refusal = (f"文件过大，单个文件不能超过 {spreadsheets.MAX_BYTES / 1048576:.0f} MB；"
                       "请拆分后分批导入。")
            return self.page(UploadForm(), status=413, refusal=refusal)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form, status=400)
        upload = form.cleaned_data["file"]
        try:
            job = start_member_import(request.user, upload, ip=audit.client_ip(request))
        except SpreadsheetError as error:
            form.add_error("file", error.message)
            audit.record("import", None, success=False, object_type=MemberImporter.object_type,
                         object_repr=upload.name[:200],
                         detail=f"党员名册导入被拒绝：{error.message}")
            return self.page(form, status=400)
        if job.task_id:  # sent to the background: follow it on its own page
            return redirect("member_import_job", job.pk)
        return self.page(UploadForm(), job=job)


class ImportJobView(_ImportView):
    template_name = "members/import_job.html"

    def get(self, request, pk):
        job = get_object_or_404(self.own_jobs(), pk=pk)
        if request.htmx:
            return render(request, "members/import_status.html", {"job": job})
        return self.render({"job": job})


class ImportErrors(_ImportView):
    def get(self, request, pk):
        job = get_object_or_404(
            ImportJob.objects.filter(user=request.user, kind=MemberImporter.kind,
                                     error_file__isnull=False), pk=pk)
        stem = PurePath(job.filename).stem or "党员名册"
        return xlsx_response(job.error_workbook(), f"{stem}-错误标注.xlsx")


def logged_filters(params):
    """The export's filters as the audit log keeps them: an ID number searched for is
    masked, the log must not become a copy of the personal data it protects."""
    filters = {key: value for key, value in params.items() if value}
    query = idnumber.normalize(filters.get("q", ""))
    if len(query) == 18 and query[:17].isdigit():
        filters["q"] = idnumber.mask(query)
    return filters


class MemberExport(RosterRows, ObjectListView):
    """The roster as filtered on the list page (the same rows for the same query), as .xlsx.
    ID numbers and phones are shown in full only for people the viewer may reveal; everyone
    else's are masked. A filter the roster refuses exports nothing: back to the list, which
    names the filter."""

    def get(self, request):
        user = request.user
        rows, filterset = self.filtered(request)
        if not filterset.is_valid():
            messages.error(request, f"筛选条件有误，未导出：{filter_errors(filterset)}")
            return redirect(f"{reverse('member_list')}?{request.GET.urlencode()}")
        revealable = set(restrict(user, "reveal", Person)
                         .filter(pk__in=rows.values("person_id")).values_list("pk", flat=True))
        memberships = list(rows)
        revealed_ids = sorted({m.person_id for m in memberships if m.person_id in revealable})
        audit.record("export", None, object_type="members.membership", object_repr="党员名册",
                     detail=f"导出党员名册 {len(memberships)} 条"
                            + (f"，其中 {len(revealed_ids)} 人含完整公民身份号码和联系电话"
                               if revealed_ids else "（证件号码、电话已脱敏）"),
                     after={"filter": logged_filters(request.GET), "count": len(memberships),
                            "revealed": len(revealed_ids),
                            # Whose personal data left in full: each reveal is on record.
                            "revealed_person_ids": revealed_ids})
        data = export_workbook(memberships, revealable)
        return xlsx_response(data, f"党员名册-{timezone.localdate():%Y%m%d}.xlsx")
