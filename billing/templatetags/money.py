from django import template

from billing.money import format_money

register = template.Library()


@register.filter
def money(cents):
    """{{ account.house_balance|money }} → £123.45"""
    return format_money(cents)
