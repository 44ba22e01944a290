"""Recruiter-facing views of responses (``responses``), of the AI features (``ai``) and of re-judging answers
under a question's new rule (``rejudge``)."""
