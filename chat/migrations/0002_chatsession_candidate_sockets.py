from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="chatsession",
            name="candidate_sockets",
            field=models.PositiveSmallIntegerField(default=0),
        ),
    ]
