"""The project's date formats per language (``FORMAT_MODULE_PATH``), over Django's own locale formats.

Django's English short date, ``m/d/Y`` ("12/01/2026"), reads as 12 January to a European; these spell the month
out so that no reader can take the day for the month. Only the names set here differ from Django's; everything
else (input formats, number separators) is Django's for the language.
"""
