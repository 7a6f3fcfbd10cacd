"""Numbers the carrier has for sale: a fixed, reproducible catalogue per country and type.

US/CA use the fictional 555-01XX lines in a handful of area codes; GB and AU use Ofcom's and
ACMA's drama ranges where phonenumbers accepts them. Landlines in GB and AU cannot do SMS, as on
Twilio; everything else can.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AvailableNumber", "catalogue"]

_AREA_CODES = {
    "US": ("415", "212", "650", "312", "206", "617", "303", "512"),
    "CA": ("416", "604", "514", "403"),
}
_REGIONS = {
    "415": ("San Francisco", "CA"),
    "212": ("New York", "NY"),
    "650": ("Palo Alto", "CA"),
    "312": ("Chicago", "IL"),
    "206": ("Seattle", "WA"),
    "617": ("Boston", "MA"),
    "303": ("Denver", "CO"),
    "512": ("Austin", "TX"),
    "416": ("Toronto", "ON"),
    "604": ("Vancouver", "BC"),
    "514": ("Montreal", "QC"),
    "403": ("Calgary", "AB"),
}


@dataclass(frozen=True, slots=True)
class AvailableNumber:
    phone_number: str
    country: str
    kind: str  # "local" or "mobile"
    sms: bool
    locality: str = ""
    region: str = ""

    @property
    def friendly_name(self) -> str:
        digits = self.phone_number
        if digits.startswith("+1"):
            return f"({digits[2:5]}) {digits[5:8]}-{digits[8:]}"
        return digits


def _nanp(country: str, kind: str) -> list[AvailableNumber]:
    # local lines take 555-0100..0149, "mobile" 555-0150..0199 (NANP does not tell them apart)
    first = 100 if kind == "local" else 150
    numbers = []
    for area in _AREA_CODES[country]:
        locality, region = _REGIONS[area]
        for line in range(first, first + 50):
            numbers.append(
                AvailableNumber(f"+1{area}5550{line}", country, kind, True, locality, region)
            )
    return numbers


def _build() -> dict[tuple[str, str], list[AvailableNumber]]:
    table = {(cc, kind): _nanp(cc, kind) for cc in ("US", "CA") for kind in ("local", "mobile")}
    table["GB", "local"] = [
        AvailableNumber(f"+4420794600{i:02d}", "GB", "local", False, "London") for i in range(100)
    ]
    table["GB", "mobile"] = [
        AvailableNumber(f"+4474001000{i:02d}", "GB", "mobile", True) for i in range(100)
    ]
    table["AU", "local"] = [
        AvailableNumber(f"+6125550{i:04d}", "AU", "local", False, "Sydney", "NSW")
        for i in range(100)
    ]
    table["AU", "mobile"] = [
        AvailableNumber(f"+61491570{i:03d}", "AU", "mobile", True) for i in range(100, 200)
    ]
    return table


_CATALOGUE = _build()


def catalogue(country: str, kind: str) -> list[AvailableNumber]:
    """Every number of that country and kind the carrier sells (owned ones included)."""
    return _CATALOGUE.get((country.upper(), kind), [])
