"""MakeUp keeps its attendance's meeting and the meeting's date (compliance counts a subtree's
open make-ups of a period from one index). Existing rows are filled by one UPDATE … FROM
(PostgreSQL and SQLite ≥ 3.33), then the columns become required and the foreign key and
the indexes are made."""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = """
UPDATE orglife_makeup
   SET meeting_id = orglife_attendance.meeting_id, meeting_date = orglife_meeting.date
  FROM orglife_attendance
  JOIN orglife_meeting ON orglife_meeting.id = orglife_attendance.meeting_id
 WHERE orglife_attendance.id = orglife_makeup.attendance_id
"""


class Migration(migrations.Migration):

    dependencies = [
        ("orglife", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="makeup",
            name="meeting",
            # The foreign key's constraint comes after the backfill: one validating join
            # instead of a check per updated row.
            field=models.ForeignKey(null=True, db_constraint=False,
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name="makeups", to="orglife.meeting",
                                    verbose_name="会议"),
        ),
        migrations.AddField(
            model_name="makeup",
            name="meeting_date",
            field=models.DateField(null=True, verbose_name="会议日期"),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="makeup",
            name="meeting",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                    related_name="makeups", to="orglife.meeting",
                                    verbose_name="会议"),
        ),
        migrations.AlterField(
            model_name="makeup",
            name="meeting_date",
            field=models.DateField(verbose_name="会议日期"),
        ),
        migrations.AddIndex(
            model_name="makeup",
            index=models.Index(fields=["state", "meeting_date", "org", "meeting"],
                               name="orglife_makeup_by_date"),
        ),
    ]
