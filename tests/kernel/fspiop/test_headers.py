"""FSPIOP request headers: versioned content types, Accept, Date, the FSP ids, the limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.fspiop import (
    MAX_CONTENT_LENGTH,
    FspiopError,
    build_headers,
    content_type,
    format_http_date,
    fspiop_uri,
    json_body,
    parse_http_date,
    parse_request_headers,
)
from tests.kernel.fspiop import openapi_text

DATE = "Tue, 23 May 2017 21:12:31 GMT"
QUOTES = "application/vnd.interoperability.quotes+json;version=2.0"


def quote_request(**changes: str | None) -> dict[str, str]:
    headers: dict[str, str | None] = {
        "Accept": "application/vnd.interoperability.quotes+json;version=2",
        "Content-Type": QUOTES,
        "Date": DATE,
        "FSPIOP-Source": "wallet-a",
        "FSPIOP-Destination": "wallet-b",
    }
    headers.update(changes)
    return {name: value for name, value in headers.items() if value is not None}


def refusal(headers: dict[str, str] | list[tuple[str, str]], method: str = "POST") -> FspiopError:
    with pytest.raises(FspiopError) as refused:
        parse_request_headers(headers, resource="quotes", method=method)
    return refused.value


def test_a_well_formed_request_reads_as_its_parts() -> None:
    parsed = parse_request_headers(
        {**quote_request(), "FSPIOP-Signature": "{}", "X-Forwarded-For": "10.0.0.1, 10.0.0.2"},
        resource="quotes",
        method="POST",
    )
    assert parsed.content_type_version == "2.0"
    assert parsed.accept_versions == ("2",)
    assert parsed.date == datetime(2017, 5, 23, 21, 12, 31, tzinfo=UTC)
    assert parsed.date_text == DATE
    assert (parsed.source, parsed.destination) == ("wallet-a", "wallet-b")
    assert parsed.signature == "{}"
    assert parsed.forwarded_for == ("10.0.0.1", "10.0.0.2")


def test_header_names_are_case_insensitive() -> None:
    lowered = {name.lower(): value for name, value in quote_request().items()}
    assert parse_request_headers(lowered, resource="quotes", method="POST").source == "wallet-a"


@pytest.mark.parametrize(
    "value",
    [
        QUOTES,
        "application/vnd.interoperability.quotes+json ; version=2.0",
        "Application/VND.Interoperability.Quotes+JSON;Version=2.0",
        'application/vnd.interoperability.quotes+json;version="2.0"',
        "application/vnd.interoperability.quotes+json;version=2.0;charset=utf-8",
    ],
)
def test_the_content_type_of_version_2_0_is_accepted(value: str) -> None:
    parsed = parse_request_headers(
        quote_request(**{"Content-Type": value}), resource="quotes", method="POST"
    )
    assert parsed.content_type_version == "2.0"


@pytest.mark.parametrize(
    "value",
    [
        "application/json",
        "application/vnd.interoperability.transfers+json;version=2.0",
        "application/vnd.interoperability.quotes+json",
        "application/vnd.interoperability.quotes+json;version=2",
        "application/vnd.interoperability.quotes+json;version=two",
        "application/vnd.interoperability.quotes+json;version=2.0;charset=latin1",
        "application/vnd.interoperability.quotes+json;version=2.0;profile=x",
        "application/vnd.interoperability.quotes+json;version=2.0;version=2.0",
        "application/vnd.interoperability.quotes+json;version",
    ],
)
def test_a_content_type_that_cannot_be_read_is_malformed_syntax(value: str) -> None:
    assert refusal(quote_request(**{"Content-Type": value})).code == "3101"


@pytest.mark.parametrize("version", ["1.0", "1.1", "2.1", "3.0"])
def test_a_body_in_another_version_is_an_unacceptable_version_with_the_supported_list(
    version: str,
) -> None:
    error = refusal(quote_request(**{"Content-Type": content_type("quotes", version)}))
    assert (error.code, error.http_status) == ("3001", 406)
    assert error.extensions == (("2", "0"),)


@pytest.mark.parametrize(
    ("accept", "versions"),
    [
        ("application/vnd.interoperability.quotes+json;version=2.0", ("2.0",)),
        ("application/vnd.interoperability.quotes+json", (None,)),
        (
            "application/vnd.interoperability.quotes+json;version=1,"
            "application/vnd.interoperability.quotes+json",
            ("1", None),
        ),
        (
            "application/vnd.interoperability.quotes+json;version=1.1, "
            "application/vnd.interoperability.quotes+json;version=2;q=0.5",
            ("1.1", "2"),
        ),
    ],
)
def test_an_accept_header_that_allows_2_0_is_accepted(
    accept: str, versions: tuple[str | None, ...]
) -> None:
    parsed = parse_request_headers(quote_request(Accept=accept), resource="quotes", method="POST")
    assert parsed.accept_versions == versions


@pytest.mark.parametrize(
    "accept",
    [
        "application/vnd.interoperability.quotes+json;version=1",
        "application/vnd.interoperability.quotes+json;version=1.0,"
        "application/vnd.interoperability.quotes+json;version=1.1",
        "application/vnd.interoperability.quotes+json;version=2.1",
    ],
)
def test_an_accept_header_that_offers_only_other_versions_is_refused_with_406(
    accept: str,
) -> None:
    error = refusal(quote_request(Accept=accept))
    assert (error.code, error.http_status, error.extensions) == ("3001", 406, (("2", "0"),))


@pytest.mark.parametrize(
    "accept",
    [
        "*/*",
        "application/json",
        "application/vnd.interoperability.parties+json;version=2.0",
        "application/vnd.interoperability.quotes+json;version=x",
        "application/vnd.interoperability.quotes+json;level=1",
        ",",
    ],
)
def test_an_accept_header_that_cannot_be_read_is_malformed_syntax(accept: str) -> None:
    assert refusal(quote_request(Accept=accept)).code == "3101"


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_a_client_request_without_accept_is_missing_an_element(method: str) -> None:
    error = refusal(quote_request(Accept=None), method=method)
    assert (error.code, error.http_status) == ("3102", 400)
    assert "Accept" in error.description


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_callback_or_notification_needs_no_accept(method: str) -> None:
    parsed = parse_request_headers(quote_request(Accept=None), resource="quotes", method=method)
    assert parsed.accept_versions is None


@pytest.mark.parametrize("missing", ["Content-Type", "Date", "FSPIOP-Source"])
def test_a_mandatory_header_that_is_absent_or_empty_is_3102(missing: str) -> None:
    assert refusal(quote_request(**{missing: None})).code == "3102"
    assert refusal(quote_request(**{missing: " "})).code == "3102"


def test_an_empty_destination_means_the_sender_does_not_know_it() -> None:
    parsed = parse_request_headers(
        quote_request(**{"FSPIOP-Destination": ""}), resource="quotes", method="GET"
    )
    assert parsed.destination is None


@pytest.mark.parametrize("header", ["FSPIOP-Source", "FSPIOP-Destination"])
def test_an_fsp_id_longer_than_32_characters_is_malformed(header: str) -> None:
    assert refusal(quote_request(**{header: "x" * 33})).code == "3101"


@pytest.mark.parametrize(
    "date",
    [
        "Wed, 23 May 2017 21:12:31 GMT",  # the wrong day of the week
        "Wednesday, 23-May-17 21:12:31 GMT",
        "Wed May 23 21:12:31 2017",
        "Tue May 23 21:12:31 2017 GMT",
        "Tue, 23-May-17 21:12:31 GMT",
        "Tue, 30 Feb 2017 21:12:31 GMT",  # no such day
        "Tue, 23 May 2017 24:12:31 GMT",
        "Tue, 23 May 2017 21:12:31 UTC",
        "Tue, 23 May 2017 21:12:31 +0000",
        "2017-05-23T21:12:31Z",
        "Tue, 23 may 2017 21:12:31 GMT",
        "Tue,  23 May 2017 21:12:31 GMT",
    ],
)
def test_a_date_in_none_of_the_three_http_date_forms_is_malformed(date: str) -> None:
    error = refusal(quote_request(Date=date))
    assert error.code == "3101"
    assert "Date" in error.description


@pytest.mark.parametrize(
    "date",
    [
        "Tue, 23 May 2017 21:12:31 GMT",  # IMF-fixdate
        "Tuesday, 23-May-17 21:12:31 GMT",  # RFC 850, obsolete
        "Tue May 23 21:12:31 2017",  # asctime, obsolete
    ],
)
def test_a_date_in_any_of_the_three_http_date_forms_is_read_as_rfc_7231_requires(
    date: str,
) -> None:
    assert parse_http_date(date) == datetime(2017, 5, 23, 21, 12, 31, tzinfo=UTC)
    assert parse_request_headers(quote_request(Date=date), resource="quotes", method="GET").date


def test_an_asctime_date_pads_its_day_with_a_space() -> None:
    assert parse_http_date("Sun Nov  6 08:49:37 1994") == datetime(
        1994, 11, 6, 8, 49, 37, tzinfo=UTC
    )


def test_an_rfc_850_year_more_than_50_years_ahead_is_the_last_such_year_past() -> None:
    now = datetime(2026, 11, 30, tzinfo=UTC)
    assert parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", now=now).year == 1994
    assert parse_http_date("Friday, 06-Nov-26 08:49:37 GMT", now=now).year == 2026
    assert parse_http_date("Friday, 06-Nov-76 08:49:37 GMT", now=now).year == 2076


@given(
    st.datetimes(
        min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
    )
)
def test_http_dates_round_trip_to_the_second(moment: datetime) -> None:
    text = format_http_date(moment)
    assert re.fullmatch(r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT", text)
    assert parse_http_date(text) == moment.replace(microsecond=0)


def test_an_http_date_is_written_in_utc_whatever_the_zone_of_the_time() -> None:
    moment = datetime(2017, 5, 23, 23, 12, 31, tzinfo=timezone(timedelta(hours=2)))
    assert format_http_date(moment) == DATE
    with pytest.raises(ValueError, match="timezone"):
        format_http_date(datetime(2017, 5, 23))


def test_a_header_sent_twice_is_malformed_unless_it_is_a_list() -> None:
    pairs = [*quote_request().items(), ("FSPIOP-Source", "wallet-c")]
    assert refusal(pairs).code == "3101"
    pairs = [
        *quote_request().items(),
        ("Accept", "application/vnd.interoperability.quotes+json;version=1"),
        ("X-Forwarded-For", "10.0.0.1"),
        ("X-Forwarded-For", "10.0.0.2"),
    ]
    parsed = parse_request_headers(pairs, resource="quotes", method="POST")
    assert parsed.accept_versions == ("2", "1")
    assert parsed.forwarded_for == ("10.0.0.1", "10.0.0.2")


def test_a_body_over_five_megabytes_is_too_large() -> None:
    ok = quote_request(**{"Content-Length": str(MAX_CONTENT_LENGTH)})
    assert parse_request_headers(ok, resource="quotes", method="POST").content_length == (
        MAX_CONTENT_LENGTH
    )
    assert refusal(quote_request(**{"Content-Length": str(MAX_CONTENT_LENGTH + 1)})).code == (
        "3104"
    )
    assert refusal(quote_request(**{"Content-Length": "lots"})).code == "3101"


def test_an_unknown_resource_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="not a resource"):
        parse_request_headers(quote_request(), resource="payments", method="POST")


def test_the_switch_builds_the_headers_of_a_request_from_its_clock() -> None:
    clock = FrozenClock(datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC))
    headers = build_headers(
        resource="transfers",
        method="post",
        uri="/transfers",
        source="switch",
        destination="wallet-b",
        clock=clock,
    )
    assert headers == {
        "Content-Type": "application/vnd.interoperability.transfers+json;version=2.0",
        "Accept": "application/vnd.interoperability.transfers+json;version=2.0",
        "Date": "Sun, 01 Mar 2026 12:00:00 GMT",
        "FSPIOP-Source": "switch",
        "FSPIOP-Destination": "wallet-b",
        "FSPIOP-URI": "/transfers",
        "FSPIOP-HTTP-Method": "POST",
    }
    parsed = parse_request_headers(headers, resource="transfers", method="POST")
    assert (parsed.source, parsed.destination, parsed.date) == ("switch", "wallet-b", clock.now())


def test_a_callback_the_switch_builds_carries_no_accept_and_may_have_no_destination() -> None:
    headers = build_headers(
        resource="parties",
        method="PUT",
        uri="/parties/MSISDN/16135551212",
        source="switch",
        destination=None,
        clock=FrozenClock(),
    )
    assert "Accept" not in headers
    assert "FSPIOP-Destination" not in headers
    parse_request_headers(headers, resource="parties", method="PUT")


def test_the_fspiop_uri_starts_with_the_service_and_keeps_the_query() -> None:
    assert fspiop_uri("/switch/parties/MSISDN/123", prefix="/switch/") == "/parties/MSISDN/123"
    assert fspiop_uri("/switch/parties/MSISDN/123", prefix="/switch") == "/parties/MSISDN/123"
    assert fspiop_uri("/quotes") == "/quotes"
    assert fspiop_uri("/services/FXP", "currency=XCD&x=1") == "/services/FXP?currency=XCD&x=1"
    with pytest.raises(ValueError, match="not under"):
        fspiop_uri("/switchboard/quotes", prefix="/switch")


def test_a_json_body_is_written_as_json_stringify_writes_it() -> None:
    document = {"b": "é €", "a": [1, None, True], "n": "line\nbreak\u001f"}
    assert json_body(document) == (
        '{"b":"é €","a":[1,null,true],"n":"line\\nbreak\\u001f"}'.encode()
    )
    with pytest.raises(ValueError, match="JSON compliant"):
        json_body({"x": float("nan")})


def test_the_openapi_document_asks_for_accept_exactly_on_client_requests() -> None:
    text = openapi_text()
    operations = re.findall(
        r"\n    (get|put|post|delete|patch):\n(.*?)(?=\n    [a-z]+:\n|\n  /|\ncomponents:)",
        text,
        flags=re.DOTALL,
    )
    assert len(operations) > 50
    for method, operation in operations:
        has_accept = '$ref: "#/components/parameters/Accept"' in operation
        assert has_accept == (method.upper() in {"GET", "POST", "DELETE"}), method
    assert "maximum size of 5242880 bytes" in text


def test_an_empty_accept_on_a_client_request_is_missing() -> None:
    assert refusal(quote_request(Accept=""), method="GET").code == "3102"


def test_the_switch_never_builds_headers_with_an_impossible_fsp_id() -> None:
    with pytest.raises(ValueError, match="FSP id"):
        build_headers(resource="quotes", method="POST", uri="/quotes", source="", destination=None)
    with pytest.raises(ValueError, match="FSP id"):
        build_headers(
            resource="quotes", method="POST", uri="/quotes", source="switch", destination="x" * 33
        )
