"""A company's webhook endpoints and their deliveries, and which addresses a webhook may reach."""

import ipaddress
import socket
import urllib.parse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Company

from .applications import public_token


def webhook_address_error(url: str, *, unresolvable_is_error: bool = True) -> str | None:
    """Why our workers must not POST to ``url``, or None: a webhook may only reach public addresses.

    A tenant registers the URL and our worker calls it from inside our network,
    so loopback, private, link-local (cloud metadata) and other non-public
    addresses are refused, whatever name resolves to them, unless
    ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` is on (development, tests, the demo).
    A name that does not resolve is an error at registration; at delivery
    (``unresolvable_is_error=False``) the attempt goes on and fails as a
    network error, which is retried.
    """
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return None
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return str(_("The address has no host."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError):
        return str(_("The host name could not be resolved.")) if unresolvable_is_error else None
    for *_rest, address in found:
        error = webhook_ip_error(address[0])
        if error:
            return error
    return None


def webhook_ip_error(address: str) -> str | None:
    """Why a webhook must not be sent to the IP ``address`` (a getaddrinfo sockaddr host), or None if it is public.

    Public: ``ipaddress``'s ``is_global`` (IANA special-purpose registries) and not multicast. Also used at
    delivery (``screening.webhook_transport``), on the very addresses the request then connects to.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 scope ("fe80::1%eth0") is not part of it
    if not ip.is_global or ip.is_multicast:
        return str(_("Webhooks can only be sent to public internet addresses, not to %(address)s.")) % {"address": ip}
    return None


def validate_webhook_url(url: str) -> None:
    error = webhook_address_error(url)
    if error:
        raise ValidationError(error, code="private_address")


class WebhookEndpoint(models.Model):
    class Event(models.TextChoices):
        RESPONSE_COMPLETED = "response.completed", _("Screening completed")
        RESPONSE_EVALUATED = "response.evaluated", _("Response evaluated")
        RESPONSE_STATUS_CHANGED = "response.status_changed", _("Status changed")
        CANDIDATE_ERASED = "candidate.erased", _("Candidate erased")
        INTERVIEW_BOOKED = "interview.booked", _("Interview booked")
        INTERVIEW_CANCELLED = "interview.cancelled", _("Interview cancelled")
        INTERVIEW_NO_SHOW = "interview.no_show", _("Interview missed (no-show)")
        HUMAN_REQUESTED = "human.requested", _("Candidate asked for a person")
        MESSAGE_CREATED = "message.created", _("Message after the screening")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500, validators=[validate_webhook_url])
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("secret"), max_length=128, default=public_token)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at"]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    event_id = models.CharField(max_length=64, unique=True)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.event} {self.status}"
