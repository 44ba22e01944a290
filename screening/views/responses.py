"""Responses table and response page. (Being written: issue 2.)"""

from django.http import Http404


def response_list(request):
    raise Http404


def response_detail(request, pk):
    raise Http404


def response_status(request, pk):
    raise Http404


def response_note(request, pk):
    raise Http404
