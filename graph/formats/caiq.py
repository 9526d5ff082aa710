"""Import a provider's CAIQ v4 answers (CSA's XLSX or a CSV) as that provider's declarations.

Each row answers one question (``A&A-01.1``) of a CCM v4 control (``A&A-01``; the ``CCM Control
ID`` column, else the question id without its suffix). CCM ids reach the catalog through the
``ccm-v4`` crosswalk (``seed_data/crosswalks/ccm-v4.yaml``); a file may also name catalog ids
(``10.5.1``) or typed ids (``27002:2013/A.12.3.1``) directly. Everything the rows say about one
catalog control becomes one declaration:

* status: the worst answer of the lattice (``No`` -> ``not_implemented``, ``Yes`` -> ``declared``,
  ``NA`` -> ``not_applicable``, which counts as the top);
* ``assigns`` from the SSRM Control Ownership (table below; several rows: a customer part and a
  provider part together make ``shared``);
* notes: each question's implementation description, the CSC responsibilities and the
  third-party remarks, one line per question.

==========================  ==========================================================
SSRM Control Ownership      declaration
==========================  ==========================================================
CSP-owned                   no ``assigns`` (the provider does it)
CSC-owned                   ``assigns: customer``
Shared CSP and CSC          ``assigns: shared``
3rd-party outsourced        no ``assigns``; noted (model the third party as an upstream
                            provider of this node)
Shared CSP and 3rd-party    no ``assigns``; noted (the third party is an upstream
                            provider with a shared split)
(empty)                     no ``assigns`` (the catalog default stands)
==========================  ==========================================================

Rows that cannot land on the catalog are reported, never dropped: ``unmapped`` lists the CCM
controls with no ISO/IEC 27002:2005 counterpart, ``unanswered`` the questions with no answer.
A row that is wrong (an unknown id, ownership or answer) is an error naming its row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from obligraph.graph.catalog import DEFAULT_CATALOG, Catalog, load_catalog
from obligraph.graph.crosswalk import ControlIdError, CrosswalkControl, is_typed, load_crosswalk, resolve_control_id
from obligraph.graph.errors import ChainError, Issue
from obligraph.graph.formats.caiq_table import FILE, normal, read_table
from obligraph.graph.schema import parse_declaration

#: ownership (normalised) -> (whose part it is: provider, customer or shared; the remark for the notes)
OWNERSHIP: dict[str, tuple[str | None, str | None]] = {
    "csp-owned": ("provider", None),
    "csc-owned": ("customer", None),
    "shared csp and csc": ("shared", None),
    "shared": ("shared", None),
    "3rd-party outsourced": ("provider", "3rd-party outsourced: model the third party as an upstream provider"),
    "third-party outsourced": ("provider", "3rd-party outsourced: model the third party as an upstream provider"),
    "shared csp and 3rd-party": (
        "provider",
        "Shared CSP and 3rd-party: model the third party as an upstream provider with a shared split",
    ),
    "shared csp and third-party": (
        "provider",
        "Shared CSP and 3rd-party: model the third party as an upstream provider with a shared split",
    ),
    "": (None, None),
}
OWNERSHIP_NAMES = "CSP-owned, CSC-owned, Shared CSP and CSC, 3rd-party outsourced or Shared CSP and 3rd-party"
ANSWERS = {
    "yes": "declared",
    "no": "not_implemented",
    "na": "not_applicable",
    "n/a": "not_applicable",
    "not applicable": "not_applicable",
}
#: Worst first, as the status lattice orders them (not_applicable counts as the top).
ANSWER_ORDER = ("not_implemented", "declared", "not_applicable")
NOTES_LIMIT = 10_000
NODE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")  # as schema.NodeId
CCM_ID = re.compile(r"^[A-Z&]{2,4}-\d{2}$")
CCM_QUESTION = re.compile(r"^(?P<control>[A-Za-z&]{2,4}-\d{2})\.\d+$")


@dataclass
class CaiqImport:
    """What a CAIQ file says about one provider, and what of it could not land on the catalog."""

    node: str
    catalog: str
    declarations: list[dict[str, Any]] = field(default_factory=list)
    #: CCM controls with no counterpart in the catalog: {"control", "title", "questions", "rows", "reason"}
    unmapped: list[dict[str, Any]] = field(default_factory=list)
    #: questions left without an answer: {"question", "row"}
    unanswered: list[dict[str, Any]] = field(default_factory=list)
    questions: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "questions": self.questions,
            "declarations": len(self.declarations),
            "unmapped": self.unmapped,
            "unanswered": self.unanswered,
        }


@dataclass
class _Answer:
    row: int
    question: str  # empty when the file has no Question ID column
    status: str
    ownership: str
    description: str
    csc: str


def read_caiq(data: bytes | str, *, node_id: str, catalog: str = DEFAULT_CATALOG) -> list[dict[str, Any]]:
    """The declarations for provider ``node_id`` (see :func:`import_caiq` for what was left out)."""
    return import_caiq(data, node_id=node_id, catalog=catalog).declarations


def import_caiq(data: bytes | str, *, node_id: str, catalog: str = DEFAULT_CATALOG) -> CaiqImport:
    """Read a CAIQ file; every problem names its row and column, all of them at once."""
    if not isinstance(node_id, str) or not NODE_ID.match(node_id):
        raise ChainError.at(("node_id",), f"{node_id!r} is not a valid node id; name the provider the answers are for")
    known = load_catalog(catalog)
    table = read_table(data)
    result = CaiqImport(node=node_id, catalog=known.id)
    issues: list[Issue] = []
    by_control: dict[str, list[_Answer]] = {}
    unmapped: dict[str, dict[str, Any]] = {}
    seen_questions: dict[str, int] = {}
    for number, cells in table.rows:
        where = f"{table.where} {number}"
        question = table.cell(cells, "question")
        source = table.cell(cells, "control") or _control_of_question(question)
        answer, ownership = table.cell(cells, "answer"), table.cell(cells, "ownership")
        label = table.labels.get("control" if table.cell(cells, "control") else "question", "Control ID")
        problems: list[Issue] = []
        if not source:
            problems.append(Issue(f"{where}, column {label}", "the control id is empty; fill it in"))
        key = question or source
        if key and key in seen_questions:
            problems.append(
                Issue(
                    f"{where}, column {table.labels.get('question' if question else 'control', label)}",
                    f"'{key}' was already answered in row {seen_questions[key]}; keep one row per question",
                )
            )
        if normal(ownership) not in OWNERSHIP:
            problems.append(
                Issue(
                    f"{where}, column {table.labels['ownership']}",
                    f"'{ownership}' is not an SSRM ownership (expected {OWNERSHIP_NAMES})",
                )
            )
        status = ANSWERS.get(normal(answer)) if answer else None
        if answer and status is None:
            problems.append(
                Issue(
                    f"{where}, column {table.labels['answer']}", f"'{answer}' is not an answer (expected Yes, No or NA)"
                )
            )
        targets: tuple[str, ...] = ()
        if source:
            try:
                targets = catalog_controls(source, known)
            except ControlIdError as exc:
                problems.append(Issue(f"{where}, column {label}", str(exc)))
        if problems:
            issues.extend(problems)
            continue
        seen_questions[key] = number
        result.questions += 1
        if status is None:
            result.unanswered.append({"question": key, "row": number})
            continue
        if not targets:
            entry = unmapped.setdefault(
                source, {"control": source, "title": _ccm_title(source), "questions": [], "rows": []}
            )
            entry["questions"].append(key)
            entry["rows"].append(number)
            continue
        found = _Answer(
            number, question, status, normal(ownership), table.cell(cells, "description"), table.cell(cells, "csc")
        )
        for control in targets:
            by_control.setdefault(control, []).append(found)
    if issues:
        raise ChainError(issues, source=f"{FILE} for '{node_id}'")
    result.unmapped = [{**entry, "reason": _unmapped_reason(entry["control"], known)} for entry in unmapped.values()]
    for control in sorted(by_control, key=lambda c: known.index[c]):
        result.declarations.append(_declaration(control, by_control[control]))
    for index, declaration in enumerate(result.declarations):
        try:
            parse_declaration(declaration)
        except ValidationError as exc:
            raise ChainError(
                [
                    Issue(f"declaration {index} ({declaration['control']})", e.message)
                    for e in ChainError.from_validation(exc).issues
                ],
                source=f"{FILE} for '{node_id}'",
            ) from None
    if not result.declarations and not result.unmapped and not result.unanswered:
        raise ChainError(f"{FILE} has a header but no answered rows; add one row per question")
    return result


def catalog_controls(control: str, catalog: Catalog) -> tuple[str, ...]:
    """The catalog controls a CAIQ row's control id stands for; empty when a CCM control has none.

    The one place ids are mapped: CCM v4 ids through the ``ccm-v4`` crosswalk, typed ids
    (``27002:2013/A.12.3.1``) through theirs, catalog ids as they are.
    """
    if CCM_ID.match(control.upper()) and control not in catalog:
        crosswalk = load_crosswalk("ccm-v4")
        local = control.upper()
        if local not in crosswalk:
            raise ControlIdError(f"'{control}' is not a control of {crosswalk.name} (ids look like 'A&A-02')")
        if not crosswalk.catalog_ids(local):
            return ()
        return resolve_control_id(crosswalk.typed(local), catalog)
    if is_typed(control) or control not in catalog:
        return resolve_control_id(control, catalog)
    return (control,)


def _control_of_question(question: str) -> str:
    """``A&A-01.1`` -> ``A&A-01``: a question id is its control id and a question number."""
    match = CCM_QUESTION.match(question)
    return match.group("control") if match else question


def _ccm_entry(control: str) -> CrosswalkControl | None:
    crosswalk = load_crosswalk("ccm-v4")
    if control.upper() not in crosswalk:
        return None
    return crosswalk[control.upper()]


def _ccm_title(control: str) -> str | None:
    entry = _ccm_entry(control)
    return entry.title if entry is not None else None


def _unmapped_reason(control: str, catalog: Catalog) -> str:
    entry = _ccm_entry(control)
    note = f": {entry.note}" if entry is not None and entry.note else ""
    return (
        f"CCM {control} has no counterpart in ISO/IEC 27002:2005, so catalog '{catalog.id}' has no control for it{note}"
    )


def _declaration(control: str, answers: list[_Answer]) -> dict[str, Any]:
    status = min((a.status for a in answers), key=ANSWER_ORDER.index)
    sides = {OWNERSHIP[a.ownership][0] for a in answers} - {None}
    if "shared" in sides or {"customer", "provider"} <= sides:
        assigns: str | None = "shared"
    elif sides == {"customer"}:
        assigns = "customer"
    else:
        assigns = None
    lines = []
    for a in answers:
        parts = [a.description] if a.description else []
        if a.csc:
            parts.append(f"CSC responsibilities: {a.csc}")
        remark = OWNERSHIP[a.ownership][1]
        if remark:
            parts.append(remark)
        if parts:
            lines.append((f"{a.question}: " if a.question else "") + " ".join(parts))
    declaration: dict[str, Any] = {"control": control, "status": status}
    if assigns:
        declaration["assigns"] = assigns
    notes = "\n".join(dict.fromkeys(lines))
    if len(notes) > NOTES_LIMIT:
        notes = notes[: NOTES_LIMIT - 40].rstrip() + "\n(truncated: see the CAIQ file)"
    if notes:
        declaration["notes"] = notes
    return declaration
