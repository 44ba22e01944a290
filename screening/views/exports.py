"""Exports of the responses table (CSV, XLSX), export files' downloads and the per-candidate decision record.

Thin doors (docs/exports.md): the table's filter form reads the same GET parameters as the table, the
services write the file. Exports are reads: every member, viewers included, may export what they may read;
each export writes an audit entry.
"""

import tempfile

from django.http import FileResponse, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import company_member_required

from ..forms import ResponseFilterForm
from ..services import decision_records
from ..services import exports as export_services


def export_response(*, company, user, responses, fmt: str, filters: dict, request=None):
    """The HTTP answer of a direct export of ``responses`` (a filtered queryset of the company's) as ``fmt``.

    CSV streams row by row; XLSX is written to a temporary file (openpyxl write-only) and streamed from it.
    Writes the audit entry. Shared by the page's link and the API.
    """
    queryset = export_services.export_queryset(company=company, responses=responses)
    count = queryset.count()
    export_services.export_audit(
        company=company, user=user, fmt=fmt, count=count, details={"filters": filters}, request=request
    )
    rows = export_services.export_rows(company=company, queryset=queryset)
    file_name = export_services.export_file_name(fmt)
    if fmt == "csv":
        answer = StreamingHttpResponse(
            export_services.export_csv_lines(rows), content_type=export_services.CONTENT_TYPES["csv"]
        )
        answer["Content-Disposition"] = f'attachment; filename="{file_name}"'
        return answer
    # Closed (and so deleted) by FileResponse once sent.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    export_services.export_xlsx_write(rows, handle)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=file_name, content_type=export_services.CONTENT_TYPES["xlsx"]
    )


def filters_of(form: ResponseFilterForm) -> dict:
    """The valid filters as JSON-ready strings, for the audit entry."""
    return {
        name: str(getattr(value, "pk", value)) for name, value in form.cleaned_data.items() if value not in (None, "")
    }


@company_member_required
@require_GET
def responses_export(request):
    """The responses the table's filters (same GET parameters) match, as ``?format=csv`` or ``xlsx`` (default)."""
    fmt = request.GET.get("format") or "xlsx"
    if fmt not in export_services.FORMATS:
        return HttpResponseBadRequest(_("Choose CSV or XLSX."))
    params = request.GET.copy()
    params.pop("format", None)
    params.pop("page", None)
    form = ResponseFilterForm(params, company=request.user.company)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Some filters are not valid; fix them to see the responses."))
    return export_response(
        company=request.user.company,
        user=request.user,
        responses=form.responses(),
        fmt=fmt,
        filters=filters_of(form),
        request=request,
    )


@company_member_required
@require_GET
def export_download(request, file_name):
    """A file an export task made (``export_file``), for members of its company only; 404 otherwise or once it
    expired (``EXPORT_FILE_TTL``; deleted then)."""
    name, handle = export_services.export_file_open(company=request.user.company, file_name=file_name)
    fmt = name.rsplit(".", 1)[-1]
    return FileResponse(
        handle,
        as_attachment=True,
        filename=export_services.export_file_name(fmt),
        content_type=export_services.CONTENT_TYPES[fmt],
    )


def _record_context(request, pk) -> dict:
    response = decision_records.decision_record_response(user=request.user, pk=pk)
    record = decision_records.decision_record(response=response)
    return {**record, "company": response.vacancy.company, "page_title": _("Decision record")}


@company_member_required
@require_GET
def decision_record(request, pk):
    """The printable decision record of one application (times in the company's zone)."""
    return render(request, "screening/decision_record.html", _record_context(request, pk))


@company_member_required
@require_GET
def decision_record_download(request, pk):
    """The same record as one self-contained HTML file (inline CSS, no external assets, no script)."""
    response = decision_records.decision_record_response(user=request.user, pk=pk)
    decision_records.decision_record_audit(response=response, user=request.user, request=request)
    html = decision_records.decision_record_html(response=response)
    answer = HttpResponse(html, content_type="text/html; charset=utf-8")
    answer["Content-Disposition"] = f'attachment; filename="decision-record-{pk}.html"'
    return answer
