"""Pages of services for companies. Thin: reads go through restrict(), writes through services."""

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import can, reach_orgs, restrict
from gongjian.core.generic import ScopedView, WorkflowStepView, paginate, run_action, run_service
from gongjian.core.spreadsheets import XLSX_CONTENT_TYPE, write_xlsx
from gongjian.orgs.models import street_path

from . import filters, services, summary
from .forms import AreaForm, CadreForm, CaseForm, LinkForm, companies_in_reach, step_forms
from .models import OPEN_STATES, Cadre, CadreLink, Case, Post, ServiceArea, current_links

TABS = [("enterprise_summary", "统计", Case, "summarize"),
        ("enterprise_case_list", "企业诉求", Case, "view"),
        ("enterprise_companies", "挂钩企业", CadreLink, "view"),
        ("enterprise_areas", "服务片区", ServiceArea, "view"),
        ("enterprise_cadres", "挂钩干部", Cadre, "view")]


class EnterpriseView(ScopedView):
    """The pages share a row of tabs, showing those the user may open."""

    def render(self, context, status=200):
        tabs = [(name, label) for name, label, model, action in TABS
                if can(self.request.user, action, model)]
        context["enterprise_tabs"] = tabs if len(tabs) > 1 else []
        context["case_pages"] = ("enterprise_case_detail", "enterprise_case_step",
                                 "enterprise_case_create")
        return super().render(context, status=status)


def _street(user, model, action):
    """The street a street-level account manages `model` in (areas and cadres are per street)."""
    streets = [org for org in reach_orgs(user, action, model) if street_path(org) == org.path]
    if not streets:
        raise PermissionDenied
    return streets[0]


# ---- areas and cadres ---------------------------------------------------------------------

class AreaListView(EnterpriseView):
    model = ServiceArea
    template_name = "enterprise/area_list.html"

    def get(self, request):
        found = filters.AreaFilterSet(request.GET, queryset=self.scoped(), request=request)
        areas = (found.qs.select_related("leader__person", "street")
                 .prefetch_related("communities")
                 .annotate(cadres_n=Count("cadres", filter=Q(cadres__active=True), distinct=True)))
        posts = {(row["area"], row["post"]): row["n"] for row in
                 restrict(request.user, "view", Cadre).filter(active=True)
                 .values("area", "post").annotate(n=Count("id"))}
        rows = [{"area": a, "posts": [posts.get((a.pk, p.value), 0) for p in Post]}
                for a in areas]
        unassigned = [posts.get((None, p.value), 0) for p in Post]
        leading = restrict(request.user, "view", Cadre).filter(
            active=True, in_leading_group=True).select_related("person").order_by("post", "id")
        return self.render({"rows": rows, "posts": Post.choices, "unassigned": unassigned,
                            "leading": leading, "form": found.form, "can_add": self.can("add")})


class StreetFormView(EnterpriseView):
    """Create (no pk in the URL) or change one of a street's areas or cadres: `form_class`
    gets the street, `save(form)` calls the service, then back to the `cancel` list."""

    action = "add"
    template_name = "enterprise/form.html"
    lookup_field = "pk"
    form_class = None
    cancel = ""
    saved_message = ""

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.action = "change"
        return super().dispatch(request, *args, **kwargs)

    def instance(self):
        if "pk" in self.kwargs:
            return self.get_object(queryset=self.get_queryset())
        return self.model(street=_street(self.request.user, self.model, "add"))

    def get_queryset(self):
        return self.scoped()

    def form_kwargs(self):
        return {}

    def make_form(self, obj, data=None):
        return self.form_class(data, instance=obj, street=obj.street, **self.form_kwargs())

    def title(self, obj):
        raise NotImplementedError

    def save(self, form):
        raise NotImplementedError

    def _render(self, form, obj):
        return self.render({"form": form, "title": self.title(obj), "cancel": self.cancel,
                            "submit": "保存"})

    def get(self, request, **kwargs):
        obj = self.instance()
        return self._render(self.make_form(obj), obj)

    def post(self, request, **kwargs):
        obj = self.instance()
        form = self.make_form(obj, request.POST)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: self.save(form), self.saved_message)
            if ok:
                return redirect(self.cancel)
        return self._render(form, obj)


class AreaFormView(StreetFormView):
    model = ServiceArea
    form_class = AreaForm
    cancel = "enterprise_areas"
    saved_message = "片区已保存。"

    def title(self, area):
        return f"修改片区：{area.name}" if area.pk else "新建服务片区"

    def save(self, form):
        return services.save_area(form.instance, communities=form.cleaned_data["communities"],
                                  user=self.request.user)


class CadreListView(EnterpriseView):
    model = Cadre
    template_name = "enterprise/cadre_list.html"

    def get(self, request):
        rows = (self.scoped().select_related("person", "area")
                .annotate(links_n=Count("links", filter=current_links(prefix="links__"),
                                        distinct=True))
                .order_by("area__order", "post", "person__name_pinyin", "id"))
        found = filters.CadreFilterSet(request.GET, queryset=rows, request=request)
        page, query = paginate(request, found.qs)
        return self.render({"page": page, "query": query, "form": found.form,
                            "can_add": self.can("add")})


class CadreFormView(StreetFormView):
    model = Cadre
    form_class = CadreForm
    cancel = "enterprise_cadres"
    saved_message = "挂钩干部已保存。"

    def get_queryset(self):
        return self.scoped().select_related("person", "street")

    def form_kwargs(self):
        return {"user": self.request.user}

    def title(self, cadre):
        return f"修改挂钩干部：{cadre.person.name}" if cadre.pk else "登记挂钩干部"

    def save(self, form):
        return services.save_cadre(form.instance, user=self.request.user)


# ---- companies and links ------------------------------------------------------------------

class CompanyListView(EnterpriseView):
    model = CadreLink
    template_name = "enterprise/company_list.html"

    def get(self, request):
        today = timezone.localdate()
        links = (restrict(request.user, "view", CadreLink).filter(current_links(today))
                 .select_related("cadre__person", "cadre__area"))
        companies = companies_in_reach(request.user).annotate(
            open_cases=Count("cases", filter=Q(cases__state__in=OPEN_STATES), distinct=True))
        found = filters.CompanyFilterSet(request.GET, queryset=companies, request=request)
        page, query = paginate(request, found.qs.prefetch_related(
            Prefetch("cadre_links", queryset=links, to_attr="current")))
        unlinked = companies_in_reach(request.user).exclude(
            pk__in=links.values("company")).count()
        return self.render({"page": page, "query": query, "form": found.form,
                            "unlinked": unlinked, "can_link": self.can("add"),
                            "can_end": self.can("change")})


class LinkCreateView(EnterpriseView):
    model = CadreLink
    action = "add"
    template_name = "enterprise/form.html"

    def _render(self, form):
        return self.render({"form": form, "title": "新建挂钩关系",
                            "cancel": "enterprise_companies", "submit": "挂钩"})

    def get(self, request):
        initial = {}
        code = request.GET.get("company", "")
        if code:
            company = companies_in_reach(request.user).filter(code=code).first()
            if company is not None:
                initial["company"] = company.pk
        return self._render(LinkForm(initial=initial, user=request.user))

    def post(self, request):
        form = LinkForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            ok, _ = run_service(request, form, lambda: services.link(
                user=request.user, cadre=data["cadre"], company=data["company"],
                started_on=data["started_on"], note=data["note"]), "挂钩关系已建立。")
            if ok:
                return redirect("enterprise_companies")
        return self._render(form)


class LinkEndView(EnterpriseView):
    model = CadreLink
    action = "change"
    lookup_field = "pk"

    def post(self, request, pk):
        row = self.get_object()
        run_action(request, lambda: services.end_link(row, user=request.user), "挂钩关系已结束。")
        return redirect("enterprise_companies")


# ---- cases --------------------------------------------------------------------------------

class CaseListView(EnterpriseView):
    model = Case
    template_name = "enterprise/case_list.html"

    def get(self, request):
        found = filters.CaseFilterSet(request.GET, queryset=self.scoped(), request=request)
        page, query = paginate(request, filters.case_rows(found.qs))
        return self.render({"page": page, "query": query, "form": found.form,
                            "can_add": self.can("add"), "can_export": self.can("summarize"),
                            "today": timezone.localdate()})


class CaseExportView(EnterpriseView):
    model = Case
    action = "summarize"

    def get(self, request):
        found = filters.CaseFilterSet(request.GET, queryset=self.scoped(), request=request)
        rows = filters.case_rows(found.qs)
        today = timezone.localdate()
        data = ([c.number, c.company.name, c.company.org.name, c.get_category_display(),
                 c.title, c.raised_on, c.get_state_display(),
                 c.assignee.person.name if c.assignee_id else "",
                 c.assignee_org.name if c.assignee_org_id else "", c.deadline,
                 "是" if c.is_open and c.deadline and c.deadline < today else "",
                 c.resolved_on, c.resolution, c.get_satisfaction_display(),
                 c.satisfaction_comment, c.close_reason] for c in rows.iterator(chunk_size=500))
        body = write_xlsx("企业诉求", ["编号", "企业", "所在社区", "类别", "标题", "提出日期",
                                      "状态", "承办干部", "承办组织", "办理期限", "逾期",
                                      "解决日期", "解决情况", "满意度", "企业意见", "关闭原因"],
                          data, widths=[14, 30, 16, 10, 30, 12, 10, 10, 16, 12, 6, 12, 40, 10,
                                        30, 30])
        response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = (
            f"attachment; filename=\"enterprise-cases-{today:%Y%m%d}.xlsx\"; "
            f"filename*=UTF-8''%E4%BC%81%E4%B8%9A%E8%AF%89%E6%B1%82-{today:%Y%m%d}.xlsx")
        return response


class CaseCreateView(EnterpriseView):
    model = Case
    action = "add"
    template_name = "enterprise/form.html"

    def _render(self, form):
        return self.render({"form": form, "title": "登记企业诉求",
                            "cancel": "enterprise_case_list", "submit": "提交"})

    def get(self, request):
        return self._render(CaseForm(user=request.user))

    def post(self, request):
        form = CaseForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            ok, case = run_service(request, form, lambda: services.raise_case(
                user=request.user, company=data["company"], category=data["category"],
                title=data["title"], description=data["description"],
                raised_on=data["raised_on"], on_behalf_of=data.get("on_behalf_of")),
                "诉求已提交。")
            if ok:
                return redirect("enterprise_case_detail", case.pk)
        return self._render(form)


class CasePage(EnterpriseView):
    """A case's page: what was asked, the visits, the history, and a form for each step the
    user may take now (CASE_FLOW decides which)."""

    model = Case
    template_name = "enterprise/case_detail.html"
    lookup_field = "pk"

    def get_queryset(self):
        return self.scoped().select_related(
            "company__org", "assignee__person", "assignee__area", "assignee_org",
            "on_behalf_of__person", "raised_by")

    def case_context(self, case, step=None, form=None):
        """The page; `form` is `step`'s form as posted, shown open with its errors."""
        offered = services.CASE_FLOW.available_steps(self.request.user, case)
        if form is not None and step not in offered:
            # The step is not (or no longer) open to the user: its refusal as a message.
            for error in form.non_field_errors():
                messages.error(self.request, error)
        made = step_forms(case)
        steps = [{"step": s, "form": form if s == step and form is not None else made[s.name]()}
                 for s in offered]
        return {"case": case, "steps": steps, "open_step": step.name if step else "",
                "next_line": services.next_line(case),
                "events": case.events.order_by("at", "id"),
                "visits": case.visits.select_related("visitor").order_by("visited_on", "id")}


class CaseDetailView(CasePage):
    def get(self, request, pk):
        return self.render(self.case_context(self.get_object(queryset=self.get_queryset())))


class CaseStepView(CasePage, WorkflowStepView):
    """POST one step of a case (GET shows the page with that step's form open); a refused or
    invalid step shows the page again with the reason."""

    workflow = services.CASE_FLOW
    services = services
    gone_url = "enterprise_case_list"
    # The page answers like the API: 409 for a step the case refuses, 400 for bad data.
    answer_refusal_status = True

    @cached_property
    def case(self):
        return WorkflowStepView.get_object(self)

    def get_object(self, action=None, queryset=None):
        return self.case

    @property
    def forms(self):
        # The step forms offer the case's street's cadres and organisations.
        return step_forms(self.case)

    def form_context(self, case, form):
        return self.case_context(case, self.step, form if form.is_bound else None)



# ---- summary ------------------------------------------------------------------------------

class SummaryView(EnterpriseView):
    model = Case
    action = "summarize"
    template_name = "enterprise/summary.html"

    def get(self, request):
        data = summary.build(request.user)
        f = data["figures"]
        cases = reverse("enterprise_case_list")
        rate = "—" if f["satisfaction_rate"] is None else f"{f['satisfaction_rate']}%"
        data["cards"] = [
            ("挂钩企业", f["companies_linked"], reverse("enterprise_companies") + "?linked=1"),
            ("挂钩干部", f["cadres_linking"], reverse("enterprise_cadres")),
            ("诉求总数", f["total"], cases),
            ("在办诉求", f["open"], cases + "?state=open"),
            ("逾期诉求", f["overdue"], cases + "?overdue=1"),
            ("已解决", f["resolved"], cases + "?state=resolved"),
            ("帮助企业", f["helped"], ""),
            ("满意率", rate, ""),
        ]
        return self.render(data)


__all__ = ["AreaFormView", "AreaListView", "CadreFormView", "CadreListView",
           "CaseCreateView", "CaseDetailView", "CaseExportView", "CaseListView",
           "CaseStepView", "CompanyListView", "LinkCreateView", "LinkEndView", "SummaryView"]
