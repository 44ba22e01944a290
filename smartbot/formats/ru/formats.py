"""Russian short dates with the month in words, as the long ones already are: "1 декабря 2026", "1 декабря 2026,
14:05" (Django's own short form is "01.12.2026"). The month's genitive (``E``) is used rather than an abbreviation:
Django's abbreviations are nominative ("1 май 2026" would be wrong)."""

SHORT_DATE_FORMAT = "j E Y"
SHORT_DATETIME_FORMAT = "j E Y, H:i"
