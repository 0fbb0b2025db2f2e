"""Event onto the shared history model: `kind` becomes `step`, the text may be longer; rows
are kept, and who acted and the states a step moved between are written out from what the
rows already say."""

from django.db import migrations, models

# step → (state left, state reached) of the workflow steps the rows record.
MOVES = {
    "called": ("", "called"), "held": ("called", "held"), "cancelled": ("called", "cancelled"),
    "completed": ("open", "done"), "drafted": ("", "draft"), "signed": ("draft", "signed"),
    "terminated": ("signed", "terminated"),
}


def fill(apps, schema_editor):
    Event = apps.get_model("alliance", "Event")
    for step, (state_from, state_to) in MOVES.items():
        Event.objects.filter(step=step, state_to="").update(state_from=state_from,
                                                            state_to=state_to)
    rows = Event.objects.filter(actor__isnull=False, actor_name="").select_related("actor")
    for row in rows.iterator(chunk_size=1000):
        row.actor_name = row.actor.display_name or row.actor.username
        row.save(update_fields=["actor_name"])


class Migration(migrations.Migration):

    dependencies = [
        ("alliance", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="event", old_name="kind", new_name="step"),
        migrations.AlterField(
            model_name="event",
            name="step",
            field=models.CharField(max_length=24, verbose_name="步骤"),
        ),
        migrations.AlterField(
            model_name="event",
            name="text",
            field=models.CharField(blank=True, max_length=500, verbose_name="内容"),
        ),
        migrations.AddField(
            model_name="event",
            name="actor_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="操作方"),
        ),
        migrations.AddField(
            model_name="event",
            name="state_from",
            field=models.CharField(blank=True, max_length=16, verbose_name="原状态"),
        ),
        migrations.AddField(
            model_name="event",
            name="state_to",
            field=models.CharField(blank=True, max_length=16, verbose_name="新状态"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
