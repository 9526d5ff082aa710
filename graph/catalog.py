"""Control catalogs: load and validate ``seed_data/catalogs/*.yaml`` (format ``obligraph/catalog@1``).

A catalog lists controls with their cloud guidance and, per provider layer, the default split of
responsibility between a provider of that layer and its consumer. See ``docs/catalog-format.md``.

>>> catalog = load_catalog("meti-2011")
>>> len(catalog.controls), len(catalog.cloud_guidance_ids)
(133, 106)
>>> catalog["10.5.1"].responsibility["iaas"].value
'shared'
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Iterator, Literal, TypedDict

import yaml
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from obligraph.graph.errors import ChainError
from obligraph.graph.lattice import Layer, Responsibility

CATALOG_FORMAT = "obligraph/catalog@1"
DEFAULT_CATALOG = "meti-2011"

NonEmpty = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceModelNotes(_Strict):
    general: NonEmpty | None = None
    iaas: NonEmpty | None = None
    paas: NonEmpty | None = None
    saas: NonEmpty | None = None


class LayerSplit(_Strict):
    infra: Responsibility
    iaas: Responsibility
    paas: Responsibility
    saas: Responsibility

    def __getitem__(self, layer: str | Layer) -> Responsibility:
        by_layer = {Layer.INFRA: self.infra, Layer.IAAS: self.iaas, Layer.PAAS: self.paas, Layer.SAAS: self.saas}
        return by_layer[Layer(layer)]


class Control(_Strict):
    id: NonEmpty
    clause: NonEmpty
    objective_id: NonEmpty
    objective_title: NonEmpty
    title: NonEmpty
    title_ja: str | None = None
    user_guidance: NonEmpty | None = None
    # obligraph's own Japanese summaries of the same guidance (not the guideline's sentences)
    user_guidance_ja: NonEmpty | None = None
    provider_expectation: NonEmpty | None = None
    provider_expectation_ja: NonEmpty | None = None
    notes: ServiceModelNotes = ServiceModelNotes()
    responsibility: LayerSplit
    rationale: NonEmpty
    # Whether the guideline gives cloud-specific guidance; a label for filtering, every control is analysed.
    # ``analyzed`` was its name in catalogs written before it became a label.
    cloud_guidance: bool = Field(validation_alias=AliasChoices("cloud_guidance", "analyzed"))
    incidents: list[str] = []
    extends: list[str] = []
    mapping_note: str | None = None

    @field_validator("id", "clause", "objective_id", mode="before")
    @classmethod
    def _ids_are_text(cls, value: object) -> object:
        # YAML reads an unquoted "10" as an integer; ids are always text.
        return str(value) if isinstance(value, (int, float)) else value


class ClauseInfo(_Strict):
    title: NonEmpty
    title_ja: str | None = None


class CatalogDocument(_Strict):
    format: Literal["obligraph/catalog@1"]
    id: NonEmpty
    title: NonEmpty
    title_ja: str | None = None
    version: str | None = None
    source: str | None = None
    extends_catalog: str | None = None
    clauses: dict[str, ClauseInfo]
    controls: list[Control] = Field(min_length=1)

    @field_validator("clauses", mode="before")
    @classmethod
    def _clause_titles(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(k): {"title": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "CatalogDocument":
        seen: set[str] = set()
        for index, control in enumerate(self.controls):
            if control.id in seen:
                raise ValueError(f"controls[{index}].id: '{control.id}' appears twice; control ids must be unique")
            seen.add(control.id)
            if control.clause not in self.clauses:
                raise ValueError(
                    f"controls[{index}].clause: '{control.clause}' is not listed under 'clauses'; add its title there"
                )
        return self


class CatalogJSON(TypedDict):
    """A catalog as JSON: pydantic's dumps of its clauses and controls (``dict[str, Any]`` is what ``model_dump`` gives)."""

    id: str
    title: str
    title_ja: str | None
    version: str | None
    source: str | None
    clauses: dict[str, dict[str, Any]]
    controls: list[dict[str, Any]]


class Catalog:
    """A loaded catalog: controls in document order, looked up by id."""

    def __init__(self, document: CatalogDocument, path: Path | None = None):
        self.document = document
        self.path = path
        self.id = document.id
        self.title = document.title
        self.controls: tuple[Control, ...] = tuple(document.controls)
        self._by_id = {control.id: control for control in self.controls}
        self.ids: tuple[str, ...] = tuple(self._by_id)
        self.cloud_guidance_ids: tuple[str, ...] = tuple(c.id for c in self.controls if c.cloud_guidance)
        self.index = {control_id: i for i, control_id in enumerate(self.ids)}

    def __getitem__(self, control_id: str) -> Control:
        return self._by_id[control_id]

    def __contains__(self, control_id: object) -> bool:
        return control_id in self._by_id

    def __iter__(self) -> Iterator[Control]:
        return iter(self.controls)

    def __len__(self) -> int:
        return len(self.controls)

    def covers_any(self, scope_entry: str) -> bool:
        """Whether an evidence scope entry (a control id, or a clause or objective prefix) names some control."""
        prefix = scope_entry + "."
        return scope_entry in self._by_id or any(control_id.startswith(prefix) for control_id in self.ids)

    def default_responsibility(self, layer: Layer | str, control_id: str) -> Responsibility:
        """The catalog default for an edge whose provider is of ``layer``; a customer node defaults to customer."""
        layer = Layer(layer)
        if layer is Layer.CUSTOMER:
            return Responsibility.CUSTOMER
        return self._by_id[control_id].responsibility[layer]

    def clause_title(self, clause: str) -> str:
        return self.document.clauses[clause].title

    def to_dict(self) -> CatalogJSON:
        """The JSON shape of ``obligraph catalog show --format json``."""
        return {
            "id": self.id,
            "title": self.title,
            "title_ja": self.document.title_ja,
            "version": self.document.version,
            "source": self.document.source,
            "clauses": {k: v.model_dump() for k, v in self.document.clauses.items()},
            "controls": [_control_dict(control) for control in self.controls],
        }


def _control_dict(control: Control) -> dict[str, Any]:
    data = control.model_dump(mode="json", exclude_none=False)
    data["notes"] = {k: v for k, v in data["notes"].items() if v is not None}
    for optional in ("extends", "mapping_note"):
        if not data[optional]:
            data.pop(optional)
    return data


def catalog_dir() -> Path:
    return Path(str(resources.files("obligraph") / "seed_data" / "catalogs"))


def available_catalogs() -> list[str]:
    """Ids of the catalogs shipped in ``seed_data/catalogs``."""
    return sorted(path.stem for path in catalog_dir().glob("*.yaml"))


@functools.lru_cache(maxsize=32)
def load_catalog(name_or_path: str | Path = DEFAULT_CATALOG) -> Catalog:
    """Load a shipped catalog by id (``"meti-2011"``) or any catalog file by path."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml", ".json"):
        path = catalog_dir() / f"{name_or_path}.yaml"
        if not path.is_file():
            known = ", ".join(available_catalogs())
            raise ChainError.at(("catalog",), f"unknown catalog '{name_or_path}' (known: {known})")
    return _load_file(path)


#: libyaml's safe loader when PyYAML was built with it (ten times faster on the 133-control catalog).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_file(path: Path) -> Catalog:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise ChainError(f"cannot read catalog: {exc}", source=str(path)) from exc
    try:
        document = CatalogDocument.model_validate(raw)
    except ValidationError as exc:
        error = ChainError.from_validation(exc, model=CatalogDocument)
        error.source = str(path)
        raise error from exc
    return Catalog(document, path)
