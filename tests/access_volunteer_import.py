"""Access-matrix entries of the volunteer ledger imports: organisers (street and community
staff, who register volunteers and record service) import ledgers within their reach and a
team's members for the teams they keep; a refused file's error workbook is its importer's."""

from access_common import E

ORGANISERS = {"street", "street_b", "community_a", "community_b"}


def team(t, u):
    from gongjian.volunteer import services

    return services.create_team(user=u.community_a, org=t.a, name="金安社区志愿服务队")


def refused_job(t, u):
    """A ledger import of the street's account refused for a bad cell."""
    from gongjian.core import jobs

    job = jobs.ImportJob.objects.create(kind="volunteer_ledger", user=u.street,
                                        filename="台账.xlsx")
    job.error_file = jobs.seal(b"PK\x03\x04 not a real workbook")
    job.status = jobs.ImportJob.Status.FAILED
    job.save()
    return job


ENTRIES = [
    E("volunteer_ledger_import", ORGANISERS),
    E("volunteer_ledger_template", ORGANISERS),
    E("volunteer_import_errors", {"street"}, args=lambda t, u: [refused_job(t, u).pk]),
    E("volunteer_team_import", {"street", "community_a"}, args=lambda t, u: [team(t, u).pk]),
    E("volunteer_team_import_template", {"street", "community_a"},
      args=lambda t, u: [team(t, u).pk]),
]
