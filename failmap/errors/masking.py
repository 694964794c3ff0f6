"""Masking of the variable parts of error messages: ids, numbers, paths, addresses, sizes...

Drain compares messages token by token, so two occurrences of the same error that differ only in
a tensor size, a step number or a file path look like different templates to it. Replacing
those parts with named placeholders such as ``<NUM>`` or ``<PATH>`` before mining makes
occurrences of one error identical where it matters, and it makes the resulting signatures
readable ("CUDA out of memory. Tried to allocate <SIZE> ...").

Kinds: URL, PATH, IP (v4, v6, with port), MAC, HOST, UUID, TIMESTAMP (ISO, syslog, clock time),
HEX (0x... and long hex ids), SIZE (with unit), DURATION (with unit) and NUM (any other number).

The rules are generic on purpose: one set for every pipeline and every log source, with no
per-source tuning, so that a new error family is grouped as well as the ones we have seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MASK_RULES", "MaskRule", "mask_message"]

# A masked part never touches a letter or digit: "alt0" and "sha256" are names, not numbers.
_START = r"(?<![A-Za-z0-9])"
_END = r"(?![A-Za-z0-9])"
_NUMBER = r"\d+(?:\.\d+)?"
_SOURCE_FILE_EXTENSION = (
    r"(?:py|pyx|c|cc|cpp|cxx|h|hh|hpp|cu|cuh|java|kt|scala|go|rs|js|mjs|ts|rb|php|cs|swift|m|mm"
    r"|lua|sh|pl)"
)
_SIZE = _NUMBER + r" ?(?:[KMGTP]i?B|[kKMGTP]b|bytes?|B)"
# A path component may contain dots and commas but does not end with them: "at /a/b." ends a
# sentence.
_PATH_PART = r"[\w@%+=~-](?:[\w.@%+,=~-]*[\w@%+=~-])?"
_QUERY = r"(?:\?[^\s\"'<>()\[\]{}]*)?"
_NOT_IN_PATH = r"(?<![\w/.~-])"
# At least two components ("/tmp/x.mp4", "./out/seg_4.mp4"), or a single one with a digit
# ("/v2"), so that "power/control" or "hi/lo" in prose stay words.
_UNIX_PATH = _NOT_IN_PATH + r"(?:~|\.{1,2})?(?:/" + _PATH_PART + r"){2,}/?" + _QUERY
_SHORT_PATH = _NOT_IN_PATH + r"/(?=[^\s/]*\d)" + _PATH_PART + r"(?![\w/])" + _QUERY
_WINDOWS_PATH = r"(?<![\w\\])[A-Za-z]:\\(?:[\w .@%+,=~-]+\\)*" + _PATH_PART


@dataclass(frozen=True, slots=True)
class MaskRule:
    """One kind of variable part: what it is called and the pattern that finds it.

    ``needs`` (one of these substrings) and ``needs_digit`` say what every match contains, so
    that a message without them skips the expression: masking is most of the grouping's time.
    """

    kind: str
    pattern: re.Pattern[str]
    needs: tuple[str, ...] = ()
    needs_digit: bool = False

    @property
    def placeholder(self) -> str:
        """The text that replaces every match, e.g. ``<NUM>``."""
        return f"<{self.kind}>"


def _rule(kind: str, pattern: str, needs: tuple[str, ...] = (), digit: bool = False) -> MaskRule:
    return MaskRule(kind, re.compile(pattern), needs, digit)


# Order matters: a rule only sees what earlier rules left, so the most specific shapes go first
# (a URL contains a host, a path and numbers; a UUID contains hex and numbers; a timestamp
# contains numbers and colons that would otherwise look like host:port).
MASK_RULES: tuple[MaskRule, ...] = (
    _rule("URL", r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>()\[\]{}]+", ("://",)),
    # Java writes socket addresses as "/10.250.19.102:54106": an address, not a path.
    _rule("IP", r"(?<![\w/.~-])/(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?![\w/-]|\.\w)", ("/",), True),
    # File paths, with an optional query string ("/v2/servers?all=1").
    # (The lookahead lets the regex engine skip most positions without trying each shape.)
    _rule(
        "PATH",
        r"(?=[~./]|[A-Za-z]:\\)(?:" + "|".join((_UNIX_PATH, _SHORT_PATH, _WINDOWS_PATH)) + ")",
        ("/", "\\"),
    ),
    _rule("UUID", _START + r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}" + _END, ("-",)),
    _rule(
        "TIMESTAMP",
        _START
        + r"\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
        + r"(?:Z|[+-]\d{2}:?\d{2})?)?"
        + _END,
        ("-",),
        True,
    ),
    # Syslog and ctime style: "Jun 14 15:16:01", "Mon Jun 20 03:40:59 2005".
    _rule(
        "TIMESTAMP",
        r"\b(?=[A-Z])(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? )?"
        + r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2},?(?: \d{4})?"
        + r" \d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?: [A-Z]{3,4})?(?: \d{4})?"
        + _END,
        (":",),
        True,
    ),
    _rule("TIMESTAMP", _START + r"\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?" + _END, (":",), True),
    # Addresses. An IPv4 address that is part of a longer dotted name belongs to a host name
    # ("62.99.164.82.sh.example.at"), so it must stand alone.
    _rule("IP", r"(?<![\w.-])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?![\w-]|\.\w)", (".",), True),
    _rule("MAC", r"(?<![\w:.-])(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?![\w:.-])", (":", "-")),
    _rule(
        "IP",
        r"(?<![\w:.])(?:[0-9a-fA-F]{1,4}:){2,7}(?::?[0-9a-fA-F]{1,4}|:)(?![\w:.])",
        (":",),
    ),
    # A host name is recognisable by a port ("github.com:443"), unless it is a source file and
    # line ("ProcessGroupNCCL.cpp:1275"), or by three or more labels with a digit somewhere and
    # a top-level label of letters ("host8.topspot.net"). Dotted names without digits
    # ("mapred.task.id", "com.apple.FaceTime") are code, not hosts.
    _rule(
        "HOST",
        r"(?<![\w.-])(?:[A-Za-z0-9-]++\.)++(?!" + _SOURCE_FILE_EXTENSION + r":)"
        r"[A-Za-z0-9-]++:\d{1,5}" + _END,
        (":",),
        True,
    ),
    _rule(
        "HOST",
        r"(?<![\w.-])(?=[A-Za-z0-9.-]*\d)(?:[A-Za-z0-9-]++\.){2,}+[A-Za-z]{2,}+"
        + r"(?![\w-]|\.\w)",
        (".",),
        True,
    ),
    _rule("HEX", _START + r"0[xX][0-9a-fA-F]+" + _END, ("0x", "0X"), True),
    # Long hex runs (hashes, request ids, addresses) need a digit and a letter so that words
    # such as "deadbeef" or "accepted" survive.
    _rule(
        "HEX",
        _START + r"(?=[0-9a-fA-F]*[0-9])(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}" + _END,
        digit=True,
    ),
    # "1190 bytes (1.16 KB)" is one size written twice, not two values.
    _rule("SIZE", _START + _SIZE + r"(?: \(" + _SIZE + r"\))?" + _END, digit=True),
    _rule(
        "DURATION",
        # "<1 sec" is how some tools write a duration below their resolution.
        r"(?<![A-Za-z0-9<])<?"
        + _NUMBER
        + r" ?(?:ns|us|µs|ms|msecs?|milliseconds?|s|secs?|seconds?|mins?|minutes?|h|hours?)"
        + _END,
        digit=True,
    ),
    _rule("NUM", _START + r"[-+]?" + _NUMBER + _END, digit=True),
)

_SUBSTITUTIONS = tuple(
    (rule.pattern, rule.placeholder, rule.needs, rule.needs_digit) for rule in MASK_RULES
)
_DIGIT = re.compile(r"\d")


def mask_message(message: str) -> str:
    """Return ``message`` with its variable parts replaced by placeholders such as ``<NUM>``.

    Whitespace is normalised to single spaces because runs of spaces carry no meaning in an
    error message but would otherwise make two occurrences of it differ.
    """
    masked = " ".join(message.split())
    has_digit = _DIGIT.search(masked) is not None  # masking only removes digits
    for pattern, placeholder, needs, needs_digit in _SUBSTITUTIONS:
        if needs_digit and not has_digit:
            continue
        for needed in needs:
            if needed in masked:
                break
        else:
            if needs:
                continue
        masked = pattern.sub(placeholder, masked)
    return masked
