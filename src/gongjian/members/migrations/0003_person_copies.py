"""Copies of the person's birth date, sex, education and ethnicity on Membership (statistics
without a join), filled from the people; on PostgreSQL, prefix-search indexes on names."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

import gongjian.members.models

COPIES = ("birth_date", "sex", "education", "ethnicity")
PREFIX_INDEXES = {"person_name_prefix": "name", "person_name_pinyin_prefix": "name_pinyin"}


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        sets = ", ".join(f"person_{name} = p.{name}" for name in COPIES)
        schema_editor.execute(f"UPDATE members_membership m SET {sets} "
                              "FROM members_person p WHERE p.id = m.person_id")
        # LIKE 'prefix%' on names, whatever the database's collation.
        for index, column in PREFIX_INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON members_person "
                                  f"({column} varchar_pattern_ops)")
        return
    Membership = apps.get_model("members", "Membership")
    Person = apps.get_model("members", "Person")
    person = Person.objects.filter(pk=OuterRef("person_id"))
    Membership.objects.update(**{f"person_{name}": Subquery(person.values(name)[:1])
                                 for name in COPIES})


def unfill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in PREFIX_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0002_default_staffing_standard'),
    ]

    operations = [
        migrations.AddField(
            model_name='membership',
            name='person_birth_date',
            field=gongjian.members.models.PersonCopyDateField(copy_of='birth_date', editable=False, null=True, verbose_name='出生日期'),
        ),
        migrations.AddField(
            model_name='membership',
            name='person_education',
            field=gongjian.members.models.PersonCopyCharField(blank=True, copy_of='education', editable=False, max_length=10, verbose_name='学历'),
        ),
        migrations.AddField(
            model_name='membership',
            name='person_ethnicity',
            field=gongjian.members.models.PersonCopyCharField(blank=True, copy_of='ethnicity', editable=False, max_length=10, verbose_name='民族'),
        ),
        migrations.AddField(
            model_name='membership',
            name='person_sex',
            field=gongjian.members.models.PersonCopyCharField(blank=True, copy_of='sex', editable=False, max_length=2, verbose_name='性别'),
        ),
        migrations.RunPython(fill, unfill),
    ]
