"""Access-matrix entries of micro-wishes. Wishes live in community JS-A, posted by the
resident, published in a running round of the street; the member is the claimer."""

import datetime

from access_common import EVERYONE, E

# The street's round: its staff, communities, claimers and residents (not another street).
ROUND_READERS = {"street", "community_a", "community_b", "liaison_a", "liaison_b", "member",
                 "member_b", "resident", "resident_b"}
# Lists answer each account with its own rows (a second street's staff, theirs).
READERS = ROUND_READERS | {"street_b"}
REVIEWERS = {"street", "community_a"}
STAFF_ALL = {"street", "street_b", "community_a", "community_b"}
# Any member or unit of the street may claim a published wish of JS-A (B's too), and reaches
# it while held; the service tells a non-claimer it cannot release or fulfil it.
CLAIMERS = {"member", "liaison_a", "member_b", "liaison_b"}
STREET_CLAIMERS = {"member_b", "liaison_b"}
# Who sees a published wish of JS-A: the reviewers, the claimers of the street, the poster.
WISH_READERS = REVIEWERS | CLAIMERS | {"resident"}
# Who may see the recipient: the community's staff, the poster, the claimer.
RECIPIENT_READERS = {"community_a", "resident", "member"}
POSTER_SIDE = REVIEWERS | {"resident"}  # withdraw, confirm, thank


def _round(t):
    from django.utils import timezone

    from gongjian.wishes.models import Round

    if not hasattr(t, "wish_round"):
        today = timezone.localdate()
        t.wish_round = Round.objects.create(
            name="矩阵测试活动", org=t.s, starts_on=today - datetime.timedelta(days=1),
            ends_on=today + datetime.timedelta(days=10))
    return t.wish_round


def wish(state):
    """args callable: a wish in `state`, built through the services."""

    def make(t, u):
        from pathlib import Path

        from django.conf import settings
        from PIL import Image

        from gongjian.wishes import services
        from gongjian.wishes.models import Wish

        round_ = _round(t)
        w = services.post_wish(Wish(title="一个新书包", group="youth", recipient_name="王小明",
                                    recipient_phone="13912345678"), user=u.resident)
        if state != "submitted":
            services.publish(w, user=u.community_a, round=round_)
        if state in ("claimed", "fulfilled", "confirmed"):
            services.claim(w, user=u.member)
        if state in ("fulfilled", "confirmed"):
            # One fixed file, so repeated runs leave nothing behind but it.
            relative = "wishes/access-matrix.jpg"
            target = Path(settings.MEDIA_ROOT) / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (8, 8), (255, 0, 0)).save(target, format="JPEG")
            Wish.objects.filter(pk=w.pk).update(state="fulfilled", photo=relative,
                                                fulfil_note="已送到")
            w.refresh_from_db()
            if state == "confirmed":
                services.confirm(w, user=u.resident)
        return [w.pk]

    return make


def listed(t, u):
    """setup of the lists: a published wish of JS-A and a submitted one."""
    wish("published")(t, u)
    wish("submitted")(t, u)


def a_round(t, u):
    return [_round(t).pk]


ENTRIES = [
    E("wish_home", READERS, setup=listed, sees_a=STREET_CLAIMERS),
    E("wish_list", STAFF_ALL, setup=listed),
    E("wish_review", STAFF_ALL, setup=listed),
    E("wish_create", STAFF_ALL | {"member", "member_b", "resident", "resident_b"}),
    E("wish_detail", WISH_READERS, args=wish("published"), sees_a=STREET_CLAIMERS),
    E("wish_reveal", RECIPIENT_READERS, method="POST", args=wish("claimed")),
    E("wish_publish", REVIEWERS, method="POST", args=wish("submitted"), ok={302}),
    E("wish_reject", REVIEWERS, method="POST", args=wish("submitted"),
      data={"reason": "不符合条件"}, ok={302}),
    E("wish_withdraw", POSTER_SIDE, method="POST", args=wish("published"), ok={302}),
    E("wish_claim", CLAIMERS, method="POST", args=wish("published"), ok={302}),
    # The liaison reaches the wish but is not its claimer: refused with a message (302).
    E("wish_release", CLAIMERS, method="POST", args=wish("claimed"),
      data={"reason": "临时有事"}, ok={302}),
    E("wish_fulfil", {"member"}, args=wish("claimed")),
    E("wish_confirm", POSTER_SIDE, method="POST", args=wish("fulfilled"), ok={302}),
    E("wish_thank", POSTER_SIDE, method="POST", args=wish("confirmed"),
      data={"text": "谢谢！"}, ok={302}),
    E("wish_photo", EVERYONE | {"anonymous"}, args=wish("fulfilled")),
    E("round_list", READERS),
    E("round_create", STAFF_ALL),
    E("round_detail", ROUND_READERS, args=a_round),
    E("round_edit", {"street"}, args=a_round),
    # API
    E("api-wish-list", READERS, setup=listed, sees_a=STREET_CLAIMERS),
    E("api-wish-detail", WISH_READERS, args=wish("published"), sees_a=STREET_CLAIMERS),
    E("api-wish-publish", REVIEWERS, method="POST", args=wish("submitted")),
    E("api-wish-reject", REVIEWERS, method="POST", args=wish("submitted"),
      data={"reason": "不符合条件"}),
    E("api-wish-withdraw", POSTER_SIDE, method="POST", args=wish("published")),
    E("api-wish-claim", CLAIMERS, method="POST", args=wish("published"),
      sees_a=STREET_CLAIMERS),
    E("api-wish-release", CLAIMERS, method="POST", args=wish("claimed"),
      data={"reason": "临时有事"}, ok={200, 409}),
    # JSON where multipart is required: past the access checks, refused as 415.
    E("api-wish-fulfil", CLAIMERS, method="POST", args=wish("claimed"), ok={415}),
    E("api-wish-confirm", POSTER_SIDE, method="POST", args=wish("fulfilled")),
    E("api-wish-thank", POSTER_SIDE, method="POST", args=wish("confirmed"),
      data={"text": "谢谢！"}),
    E("api-wish-reveal", RECIPIENT_READERS, method="POST", args=wish("claimed")),
    E("api-wish-round-list", READERS),
    E("api-wish-round-detail", ROUND_READERS, args=a_round),
]
