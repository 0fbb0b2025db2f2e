"""The volunteer's side: the scan landing page (public: a code read by the phone's camera turns
into a short-lived ticket, so logging in first does not make the code expire), the
confirmation that signs in or out, my records with the certificates, the certificate as a PDF,
and the public check page of a certificate (the name masked)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from gongjian.core.access import SELF_ROLES, grants_of, restrict
from gongjian.core.generic import ScopedView
from gongjian.core.services import DomainError, OutOfScope

from . import services, tokens
from .activity_views import attachment
from .document import certificate_pdf
from .models import Activity, Certificate, CheckIn, State
from .queries import my_records


def _refused(request, message, status=400, activity=None):
    return render(request, "volunteer/scan_refused.html",
                  {"message": message, "activity": activity}, status=status)


def scan(request, code):
    """What the QR code opens: refuse a stale or foreign code at once (nothing written); a
    fresh one becomes a ticket and leads to the confirmation (through the login page when
    the phone is not logged in)."""
    try:
        activity_id = tokens.read_code(code)
    except DomainError as error:
        return _refused(request, error.message)
    return redirect("volunteer_checkin", ticket=tokens.ticket_for(activity_id))


class CheckInConfirm(ScopedView):
    """The confirmation after a scan: 签到 when the volunteer has no open pair, else 签退."""

    model = Activity
    action = "checkin"
    template_name = "volunteer/scan_confirm.html"

    def activity(self, ticket):
        try:
            activity_id = tokens.read_ticket(ticket)
        except DomainError as error:
            return None, error.message
        found = restrict(self.request.user, "checkin", Activity).filter(
            pk=activity_id).select_related("org").first()
        if found is None:
            raise Http404("对象不存在或不在您的管理范围内。")
        return found, None

    def refusal(self, activity):
        if activity.state != State.IN_PROGRESS:
            return services.WORKFLOW.refuse("checkin", activity)
        row = services.my_signup(activity, user=self.request.user)
        if row is None:
            return "您没有报名该活动，不能签到。"
        if row.state != "accepted":
            return "您在候补名单中，尚未录用，不能签到。"
        return None

    def get(self, request, ticket):
        activity, problem = self.activity(ticket)
        if problem:
            return _refused(request, problem)
        refusal = self.refusal(activity)
        if refusal:
            return _refused(request, refusal, status=409, activity=activity)
        step = services.next_scan(activity, user=request.user)
        volunteer = services.volunteer_of(user=request.user)
        open_pair = CheckIn.objects.filter(activity=activity, volunteer=volunteer,
                                           out_at__isnull=True).first()
        return self.render({"activity": activity, "step": step, "ticket": ticket,
                            "volunteer": volunteer, "open_pair": open_pair})

    def post(self, request, ticket):
        activity, problem = self.activity(ticket)
        if problem:
            return _refused(request, problem)
        step = request.POST.get("step")
        if step not in ("checkin", "checkout"):
            return _refused(request, "请选择签到或签退。")
        try:
            getattr(services, step)(activity, user=request.user, ticket=ticket)
        except OutOfScope as error:
            raise Http404(error.message) from error
        except DomainError as error:
            return _refused(request, error.message, status=error.status, activity=activity)
        messages.success(request, services.WORKFLOW[step].done)
        return redirect(activity.get_absolute_url())


class MyRecords(LoginRequiredMixin, View):
    """我的志愿服务: volunteer number, hours and star, records, certificates."""

    def get(self, request):
        if not any(g.role in SELF_ROLES for g in grants_of(request.user)):
            raise PermissionDenied
        return render(request, "volunteer/mine.html", {"mine": my_records(request.user),
                                                       "section_url": reverse("my_page")})


class CertificateIssue(ScopedView):
    """Ask for the certificate of one organiser's counted service (POST), then download it."""

    model = Certificate
    action = "add"
    http_method_names = ["post"]

    def post(self, request):
        volunteer = services.volunteer_of(user=request.user)
        # The organisers whose counted records the volunteer has: the only issuers offered.
        issuers = {str(org.pk): org for org, _hours, _n in
                   services.certificate_issuers(volunteer)} if volunteer else {}
        issuer = issuers.get(request.POST.get("issuer", ""))
        if volunteer is None or issuer is None:
            messages.error(request, "没有可出具证明的服务记录。")
            return redirect("volunteer_mine")
        try:
            cert = services.issue_certificate(volunteer, user=request.user, issuer=issuer)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("volunteer_mine")
        return redirect("volunteer_certificate_pdf", number=cert.number)


class CertificatePdf(ScopedView):
    model = Certificate
    lookup_field = "number"

    def get(self, request, number):
        cert = self.get_object(queryset=self.scoped().select_related("volunteer", "issuer"))
        url = request.build_absolute_uri(reverse("volunteer_certificate_check",
                                                 args=[cert.number]))
        return attachment(HttpResponse(certificate_pdf(cert, url),
                                       content_type="application/pdf"),
                          f"certificate-{cert.number}.pdf", f"志愿服务证明-{cert.number}.pdf")


def certificate_check(request, number):
    """Anyone with the number (the QR code on the certificate) checks its facts; the name is
    masked and no identity number is shown."""
    cert = get_object_or_404(restrict(AnonymousUser(), "verify", Certificate)
                             .select_related("volunteer", "issuer"), number=number.upper())
    return render(request, "volunteer/certificate_check.html", {"cert": cert})
