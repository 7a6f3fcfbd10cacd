import pytest

from telecom.segments import Encoding, segment


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("", Encoding.GSM7, 1),
        ("a" * 160, Encoding.GSM7, 1),
        ("a" * 161, Encoding.GSM7, 2),
        ("a" * 306, Encoding.GSM7, 2),
        ("a" * 307, Encoding.GSM7, 3),
        ("ш" * 70, Encoding.UCS2, 1),
        ("ш" * 71, Encoding.UCS2, 2),
        ("ш" * 134, Encoding.UCS2, 2),
        ("ш" * 135, Encoding.UCS2, 3),
        ("€" * 80, Encoding.GSM7, 1),  # extension characters count twice
        ("€" * 81, Encoding.GSM7, 2),
        ("a" * 152 + "^", Encoding.GSM7, 1),
        ("a" * 159 + "^", Encoding.GSM7, 2),  # 161 septets
        ("a" * 152 + "^" + "a" * 10, Encoding.GSM7, 2),  # the ^ moves whole to segment two
        ("😀" * 35, Encoding.UCS2, 1),  # outside the BMP: two UTF-16 units each
        ("😀" * 36, Encoding.UCS2, 2),
    ],
)
def test_segment_counts_match_twilios_calculator(
    text: str, encoding: Encoding, segments: int
) -> None:
    result = segment(text)
    assert (result.encoding, result.segments) == (encoding, segments)


@pytest.mark.parametrize("char", list("^{}\\[~]|€"))
def test_each_extension_character_costs_two_septets(char: str) -> None:
    assert segment(char).units == 2
    assert segment("a" * 158 + char).segments == 1
    assert segment("a" * 159 + char).segments == 2


def test_one_non_gsm_character_makes_the_whole_text_ucs2() -> None:
    result = segment("a" * 69 + "✓")
    assert result.encoding is Encoding.UCS2
    assert result.units == 70
