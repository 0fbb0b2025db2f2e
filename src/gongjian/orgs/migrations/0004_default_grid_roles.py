from django.db import migrations

from gongjian.orgs.choices import DEFAULT_GRID_ROLES


def create(apps, schema_editor):
    GridRole = apps.get_model("orgs", "GridRole")
    for order, name in enumerate(DEFAULT_GRID_ROLES, start=1):
        GridRole.objects.get_or_create(name=name, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("orgs", "0003_search_trigram")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
