from django.db import migrations

from gongjian.members.choices import DEFAULT_STAFFING_STANDARD


def create(apps, schema_editor):
    StaffingStandard = apps.get_model("members", "StaffingStandard")
    for role, count in DEFAULT_STAFFING_STANDARD.items():
        StaffingStandard.objects.get_or_create(role=role, defaults={"count": count})


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
