"""ChatSession and ChatMessage now live in screening (see screening 0006): drop them from this app's
model state only; the tables stay and belong to screening's models."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0003_chatsession_watchers"),
        ("screening", "0006_chat_transcript"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ChatMessage"),
                migrations.DeleteModel(name="ChatSession"),
            ],
            database_operations=[],
        ),
    ]
