"""The balance history chart: a small SVG drawn on the server from the entries' running
balances, so it needs no script and no query beyond the last few entries."""

from dataclasses import dataclass

from billing.money import format_money

WIDTH, HEIGHT, PAD = 640, 160, 8


@dataclass(frozen=True)
class Series:
    label: str
    css: str
    points: str
    last: str


@dataclass(frozen=True)
class Chart:
    series: list
    top: str
    first_day: object
    last_day: object
    summary: str
    count: int
    width: int = WIDTH
    height: int = HEIGHT


def balance_chart(entries):
    """Lines of the house balance and the store credit after each entry; None with fewer than two."""
    if len(entries) < 2:
        return None
    highest = max(max(e.house_after, e.credit_after) for e in entries) or 1
    step = (WIDTH - 2 * PAD) / (len(entries) - 1)

    def points(values):
        return " ".join(
            f"{PAD + i * step:.1f},{HEIGHT - PAD - (value / highest) * (HEIGHT - 2 * PAD):.1f}"
            for i, value in enumerate(values)
        )

    house = [e.house_after for e in entries]
    credit = [e.credit_after for e in entries]
    series = [
        Series("Owed on house account", "house", points(house), format_money(house[-1])),
        Series("Store credit", "credit", points(credit), format_money(credit[-1])),
    ]
    start, end = entries[0].posted_at, entries[-1].posted_at
    summary = (
        f"Over the last {len(entries)} entries, from {start:%-d %b %Y} to {end:%-d %b %Y}: "
        f"owed went from {format_money(house[0])} to {format_money(house[-1])}, store credit "
        f"from {format_money(credit[0])} to {format_money(credit[-1])}; the most either reached "
        f"was {format_money(highest)}."
    )
    return Chart(
        series=series,
        top=format_money(highest),
        first_day=entries[0].posted_at,
        last_day=entries[-1].posted_at,
        summary=summary,
        count=len(entries),
    )
