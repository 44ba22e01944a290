"""Phone numbers and email addresses as typed come out in one form per person (``screening.identity``)."""

import pytest
from django.utils import translation

from screening import identity
from screening.identity import EmailError, PhoneError, email_display, email_normalise, phone_normalise

E164 = "+79001234567"

# --- phones: the same number however it is typed -------------------------------------------------------

DASHES = [
    "\u2010",  # hyphen
    "\u2011",  # non-breaking hyphen
    "\u2012",  # figure dash
    "\u2013",  # en dash
    "\u2014",  # em dash
    "\u2015",  # horizontal bar
    "\u2212",  # minus sign
    "\u207b",  # superscript minus
    "\u208b",  # subscript minus
    "\u2796",  # heavy minus sign
    "\u02d7",  # modifier letter minus sign
    "\u2043",  # hyphen bullet
    "\u2e3a",  # two-em dash
    "\u301c",  # wave dash
    "\ufe58",  # small em dash
    "\ufe63",  # small hyphen-minus
    "\uff0d",  # full-width hyphen-minus
    "\u00ad",  # soft hyphen (invisible, dropped)
]
SPACES = [
    "\u00a0",  # no-break space
    "\u202f",  # narrow no-break space
    "\u2009",  # thin space
    "\u2007",  # figure space
    "\u2002",  # en space
    "\u3000",  # ideographic space
    "\t",
]


@pytest.mark.parametrize("dash", DASHES, ids=lambda ch: f"U+{ord(ch):04X}")
def test_a_unicode_dash_reads_as_the_ascii_hyphen(dash):
    typed = f"+7 900 123{dash}45{dash}67"
    assert phone_normalise(typed) == phone_normalise("+7 900 123-45-67") == E164


@pytest.mark.parametrize("space", SPACES, ids=lambda ch: f"U+{ord(ch):04X}")
def test_a_unicode_space_reads_as_a_space(space):
    assert phone_normalise(f"+7{space}900{space}123{space}45{space}67") == E164


@pytest.mark.parametrize(
    "typed",
    [
        "+7 900 123-45-67",
        "+7 (900) 123-45-67",
        "+7(900)1234567",
        "+79001234567",
        "  +7 900 123 45 67  ",
        "+7 900.123.45.67",
        "+7/900/123-45-67",
        "8 900 123-45-67",
        "8 (900) 123-45-67",
        "(8-900) 123-45-67",
        "89001234567",
        "7 900 123 45 67",
        "900 123-45-67",
        "\uff0b\uff17\u3000\uff08\uff19\uff10\uff10\uff09\uff11\uff12\uff13\u2212\uff14\uff15\u2212\uff16\uff17",
        "\uff18\uff19\uff10\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17",
        "\u0668\u0669\u0660\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667",  # Arabic-Indic digits
        "\u202a+7 900 123 45 67\u202c",  # direction marks a phone's contact card adds when copied
        "\u200b+7\u2060900\u200e1234567\ufeff",
        "8\u2011900\u2011123\u201145\u201167",
    ],
)
def test_every_way_of_writing_one_russian_mobile_gives_one_e164(typed):
    assert phone_normalise(typed) == E164


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+7 900 000-00-01", "+79000000001"),  # the tests' numbers are in a real mobile range
        ("+7 900 000-00-00", "+79000000000"),
        ("+7 (916) 555-12-34", "+79165551234"),
        ("+7 903 111-22-33", "+79031112233"),
        ("8 495 123-45-67", "+74951234567"),  # Moscow landline
        ("8 800 555-35-35", "+78005553535"),  # toll-free
        ("+7 700 123 45 67", "+77001234567"),  # Kazakhstan shares +7
        ("+44 20 7946 0958", "+442079460958"),
        ("+1 202 555 0100", "+12025550100"),
        ("+380 44 123 4567", "+380441234567"),
        ("8 10 44 20 7946 0958", "+442079460958"),  # the Russian international prefix 810
    ],
)
def test_real_numbers_come_out_in_e164(typed, expected):
    assert phone_normalise(typed) == expected


def test_the_region_decides_what_a_number_without_a_country_code_means():
    assert phone_normalise("020 7946 0958", region="GB") == "+442079460958"
    assert phone_normalise("020 7946 0958", region="gb") == "+442079460958"
    assert phone_normalise("+7 900 123-45-67", region="GB") == E164


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "+",
        "()",
        "-",
        "7",
        "12345",
        "+7 900",
        "8 900 123-45-6",  # a digit short
        "+7 900 123-45-678",  # a digit too many
        "+7 000 000-00-00",  # possible length, no such range
        "+7 111 111-11-11",
        "+0 900 123 45 67",
        "+999 900 123 45 67",
        "abc",
        "+7 9OO 123 45 67",  # letter O for zero
        "+7 900 I23 45 67",  # letter I for one
        "1-800-FLOWERS",
        "+7 900 123 45 67 доб. 5",
        "+79001234567 ext 12",
        "tel:+79001234567",
        "+7 900 123 45 67; DROP TABLE",
        "+7 900 123 45 67 +7",
        "8 900 123 45 67 8 900 123 45 67",
        "+7 900 123 45 67" + " " * 30,  # over 40 characters, however harmless
        "9" * 41,
        "+7 900 123-45-67\x00",
        "+7 900 ١٢٣-45-67x",
    ],
)
def test_what_is_not_a_phone_number_is_refused(typed):
    with pytest.raises(PhoneError):
        phone_normalise(typed)


def test_a_huge_input_is_refused_before_parsing():
    with pytest.raises(PhoneError):
        phone_normalise("8" * 1_000_000)


@pytest.mark.parametrize("region", ["", "ZZ", "XX", "RUS"])
def test_without_a_known_region_a_national_number_is_refused(region):
    with pytest.raises(PhoneError):
        phone_normalise("8 900 123-45-67", region=region)
    assert phone_normalise("+7 900 123-45-67", region=region) == E164


def test_a_non_string_is_refused():
    with pytest.raises(PhoneError):
        phone_normalise(79001234567)


def test_the_phone_error_is_a_value_error_with_a_translated_message():
    with pytest.raises(ValueError) as caught:
        phone_normalise("abc")
    assert caught.value.message == "Enter a phone number, e.g. +7 900 123-45-67."
    with translation.override("ru"), pytest.raises(PhoneError) as caught:
        phone_normalise("abc")
    assert caught.value.message == "Укажите номер телефона, например +7 900 123-45-67."


# --- emails: one mailbox, one value --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("anna.k@mail.ru", "anna.k@mail.ru"),
        ("  Anna.K@Mail.RU  ", "anna.k@mail.ru"),
        ("ANNA.K@MAIL.RU", "anna.k@mail.ru"),
        ("user+tag@gmail.com", "user+tag@gmail.com"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("a@b.co", "a@b.co"),
        ("anna@mail.ru.", "anna@mail.ru"),  # the root's trailing dot
        ("anna@sub.domain.example.com", "anna@sub.domain.example.com"),
        ("\uff41\uff4e\uff4e\uff41\uff20\uff4d\uff41\uff49\uff4c\uff0e\uff52\uff55", "anna@mail.ru"),  # full-width
        ("anna\uff20mail.ru", "anna@mail.ru"),
        ("anna\ufe6bmail.ru", "anna@mail.ru"),  # small commercial at
        ("anna@mail\u3002ru", "anna@mail.ru"),  # ideographic full stop separates labels under UTS #46
        ("\u202aanna@mail.ru\u202c", "anna@mail.ru"),
        ("\u00a0anna@mail.ru\u00a0", "anna@mail.ru"),
        ("Анна@Пример.рф", "анна@xn--e1afmkfd.xn--p1ai"),
        ("анна@xn--e1afmkfd.xn--p1ai", "анна@xn--e1afmkfd.xn--p1ai"),
        ("АННА@ПРИМЕР.РФ", "анна@xn--e1afmkfd.xn--p1ai"),
        ("анна@XN--E1AFMKFD.XN--P1AI", "анна@xn--e1afmkfd.xn--p1ai"),
        ("анна@xn--e1afmkfd.рф", "анна@xn--e1afmkfd.xn--p1ai"),
        ("info@München.de", "info@xn--mnchen-3ya.de"),
        ("info@straße.de", "info@xn--strae-oqa.de"),  # IDNA 2008, not transitional: ß stays itself
        ("Jos\u0065\u0301@example.com", "jos\u00e9@example.com"),  # NFC: e + combining acute is é
    ],
)
def test_an_address_comes_out_in_its_one_form(typed, expected):
    assert email_normalise(typed) == expected


def test_a_cyrillic_domain_and_its_punycode_are_one_mailbox():
    assert email_normalise("Анна@Пример.рф") == email_normalise("анна@xn--e1afmkfd.xn--p1ai")


def test_case_is_folded_with_lower_not_casefold():
    assert email_normalise("Straße@example.com") == "straße@example.com"
    assert email_normalise("Straße@example.com") != email_normalise("strasse@example.com")


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "anna",
        "@mail.ru",
        "anna@",
        "anna@.",
        "anna@@mail.ru",
        "anna@mail@ru.com",
        '"anna@home"@mail.ru',  # quoted local parts are refused
        "anna@localhost",
        "anna@mail",
        "anna@[127.0.0.1]",
        "anna@127.0.0.1",
        "anna@1.2",
        "anna k@mail.ru",
        "anna@mail .ru",
        "anna@ma_il.ru",
        "anna@-mail.ru",
        "anna@mail-.ru",
        "anna@mail..ru",
        "anna@xn--zz.ru",  # not valid punycode
        ".anna@mail.ru",
        "anna.@mail.ru",
        "an..na@mail.ru",
        "an(na)@mail.ru",
        "an,na@mail.ru",
        "an\\na@mail.ru",
        "an\x00na@mail.ru",
        "an\u2028na@mail.ru",
        "anna@mail.ru\n<script>",
        "a" * 65 + "@mail.ru",  # local part over 64 octets
        "ж" * 33 + "@mail.ru",  # 66 octets in UTF-8
        "anna@" + "a" * 64 + ".ru",  # a label over 63
        "anna@" + ".".join(["a" * 60] * 5) + ".ru",  # over 254 in all
        "a" * 400,
        "a@b.c" + " " * 400,
    ],
)
def test_what_is_not_an_address_is_refused(typed):
    with pytest.raises(EmailError):
        email_normalise(typed)


def test_a_non_string_is_refused_as_an_email():
    with pytest.raises(EmailError):
        email_normalise(None)


def test_the_email_error_is_a_value_error_with_a_translated_message():
    with pytest.raises(ValueError) as caught:
        email_normalise("anna")
    assert caught.value.message == "Enter a valid email address."
    with translation.override("ru"), pytest.raises(EmailError) as caught:
        email_normalise("anna")
    assert caught.value.message == "Введите правильный адрес электронной почты."


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("анна@xn--e1afmkfd.xn--p1ai", "анна@пример.рф"),
        ("Анна@Пример.рф", "анна@пример.рф"),
        ("info@xn--mnchen-3ya.de", "info@münchen.de"),
        ("Anna.K@Mail.RU", "anna.k@mail.ru"),
    ],
)
def test_the_display_form_shows_the_domain_in_unicode(typed, shown):
    assert email_display(typed) == shown


def test_the_display_form_refuses_what_normalise_refuses():
    with pytest.raises(EmailError):
        email_display("anna@")


def test_without_the_idna_package_the_stdlib_codec_still_folds_a_cyrillic_domain(monkeypatch):
    monkeypatch.setattr(identity, "idna", None)
    assert email_normalise("Анна@Пример.рф") == "анна@xn--e1afmkfd.xn--p1ai"
    assert email_normalise("анна@xn--e1afmkfd.xn--p1ai") == "анна@xn--e1afmkfd.xn--p1ai"
    assert email_display("анна@xn--e1afmkfd.xn--p1ai") == "анна@пример.рф"
    with pytest.raises(EmailError):
        email_normalise("anna@ma_il.ru")
