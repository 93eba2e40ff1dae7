"""Amounts of money as each language writes them, with the currency's ISO 4217 code and its
minor units (no decimals for the Chilean peso): "12.345 CLP" in Spanish, "12,345 CLP" in
English, "1.234,50 EUR" in Spanish and Catalan."""

from decimal import Decimal

from django.utils.formats import number_format

# The currency of each country the product is used in (ISO 3166 → ISO 4217).
CURRENCY_BY_COUNTRY = {
    "AR": "ARS",
    "BO": "BOB",
    "BR": "BRL",
    "CL": "CLP",
    "CO": "COP",
    "CR": "CRC",
    "DO": "DOP",
    "EC": "USD",
    "GT": "GTQ",
    "HN": "HNL",
    "MX": "MXN",
    "NI": "NIO",
    "PA": "PAB",
    "PE": "PEN",
    "PY": "PYG",
    "SV": "USD",
    "US": "USD",
    "UY": "UYU",
    "VE": "VES",
    "GB": "GBP",
    "AD": "EUR",
    "AT": "EUR",
    "BE": "EUR",
    "DE": "EUR",
    "ES": "EUR",
    "FI": "EUR",
    "FR": "EUR",
    "IE": "EUR",
    "IT": "EUR",
    "NL": "EUR",
    "PT": "EUR",
}
NO_MINOR_UNITS = frozenset({"CLP", "PYG", "ISK", "JPY", "KRW"})


def currency_of(country: str) -> str:
    """The ISO 4217 code for an ISO 3166 country code; empty when unknown."""
    return CURRENCY_BY_COUNTRY.get(country.upper(), "")


def format_money(amount: Decimal | float | int | None, currency: str) -> str:
    """The amount with the active language's separators, grouped, and the currency's code."""
    if amount is None:
        return ""
    places = 0 if currency in NO_MINOR_UNITS else 2
    text = number_format(Decimal(amount), places, use_l10n=True, force_grouping=True)
    return f"{text}\u00a0{currency}" if currency else text
