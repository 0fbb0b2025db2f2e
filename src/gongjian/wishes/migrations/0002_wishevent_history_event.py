"""WishEvent becomes the workflow kit's history line (core.workflow.HistoryEvent): it keeps
its rows and field names, gains `text`, and takes the kit's field types (step labels come from
the model, not the column's choices; notes are no longer cut at 500 characters)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("wishes", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="wishevent",
            name="text",
            field=models.CharField(blank=True, default="", max_length=500, verbose_name="内容"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="wishevent",
            name="actor_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="操作方"),
        ),
        migrations.AlterField(
            model_name="wishevent",
            name="note",
            field=models.TextField(blank=True, verbose_name="说明"),
        ),
        migrations.AlterField(
            model_name="wishevent",
            name="state_from",
            field=models.CharField(blank=True, max_length=16, verbose_name="原状态"),
        ),
        migrations.AlterField(
            model_name="wishevent",
            name="state_to",
            field=models.CharField(blank=True, max_length=16, verbose_name="新状态"),
        ),
        migrations.AlterField(
            model_name="wishevent",
            name="step",
            field=models.CharField(max_length=24, verbose_name="步骤"),
        ),
    ]
