"""Access-matrix entries of 双报到, and the small world its tests share.

`in_service(t, u)` makes 鼎峰集团 (U-A) a unit whose party branch stands directly under the
street (JS-X, not inside any community), with one member on its roster: the `member`
account's person. That member lives in community A and reports there, so the report is read
by the street, community A, U-A's liaison and the member — and by none of the twins.
"""

import datetime

from access_common import E

READERS = {"street", "street_b", "community_a", "community_b", "liaison_a", "liaison_b",
           "branch_a", "branch_b", "member", "member_b"}
A_READERS = {"street", "community_a", "liaison_a", "member"}
KEEPERS = {"street", "community_a"}
UNIT_READERS = {"street", "community_a", "liaison_a"}


def in_service(t, u):
    """The member's person, on the roster of JS-X (U-A's branch under the street)."""
    if getattr(t, "cr_person", None) is not None:
        return t.cr_person
    from gongjian.core import audit
    from gongjian.members.models import Membership, Person
    from gongjian.orgs import services
    from gongjian.orgs.models import Unit

    with audit.acting_as(suppress=True):
        branch = services.create_organization(user=None, parent=t.s, code="JS-X",
                                              name="鼎峰集团机关党支部", kind="branch",
                                              sector="non_public_enterprise")
        Unit.objects.filter(pk=t.unit_a.pk).update(party_org=branch)
        person = Person.objects.create(name="周在职", sex="男",
                                       birth_date=datetime.date(1985, 4, 2), org=branch)
        Membership.objects.create(person=person, org=branch, category="正式党员",
                                  joined_on=datetime.date(2010, 7, 1),
                                  confirmed_on=datetime.date(2011, 7, 1))
    u.member.person = person
    u.member.save(update_fields=["person"])
    t.cr_branch, t.cr_person = branch, person
    return person


def report(t, u, state="submitted"):
    """The member's report to community A, taken as far as `state`; received last year (so
    the year-end evaluation is open whatever today's month)."""
    from gongjian.community_reports import services
    from gongjian.community_reports.models import Report

    in_service(t, u)
    r = services.submit(user=u.member, community=t.a, address="达嘉馨园 3 号楼 201 室",
                        skills="法律咨询", fields=["legal", "elderly"])
    if state in ("received", "ended"):
        r = services.receive(r, user=u.community_a)
        Report.objects.filter(pk=r.pk).update(
            received_on=datetime.date(datetime.date.today().year - 1, 6, 1))
        r.refresh_from_db()
    if state == "ended":
        r = services.end(r, user=u.community_a, end_kind="moved", reason="搬离")
    return r


def _pk(state="submitted"):
    return lambda t, u: [report(t, u, state).pk]


def _step(state, step):
    return lambda t, u: [report(t, u, state).pk, step]


def _listed(t, u):
    report(t, u, "received")


ENTRIES = [
    E("community_report_list", READERS, setup=_listed),
    E("community_report_export", READERS, setup=_listed),
    E("community_report_year_end", READERS, setup=_listed),
    E("community_report_year_end_export", READERS, setup=_listed, query="all=1"),
    E("community_report_create", {"member", "member_b"}, setup=lambda t, u: in_service(t, u)),
    E("community_report_detail", A_READERS, args=_pk("received")),
    E("community_report_step", KEEPERS, method="POST", ok={302},
      args=_step("submitted", "receive")),
    E("community_report_unit_summary", UNIT_READERS, setup=_listed,
      args=lambda t, u: [t.unit_a.code]),
    E("community_report_unit_summary_export", UNIT_READERS, setup=_listed,
      args=lambda t, u: [t.unit_a.code]),
    # API
    E("api-community-report-list", READERS, setup=_listed),
    E("api-community-report-detail", A_READERS, args=_pk("received")),
    E("api-community-report-receive", KEEPERS, method="POST", args=_pk("submitted")),
    E("api-community-report-evaluate", KEEPERS, method="POST", data={"grade": "competent"},
      args=_pk("received")),
    E("api-community-report-end", KEEPERS, method="POST",
      data={"end_kind": "moved", "reason": "搬至外区"}, args=_pk("received")),
    E("api-community-report-withdraw", {"member"}, method="POST", args=_pk("submitted")),
]
