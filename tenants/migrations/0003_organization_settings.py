import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0002_schematemplate'),
    ]

    operations = [
        migrations.AddField(
            model_name='tenant',
            name='fiscal_year_start_month',
            field=models.PositiveSmallIntegerField(default=1, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(12)], verbose_name='fiscal year starts in'),
        ),
        migrations.AddField(
            model_name='tenant',
            name='languages',
            field=models.JSONField(blank=True, default=list, verbose_name='languages offered'),
        ),
        migrations.AddField(
            model_name='tenant',
            name='logo',
            field=models.CharField(blank=True, default='', max_length=300, verbose_name='logo'),
        ),
    ]
