from twilio.request_validator import RequestValidator

from telecom.signature import compute_signature, validate_signature

URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}


def test_twilios_published_vector() -> None:
    assert compute_signature(URL, PARAMS, "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_repeated_parameters_are_sorted_and_deduplicated() -> None:
    pairs = [
        ("Sid", "CA123"),
        ("SidAccount", "AC123"),
        ("Digits", "5678"),
        ("Digits", "1234"),
        ("Digits", "1234"),
    ]
    assert compute_signature(URL, pairs, "12345") == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


def test_the_sdk_validator_accepts_our_signatures() -> None:
    url = "http://127.0.0.1:8123/carrier/status"
    params = {"MessageSid": "SM" + "a" * 32, "MessageStatus": "delivered", "Body": "héllo €"}
    signature = compute_signature(url, params, "secret")
    assert RequestValidator("secret").validate(url, params, signature)
    assert not RequestValidator("other").validate(url, params, signature)


def test_validation_accepts_with_or_without_default_port() -> None:
    signed_without = compute_signature("https://example.com/hook", PARAMS, "tok")
    assert validate_signature("https://example.com:443/hook", PARAMS, signed_without, "tok")
    signed_with = compute_signature("https://example.com:443/hook", PARAMS, "tok")
    assert validate_signature("https://example.com/hook", PARAMS, signed_with, "tok")
    assert not validate_signature(
        "https://example.com/hook", {**PARAMS, "To": "+1"}, signed_with, "tok"
    )
    assert not validate_signature("https://example.com/hook", PARAMS, "", "tok")
