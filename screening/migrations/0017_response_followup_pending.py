# Written by hand (issue 17): the finished screening's follow-up gets an outbox flag and the sweep's index.
# Existing rows default to False: follow-ups of screenings finished before this migration were queued the old
# way and are not swept.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0016_integrations"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="followup_pending",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(
                condition=models.Q(("followup_pending", True)),
                fields=["completed_at"],
                name="response_followup_due",
            ),
        ),
    ]
