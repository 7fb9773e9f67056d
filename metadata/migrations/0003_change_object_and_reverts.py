"""The metadata history learns which object a change belongs to and which change a revert undid.

It depends on 0001 only, so it runs before 0002 (whose standard objects are installed through the
services, which write these columns); 0004 joins the two branches."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("metadata", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="metadatachange",
            name="object_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="metadatachange",
            name="reverts",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="metadatachange",
            index=models.Index(fields=["object_id", "id"], name="metadata_me_object__a0f7b4_idx"),
        ),
    ]
