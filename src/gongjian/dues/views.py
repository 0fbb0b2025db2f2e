"""Pages of party dues: the monthly ledger of an organisation's branches, the members' dues
accounts and the arrears list (with its export), a member's dues with the payment and base
forms, the payments and their receipts, the remittance form and the yearly import of bases.
Rows come through restrict(); writes through services."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import reach_orgs, restrict
from gongjian.core.generic import ObjectListView, ScopedView, run_service
from gongjian.core.spreadsheets import write_xlsx
from gongjian.members.models import Membership
from gongjian.orgs.models import Organization
from gongjian.volunteer.import_views import xlsx_response

from . import document, queries, rules, services
from .filtersets import ArrearsFilterSet, PaymentFilterSet, parse_month
from .forms import BaseForm, PaymentForm, RemittanceForm
from .models import Account, Method, Month, Payment, Remittance


def _default_org(user, model):
    nodes = sorted(reach_orgs(user, "view", model), key=lambda o: o.depth)
    return nodes[0] if nodes else None


def _org_from(request, model):
    code = (request.GET.get("org") or "").strip()
    if code:
        org = restrict(request.user, "view", Organization).filter(code=code).first()
        if org is None:
            raise Http404("组织不存在或不在您的管理范围内。")
        return org
    return _default_org(request.user, model)


class StaffOnly:
    """Pages of the staff who keep dues: a member's right to read their own rows does not
    open the branch's ledger and lists (their own dues are on 我的)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not reach_orgs(request.user, "view", self.model):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class Ledger(StaffOnly, ScopedView):
    """The monthly ledger: for an organisation (by default the user's own) and a month, one
    row per branch — due, paid, how many paid and not, arrears, collected and remitted."""

    model = Month
    template_name = "dues/ledger.html"

    def get(self, request):
        today = timezone.localdate()
        month = parse_month(request.GET.get("month"), rules.month_of(today))
        refusal = "" if month else "请按“年-月”填写月份，如 2026-03。"
        month = month or rules.month_of(today)
        org = _org_from(request, Month)
        data = queries.ledger(request.user, org, month) if org else None
        can_remit = self.can("add", Remittance)
        return self.render({"data": data, "org": org, "month": month, "refusal": refusal,
                            "month_value": f"{month:%Y-%m}", "can_remit": can_remit,
                            "previous": rules.add_months(month, -1),
                            "next": rules.add_months(month, 1) if month < rules.month_of(today)
                            else None}, status=400 if refusal else 200)


class _AccountList(StaffOnly, ObjectListView):
    model = Account
    filterset_class = ArrearsFilterSet

    def base_rows(self):
        return self.scoped().filter(active=True)

    def get_queryset(self):
        return self.base_rows().select_related("membership__person", "org")


class AccountList(_AccountList):
    template_name = "dues/account_list.html"

    def get_queryset(self):
        return super().get_queryset().order_by("org__path", "membership__person__name", "id")

    def extra_context(self):
        org = None
        code = (self.request.GET.get("org") or "").strip()
        if code:
            org = restrict(self.request.user, "view", Organization).filter(code=code).first()
        missing = []
        if org is not None and self.can("change"):
            missing = list(restrict(self.request.user, "view", Membership)
                           .filter(org__path__startswith=org.path, active=True,
                                   dues_account__isnull=True)
                           .select_related("person", "org").order_by("person__name")[:100])
        return {"org": org, "missing": missing, "today": timezone.localdate()}


class Arrears(_AccountList):
    """Members with unpaid months before the current month: how many and since when."""

    template_name = "dues/arrears.html"

    def get_queryset(self):
        return super().get_queryset().filter(queries.arrears_condition()).order_by(
            "paid_through", "id")

    def extra_context(self):
        return {"today": timezone.localdate(),
                "lapse_threshold": rules.lapse_threshold(timezone.localdate())}


class ArrearsExport(Arrears):
    def get(self, request):
        rows, _filterset = self.filtered(request)
        today = timezone.localdate()
        data = write_xlsx("党费欠缴", ["姓名", "所在党支部", "月缴党费", "已缴至", "欠缴起始月",
                                    "欠缴月数", "欠缴金额（按现月缴额）"],
                          ([a.membership.person.name, a.org.name, a.monthly,
                            rules.label(a.paid_through) if a.has_paid else "尚未交纳",
                            rules.label(a.first_unpaid), a.arrears_months(today),
                            a.monthly * a.arrears_months(today)]
                           for a in rows.iterator(chunk_size=2000)),
                          widths=[12, 28, 10, 12, 12, 10, 16])
        return xlsx_response(data, f"党费欠缴-{today:%Y%m%d}.xlsx")


class AccountDetail(ScopedView):
    model = Account
    lookup_field = "pk"
    template_name = "dues/account_detail.html"

    def get(self, request, pk):
        account = self.get_object(queryset=self.scoped().select_related("membership__person",
                                                                         "org"))
        can_pay = restrict(request.user, "pay", Account).filter(pk=account.pk).exists()
        return self.render({"account": account, "can_pay": can_pay,
                            "can_base": restrict(request.user, "change", Account)
                            .filter(pk=account.pk).exists(),
                            **queries.account_view(request.user, account)})


class Pay(ScopedView):
    """Record a payment for a member: the months covered, the date, the way paid."""

    model = Account
    action = "pay"
    lookup_field = "pk"
    template_name = "core/object_form.html"

    def page(self, account, form, status=200):
        return self.render({
            "form": form, "title": f"登记党费：{account.membership.person.name}",
            "subtitle": f"{account.org.name} · 月缴 {account.monthly} 元 · "
                        f"{'已缴至 ' + rules.label(account.paid_through) if account.has_paid else '尚未交纳'}"
                        f"，应从{rules.label(account.first_unpaid)}起交纳",
            "submit": "登记", "cancel": account.get_absolute_url()}, status)

    def get(self, request, pk):
        account = self.get_object()
        today = timezone.localdate()
        return self.page(account, PaymentForm(initial={
            "first_month": f"{account.first_unpaid:%Y-%m}", "paid_on": today,
            "method": Method.CASH, "reduction": 0}))

    def post(self, request, pk):
        account = self.get_object()
        form = PaymentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            ok, payment = run_service(request, form, lambda: services.record_payment(
                account, user=request.user, first_month=data["first_month"],
                last_month=data.get("last_month"), paid_on=data["paid_on"],
                method=data["method"], proxy_payer=data.get("proxy_payer", ""),
                reduction=data.get("reduction") or 0,
                reduction_reason=data.get("reduction_reason", ""),
                reduction_approved_by=data.get("reduction_approved_by", ""),
                makeup_approved_by=data.get("makeup_approved_by", "")))
            if ok:
                messages.success(request, f"已登记 {payment.months} 个月党费，共 {payment.amount} 元。")
                return redirect(account.get_absolute_url())
        return self.page(account, form, status=400)


class SetBase(ScopedView):
    """Record a member's base for a year (opens their dues account with the first one)."""

    model = Account
    action = "change"
    lookup_field = "pk"
    template_name = "core/object_form.html"

    def membership(self):
        return get_object_or_404(restrict(self.request.user, "view", Membership)
                                 .filter(active=True).select_related("person", "org"),
                                 pk=self.kwargs["pk"])

    def page(self, membership, form, status=200):
        account = Account.objects.filter(membership=membership).first()
        cancel = account.get_absolute_url() if account else \
            f"{reverse('dues_accounts')}?org={membership.org.code}"
        return self.render({"form": form, "title": f"核定党费基数：{membership.person.name}",
                            "subtitle": f"{membership.org.name} · {membership.category}",
                            "submit": "保存", "cancel": cancel}, status)

    def get(self, request, pk):
        membership = self.membership()
        return self.page(membership, BaseForm(initial={"year": timezone.localdate().year}))

    def post(self, request, pk):
        membership = self.membership()
        form = BaseForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            ok, record = run_service(request, form, lambda: services.set_base(
                membership, user=request.user, year=data["year"], kind=data["kind"],
                base=data.get("base"), note=data.get("note", "")))
            if ok:
                messages.success(request, f"已核定：{record.year}年 月缴 {record.monthly} 元，"
                                          f"自{rules.label(record.applies_from)}起适用。")
                return redirect(record.account.get_absolute_url())
        return self.page(membership, form, status=400)


class PaymentList(StaffOnly, ObjectListView):
    model = Payment
    template_name = "dues/payment_list.html"
    filterset_class = PaymentFilterSet

    def get_queryset(self):
        return self.scoped().select_related("account__membership__person", "org").order_by(
            "-paid_on", "-id")


class Receipt(ScopedView):
    model = Payment
    lookup_field = "pk"

    def get(self, request, pk):
        payment = self.get_object(queryset=self.scoped().select_related(
            "account__membership__person", "org", "recorded_by"))
        response = FileResponse(io.BytesIO(document.receipt_docx(payment)), as_attachment=True,
                                filename=f"党费收据-{payment.number}.docx",
                                content_type="application/vnd.openxmlformats-officedocument."
                                             "wordprocessingml.document")
        response["Cache-Control"] = "no-store"
        return response


class Remit(ScopedView):
    """Record an organisation's remittance of a month to its higher committee."""

    model = Remittance
    action = "add"
    template_name = "core/object_form.html"

    def org(self):
        org = _org_from(self.request, Remittance)
        if org is None:
            raise Http404("没有可登记上缴的组织。")
        return org

    def page(self, org, month, form, status=200):
        parent = Organization.objects.get_parent(org)
        return self.render({"form": form, "title": f"登记党费上缴：{org.name}",
                            "subtitle": "上缴至上级党委" + (f"（{parent.name}）" if parent else ""),
                            "submit": "登记",
                            "cancel": f"{reverse('dues_ledger')}?org={org.code}&month={month:%Y-%m}"},
                           status)

    def get(self, request):
        org = self.org()
        today = timezone.localdate()
        month = parse_month(request.GET.get("month"), rules.month_of(today)) or rules.month_of(today)
        collected = queries.ledger(request.user, org, month)["total"]["collected"]
        return self.page(org, month, RemittanceForm(initial={
            "month": f"{month:%Y-%m}", "amount": collected, "remitted_on": today}))

    def post(self, request):
        org = self.org()
        form = RemittanceForm(request.POST)
        month = rules.month_of(timezone.localdate())
        if form.is_valid():
            data = form.cleaned_data
            month = data["month"]
            ok, _ = run_service(request, form, lambda: services.record_remittance(
                org, user=request.user, month=data["month"], amount=data["amount"],
                remitted_on=data["remitted_on"], note=data.get("note", "")),
                f"已登记{org.name}{rules.label(data['month'])}党费上缴 {data['amount']} 元。")
            if ok:
                return redirect(f"{reverse('dues_ledger')}?org={org.code}&month={month:%Y-%m}")
        return self.page(org, month, form, status=400)
