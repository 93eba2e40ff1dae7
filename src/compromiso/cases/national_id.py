"""National identity numbers with a check digit: Chile's RUN/RUT (módulo 11)."""

import re

RUT_PATTERN = re.compile(r"^(\d{1,3}(?:\.?\d{3}){0,2})-?([\dkK])$")


def rut_check_digit(number: int) -> str:
    """The módulo-11 check digit of a RUN/RUT body: 0–9 or K."""
    total, factor = 0, 2
    while number:
        number, digit = divmod(number, 10)
        total += digit * factor
        factor = 2 if factor == 7 else factor + 1
    remainder = 11 - total % 11
    return {11: "0", 10: "K"}.get(remainder, str(remainder))


def normalize_rut(value: str) -> str | None:
    """'12.345.678-5' for any valid spelling of a RUN/RUT, None when it is not valid."""
    match = RUT_PATTERN.match(value.strip().replace(" ", ""))
    if match is None:
        return None
    body = int(match.group(1).replace(".", ""))
    digit = match.group(2).upper()
    if body < 1_000 or rut_check_digit(body) != digit:
        return None
    return f"{body:,}".replace(",", ".") + f"-{digit}"


# Countries whose national id we can check; others are stored as typed.
VALIDATORS = {"CL": normalize_rut}
