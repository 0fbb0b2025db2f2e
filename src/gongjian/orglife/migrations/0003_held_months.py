"""HeldMonths: the months each branch held each kind of meeting in, per year (compliance reads
it instead of aggregating the held meetings). Filled from the existing meetings with one
INSERT … SELECT."""

import django.db.models.deletion
from django.db import migrations, models

# The kinds when this migration was written (rules.KINDS): one column each.
KINDS = ("party_congress", "committee", "group", "lecture", "theme_day", "life_meeting",
         "appraisal", "talk")
# 1 << (month - 1) of a meeting, and its year, in each database's SQL; elsewhere than on
# PostgreSQL the OR of a month's bits is the sum of the distinct powers of two.
SQL = {
    "postgresql": ("1 << (EXTRACT(MONTH FROM date)::int - 1)", "EXTRACT(YEAR FROM date)::int",
                   "BIT_OR({bit}) FILTER (WHERE kind = '{kind}')"),
    "sqlite": ("1 << (CAST(strftime('%m', date) AS INTEGER) - 1)",
               "CAST(strftime('%Y', date) AS INTEGER)",
               "SUM(DISTINCT CASE WHEN kind = '{kind}' THEN {bit} END)"),
}


def fill(apps, schema_editor):
    bit, year, aggregate = SQL[schema_editor.connection.vendor]
    columns = ", ".join(f'"{kind}"' for kind in KINDS)
    masks = ", ".join(f"COALESCE({aggregate.format(bit=bit, kind=kind)}, 0)" for kind in KINDS)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO orglife_heldmonths (org_id, year, {columns}) "
                       f"SELECT org_id, {year}, {masks} FROM orglife_meeting "
                       "WHERE state = 'held' GROUP BY org_id, 2")


class Migration(migrations.Migration):

    dependencies = [
        ('orglife', '0002_makeup_meeting'),
        ('orgs', '0005_orgevent_history'),
    ]

    operations = [
        migrations.CreateModel(
            name='HeldMonths',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年份')),
                ('party_congress', models.PositiveSmallIntegerField(default=0, verbose_name='支部党员大会')),
                ('committee', models.PositiveSmallIntegerField(default=0, verbose_name='支部委员会')),
                ('group', models.PositiveSmallIntegerField(default=0, verbose_name='党小组会')),
                ('lecture', models.PositiveSmallIntegerField(default=0, verbose_name='党课')),
                ('theme_day', models.PositiveSmallIntegerField(default=0, verbose_name='主题党日')),
                ('life_meeting', models.PositiveSmallIntegerField(default=0, verbose_name='组织生活会')),
                ('appraisal', models.PositiveSmallIntegerField(default=0, verbose_name='民主评议党员')),
                ('talk', models.PositiveSmallIntegerField(default=0, verbose_name='谈心谈话')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='held_months', to='orgs.organization', verbose_name='党支部')),
            ],
            options={
                'verbose_name': '组织生活月度汇总',
                'verbose_name_plural': '组织生活月度汇总',
                'indexes': [models.Index(fields=['year', 'org'], name='orglife_held_months')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
