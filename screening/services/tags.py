"""Tags on applications: a company's labels ("strong English", "call back in May"), added to and removed from
responses one by one (the response page) or in bulk (``screening.services.bulk``), and filtered on the table.

A tag's name is unique per company whatever the case ("Remote" and "remote" are one tag). docs/pipeline.md.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import Company

from ..models import Response, Tag

TAG_NAME_MAX_LENGTH = Tag._meta.get_field("name").max_length
# A company's tags are a short vocabulary, not free text: past this many, clean up before adding more.
TAGS_PER_COMPANY_MAX = 200


def tag_list(*, company: Company):
    """The company's tags, by name (one query)."""
    return Tag.objects.filter(company=company).order_by("name", "pk")


def tag_get_for_user(*, user, pk: int) -> Tag:
    """The tag if it belongs to the user's company; ``Http404`` otherwise."""
    return get_object_or_404(Tag, pk=pk, company_id=user.company_id)


def _clean_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError({"name": _("Enter a name for the tag.")})
    if len(name) > TAG_NAME_MAX_LENGTH:
        raise ValidationError({"name": _("A tag name is at most %(max)d characters.") % {"max": TAG_NAME_MAX_LENGTH}})
    return name


def tag_find(*, company: Company, name: str) -> Tag | None:
    """The company's tag called ``name`` whatever the case (spaces squeezed), or None."""
    return Tag.objects.filter(company=company, name__iexact=" ".join(str(name or "").split())).first()


def tag_create(*, company: Company, name: str) -> Tag:
    """A new tag of ``company``. Raises ``ValidationError`` ({"name": ...}) for an empty or too long name, a name
    the company already has in any case, or past ``TAGS_PER_COMPANY_MAX`` tags."""
    name = _clean_name(name)
    if tag_find(company=company, name=name) is not None:
        raise ValidationError({"name": _("There is already a tag called “%(name)s”.") % {"name": name}})
    if Tag.objects.filter(company=company).count() >= TAGS_PER_COMPANY_MAX:
        raise ValidationError(
            {"name": _("A company has at most %(max)d tags: remove some first.") % {"max": TAGS_PER_COMPANY_MAX}}
        )
    try:
        with transaction.atomic():
            return Tag.objects.create(company=company, name=name)
    except IntegrityError:  # created by someone else in the meantime
        raise ValidationError({"name": _("There is already a tag called “%(name)s”.") % {"name": name}}) from None


def tag_get_or_create(*, company: Company, name: str) -> Tag:
    """The company's tag called ``name`` (any case), created when it does not exist yet. Raises
    ``ValidationError`` as ``tag_create`` does for a name that cannot be a tag."""
    return tag_find(company=company, name=_clean_name(name)) or _create_or_find(company=company, name=name)


def _create_or_find(*, company: Company, name: str) -> Tag:
    try:
        return tag_create(company=company, name=name)
    except ValidationError:
        found = tag_find(company=company, name=name)  # a concurrent create won the race
        if found is None:
            raise
        return found


def tag_delete(*, tag: Tag) -> None:
    """Delete a tag; it disappears from every application that had it (the applications stay)."""
    tag.delete()


def _refuse_erased(response: Response) -> None:
    if response.is_erased:
        raise ValidationError(
            _("This candidate's data was erased: the application cannot be changed."), code="conflict"
        )


def response_tag_add(*, response: Response, tag: Tag) -> bool:
    """Put ``tag`` on ``response`` (both of one company). True when it was added, False when it was there already.

    Raises ``ValidationError`` for a tag of another company, or (code "conflict") an erased application."""
    if tag.company_id != response.vacancy.company_id:
        raise ValidationError(_("Unknown tag."))
    _refuse_erased(response)
    through = Response.tags.through
    if through.objects.filter(response_id=response.pk, tag_id=tag.pk).exists():
        return False
    try:
        with transaction.atomic():
            through.objects.create(response_id=response.pk, tag_id=tag.pk)
    except IntegrityError:  # added concurrently: the same end state
        return False
    return True


def response_tag_remove(*, response: Response, tag: Tag) -> bool:
    """Take ``tag`` off ``response``. True when it was removed, False when the response did not have it."""
    if tag.company_id != response.vacancy.company_id:
        raise ValidationError(_("Unknown tag."))
    deleted, _rows = Response.tags.through.objects.filter(response_id=response.pk, tag_id=tag.pk).delete()
    return bool(deleted)
