"""Money as each language writes it, with the organisation's currency."""

from decimal import Decimal

import pytest
from django.utils import translation

from compromiso.core.money import currency_of, format_money
from compromiso.organizations.models import Organization


@pytest.mark.parametrize(
    ("country", "currency"),
    [("CL", "CLP"), ("ES", "EUR"), ("MX", "MXN"), ("CO", "COP"), ("AR", "ARS"), ("PE", "PEN")],
)
def test_the_currency_follows_the_organisations_country(country, currency):
    assert Organization(country=country).currency == currency
    assert currency_of(country.lower()) == currency


def test_an_unknown_country_gives_the_number_alone():
    assert currency_of("ZZ") == ""
    with translation.override("en"):
        assert format_money(Decimal("1234.5"), "") == "1,234.50"


@pytest.mark.parametrize(
    ("language", "amount", "currency", "shown"),
    [
        ("es", Decimal("12345"), "CLP", "12\u00a0345\u00a0CLP"),
        ("en", Decimal("12345"), "CLP", "12,345\u00a0CLP"),
        ("en", Decimal("1234.5"), "EUR", "1,234.50\u00a0EUR"),
        ("ca", Decimal("1234.5"), "EUR", "1.234,50\u00a0EUR"),
        ("es", Decimal("0"), "MXN", "0,00\u00a0MXN"),
    ],
)
def test_amounts_are_written_the_languages_way_with_the_currency(language, amount, currency, shown):
    with translation.override(language):
        assert format_money(amount, currency) == shown
