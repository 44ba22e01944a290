"""Public careers pages, the apply form and the candidate's chat page. (Being written: issue 3.)"""

from django.http import Http404


def careers(request, company_slug):
    raise Http404


def vacancy_apply(request, company_slug, slug):
    raise Http404


def candidate_chat(request, token):
    raise Http404
