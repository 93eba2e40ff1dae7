"""Chile's RUN/RUT check digit (módulo 11)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compromiso.cases.national_id import normalize_rut, rut_check_digit


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.345.678-5", "12.345.678-5"),
        ("12345678-5", "12.345.678-5"),
        ("123456785", "12.345.678-5"),
        (" 11.111.111-1 ", "11.111.111-1"),
        ("76.086.428-5", "76.086.428-5"),
        ("10.000.013-k", "10.000.013-K"),
    ],
)
def test_valid_ruts_are_normalised(value, expected):
    assert normalize_rut(value) == expected


@pytest.mark.parametrize(
    "value", ["12.345.678-9", "", "abc", "12.345.678", "1-9", "12.345.678-55", "<script>", "9" * 50]
)
def test_invalid_ruts_are_refused(value):
    assert normalize_rut(value) is None


@given(st.integers(min_value=1_000_000, max_value=99_999_999))
def test_every_number_with_its_own_check_digit_is_valid(number):
    assert normalize_rut(f"{number}-{rut_check_digit(number)}") is not None
