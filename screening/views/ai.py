"""Evaluation, usage and suggested questions in the workspace. (Being written: issue 4.)"""

from django.http import Http404


def response_reevaluate(request, pk):
    raise Http404


def evaluation_fragment(request, pk):
    raise Http404


def usage(request):
    raise Http404


def suggestions_request(request, vacancy_pk):
    raise Http404


def suggestion_detail(request, pk):
    raise Http404
