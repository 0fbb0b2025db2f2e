"""Micro-wish pages: phone-first for residents and members (post, the wall, claim, fulfil,
confirm), desk pages for community staff (review queue, all wishes, rounds). Every step is a
POST to its own URL, all served by one view of the workflow table (`WishStep`) calling the
service; refusals come back as a message on the wish's page."""

from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views import View

from gongjian.core.access import can, restrict
from gongjian.core.generic import ScopedView, WorkflowStepView, paginate, run_service
from gongjian.orgs.models import ancestor_paths

from . import photos, services
from .forms import FulfilForm, PublishForm, RoundForm, ThankForm, WishFilterForm, WishForm
from .models import DONE_STATES, OPEN_STATES, Round, State, Step, Wish
from .queries import with_counts

RELATED = ("org", "round", "claimer_unit", "claimer_person", "claimed_by", "posted_by")


def _wishes(user, action="view"):
    return restrict(user, action, Wish).select_related(*RELATED)


class WishHome(ScopedView):
    """微心愿 landing page: post a wish, the street's wall, my wishes, and for staff the queue."""

    model = Wish
    template_name = "wishes/home.html"

    def get(self, request):
        user = request.user
        visible = _wishes(user)
        can_claim = can(user, "claim", Wish)
        wall = []
        if can_claim:
            wall = list(visible.filter(state=State.PUBLISHED).exclude(posted_by=user)
                        .order_by("-published_at", "-id")[:60])
        unit_ids = [u.pk for u in services.claim_units(user=user)]
        posted = list(visible.filter(posted_by=user).order_by("-posted_at", "-id")[:50])
        claimed = list(visible.filter(Q(claimed_by=user) | Q(claimer_unit_id__in=unit_ids))
                       .order_by("-claimed_at", "-id")[:50]) if can_claim else []
        context = {"wall": wall, "posted": posted, "claimed": claimed, "can_claim": can_claim,
                   "can_add": can(user, "add", Wish), "units": services.claim_units(user=user),
                   "is_member": services.is_member(user=user)}
        if can(user, "review", Wish):
            reviewable = restrict(user, "review", Wish)
            context["staff"] = reviewable.aggregate(
                pending=Count("pk", filter=Q(state=State.SUBMITTED)),
                open=Count("pk", filter=Q(state=State.PUBLISHED)),
                claimed=Count("pk", filter=Q(state=State.CLAIMED)),
                to_confirm=Count("pk", filter=Q(state=State.FULFILLED)),
                done=Count("pk", filter=Q(state=State.CONFIRMED)))
            by_org = list(reviewable.values("org__code", "org__name").annotate(
                pending=Count("pk", filter=Q(state=State.SUBMITTED)),
                open=Count("pk", filter=Q(state=State.PUBLISHED)),
                claimed=Count("pk", filter=Q(state=State.CLAIMED)),
                done=Count("pk", filter=Q(state__in=DONE_STATES))).order_by("org__code"))
            context["by_org"] = by_org if len(by_org) > 1 else []
        rounds = restrict(user, "view", Round).select_related("org").order_by("-starts_on")[:4]
        context["rounds"] = with_counts(rounds)
        return self.render(context)


class WishList(ScopedView):
    """All wishes in the staff member's reach, filtered."""

    model = Wish
    action = "review"
    template_name = "wishes/list.html"

    def get(self, request):
        form = WishFilterForm(request.GET)
        rows = _wishes(request.user, "review")
        round_ = None
        if form.is_valid():
            data = form.cleaned_data
            if data["state"]:
                rows = rows.filter(state=data["state"])
            if data["group"]:
                rows = rows.filter(group=data["group"])
            if data["round"]:
                round_ = restrict(request.user, "view", Round).filter(pk=data["round"]).first()
                rows = rows.filter(round_id=data["round"])
            if data["q"]:
                rows = rows.filter(title__contains=data["q"].strip())
        page, query = paginate(request, rows.order_by("-posted_at", "-id"))
        page.object_list = list(page.object_list)
        # The claimer in full only where the detail page shows it in full.
        visible = services.recipient_visible(page.object_list, user=request.user)
        for wish in page.object_list:
            wish.claimer_shown = (wish.claimer_name if wish.pk in visible
                                  else wish.claimer_public_name)
        return self.render({"form": form, "page": page, "query": query, "round": round_})


class WishReview(ScopedView):
    """The community's review queue: submitted wishes, publish into a round or reject."""

    model = Wish
    action = "review"
    template_name = "wishes/review.html"

    def get(self, request):
        rows = list(_wishes(request.user, "review").filter(state=State.SUBMITTED)
                    .order_by("posted_at", "id")[:100])
        # The recipient only for the wish's own community staff (not the street's).
        revealable = set(restrict(request.user, "reveal", Wish).filter(
            pk__in=[w.pk for w in rows]).values_list("pk", flat=True))
        # The rounds each wish may go into (its community's and its street's), read once.
        paths = {a for w in rows for a in ancestor_paths(w.org.path)}
        today = timezone.localdate()
        rounds = list(restrict(request.user, "view", Round).filter(
            org__path__in=paths, ends_on__gte=today).select_related("org")
            .order_by("-starts_on"))
        for wish in rows:
            wish.rounds = [r for r in rounds if wish.org.path.startswith(r.org.path)]
            wish.show_recipient = wish.pk in revealable
        return self.render({"rows": rows})


class WishCreate(ScopedView):
    model = Wish
    action = "add"
    template_name = "wishes/form.html"

    def get(self, request):
        return self.render({"form": WishForm(user=request.user)})

    def post(self, request):
        form = WishForm(request.POST, user=request.user)
        if form.is_valid():
            wish = form.save(commit=False)
            wish.org = form.cleaned_data.get("org")
            ok, wish = run_service(request, form, lambda: services.post_wish(
                wish, user=request.user), "心愿已提交，社区审核后将发布。")
            if ok:
                return redirect("wish_detail", pk=wish.pk)
        return self.render({"form": form}, status=400)


def detail_context(user, wish, revealed_phone=None):
    steps = services.available_steps(wish, user=user)
    show_recipient = services.may_see_recipient(wish, user=user)
    return {
        "wish": wish, "steps": steps, "show_recipient": show_recipient,
        "revealed_phone": revealed_phone,
        # Who acted only for those who may see the recipient (the poster may be the recipient).
        "events": list(wish.events.all()), "hide_actor": not show_recipient,
        "next_line": services.next_line(wish),
        "publish_form": PublishForm(user=user, wish=wish) if Step.PUBLISH in steps else None,
        "thank_form": ThankForm() if Step.THANK in steps else None,
        "units": services.claim_units(user=user),
        "is_member": services.is_member(user=user),
        "can_reveal": show_recipient and bool(wish.recipient_phone)
        and wish.posted_by_id != user.pk,
        "STEP": Step,
    }


class WishDetail(ScopedView):
    model = Wish
    lookup_field = "pk"
    template_name = "wishes/detail.html"

    def get(self, request, pk):
        wish = self.get_object(queryset=_wishes(request.user))
        response = self.render(detail_context(request.user, wish))
        add_never_cache_headers(response)
        return response


class WishReveal(ScopedView):
    """POST: the recipient's full phone, for those who may see it; logged."""

    model = Wish
    lookup_field = "pk"
    template_name = "wishes/detail.html"
    http_method_names = ["post"]

    def post(self, request, pk):
        wish = self.get_object(queryset=_wishes(request.user))
        try:
            phone = services.reveal_phone(wish, user=request.user)
        except services.OutOfScope as error:
            raise Http404(error.message) from error
        response = self.render(detail_context(request.user, wish, revealed_phone=phone))
        add_never_cache_headers(response)
        return response


class WishStep(WorkflowStepView):
    """Every step of a wish (services.WORKFLOW): a POST from the wish's page, back to it with
    the outcome; fulfilling has its own page, for the claimer only (a photo and a note)."""

    model = Wish
    workflow = services.WORKFLOW
    services = services
    forms = {Step.FULFIL.value: FulfilForm}
    forms_guarded = True
    template_name = "wishes/fulfil.html"
    gone_url = "wish_home"

    def get_queryset(self):
        return _wishes(self.request.user, self.step.action)

    def form_context(self, obj, form):
        return {"wish": obj, "form": form}


class WishPhoto(View):
    """A fulfilment photo: public once the wish is fulfilled (it appears on the public board),
    never before. The file was re-encoded without metadata when it was stored."""

    def get(self, request, pk):
        public = restrict(request.user, "board", Wish).only("pk", "state", "photo")
        wish = get_object_or_404(public, pk=pk, state__in=DONE_STATES)
        target = photos.path_of(wish.photo)
        if target is None:
            raise Http404("照片不存在。")
        response = FileResponse(target.open("rb"), content_type="image/jpeg")
        response["Cache-Control"] = "public, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# ---- rounds ---------------------------------------------------------------------------------

class RoundList(ScopedView):
    model = Round
    template_name = "wishes/round_list.html"

    def get(self, request):
        rows = with_counts(self.scoped().select_related("org").order_by("-starts_on", "-id")[:200])
        return self.render({"rows": rows, "can_add": self.can("add")})


class RoundDetail(ScopedView):
    model = Round
    lookup_field = "pk"
    template_name = "wishes/round_detail.html"

    def get(self, request, pk):
        round_ = self.get_object(queryset=self.scoped().select_related("org"))
        round_ = with_counts([round_])[0]
        wishes = list(_wishes(request.user).filter(round=round_, state__in=OPEN_STATES)
                      .order_by("state", "-published_at")[:300])
        chart = {"groups": [g["label"] for g in round_.group_rows],
                 "posted": [g["posted"] for g in round_.group_rows],
                 "fulfilled": [g["fulfilled"] for g in round_.group_rows]}
        can_change = restrict(request.user, "change", Round).filter(pk=round_.pk).exists()
        return self.render({"round": round_, "wishes": wishes, "chart": chart,
                            "can_change": can_change,
                            "can_list": can(request.user, "review", Wish)})


class RoundCreate(ScopedView):
    model = Round
    action = "add"
    template_name = "wishes/round_form.html"

    def get(self, request):
        return self.render({"form": RoundForm(user=request.user), "title": "新建征集活动",
                            "cancel": reverse("round_list")})

    def post(self, request):
        form = RoundForm(request.POST, user=request.user)
        if form.is_valid():
            ok, round_ = run_service(request, form, lambda: services.save_round(
                form.save(commit=False), user=request.user), "征集活动已创建。")
            if ok:
                return redirect("round_detail", pk=round_.pk)
        return self.render({"form": form, "title": "新建征集活动",
                            "cancel": reverse("round_list")}, status=400)


class RoundEdit(ScopedView):
    model = Round
    action = "change"
    lookup_field = "pk"
    template_name = "wishes/round_form.html"

    def get(self, request, pk):
        round_ = self.get_object()
        return self.render({"form": RoundForm(instance=round_, user=request.user),
                            "title": f"修改征集活动：{round_.name}",
                            "cancel": reverse("round_detail", args=[pk])})

    def post(self, request, pk):
        round_ = self.get_object()
        form = RoundForm(request.POST, instance=round_, user=request.user)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.save_round(
                form.save(commit=False), user=request.user), "已保存。")
            if ok:
                return redirect("round_detail", pk=pk)
        return self.render({"form": form, "title": f"修改征集活动：{round_.name}",
                            "cancel": reverse("round_detail", args=[pk])}, status=400)
