"""The yearly import of dues bases: the template, the upload (checked in full, imported all or
nothing) and the workbook of a refused file with its errors marked."""

from pathlib import PurePath

from django.shortcuts import get_object_or_404

from gongjian.core import jobs
from gongjian.volunteer.import_views import UploadForm, _Import, xlsx_response

from .imports import SPEC, BaseImporter
from .models import Base


class BaseImport(_Import):
    model = Base
    action = "add"
    template_name = "dues/import.html"
    kind = BaseImporter.kind

    def importer(self, filename=""):
        return BaseImporter(self.request.user, filename)

    def context(self):
        return {"spec": SPEC, "title": "导入党费基数"}


class BaseTemplate(BaseImport):
    def get(self, request):
        return xlsx_response(BaseImporter(request.user).template(), "党费基数导入模板.xlsx")

    post = None


class ImportErrors(BaseImport):
    def get(self, request, pk):
        job = get_object_or_404(jobs.ImportJob.objects.filter(
            user=request.user, kind=BaseImporter.kind, error_file__isnull=False), pk=pk)
        stem = PurePath(job.filename).stem or "党费基数"
        return xlsx_response(job.error_workbook(), f"{stem}-错误标注.xlsx")

    post = None


__all__ = ["BaseImport", "BaseTemplate", "ImportErrors", "UploadForm"]
