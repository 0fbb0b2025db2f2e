"""Access-matrix entries of the volunteer-service figures: the page, its export, the look-up
box, one volunteer's record page, and their API.

Street and community staff read the figures of their own subtree (the twins theirs), a unit's
liaison those of its unit's teams; members, residents, grid staff, branch committees and the
platform administrators are refused (403). A volunteer's record answers the staff whose
subtree the volunteer is homed in (community A's volunteer: the street and community A), 404
elsewhere.
"""

import datetime

from access_common import E

READERS = {"street", "street_b", "community_a", "community_b", "liaison_a", "liaison_b"}
QUERY = "from=2025-01-01&to=2025-12-31"


def _volunteer(t, u):
    """A volunteer homed in community A, with a number (made once per test)."""
    from gongjian.members.models import Person
    from gongjian.volunteer.models import Volunteer, volunteer_number

    person = Person.objects.create(name="志愿者甲", sex="女", birth_date=datetime.date(1990, 1, 1),
                                   org=t.a)
    volunteer = Volunteer.objects.create(person=person, name=person.name, org=t.a)
    Volunteer.objects.filter(pk=volunteer.pk).update(number=volunteer_number(volunteer.pk))
    return volunteer_number(volunteer.pk)


ENTRIES = [
    E("volunteer_stats", READERS, query=QUERY),
    E("volunteer_stats_export", READERS, query=QUERY),
    E("volunteer_stats_lookup", READERS, query="number=ZY00000000", ok={302}),
    E("volunteer_stats_volunteer", {"street", "community_a"},
      args=lambda t, u: [_volunteer(t, u)]),
    E("api-volunteer-stats", READERS, query=QUERY),
    E("api-volunteer-stats-volunteer", {"street", "community_a"},
      args=lambda t, u: [_volunteer(t, u)]),
]
