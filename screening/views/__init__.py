"""Recruiter-facing views of responses (``responses``) and of the AI features (``ai``)."""
