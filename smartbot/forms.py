"""Form helpers shared by every app's views (``smartbot`` imports no app)."""

from django import forms
from django.core.exceptions import ValidationError


def form_add_service_errors(form: forms.BaseForm, error: ValidationError, *, field: str | None = None) -> None:
    """Show a service's ``ValidationError`` on ``form``, where the messages belong.

    An error with a field dict puts each field's messages on that field when the
    form has it; unknown fields (and ``__all__``) go to the form's non-field
    errors. An error without fields goes on ``field`` if given, else to the
    non-field errors.
    """
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field if field in form.fields else None, error)
