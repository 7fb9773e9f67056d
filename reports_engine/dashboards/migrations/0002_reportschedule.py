import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    # Not on reports_engine's migrations: an app named before "metadata" that reaches security 0004
    # would run metadata 0002 before 0003 on a new schema (see metadata 0004). Schedules name reports
    # by api_name, so nothing here needs the reports table.
    dependencies = [
        ('dashboards', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReportSchedule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('report', models.CharField(db_index=True, max_length=63)),
                ('frequency', models.CharField(choices=[('weekly', 'Weekly'), ('monthly', 'Monthly')], max_length=8)),
                ('weekday', models.SmallIntegerField(default=0)),
                ('day', models.SmallIntegerField(default=1)),
                ('hour', models.SmallIntegerField(default=8)),
                ('recipients', models.JSONField(default=list)),
                ('base_url', models.CharField(blank=True, max_length=200)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('last_sent_at', models.DateTimeField(blank=True, null=True)),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['id'],
            },
        ),
    ]
