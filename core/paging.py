"""Paging that never counts the whole table: fetch one row more than a page to know
whether another page follows."""

from dataclasses import dataclass

from core.ids import MAX_ID, whole_number


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    has_next: bool
    #: The query-string name of the page number, so two lists on one page page apart.
    param: str = "page"

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def next_number(self):
        return self.number + 1

    @property
    def previous_number(self):
        return self.number - 1

    @property
    def previous_query(self):
        """For `{% querystring request.GET page.previous_query %}`: only this page's number changes."""
        return {self.param: self.previous_number}

    @property
    def next_query(self):
        return {self.param: self.next_number}


def page_number(value):
    """Read a page number from a query string, treating anything odd as the first page.

    ASCII digits only (`whole_number`): `int()` would also read "1_0" and other scripts' digits.
    """
    number = whole_number(value, 1, MAX_ID)
    return 1 if number is None else min(number, 10_000)


def page_of(queryset, number, per_page, *, param="page"):
    """Return page `number` (from 1) of an ordered queryset, in one query."""
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return Page(items=rows[:per_page], number=number, has_next=len(rows) > per_page, param=param)
