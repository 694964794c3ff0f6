"""Grouping of unknown error messages into stable signatures (templates with variables masked).

How a batch of messages becomes signatures:

1. Each message is masked (``masking.mask_message``): ids, numbers, paths, addresses, sizes and
   timestamps become placeholders such as ``<NUM>``.
2. The distinct masked messages are mined with Drain (a small implementation of it here,
   ``_Miner``, whose similarity ignores masked positions) in sorted order. Drain is
   order-dependent; feeding it a canonical order makes the result a pure function of the *set*
   of messages, so re-running over the same messages in any order, with any repetitions, gives
   the same ids.
3. A Drain cluster whose messages differ by a few words at one position ("VM Paused",
   "VM Started") is split into one group per word: those words name different events.
4. A group's template is what all its messages have in common: a position where they differ
   becomes ``<*>``; a position where they all carry the same placeholder keeps it (``<SIZE>``).
5. Groups whose templates differ only in the length of a run of variables ("<SIZE> sent" and
   "<SIZE> (<SIZE>) sent") or of a list of values ("blk_<NUM> blk_<NUM>") are one signature:
   Drain only compares messages with the same number of tokens.
6. The signature id is ``sig_`` + the first 12 hex digits of the SHA-256 of the template text, so
   an id depends on nothing but its template: same template, same id, in any run.

docs/error-grouping.md has the accuracy measurements behind these choices and what happens to
ids when new messages arrive.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass

from failmap.errors.masking import MASK_RULES, mask_message

_WILDCARD = "<*>"
_EMPTY_TEMPLATE = "<EMPTY>"
_PLACEHOLDER = re.compile(
    "<(?:" + "|".join(sorted({re.escape(rule.kind) for rule in MASK_RULES})) + r"|\*)>"
)
# A word: letters, possibly with inner apostrophes or hyphens ("isn't", "re-synch"), possibly one
# trailing digit ("SOCKS5", "en0"), possibly wrapped in punctuation ("'Active'", "failed:").
# Words name the kind of event; tokens with digit runs, dots or slashes inside are more often
# values.
_WORD = re.compile(r"[^A-Za-z0-9<]*[A-Za-z]+(?:['-][A-Za-z]+)*\d?[^A-Za-z0-9<]*")
# A name: words joined by "_", "::" or "." as well ("itemasync_SetProperty",
# "AppleMultitouchDevice::start"), still without digits inside. Names of functions, classes and
# services name the event as words do (``identifiers_are_words``).
_IDENTIFIER = re.compile(r"[^A-Za-z0-9<]*[A-Za-z]+(?:(?:['_-]|::|\.)[A-Za-z]+)*\d?[^A-Za-z0-9<]*")
_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]")
_PUNCTUATION = "'\"`()[]{}<>,.;:!?"


@dataclass(frozen=True, slots=True)
class GroupingConfig:
    """The Drain settings used for every log source; chosen once on the loghub average."""

    similarity_threshold: float = 0.7
    depth: int = 4
    # Split tokens at brackets, list separators and "=" so that "uid=0" and "(host)" expose the
    # value as its own token instead of making the whole token differ.
    delimiters: str = "()[]{},;="
    # A position where the messages of a cluster differ by at most this many words names the
    # event ("VM Paused" / "VM Started"); with more words it is a value ("user alice", ...).
    # 0 turns the rule off.
    max_event_words: int = 3
    # The rules below are switches so that benchmarks/error_grouping.py can measure what each
    # one is worth on sources it was not chosen on (docs/error-grouping.md); the defaults are
    # the rules kept.
    # Similarity ignores positions masked in both template and message (see ``_Miner``).
    mask_aware_similarity: bool = True
    # Groups whose templates differ only in the length of a run of variables are one signature.
    merge_variable_runs: bool = True
    # For the event-word rule, names joined by "_", "::" or "." count as words.
    identifiers_are_words: bool = True
    # Candidate rules, measured and not kept (docs/error-grouping.md):
    # only words route messages through the prefix tree (see ``_Miner``);
    route_by_words: bool = False
    # the words at event positions may form at most ``max_event_words`` combinations;
    cap_event_combinations: bool = False
    # true/false/null/none are values, never event words;
    literals_are_values: bool = False
    # a second pass merges groups of one length whose templates differ only where one of them
    # has a variable.
    merge_variable_positions: bool = False
    # the value of a ``key=value`` field (a word, a quoted string with spaces, ``name{...}``)
    # is a variable.
    field_values_are_variables: bool = False
    # words that vary at more than one position (of any group) are values, not event words.
    shared_words_are_values: bool = False


DEFAULT_CONFIG = GroupingConfig()


@dataclass(frozen=True, slots=True)
class Signature:
    """A group of error messages: its stable id and its template (variables masked)."""

    signature_id: str
    template: str


@dataclass(frozen=True, slots=True)
class SignatureSummary:
    """One signature with how many input messages it covers and a few distinct examples."""

    signature_id: str
    template: str
    count: int
    examples: tuple[str, ...]


def signature_id_for(template: str) -> str:
    """Return the id of a template: ``sig_`` + first 12 hex digits of its SHA-256."""
    return "sig_" + hashlib.sha256(template.encode("utf-8")).hexdigest()[:12]


EMPTY_SIGNATURE = Signature(signature_id_for(_EMPTY_TEMPLATE), _EMPTY_TEMPLATE)


def group_messages(
    messages: Sequence[str], config: GroupingConfig = DEFAULT_CONFIG
) -> list[Signature]:
    """Return the signature of each message, in input order (one per message).

    Blank messages (empty or whitespace only) all get ``EMPTY_SIGNATURE`` so that the output
    stays aligned with the input line for line. The result depends only on the set of distinct
    messages, not on their order or repetitions.
    """
    masked_by_message: dict[str, str] = {}
    for index, message in enumerate(messages):
        if not isinstance(message, str):
            raise TypeError(
                f"message {index} is a {type(message).__name__}, not a str; pass the error "
                "messages as text (decode bytes, replace missing messages with '')"
            )
        if message not in masked_by_message:
            masked_by_message[message] = masked_form(message, config)
    signature_by_masked = group_masked_forms(masked_by_message.values(), config)
    return [signature_by_masked[masked_by_message[message]] for message in messages]


def masked_form(message: str, config: GroupingConfig = DEFAULT_CONFIG) -> str:
    """The text a message is grouped by: the message masked, ``""`` for a blank message.

    Messages with one masked form always share a signature, and the grouping is a function of
    the set of masked forms (``group_masked_forms``); failmap.errors.store keeps each message's
    masked form so that it can tell, without masking old messages again, whether a refresh
    can change the grouping at all. A non-blank message never masks to ``""`` (placeholders
    are text).
    """
    if not message.strip():
        return ""
    masked = mask_message(message)
    if config.field_values_are_variables:
        masked = _FIELD_VALUE.sub(_mask_field_value, masked)
    return masked


def group_masked_forms(
    masked_forms: Iterable[str], config: GroupingConfig = DEFAULT_CONFIG
) -> dict[str, Signature]:
    """Return the signature of each distinct masked form (``masked_form``), ``""`` included.

    The distinct non-blank forms are mined in sorted order, so the result depends only on
    their set; ``""`` (blank messages) is ``EMPTY_SIGNATURE`` and takes no part in the mining.
    """
    distinct = set(masked_forms)
    signature_by_masked = _signatures_of(sorted(distinct - {""}), config)
    if "" in distinct:
        signature_by_masked[""] = EMPTY_SIGNATURE
    return signature_by_masked


def summarize_signatures(
    messages: Sequence[str], signatures: Sequence[Signature], max_examples: int = 3
) -> list[SignatureSummary]:
    """Return each distinct signature with its message count and up to ``max_examples`` examples.

    ``signatures`` is the output of ``group_messages(messages)``. Most frequent first (ties by
    id); examples are the smallest distinct messages in sort order, so they do not depend on the
    input order either.
    """
    if len(messages) != len(signatures):
        raise ValueError(
            f"got {len(messages)} messages but {len(signatures)} signatures; pass the output of "
            "group_messages(messages) for the same messages"
        )
    counts: dict[Signature, int] = defaultdict(int)
    distinct: dict[Signature, set[str]] = defaultdict(set)
    for message, signature in zip(messages, signatures, strict=True):
        counts[signature] += 1
        distinct[signature].add(message)
    return [
        SignatureSummary(
            signature_id=signature.signature_id,
            template=signature.template,
            count=count,
            examples=tuple(sorted(distinct[signature])[:max_examples]),
        )
        for signature, count in sorted(counts.items(), key=_most_frequent_first)
    ]


def _most_frequent_first(item: tuple[Signature, int]) -> tuple[int, str]:
    signature, count = item
    return -count, signature.signature_id


def find_successors(previous: Iterable[Signature], current: Iterable[Signature]) -> dict[str, str]:
    """Map ids of previous signatures that vanished to the current signature that covers them.

    When new messages arrive, a template can generalize ("user cyrus" -> "user <*>"), and its id
    changes with it. This links the old id to the new one, so history can be carried over: a
    current template covers a previous one when its ``<*>`` can stand for the text the previous
    template has there (and its " ..." for more of a repeated value). The most specific cover
    wins (most literal text, then smallest id).
    """
    current_signatures = set(current)
    current_ids = {signature.signature_id for signature in current_signatures}
    covers = [
        (_cover_pattern(signature.template), _literal_length(signature.template), signature)
        for signature in current_signatures
    ]
    successors: dict[str, str] = {}
    for old in set(previous):
        if old.signature_id in current_ids:
            continue
        candidates = [
            (-literal_length, signature.signature_id)
            for pattern, literal_length, signature in covers
            if pattern.fullmatch(old.template)
        ]
        if candidates:
            successors[old.signature_id] = min(candidates)[1]
    return successors


# The slots of a template that stand for text: "<*>" (something) and the " ..." after a value
# that may repeat (nothing or more of it).
_SLOT = re.compile(r"<\*>| \.\.\.(?=\s|$)")


def _cover_pattern(template: str) -> re.Pattern[str]:
    pattern = []
    position = 0
    for slot in _SLOT.finditer(template):
        pattern.append(re.escape(template[position : slot.start()]))
        pattern.append(".+?" if slot.group() == _WILDCARD else ".*?")
        position = slot.end()
    pattern.append(re.escape(template[position:]))
    return re.compile("".join(pattern), re.DOTALL)


def _literal_length(template: str) -> int:
    return len(_PLACEHOLDER.sub("", template))


class _Cluster:
    """A group of messages of one length being mined: its template and its members."""

    __slots__ = ("members", "template")

    def __init__(self, tokens: tuple[str, ...], index: int) -> None:
        self.template = list(tokens)
        self.members = [index]


class _Node:
    """A node of the prefix tree: children by routing token, clusters at a leaf."""

    __slots__ = ("children", "clusters")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.clusters: list[_Cluster] = []


class _Miner:
    """Drain's online clustering (He et al. 2017), with a similarity that ignores masked tokens.

    Drain sends a message down a prefix tree keyed by its length and first tokens (a token with
    a digit goes down a shared wildcard branch), compares it with the clusters of the leaf it
    reaches and joins the most similar one when the similarity reaches the threshold (the
    template keeps the tokens all members share, ``<*>`` elsewhere); otherwise it starts a
    cluster.

    Similarity ignores masked tokens (``mask_aware_similarity``). Drain counts a placeholder
    matching a placeholder as a mismatch, so a message with many masked values looks unlike its
    own family as soon as one word differs. Here the score is the share of equal tokens among
    the positions that are not masked in both: a masked value is known to vary and says nothing
    either way. ``route_by_words`` (off) sends every non-word, not only tokens with digits, down
    the wildcard branch.

    It is written here rather than by overriding drain3's ``Drain`` because the two hooks that
    would need (``has_numbers``, ``get_seq_distance``) are not public API.
    """

    def __init__(self, config: GroupingConfig) -> None:
        self.routing_tokens = max(config.depth - 3, 0)  # drain3's depth counts root and length
        self.threshold = config.similarity_threshold
        self.mask_aware = config.mask_aware_similarity
        self.is_route_word = _is_word if config.route_by_words else _has_no_digit
        self.root: dict[int, _Node] = {}
        self.clusters: list[_Cluster] = []

    def add(self, tokens: tuple[str, ...], index: int) -> None:
        """Put message ``index`` (its tokens, placeholders as ``<*>``) into a cluster."""
        cluster = self._best_match(tokens)
        if cluster is None:
            cluster = _Cluster(tokens, index)
            self.clusters.append(cluster)
            self._leaf_for_new(tokens).clusters.append(cluster)
            return
        cluster.members.append(index)
        template = cluster.template
        for position, token in enumerate(tokens):
            if template[position] != token:
                template[position] = _WILDCARD

    def _route(self, tokens: tuple[str, ...]) -> list[str]:
        return [
            token if self.is_route_word(token) else _WILDCARD
            for token in tokens[: min(self.routing_tokens, len(tokens) - 1)]
        ]

    def _best_match(self, tokens: tuple[str, ...]) -> _Cluster | None:
        node = self.root.get(len(tokens))
        for key in self._route(tokens):
            if node is None:
                return None
            node = node.children.get(key) or node.children.get(_WILDCARD)
        if node is None:
            return None
        best, best_similarity, best_wildcards = None, -1.0, -1
        for cluster in node.clusters:
            similarity, wildcards = _similarity(cluster.template, tokens, self.mask_aware)
            if similarity > best_similarity or (
                similarity == best_similarity and wildcards > best_wildcards
            ):
                best, best_similarity, best_wildcards = cluster, similarity, wildcards
        return best if best_similarity >= self.threshold else None

    def _leaf_for_new(self, tokens: tuple[str, ...]) -> _Node:
        node = self.root.setdefault(len(tokens), _Node())
        for key in self._route(tokens):
            node = node.children.setdefault(key, _Node())
        return node


def _similarity(
    template: Sequence[str], tokens: Sequence[str], mask_aware: bool
) -> tuple[float, int]:
    """Return (similarity, wildcard count) of a cluster template and a message's tokens."""
    equal = wildcards = both_masked = 0
    for template_token, token in zip(template, tokens, strict=True):
        if template_token == _WILDCARD:
            wildcards += 1
            both_masked += token == _WILDCARD
        elif template_token == token:
            equal += 1
    compared = len(template) - (both_masked if mask_aware else 0)
    return (equal / compared if compared else 1.0), wildcards


def _has_no_digit(token: str) -> bool:
    """Stock Drain's test for a token that routes as itself rather than as a variable."""
    return not any(char.isdigit() for char in token)


def _memoized_fullmatch(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    """Whether `pattern` matches a whole token, remembered per token: the same few thousand
    tokens recur across a run's messages (the memo is emptied past 100,000 tokens)."""
    known_tokens: dict[str, bool] = {}

    def matches(token: str) -> bool:
        known = known_tokens.get(token)
        if known is None:
            if len(known_tokens) > 100_000:
                known_tokens.clear()
            known = known_tokens[token] = pattern.fullmatch(token) is not None
        return known

    return matches


_is_word = _memoized_fullmatch(_WORD)
_is_identifier = _memoized_fullmatch(_IDENTIFIER)


@dataclass(frozen=True, slots=True)
class _Tokens:
    """A masked message cut into tokens, with the separator text before each token."""

    tokens: tuple[str, ...]
    separators: tuple[str, ...]  # len(tokens) + 1: before each token, then the trailing text


@functools.lru_cache(maxsize=8)
def _splitter(delimiters: str) -> re.Pattern[str]:
    return re.compile("([\\s" + re.escape(delimiters) + "]+)")


def _tokenize(masked: str, delimiters: str) -> _Tokens:
    pieces = _splitter(delimiters).split(masked)  # token, separator, token, ..., token
    tokens = pieces[0::2]
    separators = ["", *pieces[1::2], ""]
    # The split yields an empty token first (last) when the text starts (ends) with a separator.
    if tokens[0] == "":
        tokens, separators = tokens[1:], [separators[1], *separators[2:]]
    if tokens and tokens[-1] == "":
        tokens, separators = tokens[:-1], [*separators[:-2], separators[-2]]
    if not tokens:  # only punctuation: keep it whole rather than as an empty message
        return _Tokens((masked,), ("", ""))
    return _Tokens(tuple(tokens), tuple(separators))


def _signatures_of(distinct_masked: list[str], config: GroupingConfig) -> dict[str, Signature]:
    """Mine the sorted distinct masked messages; return the signature of each."""
    miner = _Miner(config)
    tokenized = [_tokenize(masked, config.delimiters) for masked in distinct_masked]
    for index, masked in enumerate(distinct_masked):
        # Placeholders hold no delimiter, so the tokens are those of ``tokenized``.
        miner.add(_tokenize(_PLACEHOLDER.sub(_WILDCARD, masked), config.delimiters).tokens, index)
    members = [cluster.members for cluster in miner.clusters]

    positions = [_event_word_positions(indices, tokenized, config) for indices in members]
    if config.shared_words_are_values:
        positions = _without_shared_words(positions)
    parts = [
        part
        for indices, event_positions in zip(members, positions, strict=True)
        for part in _split_at_event_words(indices, tokenized, event_positions, config)
    ]
    if config.merge_variable_positions:
        parts = _merge_variable_positions(parts, tokenized)
    shape_by_index: dict[int, _Shape] = {}
    for part in parts:
        shape = _cluster_shape([tokenized[index] for index in part])
        shape_by_index.update(dict.fromkeys(part, shape))

    def key_of(shape: _Shape) -> Hashable:
        return shape.key if config.merge_variable_runs else (shape.texts, shape.separators)

    shapes_by_key: dict[Hashable, set[_Shape]] = defaultdict(set)
    for shape in shape_by_index.values():
        shapes_by_key[key_of(shape)].add(shape)
    signature_by_key = {
        key: _signature_of_shapes(list(shapes)) for key, shapes in shapes_by_key.items()
    }
    return {
        masked: signature_by_key[key_of(shape_by_index[index])]
        for index, masked in enumerate(distinct_masked)
    }


def _event_word_positions(
    indices: list[int], tokenized: list[_Tokens], config: GroupingConfig
) -> dict[int, frozenset[str]]:
    """The positions of a Drain cluster that hold a few different words, with those words.

    Drain merges messages that share enough tokens, whatever the differing tokens are. A
    position where members differ only by words, and by few of them ("VM Paused", "VM Started",
    "VM Stopped"), names the event; many different words there ("user alice", "user bob", ...)
    are values.
    """
    if len(indices) < 2:
        return {}
    is_word = _is_identifier if config.identifiers_are_words else _is_word
    width = len(tokenized[indices[0]].tokens)
    positions = {}
    for position in range(width):
        values = frozenset(tokenized[index].tokens[position] for index in indices)
        if not 1 < len(values) <= config.max_event_words:
            continue
        if not all(is_word(value) for value in values):
            continue
        if config.literals_are_values and any(_is_literal(value) for value in values):
            continue
        positions[position] = values
    return positions


def _without_shared_words(
    positions_by_cluster: list[dict[int, frozenset[str]]],
) -> list[dict[int, frozenset[str]]]:
    """Drop event positions whose words also vary at another position (of any cluster).

    A word that fills a varying slot in several contexts ("session opened for user cyrus",
    "session closed for user cyrus") is an entity the events are about, not the name of one
    event; an event word ("VM Paused") varies in one place only.
    """
    contexts: dict[str, int] = defaultdict(int)
    for positions in positions_by_cluster:
        for values in positions.values():
            for value in values:
                contexts[value.strip(_PUNCTUATION)] += 1
    return [
        {
            position: values
            for position, values in positions.items()
            if sum(contexts[value.strip(_PUNCTUATION)] > 1 for value in values) < 2
        }
        for positions in positions_by_cluster
    ]


def _split_at_event_words(
    indices: list[int],
    tokenized: list[_Tokens],
    positions: dict[int, frozenset[str]],
    config: GroupingConfig,
) -> list[list[int]]:
    """Split a Drain cluster into one group per combination of words at its event positions.

    Splitting after Drain, rather than forbidding the merge inside it, keeps the work linear
    when a variable happens to be spelled in letters only.
    """
    if not positions:
        return [indices]
    parts: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index in indices:
        parts[tuple(tokenized[index].tokens[p] for p in positions)].append(index)
    if config.cap_event_combinations and len(parts) > config.max_event_words:
        return [indices]
    return list(parts.values())


def _merge_variable_positions(parts: list[list[int]], tokenized: list[_Tokens]) -> list[list[int]]:
    """Merge groups of one length whose templates differ only where one has a variable.

    Drain compares a message with cluster templates as they are when it arrives, so one event
    can end up in two clusters: one whose template has ``<*>`` at a position and one that still
    has a constant there. Groups are compared within their length and first token.
    """
    buckets: dict[tuple[int, str], list[tuple[list[str], list[int]]]] = defaultdict(list)
    for part in parts:
        tokens = tokenized[part[0]].tokens
        template = [
            _common((tokenized[index].tokens[i] for index in part), _WILDCARD)
            for i in range(len(tokens))
        ]
        bucket = buckets[(len(tokens), template[0] if template else "")]
        for merged_template, merged in bucket:
            if all(
                a == b or _is_variable(a) or _is_variable(b)
                for a, b in zip(merged_template, template, strict=True)
            ):
                merged.extend(part)
                for i, (a, b) in enumerate(zip(merged_template, template, strict=True)):
                    if a != b:
                        merged_template[i] = _WILDCARD
                break
        else:
            bucket.append((template, list(part)))
    return [merged for bucket in buckets.values() for _, merged in bucket]


# The value of a "key=value" field: a quoted string ("tag=\"View Lock\""), a name with a braced
# part ("ws=WorkSource{10113}") or a token up to the next separator ("allDrawn= false"); not
# the next key ("ruser= rhost=x").
_FIELD_VALUE = re.compile(
    r"(?<=[\w\]]=)( ?)(\"[^\"]*\"|'[^']*'|[^\s,;()\[\]{}\"'=]+(?:\{[^{}]*\})?)(?![\w=])"
)


def _mask_field_value(match: re.Match[str]) -> str:
    """A field's value as ``<*>``, unless it is a placeholder already or an unquoted word.

    Words are left to the event-word rule, which knows whether few or many of them occur.
    """
    value = match.group(2)
    if value[0] not in "\"'" and (_PLACEHOLDER.fullmatch(value) or _is_word(value)):
        return match.group(0)
    return match.group(1) + _WILDCARD


_LITERALS = frozenset({"true", "false", "null", "none", "nil"})


def _is_literal(token: str) -> bool:
    return token.strip(_PUNCTUATION).lower() in _LITERALS


@dataclass(frozen=True, slots=True)
class _Shape:
    """A group's template cut into units: constants, runs of variables, runs of repeated values.

    Groups with equal ``key`` (see ``_unit_key``) are one signature. ``texts`` and
    ``separators`` are how the units are written.
    """

    key: tuple[str | None, ...]
    texts: tuple[str, ...]
    separators: tuple[str, ...]  # len(texts) + 1


def _common(values: Iterable[str], fallback: str) -> str:
    iterator = iter(values)
    first = next(iterator)
    return first if all(value == first for value in iterator) else fallback


def _is_variable(token: str) -> bool:
    """A template token that holds no constant text: ``<*>``, ``<NUM>:<NUM>``, ``(<SIZE>)``..."""
    stripped = _PLACEHOLDER.sub("", token)
    return stripped != token and _ALPHANUMERIC.search(stripped) is None


def _cluster_shape(items: list[_Tokens]) -> _Shape:
    count = len(items[0].tokens)
    tokens = [_common((item.tokens[i] for item in items), _WILDCARD) for i in range(count)]
    separators = [
        _common((item.separators[i] for item in items), " " if 0 < i < count else "")
        for i in range(count + 1)
    ]
    key: list[str | None] = []
    texts: list[str] = []
    unit_separators: list[str] = [separators[0]]
    for i, token in enumerate(tokens):
        unit = _unit_key(token)
        if key and unit != token and unit == key[-1]:
            texts[-1] += separators[i] + token  # extend a run of variables or of repeated values
            continue
        if i > 0:
            unit_separators.append(separators[i])
        key.append(unit)
        texts.append(token)
    unit_separators.append(separators[count])
    return _Shape(tuple(key), tuple(texts), tuple(unit_separators))


def _unit_key(token: str) -> str | None:
    """How a template token counts when comparing shapes.

    ``None`` for a variable (``<*>``, ``<NUM>:<NUM>``): runs of them are one slot. A value with
    a fixed part (``blk_<NUM>``) may repeat, as in a list of blocks of any length, so its key
    is its text followed by " ...", which is also how a run of different lengths is written.
    Any other token is a constant and is its own key.
    """
    if _is_variable(token):
        return None
    if _PLACEHOLDER.search(token):
        return token + " ..."
    return token


def _signature_of_shapes(shapes: list[_Shape]) -> Signature:
    units = len(shapes[0].texts)
    key = shapes[0].key
    texts = [
        _common((shape.texts[u] for shape in shapes), _WILDCARD if (k := key[u]) is None else k)
        for u in range(units)
    ]
    separators = [
        _common((shape.separators[u] for shape in shapes), " " if 0 < u < units else "")
        for u in range(units + 1)
    ]
    template = "".join(sep + text for sep, text in zip(separators, texts, strict=False))
    template = (template + separators[-1]).strip()
    return Signature(signature_id_for(template), template)
