"""HTTP dates, as the FSPIOP `Date` header carries them (API Definition table 1: RFC 7231).

What is sent is an IMF-fixdate (`Tue, 15 Nov 1994 08:12:31 GMT`), the one form RFC 7231
section 7.1.1.1 lets a sender generate. What is read is any of its three forms, since the
same section says a recipient "MUST accept all three HTTP-date formats": the IMF-fixdate, the
obsolete RFC 850 form (`Tuesday, 15-Nov-94 08:12:31 GMT`) and C's asctime form
(`Tue Nov 15 08:12:31 1994`, always GMT). Anything else, a wrong weekday or a day that does
not exist is 3101 "Malformed syntax". A signature protects the header's text as sent, so
which form it has changes nothing there.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final

from comptoir.kernel.fspiop.errors import FspiopError

_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_LONG_DAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_MONTH: Final = "|".join(_MONTHS)
_TIME: Final = r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})"
_FORMS: Final = (
    re.compile(
        rf"(?P<weekday>{'|'.join(_DAYS)}), (?P<day>\d{{2}}) (?P<month>{_MONTH}) "
        rf"(?P<year>\d{{4}}) {_TIME} GMT"
    ),
    re.compile(
        rf"(?P<weekday>{'|'.join(_LONG_DAYS)}), (?P<day>\d{{2}})-(?P<month>{_MONTH})-"
        rf"(?P<year>\d{{2}}) {_TIME} GMT"
    ),
    re.compile(
        rf"(?P<weekday>{'|'.join(_DAYS)}) (?P<month>{_MONTH}) (?P<day>[ \d]\d) {_TIME} "
        rf"(?P<year>\d{{4}})"
    ),
)


def format_http_date(moment: datetime) -> str:
    """An RFC 9110 (formerly RFC 7231) IMF-fixdate: `Tue, 15 Nov 1994 08:12:31 GMT`."""
    if moment.tzinfo is None:
        raise ValueError("an HTTP date needs a timezone-aware time")
    utc = moment.astimezone(UTC)
    return (
        f"{_DAYS[utc.weekday()]}, {utc.day:02d} {_MONTHS[utc.month - 1]} {utc.year:04d} "
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d} GMT"
    )


def parse_http_date(text: str, *, now: datetime | None = None) -> datetime:
    """Read an HTTP-date in any of its three forms; `now` places an RFC 850 two-digit year
    (one that would be more than 50 years ahead is the last such year in the past)."""
    match = next((found for form in _FORMS if (found := form.fullmatch(text))), None)
    if match is None:
        raise _malformed("it must be an HTTP date such as 'Tue, 15 Nov 1994 08:12:31 GMT'")
    fields = match.groupdict()
    year = int(fields["year"])
    if len(fields["year"]) == 2:
        this_year = (now or datetime.now(UTC)).year
        year += this_year - this_year % 100
        if year > this_year + 50:
            year -= 100
    try:
        moment = datetime(
            year,
            _MONTHS.index(fields["month"]) + 1,
            int(fields["day"]),
            int(fields["hour"]),
            int(fields["minute"]),
            int(fields["second"]),
            tzinfo=UTC,
        )
    except ValueError:
        raise _malformed(f"{text!r} is not a real date and time") from None
    if not _LONG_DAYS[moment.weekday()].startswith(fields["weekday"]):
        raise _malformed(f"{text!r} names the wrong day of the week")
    return moment


def _malformed(why: str) -> FspiopError:
    return FspiopError("3101", f"Date header: {why}")
