"""Access-matrix entries of the 15-minute circle: street and community staff read circles and
coverage (the buildings and units they may view; the street's positions are shared across
it), the street uploads its road network, whoever keeps buildings imports their locations."""

from access_common import E

CIRCLE_READERS = {"street", "street_b", "community_a", "community_b"}
BUILDING_KEEPERS = {"street", "street_b", "community_a", "community_b", "grid_a", "grid_b"}
# A fixed id, so a query string can name the venue the setup makes.
POINT = 900_001


def point(t, u):
    """A station of community A, located, in use."""
    from gongjian.venues.models import Venue

    Venue.objects.create(pk=POINT, org=t.a, name="金安党群服务站", kind="station",
                         lng="117.265000", lat="34.285000")


def refused_job(t, u):
    from gongjian.core import jobs

    job = jobs.ImportJob.objects.create(kind="circle_locations", user=u.street,
                                        filename="位置.xlsx")
    job.error_file = jobs.seal(b"PK\x03\x04 not a real workbook")
    job.status = jobs.ImportJob.Status.FAILED
    job.save()
    return job


ENTRIES = [
    E("circle_coverage", CIRCLE_READERS),
    # Community B's staff read the street's positions (the alliance), so the page names the
    # station's community; they count only their own buildings.
    E("circle_point", {"street", "community_a", "community_b"}, setup=point,
      args=lambda t, u: [POINT], sees_a={"community_b"}),
    E("circle_networks", CIRCLE_READERS),
    E("circle_locations_import", BUILDING_KEEPERS),
    E("circle_locations_template", BUILDING_KEEPERS),
    E("circle_locations_errors", {"street"}, args=lambda t, u: [refused_job(t, u).pk]),
    # A point or organisation out of reach answers 400, like a missing one.
    E("api-circle", {"street", "community_a", "community_b"}, setup=point,
      query=f"point={POINT}&minutes=15", sees_a={"community_b"}, expect={"street_b": {400}}),
    E("api-circle-suggest", {"street", "community_a"}, query="org=JS-A&n=3",
      expect={"street_b": {400}, "community_b": {400}}),
]
