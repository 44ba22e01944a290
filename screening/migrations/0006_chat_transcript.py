"""The chat transcript (ChatSession, ChatMessage) moves from the chat app into screening (issue 11).

The transcript is part of the application record, and screening must not import chat (the arrows
point accounts <- vacancies <- screening <- chat). Only Django's model state moves: the tables keep
their names (``db_table``), so no row is copied; content types are relabelled so permissions and
admin history follow the models.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def relabel_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in ("chatsession", "chatmessage"):
        if not content_type.objects.filter(app_label="screening", model=model).exists():
            content_type.objects.filter(app_label="chat", model=model).update(app_label="screening")


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0003_chatsession_watchers"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("screening", "0005_evaluation_claim"),
        ("vacancies", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ChatSession",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("state", models.CharField(choices=[("active", "Active"), ("finished", "Finished")], default="active", max_length=10)),
                        ("started_at", models.DateTimeField(auto_now_add=True)),
                        ("last_activity_at", models.DateTimeField(auto_now=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("candidate_sockets", models.PositiveSmallIntegerField(default=0)),
                        ("watchers", models.PositiveSmallIntegerField(default=0)),
                        ("response", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="chat", to="screening.response")),
                        ("taken_over_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "chat session",
                        "verbose_name_plural": "chat sessions",
                        "db_table": "chat_chatsession",
                    },
                ),
                migrations.CreateModel(
                    name="ChatMessage",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("sender", models.CharField(choices=[("bot", "Bot"), ("candidate", "Candidate"), ("recruiter", "Recruiter"), ("system", "System")], max_length=10)),
                        ("text", models.TextField(max_length=4000)),
                        ("client_id", models.CharField(blank=True, max_length=64)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("author", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                        ("question", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to="vacancies.screeningquestion")),
                        ("session", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="messages", to="screening.chatsession")),
                    ],
                    options={
                        "verbose_name": "chat message",
                        "verbose_name_plural": "chat messages",
                        "ordering": ["created_at", "id"],
                        "db_table": "chat_chatmessage",
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("client_id", ""), _negated=True),
                                fields=("session", "client_id"),
                                name="chat_message_client_id_unique",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_types, migrations.RunPython.noop),
    ]
