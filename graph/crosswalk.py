"""Crosswalks from today's control numbers to the ISO/IEC 27002:2005 ids the catalog uses.

``seed_data/crosswalks/*.yaml`` (format ``obligraph/crosswalk@1``, see ``docs/crosswalks.md``) map
ISO/IEC 27002:2022 and 27002:2013 controls, and CSA CCM v4 controls, to catalog controls. Anywhere a
control id is typed, a *typed id* names its scheme and resolves to the catalog ids it covers:

>>> from obligraph.graph.catalog import load_catalog
>>> meti = load_catalog("meti-2011")
>>> resolve_control_id("27002:2013/A.12.3.1", meti)
('10.5.1',)
>>> resolve_control_id("27002:2022/5.15", meti)
('11.1.1', '11.4.1')
>>> resolve_control_id("ccm:LOG-06", meti)
('10.10.6',)
>>> resolve_control_id("10.5.1", meti)
('10.5.1',)

An unknown id is explained from the scheme it belongs to, never with a near-miss from another one:

>>> print(unknown_control_message("A.12.3.1", meti))
'A.12.3.1' is not a control of catalog 'meti-2011'; it is ISO/IEC 27002:2013 numbering: write '27002:2013/A.12.3.1' (Information backup)
>>> print(unknown_control_message("9.1.11", meti))
'9.1.11' is not a control of catalog 'meti-2011'; did you mean '9.1.1'?

And a catalog control shows its modern numbers:

>>> iso27002_2022_ids("10.5.1")
('8.13',)
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from obligraph.graph.catalog import SAFE_LOADER, Catalog, CatalogJSON, load_catalog
from obligraph.graph.errors import ChainError

CROSSWALK_FORMAT = "obligraph/crosswalk@1"

#: Scheme prefix of a typed id -> the crosswalk file that holds it. ISO/IEC 27001's Annex A lists
#: the same controls as ISO/IEC 27002 of the same year, so its prefixes are accepted as aliases.
SCHEMES: dict[str, str] = {
    "27002:2022": "iso27002-2022",
    "27001:2022": "iso27002-2022",
    "27002:2013": "iso27002-2013",
    "27001:2013": "iso27002-2013",
    "ccm": "ccm-v4",
}
SCHEME_NAMES = {
    "iso27002-2022": "ISO/IEC 27002:2022",
    "iso27002-2013": "ISO/IEC 27002:2013",
    "ccm-v4": "CSA CCM v4",
}
#: How each crosswalk's ids are written in a typed id (its canonical prefix).
CANONICAL_PREFIX = {"iso27002-2022": "27002:2022/", "iso27002-2013": "27002:2013/", "ccm-v4": "ccm:"}
TYPED_EXAMPLES = "'27002:2022/5.23', '27002:2013/A.12.3.1' or 'ccm:A&A-02'"

NonEmpty = Annotated[str, Field(min_length=1)]
Match = Literal["full", "partial", "none"]


class ControlIdError(ValueError):
    """A typed control id that does not resolve; the message names the id and what to write instead."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CrosswalkControl(_Strict):
    """One control of a newer scheme and what it maps to.

    ``catalog`` lists catalog ids directly (the ISO crosswalks); a CCM control instead names ISO/IEC
    27002 controls and reaches the catalog through their crosswalks. ``match`` says how completely
    the catalog controls it finally reaches cover it; ``none`` means it reaches none.
    """

    id: NonEmpty
    title: NonEmpty
    theme: str | None = None
    domain: str | None = None
    iso27002_2013: list[str] = []
    iso27002_2022: list[str] = []
    catalog: list[str] = []
    match: Match
    note: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _ids_are_text(cls, value: object) -> object:
        return str(value) if isinstance(value, (int, float)) else value

    @model_validator(mode="after")
    def _none_is_explained(self) -> CrosswalkControl:
        if self.match == "none" and not self.note:
            raise ValueError(f"'{self.id}' has match none; add a note saying why nothing maps")
        return self


class CrosswalkDocument(_Strict):
    format: Literal["obligraph/crosswalk@1"]
    id: NonEmpty
    scheme: NonEmpty
    title: NonEmpty
    source: NonEmpty
    target_catalog: NonEmpty
    sections: dict[str, str] = {}
    themes: dict[str, str] = {}
    domains: dict[str, str] = {}
    controls: list[CrosswalkControl] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> CrosswalkDocument:
        seen: set[str] = set()
        for index, control in enumerate(self.controls):
            if control.id in seen:
                raise ValueError(f"controls[{index}].id: '{control.id}' appears twice; ids must be unique")
            seen.add(control.id)
        return self


class Crosswalk:
    """A loaded crosswalk: its controls by id, each resolved to catalog ids."""

    def __init__(self, document: CrosswalkDocument, catalog_ids: dict[str, tuple[str, ...]]):
        self.document = document
        self.id = document.id
        self.name = SCHEME_NAMES.get(document.id, document.title)
        self.target_catalog = document.target_catalog
        self.controls: tuple[CrosswalkControl, ...] = tuple(document.controls)
        self._by_id = {control.id: control for control in self.controls}
        self.ids: tuple[str, ...] = tuple(self._by_id)
        self._catalog_ids = catalog_ids

    def __getitem__(self, control_id: str) -> CrosswalkControl:
        return self._by_id[control_id]

    def __contains__(self, control_id: object) -> bool:
        return control_id in self._by_id

    def __len__(self) -> int:
        return len(self.controls)

    def catalog_ids(self, control_id: str) -> tuple[str, ...]:
        """The target catalog's controls that ``control_id`` maps to (empty when none does)."""
        return self._catalog_ids[control_id]

    def typed(self, control_id: str) -> str:
        """``control_id`` written as a typed id, e.g. ``27002:2013/A.12.3.1``."""
        return CANONICAL_PREFIX.get(self.id, f"{self.id}/") + control_id


def crosswalk_dir() -> Path:
    return Path(str(resources.files("obligraph") / "seed_data" / "crosswalks"))


@functools.lru_cache(maxsize=8)
def load_crosswalk(crosswalk_id: str) -> Crosswalk:
    """Load and check a shipped crosswalk (``iso27002-2022``, ``iso27002-2013``, ``ccm-v4``).

    Every referenced id must exist: catalog ids in the target catalog, ISO ids in their crosswalk.
    """
    path = crosswalk_dir() / f"{crosswalk_id}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in crosswalk_dir().glob("*.yaml")))
        raise ChainError(f"unknown crosswalk '{crosswalk_id}' (known: {known})")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
        document = CrosswalkDocument.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise ChainError(f"cannot read crosswalk: {exc}", source=str(path)) from exc
    except ValidationError as exc:
        error = ChainError.from_validation(exc, model=CrosswalkDocument)
        error.source = str(path)
        raise error from exc
    catalog = load_catalog(document.target_catalog)
    problems: list[str] = []
    resolved: dict[str, tuple[str, ...]] = {}
    for control in document.controls:
        ids: list[str] = []
        for catalog_id in control.catalog:
            if catalog_id not in catalog:
                problems.append(f"{control.id}: '{catalog_id}' is not a control of catalog '{catalog.id}'")
            ids.append(catalog_id)
        for referenced_id, other in ((r, "iso27002-2013") for r in control.iso27002_2013):
            ids.extend(_through(other, referenced_id, control.id, crosswalk_id, problems))
        for referenced_id, other in ((r, "iso27002-2022") for r in control.iso27002_2022):
            ids.extend(_through(other, referenced_id, control.id, crosswalk_id, problems))
        resolved[control.id] = tuple(
            sorted(dict.fromkeys(i for i in ids if i in catalog), key=lambda i: catalog.index[i])
        )
        if (control.match == "none") != (not resolved[control.id]):
            problems.append(
                f"{control.id}: match is {control.match} but it reaches {len(resolved[control.id])} catalog controls;"
                " match none is for exactly the controls that reach none"
            )
    if problems:
        raise ChainError(
            problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""), source=str(path)
        )
    return Crosswalk(document, resolved)


def _through(other: str, referenced_id: str, owner: str, crosswalk_id: str, problems: list[str]) -> tuple[str, ...]:
    if other == crosswalk_id:
        problems.append(f"{owner}: a crosswalk cannot refer to its own ids")
        return ()
    target = load_crosswalk(other)
    if referenced_id not in target:
        problems.append(f"{owner}: '{referenced_id}' is not a control of {target.name}")
        return ()
    return target.catalog_ids(referenced_id)


# -- typed ids ------------------------------------------------------------------------------------

_SCHEME_PATTERN = re.compile(r"^(?P<scheme>[^/]+)/(?P<local>.+)$|^(?P<ccm>ccm):(?P<ccm_local>.+)$", re.IGNORECASE)


def is_typed(control: str) -> bool:
    """Whether ``control`` names a scheme (``27002:2013/...``, ``ccm:...``) rather than a catalog id.

    >>> is_typed("27002:2022/5.23"), is_typed("ccm:A&A-02"), is_typed("10.5.1")
    (True, True, False)
    """
    return "/" in control or (":" in control and control[:4].lower() == "ccm:")


def split_typed(control: str) -> tuple[Crosswalk, str]:
    """The crosswalk a typed id names and its id there, normalised (``27002:2013/12.3.1`` -> ``A.12.3.1``)."""
    match = _SCHEME_PATTERN.match(control.strip())
    scheme = (match.group("scheme") or match.group("ccm")).strip().lower() if match else ""
    if scheme not in SCHEMES:
        raise ControlIdError(
            f"'{control}' names an unknown numbering '{scheme}'; known: {', '.join(SCHEMES)} (e.g. {TYPED_EXAMPLES})"
        )
    local = (match.group("local") or match.group("ccm_local")).strip()  # type: ignore[union-attr]
    crosswalk = load_crosswalk(SCHEMES[scheme])
    if crosswalk.id == "iso27002-2013":
        local = "A." + local[2:] if local[:2].upper() == "A." else "A." + local
    elif crosswalk.id == "iso27002-2022":
        local = local[2:] if local[:2].upper() == "A." else local
    else:
        local = local.upper()
    return crosswalk, local


def resolve_control_id(control: str, catalog: Catalog) -> tuple[str, ...]:
    """The catalog ids ``control`` stands for: itself when it is a catalog id, else what its scheme
    maps it to. Raise ``ControlIdError`` with one message naming the id and the fix."""
    if not is_typed(control):
        if control in catalog:
            return (control,)
        raise ControlIdError(unknown_control_message(control, catalog))
    crosswalk, local = split_typed(control)
    if local not in crosswalk:
        hint = _structural_hint(local, crosswalk.ids, spell=crosswalk.typed)
        raise ControlIdError(f"'{control}' is not a control of {crosswalk.name}{hint}")
    entry = crosswalk[local]
    ids = crosswalk.catalog_ids(local)
    if not ids:
        why = f": {entry.note}" if entry.note else ""
        raise ControlIdError(
            f"'{control}' ({entry.title}) has no counterpart in ISO/IEC 27002:2005, so catalog"
            f" '{catalog.id}' has no control for it{why}"
        )
    missing = [catalog_id for catalog_id in ids if catalog_id not in catalog]
    if missing:
        raise ControlIdError(
            f"'{control}' maps to {', '.join(missing)} of catalog '{crosswalk.target_catalog}',"
            f" which catalog '{catalog.id}' does not have; use that catalog's own ids"
        )
    return ids


def resolve_control_ids(controls: Iterable[str], catalog: Catalog) -> list[str]:
    """Resolve each id and flatten, keeping first-seen order without repeats.

    >>> from obligraph.graph.catalog import load_catalog
    >>> resolve_control_ids(["10.5.1", "27002:2022/8.13", "27002:2013/A.16.1.1"], load_catalog("meti-2011"))
    ['10.5.1', '13.2.1']
    """
    resolved: dict[str, None] = {}
    for control in controls:
        resolved.update(dict.fromkeys(resolve_control_id(control, catalog)))
    return list(resolved)


# -- the one place that explains an unknown id ------------------------------------------------------


def unknown_control_message(control: str, catalog: Catalog) -> str:
    """Why ``control`` is not one of ``catalog``'s ids, and what to write instead when that is certain.

    A suggestion comes from the numbering the id is written in: another scheme's id is named as a
    typed id; a near-miss is offered only among the siblings under the same objective, and only when
    one sibling is clearly closest; otherwise the objective's controls are listed.

    >>> from obligraph.graph.catalog import load_catalog
    >>> meti = load_catalog("meti-2011")
    >>> print(unknown_control_message("12.5.6", meti))
    '12.5.6' is not a control of catalog 'meti-2011'; objective 12.5 has 12.5.1, 12.5.2, 12.5.3, 12.5.4, 12.5.5
    >>> print(unknown_control_message("5.23", meti))
    '5.23' is not a control of catalog 'meti-2011'; it is ISO/IEC 27002:2022 numbering: write '27002:2022/5.23' (Information security for use of cloud services)
    >>> print(unknown_control_message("A.5.1", meti))
    'A.5.1' is not a control of catalog 'meti-2011'; in ISO/IEC 27001:2022 Annex A numbering write '27002:2022/5.1' (Policies for information security); in ISO/IEC 27001:2013 Annex A, A.5.1 is an objective whose controls are '27002:2013/A.5.1.1', '27002:2013/A.5.1.2'
    """
    if is_typed(control):
        try:
            resolve_control_id(control, catalog)
        except ControlIdError as exc:
            return str(exc)
    head = f"'{control}' is not a control of catalog '{catalog.id}'"
    return head + (_other_scheme_hint(control.strip(), catalog) or _structural_hint(control, catalog.ids, catalog))


def _other_scheme_hint(text: str, catalog: Catalog) -> str:
    """Name the typed id when ``text`` is written in another scheme's numbering (and only then)."""
    if not _speaks_2005(catalog):
        return ""
    modern, older, ccm = load_crosswalk("iso27002-2022"), load_crosswalk("iso27002-2013"), load_crosswalk("ccm-v4")
    if text.upper() in ccm:
        return f"; it is CSA CCM v4 numbering: write {_named(ccm, text.upper())}"
    annex = re.fullmatch(r"[Aa]\.(\d+(?:\.\d+)+)", text)
    if annex:
        number = annex.group(1)
        hints = []
        if number in modern:
            hints.append(f"in ISO/IEC 27001:2022 Annex A numbering write {_named(modern, number)}")
        if "A." + number in older:
            hints.append(f"it is ISO/IEC 27002:2013 numbering: write {_named(older, 'A.' + number)}")
        objective = _children("A." + number, older.ids)
        if objective:
            listed = ", ".join(f"'{older.typed(c)}'" for c in objective)
            hints.append(f"in ISO/IEC 27001:2013 Annex A, A.{number} is an objective whose controls are {listed}")
        return "; " + "; ".join(hints) if hints else ""
    if not re.fullmatch(r"\d+(?:\.\d+)+", text):
        return ""
    if text in modern:
        scheme, crosswalk, local = "ISO/IEC 27002:2022", modern, text
    elif "A." + text in older:
        scheme, crosswalk, local = "ISO/IEC 27002:2013", older, "A." + text
    else:
        return ""
    children = _children(text, catalog.ids)
    if children:
        return (
            f"; it is an objective of this catalog, whose controls are {_list(children)}"
            f" (for {scheme} {local}, {crosswalk[local].title}, write '{crosswalk.typed(local)}')"
        )
    return f"; it is {scheme} numbering: write {_named(crosswalk, local)}"


def _named(crosswalk: Crosswalk, local: str) -> str:
    return f"'{crosswalk.typed(local)}' ({crosswalk[local].title})"


def _speaks_2005(catalog: Catalog) -> bool:
    """Whether this catalog uses the crosswalks' target ids (so other schemes can be pointed to)."""
    return "10.5.1" in catalog and "5.1.1" in catalog


def _structural_hint(
    control: str, ids: Sequence[str], catalog: Catalog | None = None, spell: Callable[[str], str] = str
) -> str:
    """A hint drawn from the id's own numbering: its objective's controls, or one clearly closest sibling."""
    children = _children(control, ids)
    if children:
        return f"; it is a clause or objective, not a control: its controls are {_list(children, spell)}"
    separator = "-" if "-" in control and "." not in control else "."
    parent = control.rsplit(separator, 1)[0] if separator in control else ""
    siblings = [c for c in ids if parent and c.rsplit(separator, 1)[0] == parent]
    if siblings:
        scored = sorted(((difflib.SequenceMatcher(None, control, s).ratio(), s) for s in siblings), reverse=True)
        best = scored[0]
        if best[0] >= 0.8 and (len(scored) == 1 or scored[1][0] < best[0]):
            return f"; did you mean '{spell(best[1])}'?"
        noun = "domain" if separator == "-" else ("objective" if "." in parent else "section")
        return f"; {noun} {parent} has {_list(siblings, spell)}"
    if catalog is not None:
        newer = f"; newer numbers are written {TYPED_EXAMPLES}" if _speaks_2005(catalog) else ""
        return f" (its ids look like '{catalog.ids[0]}'{newer})"
    return f" (its ids look like '{spell(ids[0])}')"


def _children(control: str, ids: Sequence[str]) -> list[str]:
    return [c for c in ids if c.startswith(control + ".")]


def _list(ids: Sequence[str], spell: Callable[[str], str] = str) -> str:
    return ", ".join(map(spell, ids)) if len(ids) <= 8 else f"{spell(ids[0])} to {spell(ids[-1])}"


# -- reading back: a catalog control's modern numbers ---------------------------------------------


@functools.lru_cache(maxsize=8)
def _reverse(crosswalk_id: str) -> dict[str, tuple[str, ...]]:
    crosswalk = load_crosswalk(crosswalk_id)
    reverse: dict[str, list[str]] = {}
    for control in crosswalk.controls:
        for catalog_id in crosswalk.catalog_ids(control.id):
            reverse.setdefault(catalog_id, []).append(control.id)
    return {catalog_id: tuple(ids) for catalog_id, ids in reverse.items()}


def iso27002_2022_ids(catalog_id: str) -> tuple[str, ...]:
    """The ISO/IEC 27002:2022 controls that map to catalog control ``catalog_id`` (empty if none).

    >>> iso27002_2022_ids("12.5.4"), iso27002_2022_ids("6.1.1")
    (('8.12',), ())
    """
    return _reverse("iso27002-2022").get(catalog_id, ())


def iso27002_2013_ids(catalog_id: str) -> tuple[str, ...]:
    """The ISO/IEC 27002:2013 controls that map to catalog control ``catalog_id`` (empty if none)."""
    return _reverse("iso27002-2013").get(catalog_id, ())


def catalog_iso27002_2022(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """Catalog id -> its ISO/IEC 27002:2022 ids, for a catalog numbered like ISO/IEC 27002:2005
    (empty for any other, whose ids would only collide by accident).

    >>> from obligraph.graph.catalog import load_catalog
    >>> catalog_iso27002_2022(load_catalog("meti-2011"))["12.3.2"]
    ('8.24',)
    >>> catalog_iso27002_2022(load_catalog("iso27017-cld"))
    {}
    """
    if not _speaks_2005(catalog):
        return {}
    reverse = _reverse("iso27002-2022")
    return {control_id: reverse[control_id] for control_id in catalog.ids if control_id in reverse}


def with_iso27002_2022(document: CatalogJSON, catalog: Catalog) -> CatalogJSON:
    """``catalog.to_dict()``'s document with each control's ISO/IEC 27002:2022 ids added (in place),
    as the catalog API and ``obligraph catalog show`` give it.

    >>> from obligraph.graph.catalog import load_catalog
    >>> meti = load_catalog("meti-2011")
    >>> with_iso27002_2022(meti.to_dict(), meti)["controls"][0]["iso27002_2022"]
    ['5.1']
    """
    modern = catalog_iso27002_2022(catalog)
    for control in document["controls"]:
        control["iso27002_2022"] = list(modern.get(control["id"], ()))
    return document
