"""Pages of services for companies. Thin: reads go through restrict(), writes through services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import can, reach_orgs, restrict
from gongjian.core.generic import ScopedView, paginate, run_action, run_service
from gongjian.core.spreadsheets import XLSX_CONTENT_TYPE, write_xlsx
from gongjian.orgs.models import street_path

from . import filters, services, summary
from .forms import (
    STEP_FORMS,
    STEP_LABELS,
    STEP_NEEDS_CASE,
    AreaForm,
    CadreForm,
    CaseFilterForm,
    CaseForm,
    LinkForm,
    companies_in_reach,
)
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
        areas = (self.scoped().select_related("leader__person", "street")
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
                            "leading": leading, "can_add": self.can("add")})


class AreaFormView(EnterpriseView):
    model = ServiceArea
    action = "add"
    template_name = "enterprise/form.html"
    lookup_field = "pk"

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.action = "change"
        return super().dispatch(request, *args, **kwargs)

    def _area(self):
        if "pk" in self.kwargs:
            return self.get_object()
        return ServiceArea(street=_street(self.request.user, ServiceArea, "add"))

    def _render(self, form, area):
        title = f"修改片区：{area.name}" if area.pk else "新建服务片区"
        return self.render({"form": form, "title": title,
                            "cancel": "enterprise_areas", "submit": "保存"})

    def get(self, request, **kwargs):
        area = self._area()
        return self._render(AreaForm(instance=area, street=area.street), area)

    def post(self, request, **kwargs):
        area = self._area()
        form = AreaForm(request.POST, instance=area, street=area.street)
        if form.is_valid():
            communities = form.cleaned_data["communities"]
            ok, _ = run_service(request, form,
                                lambda: services.save_area(request.user, form.instance,
                                                           communities), "片区已保存。")
            if ok:
                return redirect("enterprise_areas")
        return self._render(form, area)


class CadreListView(EnterpriseView):
    model = Cadre
    template_name = "enterprise/cadre_list.html"

    def get(self, request):
        rows = (self.scoped().select_related("person", "area")
                .annotate(links_n=Count("links", filter=current_links(prefix="links__"),
                                        distinct=True))
                .order_by("area__order", "post", "person__name_pinyin", "id"))
        area, post = request.GET.get("area", ""), request.GET.get("post", "")
        if area.isdigit():
            rows = rows.filter(area_id=int(area))
        elif area == "none":
            rows = rows.filter(area__isnull=True)
        if post in Post.values:
            rows = rows.filter(post=post)
        if request.GET.get("inactive") != "1":
            rows = rows.filter(active=True)
        q = request.GET.get("q", "").strip()
        if q:
            rows = rows.filter(Q(person__name__icontains=q) | Q(person__name_initials=q.lower()))
        page, query = paginate(request, rows)
        areas = restrict(request.user, "view", ServiceArea).order_by("order", "id")
        return self.render({"page": page, "query": query, "areas": areas, "posts": Post.choices,
                            "area": area, "post": post, "q": q, "can_add": self.can("add")})


class CadreFormView(EnterpriseView):
    model = Cadre
    action = "add"
    template_name = "enterprise/form.html"
    lookup_field = "pk"

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.action = "change"
        return super().dispatch(request, *args, **kwargs)

    def _cadre(self):
        if "pk" in self.kwargs:
            return self.get_object(queryset=self.scoped().select_related("person", "street"))
        return Cadre(street=_street(self.request.user, Cadre, "add"))

    def _render(self, form, cadre):
        title = f"修改挂钩干部：{cadre.person.name}" if cadre.pk else "登记挂钩干部"
        return self.render({"form": form, "title": title, "cancel": "enterprise_cadres",
                            "submit": "保存"})

    def get(self, request, **kwargs):
        cadre = self._cadre()
        return self._render(CadreForm(instance=cadre, street=cadre.street, user=request.user),
                            cadre)

    def post(self, request, **kwargs):
        cadre = self._cadre()
        form = CadreForm(request.POST, instance=cadre, street=cadre.street, user=request.user)
        if form.is_valid():
            ok, _ = run_service(request, form,
                                lambda: services.save_cadre(request.user, form.instance),
                                "挂钩干部已保存。")
            if ok:
                return redirect("enterprise_cadres")
        return self._render(form, cadre)


# ---- companies and links ------------------------------------------------------------------

class CompanyListView(EnterpriseView):
    model = CadreLink
    template_name = "enterprise/company_list.html"

    def get(self, request):
        today = timezone.localdate()
        links = (restrict(request.user, "view", CadreLink).filter(current_links(today))
                 .select_related("cadre__person", "cadre__area"))
        companies = companies_in_reach(request.user).annotate(
            linked=Count("cadre_links", filter=current_links(today, "cadre_links__"),
                         distinct=True),
            open_cases=Count("cases", filter=Q(cases__state__in=OPEN_STATES), distinct=True))
        which = request.GET.get("linked", "")
        if which == "0":
            companies = companies.filter(linked=0)
        elif which == "1":
            companies = companies.filter(linked__gt=0)
        area = request.GET.get("area", "")
        if area.isdigit():
            found = restrict(request.user, "view", ServiceArea).filter(pk=int(area)).first()
            if found is not None:
                companies = companies.filter(filters.area_q(found, prefix="org"))
        q = request.GET.get("q", "").strip()
        if q:
            companies = companies.filter(Q(name__icontains=q) | Q(name_initials=q.lower()))
        page, query = paginate(request, companies.prefetch_related(
            Prefetch("cadre_links", queryset=links, to_attr="current")))
        unlinked = companies_in_reach(request.user).exclude(
            pk__in=links.values("company")).count()
        areas = restrict(request.user, "view", ServiceArea).order_by("order", "id")
        return self.render({"page": page, "query": query, "linked": which, "area": area,
                            "q": q, "areas": areas, "unlinked": unlinked,
                            "can_link": self.can("add"), "can_end": self.can("change")})


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
                request.user, cadre=data["cadre"], company=data["company"],
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
        run_action(request, lambda: services.end_link(request.user, row), "挂钩关系已结束。")
        return redirect("enterprise_companies")


# ---- cases --------------------------------------------------------------------------------

class CaseListView(EnterpriseView):
    model = Case
    template_name = "enterprise/case_list.html"

    def get(self, request):
        rows, values = filters.cases(self.scoped(), request.GET, request.user)
        page, query = paginate(request, filters.case_rows(rows))
        form = CaseFilterForm(request.GET or None, user=request.user)
        return self.render({"page": page, "query": query, "form": form,
                            "can_add": self.can("add"), "can_export": self.can("summarize"),
                            "today": timezone.localdate()})


class CaseExportView(EnterpriseView):
    model = Case
    action = "summarize"

    def get(self, request):
        rows, _values = filters.cases(self.scoped(), request.GET, request.user)
        rows = filters.case_rows(rows)
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
                request.user, company=data["company"], category=data["category"],
                title=data["title"], description=data["description"],
                raised_on=data["raised_on"], on_behalf_of=data.get("on_behalf_of")),
                "诉求已提交。")
            if ok:
                return redirect("enterprise_case_detail", case.pk)
        return self._render(form)


class CaseDetailView(EnterpriseView):
    model = Case
    template_name = "enterprise/case_detail.html"
    lookup_field = "pk"

    def _case(self):
        return self.get_object(queryset=self.scoped().select_related(
            "company__org", "assignee__person", "assignee__area", "assignee_org",
            "on_behalf_of__person", "raised_by"))

    def page(self, case, forms=None, status=200):
        steps = services.allowed_steps(self.request.user, case)
        forms = forms or {}
        for step in steps:
            if step not in forms:
                cls = STEP_FORMS[step]
                forms[step] = cls(case=case) if step in STEP_NEEDS_CASE else cls()
        step_forms = [{"step": s, "label": STEP_LABELS[s], "form": forms[s]} for s in steps]
        events = case.events.select_related("actor").order_by("at", "id")
        visits = case.visits.select_related("visitor").order_by("visited_on", "id")
        return self.render({"case": case, "steps": step_forms, "events": events,
                            "visits": visits, "open_step": next(iter(
                                s for s in forms if forms[s].is_bound), "")}, status=status)

    def get(self, request, pk):
        return self.page(self._case())


class CaseStepView(CaseDetailView):
    """POST one step of the case workflow; a refused or invalid step shows the page again."""

    def post(self, request, pk, step):
        if step not in STEP_FORMS:
            raise Http404
        if not self.can(services.STEPS[step][0]):
            raise PermissionDenied
        case = self._case()
        if step not in services.allowed_steps(request.user, case):
            label = services.STEPS[step][2]
            messages.error(request, f"诉求当前为“{case.get_state_display()}”，不能{label}。")
            return self.page(case, status=409)
        cls = STEP_FORMS[step]
        form = cls(request.POST, case=case) if step in STEP_NEEDS_CASE else cls(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            call = getattr(services, step)
            ok, _ = run_service(request, form, lambda: call(request.user, case, **data),
                                f"已{STEP_LABELS[step]}。")
            if ok:
                return redirect("enterprise_case_detail", case.pk)
        return self.page(case, {step: form}, status=400)


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
