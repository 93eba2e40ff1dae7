"""One-time codes against RFC 6238's test vectors (appendix B), the accepted clock drift, and
the sealing of secrets at rest."""

import pytest

from compromiso.organizations import totp

SHA1_SECRET = b"12345678901234567890"
SHA256_SECRET = b"12345678901234567890123456789012"
SHA512_SECRET = b"1234567890" * 6 + b"1234"

RFC_6238_VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("moment", "sha1", "sha256", "sha512"), RFC_6238_VECTORS)
def test_codes_match_the_rfc_6238_test_vectors(moment, sha1, sha256, sha512):
    assert totp.totp(SHA1_SECRET, moment, digits=8) == sha1
    assert totp.totp(SHA256_SECRET, moment, digits=8, digest="sha256") == sha256
    assert totp.totp(SHA512_SECRET, moment, digits=8, digest="sha512") == sha512


def test_six_digit_codes_are_the_last_six_of_the_eight():
    assert totp.totp(SHA1_SECRET, 1111111109) == "081804"


def test_a_code_one_step_early_or_late_is_accepted_and_two_steps_off_is_not():
    now = 1_700_000_015.0
    step = totp.step_at(now)
    for offset in (-1, 0, 1):
        code = totp.hotp(SHA1_SECRET, step + offset)
        assert totp.matching_step(SHA1_SECRET, code, moment=now) == step + offset
    for offset in (-2, 2):
        code = totp.hotp(SHA1_SECRET, step + offset)
        assert totp.matching_step(SHA1_SECRET, code, moment=now) is None


def test_spaces_in_a_typed_code_are_ignored_and_letters_are_refused():
    now = 1_700_000_015.0
    code = totp.totp(SHA1_SECRET, now)
    assert totp.matching_step(SHA1_SECRET, f"{code[:3]} {code[3:]}", moment=now) is not None
    assert totp.matching_step(SHA1_SECRET, "12a456", moment=now) is None
    assert totp.matching_step(SHA1_SECRET, "", moment=now) is None


def test_the_provisioning_uri_carries_the_base32_secret_and_the_issuer():
    uri = totp.provisioning_uri(SHA1_SECRET, account="ana@example.org", issuer="Compromiso")
    assert uri.startswith("otpauth://totp/Compromiso:ana@example.org?")
    assert "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" in uri
    assert "issuer=Compromiso" in uri


def test_a_sealed_secret_opens_again_and_does_not_show_the_secret(settings):
    secret = totp.new_secret()
    sealed = totp.seal(secret)
    assert totp.unseal(sealed) == secret
    assert totp.base32(secret) not in sealed
    assert secret.hex() not in sealed
    assert totp.seal(secret) != sealed  # a fresh nonce every time


def test_a_tampered_seal_or_another_key_does_not_open(settings):
    secret = totp.new_secret()
    sealed = totp.seal(secret)
    version, nonce, body, tag = sealed.split("$")
    flipped = ("A" if body[0] != "A" else "B") + body[1:]
    with pytest.raises(totp.SealError):
        totp.unseal("$".join([version, nonce, flipped, tag]))
    with pytest.raises(totp.SealError):
        totp.unseal("not sealed")
    settings.SECRET_KEY = "another key entirely, long enough for the test"
    with pytest.raises(totp.SealError):
        totp.unseal(sealed)


def test_a_secret_sealed_under_a_previous_key_opens_through_the_fallbacks(settings):
    secret = totp.new_secret()
    old_key = settings.SECRET_KEY
    sealed = totp.seal(secret)
    settings.SECRET_KEY = "the new key after a rotation, long enough"
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert totp.unseal(sealed) == secret
