"""Unknown error messages grouped into stable signatures; see docs/error-grouping.md."""

from failmap.errors.masking import mask_message
from failmap.errors.signatures import (
    DEFAULT_CONFIG,
    EMPTY_SIGNATURE,
    GroupingConfig,
    Signature,
    SignatureSummary,
    find_successors,
    group_messages,
    signature_id_for,
    summarize_signatures,
)

__all__ = [
    "DEFAULT_CONFIG",
    "EMPTY_SIGNATURE",
    "GroupingConfig",
    "Signature",
    "SignatureSummary",
    "find_successors",
    "group_messages",
    "mask_message",
    "signature_id_for",
    "summarize_signatures",
]
