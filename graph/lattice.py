"""The small vocabularies every part of obligraph shares: statuses, layers, responsibilities.

Statuses form a lattice, worst to best::

    not_implemented < unknown < partial < declared < verified

and ``not_applicable`` counts as the top. Each status has a small integer rank so that the
vectorised engine can take minima over ``numpy.uint8`` arrays.

>>> Status.PARTIAL.rank < Status.DECLARED.rank
True
>>> Status.from_rank(Status.VERIFIED.rank) is Status.VERIFIED
True
"""

from __future__ import annotations

from enum import Enum


class Status(str, Enum):
    NOT_IMPLEMENTED = "not_implemented"
    UNKNOWN = "unknown"
    PARTIAL = "partial"
    DECLARED = "declared"
    VERIFIED = "verified"
    NOT_APPLICABLE = "not_applicable"

    @property
    def rank(self) -> int:
        return _STATUS_RANK[self]

    @classmethod
    def from_rank(cls, rank: int) -> "Status":
        return _STATUS_BY_RANK[int(rank)]


_STATUS_RANK = {status: rank for rank, status in enumerate(Status)}
_STATUS_BY_RANK = {rank: status for status, rank in _STATUS_RANK.items()}

#: Rank used by the engine for "no contributor at all" (a pure delegation loop); above every status.
NO_CONTRIBUTOR = len(Status)

#: Evidence kinds that can make a ``verified`` declaration count as verified.
ASSURING_EVIDENCE = frozenset({"audit_report", "certification"})


class Layer(str, Enum):
    INFRA = "infra"
    IAAS = "iaas"
    PAAS = "paas"
    SAAS = "saas"
    CUSTOMER = "customer"

    @property
    def code(self) -> int:
        return _LAYER_CODE[self]


_LAYER_CODE = {layer: code for code, layer in enumerate(Layer)}

#: The layers a catalog gives a default responsibility for (a customer node defaults to ``customer``).
PROVIDER_LAYERS = (Layer.INFRA, Layer.IAAS, Layer.PAAS, Layer.SAAS)


class Responsibility(str, Enum):
    PROVIDER = "provider"
    SHARED = "shared"
    CUSTOMER = "customer"

    @property
    def code(self) -> int:
        return _RESPONSIBILITY_CODE[self]

    @property
    def delegates(self) -> bool:
        """True when the consumer relies on the provider (for all or part of the control)."""
        return self is not Responsibility.CUSTOMER


_RESPONSIBILITY_CODE = {r: code for code, r in enumerate(Responsibility)}


class Criticality(str, Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Independence(str, Enum):
    """Who produced an evidence item: an independent party (the default), or the provider itself."""

    THIRD_PARTY = "third_party"
    INTERNAL = "internal"


class EvidenceKind(str, Enum):
    AUDIT_REPORT = "audit_report"
    CERTIFICATION = "certification"
    ATTESTATION = "attestation"
    CONTRACT = "contract"
    SELF_ASSESSMENT = "self_assessment"
    POLICY = "policy"
    OTHER = "other"
