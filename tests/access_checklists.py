"""Access-matrix entries of the checklists (see test_access_matrix.py), and the small world the
checklist tests share: the street's 责任清单 item sent to community A, a problem of A filed
by a second street account (the inspector), a learning line of A, and a resource of U-A."""

import datetime

from access_common import E

LIST_READERS = {"street", "street_b", "community_a", "community_b", "branch_a", "branch_b"}
CREATORS = {"street", "street_b", "community_a", "community_b"}
A_READERS = {"street", "community_a"}
# The 资源清单 is the projects' resources, which community staff read street-wide.
STREET_RESOURCES = {"community_b"}
FUTURE = datetime.timedelta(days=30)


def inspector(t):
    """A second account of the street's office: files the problems, so that the first one
    (users.street) may close them out."""
    from gongjian.core.models import RoleGrant, User

    user, created = User.objects.get_or_create(username="inspector",
                                               defaults={"display_name": "督查员"})
    if created:
        RoleGrant.objects.create(user=user, role="street_staff", org=t.s)
    return user


def responsibility(t, u, state="published"):
    """The street's 责任清单 item for community A, taken as far as `state`."""
    from django.utils import timezone

    from gongjian.checklists import services

    item = services.publish(user=u.street, publisher=t.s, orgs=[t.a], title="规范开展主题党日",
                            category="org_life", target="每月固定一天", measures="4+X",
                            deadline=timezone.localdate() + FUTURE)[0]
    if state in ("claimed", "in_progress", "submitted", "done"):
        item = services.claim(item, user=u.community_a)
    if state in ("in_progress", "submitted", "done"):
        item = services.progress(item, user=u.community_a, evidence="已开展两次")
    if state in ("submitted", "done"):
        item = services.submit(item, user=u.community_a, evidence="全年计划已落实")
    if state == "done":
        item = services.accept(item, user=u.street)
    return item


def problem(t, u, state="registered"):
    """A problem of community A found by an inspection, filed by the inspector."""
    from django.utils import timezone

    from gongjian.checklists import services

    item = services.register_problem(user=inspector(t), org=t.a, source="inspection",
                                     title="党员活动室台账不全", content="缺少近三个月的活动记录",
                                     deadline=timezone.localdate() + FUTURE)
    if state in ("rectifying", "applied", "closed"):
        item = services.rectify(item, user=u.community_a, measures="补齐台账，专人管理")
    if state in ("applied", "closed"):
        item = services.apply_close(item, user=u.community_a, evidence="台账已补齐")
    if state == "closed":
        item = services.close_out(item, user=u.street)
    return item


def learning(t, u):
    from gongjian.checklists import services

    return services.list_item(user=u.community_a, kind="learning", org=t.a,
                              title="学习党章", period="每月第一个周五", place="党群服务中心")


def listed(t, u):
    """Rows of A's side for the lists: each kind, and a resource of U-A."""
    from gongjian.projects import services as projects

    responsibility(t, u)
    problem(t, u)
    learning(t, u)
    projects.create_resource(user=u.liaison_a, category="elderly", title="党员义工理发",
                             description="每月上门理发", capacity=40)


def _pk(make, state=None):
    return lambda t, u: [make(t, u, state).pk if state else make(t, u).pk]


def _step(make, state, step):
    return lambda t, u: [make(t, u, state).pk, step]


LATER = (datetime.date.today() + datetime.timedelta(days=90)).isoformat()

ENTRIES = [
    E("checklist_list", LIST_READERS, setup=listed),
    E("checklist_responsibility", LIST_READERS, setup=listed),
    E("checklist_problems", LIST_READERS, setup=listed),
    E("checklist_learning", LIST_READERS, setup=listed),
    E("checklist_activities", LIST_READERS, setup=listed),
    E("checklist_resources", LIST_READERS, setup=listed, sees_a=STREET_RESOURCES),
    E("checklist_export", LIST_READERS, setup=listed, query="kind=problem"),
    E("checklist_create", CREATORS, query="kind=problem"),
    E("checklist_detail", A_READERS, args=_pk(responsibility)),
    # Corrected by the level that published it, while it waits to be claimed.
    E("checklist_edit", {"street"}, args=_pk(responsibility)),
    E("checklist_step", {"community_a"}, method="POST", ok={302},
      args=_step(responsibility, "published", "claim")),
    # API
    E("api-checklist-item-list", LIST_READERS, setup=listed),
    E("api-checklist-item-detail", A_READERS, args=_pk(responsibility)),
    E("api-checklist-item-claim", {"community_a"}, method="POST",
      args=_pk(responsibility, "published")),
    E("api-checklist-item-progress", {"community_a"}, method="POST",
      data={"evidence": "已开展"}, args=_pk(responsibility, "claimed")),
    E("api-checklist-item-submit", {"community_a"}, method="POST",
      data={"evidence": "已完成"}, args=_pk(responsibility, "claimed")),
    # The community holds the checker's right (for its branches) but is not above itself.
    E("api-checklist-item-accept", {"street"}, method="POST", data={"result": "同意"},
      args=_pk(responsibility, "submitted"), expect={"community_a": {409}}),
    E("api-checklist-item-send-back", {"street"}, method="POST", data={"reason": "佐证不足"},
      args=_pk(responsibility, "submitted"), expect={"community_a": {409}}),
    E("api-checklist-item-rectify", {"community_a"}, method="POST",
      data={"measures": "补齐台账"}, args=_pk(problem, "registered")),
    E("api-checklist-item-apply-close", {"community_a"}, method="POST",
      data={"evidence": "台账已补齐"}, args=_pk(problem, "rectifying")),
    E("api-checklist-item-close-out", {"street"}, method="POST", data={"result": "同意销号"},
      args=_pk(problem, "applied"), expect={"community_a": {409}}),
    E("api-checklist-item-reject", {"street"}, method="POST", data={"reason": "未见实效"},
      args=_pk(problem, "applied"), expect={"community_a": {409}}),
    E("api-checklist-item-extend", {"street"}, method="POST",
      data={"deadline": LATER, "reason": "需协调物业"}, args=_pk(responsibility, "published"),
      expect={"community_a": {409}}),
]
