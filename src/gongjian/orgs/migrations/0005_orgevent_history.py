"""OrgEvent onto the shared history model: `kind` becomes `step`, the text may be longer;
rows are kept, and who acted is written out as the history shows it."""

from django.db import migrations, models


def fill(apps, schema_editor):
    OrgEvent = apps.get_model("orgs", "OrgEvent")
    rows = OrgEvent.objects.filter(actor__isnull=False, actor_name="").select_related("actor")
    for row in rows.iterator(chunk_size=1000):
        row.actor_name = row.actor.display_name or row.actor.username
        row.save(update_fields=["actor_name"])


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0004_default_grid_roles"),
    ]

    operations = [
        migrations.RenameField(model_name="orgevent", old_name="kind", new_name="step"),
        migrations.AlterField(
            model_name="orgevent",
            name="step",
            field=models.CharField(max_length=24, verbose_name="步骤"),
        ),
        migrations.AlterField(
            model_name="orgevent",
            name="text",
            field=models.CharField(blank=True, max_length=500, verbose_name="内容"),
        ),
        migrations.AddField(
            model_name="orgevent",
            name="actor_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="操作方"),
        ),
        migrations.AddField(
            model_name="orgevent",
            name="note",
            field=models.TextField(blank=True, verbose_name="说明"),
        ),
        migrations.AddField(
            model_name="orgevent",
            name="state_from",
            field=models.CharField(blank=True, max_length=16, verbose_name="原状态"),
        ),
        migrations.AddField(
            model_name="orgevent",
            name="state_to",
            field=models.CharField(blank=True, max_length=16, verbose_name="新状态"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
