"""Pages of the checklists: one list (by kind, organisation, state, overdue; its export), an
item's page with its history and the steps the user may take, the forms. Thin: rows come
through restrict(), every write through services.py."""

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode

from gongjian.core.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedView,
    WorkflowStepView,
    run_service,
)
from gongjian.core.spreadsheets import XLSX_CONTENT_TYPE, write_xlsx

from . import services
from .filtersets import ChecklistFilterSet
from .forms import CREATE_FORMS, STEP_FORMS, EditForm
from .models import ChecklistItem, Kind
from .queries import rows_for

KIND_URLS = {Kind.RESPONSIBILITY: "checklist_responsibility", Kind.PROBLEM: "checklist_problems",
             Kind.LEARNING: "checklist_learning", Kind.ACTIVITY: "checklist_activities",
             Kind.RESOURCE: "checklist_resources"}


class Filtered:
    """The list's rows for the request: the kind from the URL (a menu entry) unless the query
    names one, the FilterSet over the items — or, for the 资源清单, over the resources."""

    def filter_data(self):
        data = self.request.GET.copy() if self.request.GET else QueryDict(mutable=True)
        if not data.get("kind") and self.kwargs.get("kind"):
            data["kind"] = self.kwargs["kind"]
        return data

    def kind(self):
        return self.filter_data().get("kind", "")

    def filtered(self, request):
        data = self.filter_data()
        rows = rows_for(request.user, data.get("kind", ""))
        self.filter = ChecklistFilterSet(data, queryset=rows, request=request)
        return (self.filter.qs if self.filter.is_valid() else rows.none()), self.filter


class ChecklistList(Filtered, ObjectListView):
    model = ChecklistItem
    template_name = "checklists/list.html"
    filterset_class = ChecklistFilterSet

    def extra_context(self):
        kind = self.kind()
        label = dict(Kind.choices).get(kind, "清单事项")
        query = self.filter_data().urlencode()
        return {"kind": kind, "kind_label": label, "today": timezone.localdate(),
                "kinds": [(k, v, reverse(KIND_URLS[Kind(k)])) for k, v in Kind.choices],
                "export_url": f"{reverse('checklist_export')}?{query}",
                "create_url": _create_url(kind)}


def _create_url(kind):
    if kind == Kind.RESOURCE:
        try:  # the 资源清单 is entered once, as a 服务资源
            return reverse("resource_create")
        except NoReverseMatch:
            return ""
    return f"{reverse('checklist_create')}?kind={kind}" if kind else reverse("checklist_create")


EXPORT_HEADERS = ["清单", "事项", "责任组织", "发布组织", "类别/来源", "目标", "措施", "完成时限",
                  "原定时限", "状态", "逾期", "完成情况与佐证", "验收意见", "验收日期", "时间安排",
                  "地点", "公开"]
RESOURCE_HEADERS = ["清单", "资源名称", "提供单位", "所在组织", "类别", "服务时间", "服务地点",
                    "服务容量（人次）", "剩余（人次）"]


class ChecklistExport(Filtered, ScopedView):
    """The filtered list as a spreadsheet (the same FilterSet as the page and the API)."""

    model = ChecklistItem

    def get(self, request, **kwargs):
        rows, _ = self.filtered(request)
        today = timezone.localdate()
        if self.kind() == Kind.RESOURCE:
            headers = RESOURCE_HEADERS
            data = (["资源清单", r.title, r.unit.name, r.unit.org.name, r.get_category_display(),
                     r.available_text, r.address, r.capacity, r.remaining]
                    for r in rows.iterator(chunk_size=500))
        else:
            headers = EXPORT_HEADERS
            data = ([i.get_kind_display(), i.title, i.org.name,
                     i.publisher.name if i.publisher_id else "",
                     i.get_source_display() or i.get_category_display(), i.target, i.measures,
                     i.deadline, i.original_deadline if i.original_deadline != i.deadline else None,
                     i.get_state_display(),
                     "逾期" if i.is_overdue(today) else ("逾期完成" if i.finished_late else ""),
                     i.evidence, i.result, i.completed_on, i.period, i.place,
                     "是" if i.public else ""] for i in rows.iterator(chunk_size=500))
        body = write_xlsx("清单", headers, data)
        response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = (
            f"attachment; filename=\"checklists-{today:%Y%m%d}.xlsx\"; "
            f"filename*=UTF-8''%E6%B8%85%E5%8D%95-{today:%Y%m%d}.xlsx")
        return response


CREATE_TITLES = {Kind.RESPONSIBILITY: ("发布责任清单", "发布"),
                 Kind.PROBLEM: ("登记问题", "登记"),
                 Kind.LEARNING: ("列入学习清单", "保存"),
                 Kind.ACTIVITY: ("列入活动清单", "保存")}


class ChecklistCreate(ScopedView):
    """建单 (责任清单), 登记问题 (问题清单), a line of a 学习清单 or 活动清单: `?kind=`."""

    model = ChecklistItem
    action = "add"
    template_name = "core/object_form.html"

    def kind(self):
        kind = self.request.GET.get("kind") or self.request.POST.get("kind") or Kind.PROBLEM
        return kind

    def page(self, kind, form, status=200):
        title, submit = CREATE_TITLES[kind]
        return self.render({"form": form, "title": title, "submit": submit,
                            "cancel": reverse(KIND_URLS[kind])}, status=status)

    def dispatch(self, request, *args, **kwargs):
        kind = self.kind()
        if kind == Kind.RESOURCE and request.user.is_authenticated:
            url = _create_url(kind)
            if url:
                return redirect(url)
        if kind not in CREATE_FORMS:
            raise Http404("没有这种清单。")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        kind = self.kind()
        return self.page(kind, CREATE_FORMS[kind](user=request.user))

    def save(self, kind, data):
        user = self.request.user
        if kind == Kind.RESPONSIBILITY:
            return services.publish(user=user, **data)[0]
        if kind == Kind.PROBLEM:
            return services.register_problem(user=user, **data)
        return services.list_item(user=user, kind=kind, **data)

    def post(self, request):
        kind = self.kind()
        form = CREATE_FORMS[kind](request.POST, user=request.user)
        if form.is_valid():
            ok, item = run_service(request, form, lambda: self.save(kind, form.cleaned_data),
                                   "已保存。")
            if ok:
                if kind == Kind.RESPONSIBILITY:
                    return redirect(f"{reverse(KIND_URLS[kind])}?{urlencode({'q': item.title})}")
                return redirect(item.get_absolute_url())
        return self.page(kind, form, status=400)


class ChecklistDetail(ObjectDetailView):
    model = ChecklistItem
    lookup_field = "pk"
    template_name = "checklists/detail.html"
    object_actions = ("change",)

    def get_object(self, action=None, queryset=None):
        rows = self.scoped(action).select_related("org", "publisher", "checked_by", "filed_by")
        return super().get_object(action, rows)

    def extra_context(self):
        item, user = self.object, self.request.user
        steps = services.WORKFLOW.available_steps(user, item)
        return {"item": item, "steps": steps, "form_steps": set(STEP_FORMS),
                "next_line": services.WORKFLOW.next_line(item) if item.has_workflow else [],
                "events": item.events.all(), "today": timezone.localdate(),
                "can_edit": self.object_can_edit(item),
                "list_url": reverse(KIND_URLS[Kind(item.kind)])}

    def object_can_edit(self, item):
        return (self.scoped("change").filter(pk=item.pk).exists()
                and services.edit_refusal(item, user=self.request.user) is None)


class ChecklistEdit(ObjectEditView):
    model = ChecklistItem
    lookup_field = "pk"
    form_class = EditForm
    submit_label = "保存修改"
    saved_message = "已保存。"

    def get_object(self, action=None, queryset=None):
        item = super().get_object(action, queryset)
        refusal = services.edit_refusal(item, user=self.request.user)
        if refusal:  # only the level that issued it corrects an item, and only before work starts
            raise Http404(refusal)
        return item

    def title(self, obj):
        return f"修改{obj.get_kind_display()}事项"

    def save(self, form, obj):
        return services.update_item(obj, user=self.request.user, **form.cleaned_data)


class ChecklistStep(WorkflowStepView):
    model = ChecklistItem
    workflow = services.WORKFLOW
    services = services
    forms = STEP_FORMS
    forms_guarded = True
    answer_refusal_status = True
    template_name = "core/object_form.html"
    gone_url = "checklist_list"

    def get(self, request, **kwargs):
        obj = self.get_object()
        if not self.workflow.allows(self.step.name, self.workflow.state_of(obj)):
            messages.error(request, self.workflow.refuse(self.step.name, obj))
            return redirect(obj.get_absolute_url())
        return super().get(request, **kwargs)

    def form_context(self, obj, form):
        return {"object": obj, "form": form, "title": f"{self.step.label}：{obj.title}",
                "subtitle": f"{obj.get_kind_display()} · {obj.org.name}",
                "submit": f"确认{self.step.label}", "cancel": obj.get_absolute_url(),
                "danger": self.step.style == "danger"}
