"""Working at volume (issue 15): tags on applications, saved filters, and bulk actions with their progress
(docs/pipeline.md)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.models import Company


class Tag(models.Model):
    """A company's label for applications ("strong English", "call back in May"); unique per company whatever
    the case. ``Response.tags`` holds them."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [models.UniqueConstraint("company", Lower("name"), name="tag_unique_name_per_company")]

    def __str__(self):
        return self.name


class SavedFilter(models.Model):
    """A member's named filter of the responses table, the board or search: the page's GET parameters
    (``params``, a JSON object of strings or lists of strings) and, for the table, the chosen ``columns``."""

    class Page(models.TextChoices):
        TABLE = "table", _("Responses table")
        BOARD = "board", _("Pipeline board")
        SEARCH = "search", _("Search")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    page = models.CharField(_("page"), max_length=10, choices=Page.choices, default=Page.TABLE)
    name = models.CharField(_("name"), max_length=80)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "page", "name"], name="saved_filter_unique_name")]

    def __str__(self):
        return self.name


class BulkAction(models.Model):
    """One action on many applications, run by a Celery task with live progress; idempotent when retried:
    an application already done (``BulkActionItem``) is skipped. ``params`` are the action's own (the status
    and template, the tag); ``result`` what it produced (an export's file name)."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Change status")
        REEVALUATE = "reevaluate", _("Re-evaluate")
        TAG = "tag", _("Add a tag")
        UNTAG = "untag", _("Remove a tag")
        EXPORT = "export", _("Export")
        ERASE = "erase", _("Erase")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="bulk_actions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("applications"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bulk action")
        verbose_name_plural = _("bulk actions")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.kind} ({self.done}/{self.total})"


class BulkActionItem(models.Model):
    """One application of a bulk action: ``done_at`` set once it was handled (or ``error`` said why not)."""

    bulk_action = models.ForeignKey(BulkAction, on_delete=models.CASCADE, related_name="items")
    response = models.ForeignKey("screening.Response", on_delete=models.CASCADE, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bulk_action", "response"], name="bulk_action_item_once"),
        ]

    def __str__(self):
        return f"{self.bulk_action_id}: {self.response_id}"
