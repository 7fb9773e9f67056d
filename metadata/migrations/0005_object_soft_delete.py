"""Objects are deleted softly (kept for a restore from the history until their retention ends):
the api_name is unique among live objects only.

It depends on 0001 only, so it runs before 0002 on a new schema (whose standard objects are
installed through the services, which read these columns); 0006 joins the two branches."""

import django.db.models.manager
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('metadata', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='objectdef',
            options={'base_manager_name': 'with_deleted', 'default_manager_name': 'objects', 'ordering': ['id']},
        ),
        migrations.AlterModelManagers(
            name='objectdef',
            managers=[
                ('with_deleted', django.db.models.manager.Manager()),
                ('objects', django.db.models.manager.Manager()),
            ],
        ),
        migrations.AddField(
            model_name='objectdef',
            name='deleted_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='objectdef',
            name='kept',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name='objectdef',
            name='api_name',
            field=models.CharField(max_length=63),
        ),
        migrations.AddConstraint(
            model_name='objectdef',
            constraint=models.UniqueConstraint(condition=models.Q(('deleted_at__isnull', True)), fields=('api_name',), name='object_api_name_unique'),
        ),
    ]
