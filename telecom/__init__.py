"""Pure facts the gateway and the simulator share. No I/O, no imports from other packages."""

from telecom.errors import (
    CATALOGUE,
    CarrierError,
    Reason,
    error_message,
    lookup,
    reason_for,
    reason_message,
)
from telecom.keywords import Keyword, keyword_of
from telecom.numbers import (
    InvalidNumber,
    NumberKind,
    country_of,
    format_international,
    number_kind,
    parse_e164,
)
from telecom.segments import Encoding, Segmentation, segment
from telecom.signature import compute_signature, validate_signature
from telecom.wire import (
    API_VERSION,
    dlr_done_date,
    error_body,
    is_sid,
    new_sid,
    parse_rfc2822,
    rfc2822,
)

__all__ = [
    "API_VERSION",
    "CATALOGUE",
    "CarrierError",
    "Encoding",
    "InvalidNumber",
    "Keyword",
    "NumberKind",
    "Reason",
    "Segmentation",
    "compute_signature",
    "country_of",
    "dlr_done_date",
    "error_body",
    "error_message",
    "format_international",
    "is_sid",
    "keyword_of",
    "lookup",
    "new_sid",
    "number_kind",
    "parse_e164",
    "parse_rfc2822",
    "reason_for",
    "reason_message",
    "rfc2822",
    "segment",
    "validate_signature",
]
