"""Who is 18: the rule behind the "age over 18" credential, birthdays on 29 February included."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from comptoir.identity.credentials.catalogue import age_on, is_adult


def eighteenth_birthday(born: date) -> date:
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # 29 February in a common year: the birthday is 1 March
        return date(born.year + 18, 3, 1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.integers(0, 40_000))
def test_a_person_is_adult_from_their_eighteenth_birthday_on(born: date, days: int) -> None:
    day = born + timedelta(days=days)
    assert is_adult(born, day) == (day >= eighteenth_birthday(born))


def test_someone_born_on_29_february_turns_18_on_1_march_of_a_common_year() -> None:
    born = date(2008, 2, 29)
    assert age_on(born, date(2026, 2, 28)) == 17
    assert age_on(born, date(2026, 3, 1)) == 18
    assert is_adult(date(2004, 2, 29), date(2022, 2, 28)) is False
