"""Access-matrix entries of the roster import and export (see test_access_matrix.py).

Importing needs the right to add memberships (street and community staff); an import job and
its error workbook are seen by the account that started it only. Exporting needs the right to
view memberships: grid staff get masked ID numbers, a member their own record."""

from access_common import BRANCHES, STAFF, E


def _job(tree, users, with_errors=False):
    from gongjian.core.jobs import ImportJob, seal
    from gongjian.core.spreadsheets import write_xlsx

    job = ImportJob.objects.create(kind="members", user=users.community_a, filename="名册.xlsx",
                                   status="failed" if with_errors else "succeeded")
    if with_errors:
        job.error_file = seal(write_xlsx("党员名册", ["姓名", "错误说明"], [["张三", "第2行"]]))
        job.save(update_fields=["error_file"])
    return [job.pk]


IMPORTERS = {"street", "street_b", "community_a", "community_b"}

ENTRIES = [
    E("member_import", IMPORTERS),
    # The template's example row is 张华娟, RULES.md's example person (as is person_a).
    E("member_import_template", IMPORTERS, sees_a={"street_b", "community_b"}),
    E("member_import_job", {"community_a"}, args=lambda t, u: _job(t, u)),
    E("member_import_errors", {"community_a"}, args=lambda t, u: _job(t, u, with_errors=True)),
    E("member_export", STAFF | BRANCHES | {"member", "member_b"}),
]
