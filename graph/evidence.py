"""When an evidence item makes a ``verified`` declaration count as verified, and why (not).

An item *assures* control ``c`` on day ``as_of`` when all of these hold:

* its kind is ``audit_report`` or ``certification``;
* its ``independence`` is ``third_party`` (the default): an internal audit is for reference only;
* its ``scope``, when given, covers ``c`` (a control id, or a clause or objective prefix: ``"10"``
  and ``"10.5"`` cover ``"10.5.1"``);
* it is dated: an item with neither ``issued`` nor ``expires`` assures nothing;
* its ``issued`` day, when given, is on or before ``as_of``;
* it is in force on ``as_of``: up to and including ``expires``, or without one, up to and including
  the same day 12 months (audit report) or 36 months (certification) after ``issued``, clamped to
  the last day of a shorter month.

The checks run in that order and the first that fails gives the reason. The engine calls
``assurance_window`` once per declaration when it compiles a chain; the pages, the API and the
exports call ``assess`` to say why an item does or does not assure.

>>> from dataclasses import replace
>>> from obligraph.graph.schema import Evidence
>>> item = Evidence(kind="audit_report", ref="SOC 2", issued=date(2024, 2, 29))
>>> lapse_day(item)
datetime.date(2025, 2, 28)
>>> assess(item, "10.5.1", date(2025, 3, 1)).reason
'expired 2025-02-28'
>>> assess(replace(item, scope=["9"]), "10.5.1", date(2024, 6, 1)).reason
"outside the evidence's scope"
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Iterable

from obligraph.graph.lattice import EvidenceKind, Independence

if TYPE_CHECKING:
    from obligraph.graph.schema import Declaration, Evidence

#: Months an undated-expiry item stays in force after it was issued, per assuring kind.
VALIDITY_MONTHS = {EvidenceKind.AUDIT_REPORT: 12, EvidenceKind.CERTIFICATION: 36}

#: Days ahead within which in-force evidence counts as soon to lapse on the pages.
SOON_DAYS = 90

ISSUED_LATER = "issued after the analysis date"
INTERNAL = "internal audit"
OUT_OF_SCOPE = "outside the evidence's scope"
UNDATED = "no issue or expiry date"


@dataclass(frozen=True)
class EvidenceCheck:
    """Whether one evidence item assures a control on a day, and the reason in words."""

    assures: bool
    reason: str
    lapses: date | None  # the last day the item is in force (None when it never assures anything)

    def to_dict(self) -> dict[str, Any]:
        return {
            "assures": self.assures,
            "reason": self.reason,
            "lapses": self.lapses.isoformat() if self.lapses else None,
        }


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the last day of the month it lands in.

    >>> add_months(date(2025, 1, 31), 1), add_months(date(2024, 2, 29), 12)
    (datetime.date(2025, 2, 28), datetime.date(2025, 2, 28))
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def covers(scope: Iterable[str] | None, control: str) -> bool:
    """A scope covers a control it names, or whose id starts with one of its prefixes and a dot.

    >>> covers(["10.5", "6.1.3"], "10.5.1"), covers(["1"], "10.5.1"), covers(None, "10.5.1")
    (True, False, True)
    """
    if scope is None:
        return True
    return any(control == entry or control.startswith(entry + ".") for entry in scope)


def lapse_day(item: "Evidence") -> date | None:
    """The last day an assuring kind of item is in force; None when it has no date to count from."""
    if item.expires is not None:
        return item.expires
    months = VALIDITY_MONTHS.get(item.kind)
    if item.issued is None or months is None:
        return None
    return add_months(item.issued, months)


def assurance_window(item: "Evidence", control: str) -> tuple[date, date] | None:
    """The days (first, last) on which ``item`` assures ``control``; None when it never does.

    Everything but the day is settled here, so the engine compares two ordinals per item.
    """
    if item.kind not in VALIDITY_MONTHS or item.independence is Independence.INTERNAL:
        return None
    if not covers(item.scope, control):
        return None
    last = lapse_day(item)
    if last is None:
        return None
    return (item.issued or date.min), last


def assess(item: "Evidence", control: str, as_of: date) -> EvidenceCheck:
    """Whether ``item`` assures ``control`` on ``as_of``, with the first reason it does not."""
    last = lapse_day(item)
    if item.kind not in VALIDITY_MONTHS:
        return EvidenceCheck(
            False, f"{item.kind.value.replace('_', ' ')} is not an audit report or certification", None
        )
    if item.independence is Independence.INTERNAL:
        return EvidenceCheck(False, INTERNAL, None)
    if not covers(item.scope, control):
        return EvidenceCheck(False, OUT_OF_SCOPE, None)
    if last is None:
        return EvidenceCheck(False, UNDATED, None)
    if item.issued is not None and item.issued > as_of:
        return EvidenceCheck(False, ISSUED_LATER, last)
    if last < as_of:
        return EvidenceCheck(False, f"expired {last.isoformat()}", last)
    return EvidenceCheck(True, f"in force until {last.isoformat()}", last)


def assessments(declaration: "Declaration", as_of: date) -> list[EvidenceCheck]:
    """``assess`` for each evidence item of a declaration, in order."""
    return [assess(item, declaration.control, as_of) for item in declaration.evidence]


def assessed_items(declaration: "Declaration", as_of: date) -> list[dict[str, Any]]:
    """Each evidence item as JSON, with ``assures``, ``reason`` and ``in_force_until`` (its last day in
    force, or None) for the declaration's control on ``as_of``: what the API, pages and exports show."""
    from obligraph.graph.schema import dump_item  # schema imports this module

    return [
        {
            **dump_item(item),
            "assures": check.assures,
            "reason": check.reason,
            "in_force_until": check.lapses.isoformat() if check.lapses else None,
        }
        for item, check in zip(declaration.evidence, assessments(declaration, as_of))
    ]


def counted_note(declaration: "Declaration", as_of: date) -> str | None:
    """Why a ``verified`` declaration counts only as ``declared`` on ``as_of``; None when it counts in full."""
    from obligraph.graph.lattice import Status

    if declaration.status is not Status.VERIFIED:
        return None
    checks = assessments(declaration, as_of)
    if any(check.assures for check in checks):
        return None
    if not checks:
        return "verified without evidence: counts as declared"
    reasons = "; ".join(dict.fromkeys(check.reason for check in checks))
    return f"verified, but no evidence assures it ({reasons}): counts as declared"
