"""CaseEvent onto the shared history model: `kind` becomes `step`, `state` becomes
`state_to`; rows are kept, and the new columns are filled from what the rows already say."""

from django.db import migrations, models


def fill(apps, schema_editor):
    CaseEvent = apps.get_model("enterprise", "CaseEvent")
    previous = {}
    rows = CaseEvent.objects.select_related("actor").order_by("case_id", "at", "id")
    for row in rows.iterator(chunk_size=1000):
        changed = []
        if row.actor_id and not row.actor_name:
            row.actor_name = row.actor.display_name or row.actor.username
            changed.append("actor_name")
        if row.case_id in previous and not row.state_from:
            row.state_from = previous[row.case_id]
            changed.append("state_from")
        previous[row.case_id] = row.state_to
        if changed:
            row.save(update_fields=changed)


class Migration(migrations.Migration):

    dependencies = [
        ("enterprise", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="caseevent", old_name="kind", new_name="step"),
        migrations.AlterField(
            model_name="caseevent",
            name="step",
            field=models.CharField(max_length=24, verbose_name="步骤"),
        ),
        migrations.RenameField(model_name="caseevent", old_name="state", new_name="state_to"),
        migrations.AlterField(
            model_name="caseevent",
            name="state_to",
            field=models.CharField(blank=True, max_length=16, verbose_name="新状态"),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="actor_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="操作方"),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="state_from",
            field=models.CharField(blank=True, max_length=16, verbose_name="原状态"),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="text",
            field=models.CharField(blank=True, max_length=500, verbose_name="内容"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
