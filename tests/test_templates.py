"""The templates keep what the Content-Security-Policy needs and render fields one way.

``style-src 'self'`` and ``script-src 'self'`` refuse inline styles, inline scripts and inline event handlers:
a template with one of them breaks under the policy in the browser (tests/test_csp_browser.py sees a few
pages; this reads all of them). E-mails are left out: they are not pages, no policy applies to them, and
mail programs honour only inline styles.
"""

import re
from pathlib import Path

from django.conf import settings
from django.template.loader import get_template

TEMPLATES = Path(settings.BASE_DIR) / "templates"
PAGES = sorted(path for path in TEMPLATES.rglob("*.html") if "email" not in path.relative_to(TEMPLATES).parts)
# An HTML start tag (template tags inside it included).
TAG = re.compile(r"<[a-zA-Z][^<>]*(?:\{[%{][^}]*[%}]\}[^<>]*)*>")
INLINE_ATTRIBUTE = re.compile(r"\s(style|on[a-z]+)\s*=", re.IGNORECASE)


def _name(path: Path) -> str:
    return str(path.relative_to(TEMPLATES))


def test_no_template_has_an_inline_style_or_event_handler():
    offenders = [
        f"{_name(path)}: {match.group(0)[:120]}"
        for path in PAGES
        for match in TAG.finditer(path.read_text(encoding="utf-8"))
        if INLINE_ATTRIBUTE.search(match.group(0))
    ]
    assert offenders == []


def test_no_template_has_an_inline_script_a_style_element_or_a_javascript_url():
    offenders = []
    for path in PAGES:
        text = path.read_text(encoding="utf-8")
        for script in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in script.group(0) and 'type="application/json"' not in script.group(0):
                offenders.append(f"{_name(path)}: inline {script.group(0)}")
        if re.search(r"<style\b", text):
            offenders.append(f"{_name(path)}: <style>")
        if re.search(r"javascript:", text, re.IGNORECASE):
            offenders.append(f"{_name(path)}: javascript: URL")
    assert offenders == []


def test_scripts_are_loaded_by_pages_not_by_partials():
    # A partial may be included twice or swapped in by htmx (which runs no script): scripts go in the page's
    # {% block scripts %} of base.html, once.
    partials = [path for path in PAGES if path.name.startswith("_")]
    assert [_name(path) for path in partials if "<script" in path.read_text(encoding="utf-8")] == []


def test_one_field_partial_renders_every_form_field():
    leftovers = ("accounts/_field.html", "vacancies/_field.html", "screening/_form_fields.html")
    assert [name for name in leftovers if (TEMPLATES / name).exists()] == []
    includes = {
        _name(path): re.findall(r'\{% include "([^"]*field[^"]*)"', path.read_text(encoding="utf-8")) for path in PAGES
    }
    assert {name for found in includes.values() for name in found} <= {"_field.html"}


def test_the_field_partial_marks_required_fields_and_links_help_and_errors():
    from django import forms

    class Form(forms.Form):
        name = forms.CharField(label="Name", help_text="Your name.")
        note = forms.CharField(label="Note", required=False)
        agree = forms.BooleanField(label="I agree")

    form = Form(data={"note": "x"})
    form.is_valid()
    template = get_template("_field.html")
    name, note, agree = (template.render({"field": form[field]}) for field in ("name", "note", "agree"))
    assert '<span class="required-mark" aria-hidden="true">*</span>' in name and " required" in name
    assert 'aria-describedby="id_name_helptext' in name and 'id="id_name_helptext"' in name
    assert "field--error" in name and "This field is required." in name and 'data-field="name"' in name
    assert "required-mark" not in note and " required" not in note
    assert "checkbox" in agree and "required-mark" in agree
