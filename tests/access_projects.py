"""Access-matrix entries of demands, resources and projects (see test_access_matrix.py)."""

from access_common import E

# Lists answer each of these with its own rows; the twins' lists hold none of A's.
DEMAND_READERS = {"street", "street_b", "community_a", "community_b", "grid_a", "grid_b",
                  "liaison_a", "liaison_b", "resident", "resident_b"}
LIST_READERS = {"street", "street_b", "community_a", "community_b", "grid_a", "grid_b",
                "liaison_a", "liaison_b"}
# Active resources are listed street-wide for community staff and grid workers (B's too).
RESOURCE_READERS = {"street", "community_a", "community_b", "grid_a", "grid_b", "liaison_a"}
STREET_RESOURCES = {"community_b", "grid_b"}
# A resident follows the projects their own demands became (none of A's for resident_b).
PROJECT_READERS = LIST_READERS | {"resident", "resident_b"}
COMMUNITY_STAFF = {"street", "street_b", "community_a", "community_b"}
A_STAFF = {"street", "community_a"}
A_SIDE = A_STAFF | {"liaison_a"}   # A's staff and the unit located in A
# Every unit of the street looks among its open demands and the projects open to claims.
STREET_UNITS = {"liaison_b"}


def _demand(t, u):
    from gongjian.projects import services

    return services.create_demand(user=u.resident, category="elderly", title="上门理发",
                                  description="高龄老人上门理发", place="金安花园",
                                  beneficiaries=12)


def _resource(t, u):
    from gongjian.projects import services

    return services.create_resource(user=u.liaison_a, category="elderly", title="党员义工理发",
                                    description="每月上门理发", capacity=40)


def _project(t, u, state="declared"):
    """A project of community A, taken as far as `state` by the accounts that own each step."""
    import datetime

    from gongjian.projects import services

    p = services.create_project(user=u.community_a, title="为老理发", category="elderly",
                                description="上门理发", org=t.a, target_beneficiaries=12)
    steps = ["approved", "claimed", "docked", "executing", "accepted"]
    for step in steps[: steps.index(state) + 1] if state in steps else []:
        if step == "approved":
            services.approve(p, user=u.street)
        elif step == "claimed":
            services.claim(p, user=u.liaison_a, share=40)
        elif step == "docked":
            services.dock(p, user=u.community_a, date=datetime.date(2026, 3, 1), place="社区",
                          plan="方案")
        elif step == "executing":
            services.start(p, user=u.liaison_a)
        elif step == "accepted":
            services.accept(p, user=u.community_a, rating=5, beneficiary_count=10)
    return p


def _photo(t, u):
    """A progress photo of an executing project claimed by unit A (one small file in the
    media directory, reused by every run)."""
    from io import BytesIO

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    from gongjian.projects.models import ProjectEvent, ProjectPhoto

    name = "projects/access-matrix.png"
    if not default_storage.exists(name):
        buffer = BytesIO()
        Image.new("RGB", (4, 4)).save(buffer, "PNG")
        default_storage.save(name, ContentFile(buffer.getvalue()))
    p = _project(t, u, "executing")
    event = ProjectEvent.objects.create(project=p, step="progress", text="进展")
    return ProjectPhoto.objects.create(project=p, event=event, image=name,
                                       content_type="image/png")


def _listed(t, u):
    """setup of the lists: a demand, a resource and a project of A's side."""
    _demand(t, u)
    _resource(t, u)
    _project(t, u, "approved")


ENTRIES = [
    # -- pages
    E("demand_list", DEMAND_READERS, setup=_listed, sees_a=STREET_UNITS),
    E("demand_create", COMMUNITY_STAFF | {"grid_a", "grid_b", "resident", "resident_b"}),
    E("demand_detail", A_SIDE | STREET_UNITS | {"resident"}, args=lambda t, u: [_demand(t, u).pk],
      sees_a=STREET_UNITS),
    E("demand_matches", A_SIDE | STREET_UNITS, args=lambda t, u: [_demand(t, u).pk],
      sees_a=STREET_UNITS),
    E("demand_step", A_STAFF, method="POST", args=lambda t, u: [_demand(t, u).pk, "accept"],
      ok={302}),
    E("resource_list", LIST_READERS, setup=_listed, sees_a=STREET_RESOURCES),
    E("resource_create", COMMUNITY_STAFF | {"liaison_a", "liaison_b"}),
    E("resource_detail", RESOURCE_READERS, args=lambda t, u: [_resource(t, u).pk],
      sees_a=STREET_RESOURCES),
    E("resource_edit", A_SIDE, args=lambda t, u: [_resource(t, u).pk]),
    E("project_list", PROJECT_READERS, setup=_listed, sees_a=STREET_UNITS),
    E("project_create", COMMUNITY_STAFF),
    E("project_supervision", COMMUNITY_STAFF, setup=_listed),
    E("project_detail", A_SIDE | STREET_UNITS, args=lambda t, u: [_project(t, u, "approved").pk],
      sees_a=STREET_UNITS),
    E("project_step", {"street"}, args=lambda t, u: [_project(t, u).pk, "approve"]),
    E("project_photo", A_SIDE, args=lambda t, u: [_photo(t, u).pk]),
    # -- API
    E("api-demand-list", DEMAND_READERS, setup=_listed, sees_a=STREET_UNITS),
    E("api-demand-detail", A_SIDE | STREET_UNITS | {"resident"},
      args=lambda t, u: [_demand(t, u).pk], sees_a=STREET_UNITS),
    E("api-demand-accept", A_STAFF, method="POST", args=lambda t, u: [_demand(t, u).pk]),
    E("api-demand-decline", A_STAFF, method="POST", args=lambda t, u: [_demand(t, u).pk],
      data={"reason": "不属于本社区"}),
    E("api-demand-withdraw", A_STAFF | {"resident"}, method="POST",
      args=lambda t, u: [_demand(t, u).pk]),
    E("api-demand-matches", A_SIDE | STREET_UNITS, args=lambda t, u: [_demand(t, u).pk],
      sees_a=STREET_UNITS),
    E("api-resource-list", LIST_READERS, setup=_listed, sees_a=STREET_RESOURCES),
    E("api-resource-detail", RESOURCE_READERS, args=lambda t, u: [_resource(t, u).pk],
      sees_a=STREET_RESOURCES),
    E("api-resource-matches", RESOURCE_READERS, args=lambda t, u: [_resource(t, u).pk],
      sees_a=STREET_RESOURCES),
    E("api-project-list", PROJECT_READERS, setup=_listed, sees_a=STREET_UNITS),
    E("api-project-detail", A_SIDE | STREET_UNITS,
      args=lambda t, u: [_project(t, u, "approved").pk], sees_a=STREET_UNITS),
    E("api-project-approve", {"street"}, method="POST", args=lambda t, u: [_project(t, u).pk]),
    E("api-project-reject", {"street"}, method="POST", args=lambda t, u: [_project(t, u).pk],
      data={"reason": "不符合共建方向"}),
    # U-B's liaison reaches the project (open to claims) but may claim for U-B only.
    E("api-project-claim", A_SIDE, method="POST",
      args=lambda t, u: [_project(t, u, "approved").pk], data={"share": 30, "unit": "U-A"},
      expect={"liaison_b": {400}}),
    E("api-project-dock", A_STAFF, method="POST",
      args=lambda t, u: [_project(t, u, "claimed").pk],
      data={"date": "2026-03-01", "place": "社区", "plan": "每月上门"}),
    E("api-project-start", A_SIDE, method="POST",
      args=lambda t, u: [_project(t, u, "docked").pk]),
    E("api-project-progress", A_SIDE, method="POST",
      args=lambda t, u: [_project(t, u, "executing").pk], data={"text": "已上门两次"}),
    E("api-project-accept", A_STAFF, method="POST",
      args=lambda t, u: [_project(t, u, "executing").pk],
      data={"rating": 5, "beneficiary_count": 12}),
    E("api-project-close", A_STAFF, method="POST",
      args=lambda t, u: [_project(t, u, "accepted").pk]),
    E("api-project-withdraw", A_STAFF, method="POST", args=lambda t, u: [_project(t, u).pk],
      data={"reason": "居民另有安排"}),
]
