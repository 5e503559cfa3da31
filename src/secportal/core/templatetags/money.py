from django import template

from secportal.core.fees import fee_percent
from secportal.core.money import format_money

register = template.Library()


@register.filter(name="money")
def money_filter(minor: int | None, currency: str) -> str:
    if minor is None:
        return ""
    return format_money(minor, currency)


@register.filter(name="fee_percent")
def fee_percent_filter(fee_bps: int) -> str:
    return fee_percent(fee_bps)
