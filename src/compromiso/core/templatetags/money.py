from decimal import Decimal

from django import template

from compromiso.core.money import format_money

register = template.Library()


@register.filter
def money(amount: Decimal | float | int | None, currency: str) -> str:
    """{{ amount|money:organization.currency }}: "12.345 CLP" in Spanish."""
    return format_money(amount, currency)
