"""Background work of the members capability (run by `gongjian worker`)."""

from django_tasks import task

from gongjian.core import jobs

from .imports import MemberImporter


@task()
def import_members(job_id: int) -> str:
    """Import a roster file too large for the request; progress goes to the ImportJob."""
    return jobs.run_queued(job_id, MemberImporter)


def start_member_import(user, upload, ip=None):
    """Check an uploaded roster and import it: in the request when it has at most
    jobs.SYNC_ROWS rows, otherwise queued for the worker. Returns the ImportJob."""
    return jobs.submit(user, MemberImporter(user), upload, task=import_members, ip=ip)
