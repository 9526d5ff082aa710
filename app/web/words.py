"""Enum values in words, in the page's language: what select lists and tables show.

The API and the files keep the values (``not_implemented``); people read words ("not
implemented", 未実施). ``word(value)`` looks a value up in every group; ``choices(group)`` gives
(value, words) pairs for a select list.
"""

from __future__ import annotations

from obligraph.app.web.i18n import gettext


def N_(message: str) -> str:
    return message


WORDS: dict[str, dict[str, str]] = {
    "status": {
        "not_implemented": N_("not implemented"),
        "unknown": N_("unknown"),
        "partial": N_("partial"),
        "declared": N_("declared"),
        "verified": N_("verified"),
        "not_applicable": N_("not applicable"),
    },
    "layer": {
        "infra": N_("infrastructure"),
        "iaas": N_("IaaS"),
        "paas": N_("PaaS"),
        "saas": N_("SaaS"),
        "customer": N_("customer organisation"),
    },
    "evidence": {
        "certification": N_("certification"),
        "audit_report": N_("audit report"),
        "attestation": N_("attestation"),
        "self_assessment": N_("self-assessment"),
        "contract": N_("contract"),
        "policy": N_("policy"),
        "other": N_("other"),
    },
    "responsibility": {
        "provider": N_("the provider"),
        "shared": N_("shared"),
        "customer": N_("the consumer itself"),
    },
    "criticality": {"high": N_("high"), "medium": N_("medium"), "low": N_("low")},
    "gap_kind": {
        "origin": N_("origin"),
        "inherited": N_("inherited"),
        "mixed": N_("mixed"),
        "circular": N_("circular"),
    },
    "independence": {"third_party": N_("third party"), "internal": N_("internal")},
}
_ANY = {value: words for group in WORDS.values() for value, words in group.items()}


def word(value: object, group: str | None = None) -> str:
    """``value`` (an enum or its text) in words; unknown values are shown as they are."""
    text = getattr(value, "value", value)
    if text is None:
        return ""
    text = str(text)
    found = WORDS.get(group, {}).get(text) if group else _ANY.get(text)
    return gettext(found) if found else text


def choices(group: str, values: list[str] | None = None) -> list[tuple[str, str]]:
    table = WORDS[group]
    return [(value, gettext(table.get(value, value))) for value in (values or list(table))]
