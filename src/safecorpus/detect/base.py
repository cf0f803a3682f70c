"""The detector interface and the one finding type every detector emits.

Detectors annotate, they never delete (as dolma's taggers do): a policy profile later turns findings into
verdicts, so a changed policy can be re-applied without re-scanning.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any, Protocol, runtime_checkable

from safecorpus.io.records import Record


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a detector saw in one record.

    ``start``/``end`` are Unicode code-point offsets into the record's original, un-normalised text
    (``None`` for record-level findings such as a classifier score). ``detector`` is ``name@version``.
    ``layer`` names the filter layer of the standard: ``keyword``, ``classifier``, ``pii``, ``judge``,
    ``blocklist``, ``ip`` or ``manual``.
    """

    record_id: str
    detector: str
    layer: str
    risk: str
    score: float = 1.0
    start: int | None = None
    end: int | None = None
    topic: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def tag(self) -> str:
        return f"{self.risk}/{self.topic}" if self.topic else self.risk

    def to_dict(self, copy: bool = True) -> dict[str, Any]:
        """The fields in declaration order, as ``dataclasses.asdict`` gives them (but without its
        generic deep copy, which cost more than the detector itself in ``filter``). ``copy=False``
        shares the evidence instead of copying it, for callers that only serialise the result."""
        return {
            "record_id": self.record_id,
            "detector": self.detector,
            "layer": self.layer,
            "risk": self.risk,
            "score": self.score,
            "start": self.start,
            "end": self.end,
            "topic": self.topic,
            "evidence": _plain_copy(self.evidence) if copy else self.evidence,
        }


def _plain_copy(value: Any) -> Any:
    """A deep copy of JSON-like evidence (dicts, lists, tuples); anything else is copied as asdict would."""
    if isinstance(value, dict):
        return {k: _plain_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_copy(v) for v in value]
    if isinstance(value, tuple):
        return (
            type(value)(_plain_copy(v) for v in value) if not hasattr(value, "_fields") else deepcopy(value)
        )
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return deepcopy(value)


@runtime_checkable
class Detector(Protocol):
    """Anything with a name, a version, a layer and a batch ``detect``.

    ``detect`` returns one list of findings per input record, in input order. Implementations batch
    internally for speed; callers pass batches of a few hundred to a few thousand records.
    """

    name: str
    version: str

    @property
    def layer(self) -> str:
        """The layer of its findings: a :class:`~safecorpus.detect.layers.Layer` value (detectors declare
        ``Layer.X.value``, a plain string, so dictionaries keyed by layer stay plain JSON)."""
        ...

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]: ...


def detector_id(detector: Detector) -> str:
    return f"{detector.name}@{detector.version}"
