"""Counts of rounds and the public board's data. Aggregates run in SQL, one query per table."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q
from django.urls import reverse

from gongjian.core.access import restrict
from gongjian.orgs.models import ancestor_paths

from .models import DONE_STATES, OPEN_STATES, Group, Round, State, Wish


def round_counts(rounds) -> dict[int, dict]:
    """For each round id: posted, published, claimed, fulfilled (and confirmed), and the
    fulfilled ones by beneficiary group — counted from the wishes."""
    ids = [r.pk for r in rounds]
    result = {pk: {"posted": 0, "published": 0, "claimed": 0, "fulfilled": 0, "confirmed": 0,
                   "groups": {g.value: {"label": g.label, "posted": 0, "fulfilled": 0}
                              for g in Group}} for pk in ids}
    if not ids:
        return result
    rows = (Wish.objects.filter(round_id__in=ids).values("round_id", "group")
            .annotate(posted=Count("pk"),
                      published=Count("pk", filter=Q(state__in=OPEN_STATES)),
                      claimed=Count("pk", filter=Q(state__in=(State.CLAIMED, *DONE_STATES))),
                      fulfilled=Count("pk", filter=Q(state__in=DONE_STATES)),
                      confirmed=Count("pk", filter=Q(state=State.CONFIRMED))))
    for row in rows:
        counts = result[row["round_id"]]
        for key in ("posted", "published", "claimed", "fulfilled", "confirmed"):
            counts[key] += row[key]
        group = counts["groups"][row["group"]]
        group["posted"] += row["posted"]
        group["fulfilled"] += row["fulfilled"]
    return result


def with_counts(rounds):
    rounds = list(rounds)
    counts = round_counts(rounds)
    for r in rounds:
        r.counts = counts[r.pk]
        r.group_rows = list(r.counts["groups"].values())
    return rounds


def public_board(community) -> dict:
    """What a community's (or a street's) public board shows of its wishes: the rows the
    models declare public (`public_scope("board")`), no recipient, masked members.

    `wishes`: published, claimed and fulfilled ones (title, group, state, round, claimer shown
    as the unit's name or a masked member's name, thanks, photo URL through the public photo
    view); `rounds`: the rounds of the community and of its street, with their counts. The
    description is the poster's own words and may name the recipient: not shown."""
    anyone = AnonymousUser()
    wishes = (restrict(anyone, "board", Wish).filter(org__path__startswith=community.path)
              .select_related("round", "claimer_unit", "claimer_person", "claimed_by")
              .order_by("-published_at", "-id")[:200])
    items = []
    for wish in wishes:
        items.append({
            "id": wish.pk,
            "title": wish.title,
            "group": wish.group,
            "group_label": wish.get_group_display(),
            "state": wish.state,
            "state_label": wish.get_state_display(),
            "round": wish.round.name if wish.round_id else "",
            "estimated_value": wish.estimated_value,
            "published_at": wish.published_at,
            "claimer": wish.claimer_public_name,
            "fulfilled_at": wish.fulfilled_at,
            "thanks": wish.thanks,
            "photo_url": reverse("wish_photo", args=[wish.pk]) if wish.has_photo else "",
        })
    # The rounds above (the street's) and within (a street's board shows its communities').
    paths = ancestor_paths(community.path)
    rounds = with_counts(restrict(anyone, "board", Round)
                         .filter(Q(org__path__in=paths) | Q(org__path__startswith=community.path))
                         .select_related("org").order_by("-starts_on", "-id"))
    return {
        "wishes": items,
        "rounds": [{"id": r.pk, "name": r.name, "org": r.org.name, "starts_on": r.starts_on,
                    "ends_on": r.ends_on, "description": r.description,
                    **{k: r.counts[k] for k in ("posted", "published", "claimed", "fulfilled",
                                                "confirmed")},
                    "groups": r.group_rows} for r in rounds],
    }
