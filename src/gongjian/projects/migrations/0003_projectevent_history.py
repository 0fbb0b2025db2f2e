"""ProjectEvent becomes a core HistoryEvent: `actor_label` is renamed `actor_name` (its rows
kept), the step name may be longer, the text may be empty, and each line records the state
it led from and to (filled for the existing lines from the step, which fixes its target)."""

from django.db import migrations, models

# The state each step leaves a project in (progress keeps it executing).
STATE_AFTER = {"declare": "declared", "approve": "approved", "reject": "rejected",
               "claim": "claimed", "dock": "docked", "start": "executing",
               "progress": "executing", "accept": "accepted", "close": "closed",
               "withdraw": "withdrawn"}


def fill_state_to(apps, schema_editor):
    ProjectEvent = apps.get_model("projects", "ProjectEvent")
    for step, state in STATE_AFTER.items():
        ProjectEvent.objects.filter(step=step, state_to="").update(state_to=state)


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0002_alter_projectclaim_org"),
    ]

    operations = [
        migrations.RenameField(model_name="projectevent", old_name="actor_label",
                               new_name="actor_name"),
        migrations.AlterField(model_name="projectevent", name="step",
                              field=models.CharField(max_length=24, verbose_name="步骤")),
        migrations.AlterField(model_name="projectevent", name="text",
                              field=models.CharField(blank=True, max_length=500,
                                                     verbose_name="内容")),
        migrations.AddField(model_name="projectevent", name="state_from",
                            field=models.CharField(blank=True, default="", max_length=16,
                                                   verbose_name="原状态"),
                            preserve_default=False),
        migrations.AddField(model_name="projectevent", name="state_to",
                            field=models.CharField(blank=True, default="", max_length=16,
                                                   verbose_name="新状态"),
                            preserve_default=False),
        migrations.RunPython(fill_state_to, migrations.RunPython.noop),
    ]
