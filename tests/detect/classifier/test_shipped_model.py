"""The shipped classifier tiers: present, small, documented, and quiet on the benign demo corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safecorpus.detect.classifier.detector import ClassifierDetector, packaged_model_dir, profile_detectors
from safecorpus.detect.classifier.training import ASSESSMENT_FILE, FAST_FILE, MANIFEST_FILE
from safecorpus.detect.lexicon.detector import LexiconDetector
from safecorpus.detect.lexicon.library import read_lexicon
from safecorpus.detect.lexicon.variants import VariantOptions
from safecorpus.io.reader import iter_corpus
from safecorpus.io.records import Record
from safecorpus.taxonomy.profile import load_profile

DEMO = Path(__file__).resolve().parents[3] / "examples" / "demo-corpus"
shipped = pytest.mark.skipif(
    not (packaged_model_dir() / FAST_FILE).exists(), reason="no shipped fast-tier model"
)


@shipped
def test_shipped_model_is_small_and_has_a_manifest() -> None:
    folder = packaged_model_dir()
    assert sum(p.stat().st_size for p in folder.iterdir()) <= 100 * 2**20
    assert (folder / ASSESSMENT_FILE).exists()
    manifest = json.loads((folder / MANIFEST_FILE).read_text("utf-8"))
    assert manifest["seed"] and manifest["files"][FAST_FILE]
    assert all(len(part["sha256"]) == 64 for part in manifest["training_data"].values())
    assert manifest["heads"][-1] == "any"


@shipped
@pytest.mark.parametrize("name", ["gbt45654-2025", "tc260-003-2024"])
def test_profiles_use_fast_for_the_technical_sample_and_assessment_for_sources(caplog, name: str) -> None:
    profile = load_profile(name)
    assert (profile.get("classifier", {}) or {}).get("enabled", False)
    with caplog.at_level("WARNING"):
        fast, assessment = profile_detectors(profile)
        filter_fast, filter_other = profile_detectors(profile, assessment=False)
    assert fast is not None and fast.tier == "fast"
    assert assessment is not None and assessment.tier == "assessment"
    assert filter_fast is not None and filter_fast.tier == filter_other.tier == "fast"
    assert not [r for r in caplog.records if "classifier" in r.getMessage()]


@shipped
@pytest.mark.skipif(not DEMO.is_dir(), reason="no demo corpus")
def test_shipped_fast_tier_flags_no_benign_demo_text() -> None:
    """Every demo record the keyword library does not flag is benign text the project wrote: the
    classifier, at the default profile's thresholds, must flag none of it."""
    profile = load_profile()
    records = [r for r in iter_corpus(DEMO) if isinstance(r, Record)]
    variants = VariantOptions.from_mapping(profile.get("lexicon.variants", {}) or {})
    keyword = LexiconDetector(read_lexicon("default"), variants=variants)
    benign = [r for r, found in zip(records, keyword.detect(records), strict=True) if not found]
    assert len(benign) > 5000
    detector = ClassifierDetector.from_profile(profile, "fast")
    flagged = [
        (r.id, [f.risk for f in fs]) for r, fs in zip(benign, detector.detect(benign), strict=True) if fs
    ]
    assert not flagged, flagged[:10]


@shipped
@pytest.mark.skipif(not DEMO.is_dir(), reason="no demo corpus")
def test_shipped_assessment_tier_flags_no_benign_demo_text() -> None:
    """As above for the assessment tier, on a fixed slice of the benign demo records (it reads ~15/s)."""
    profile = load_profile()
    records = [r for r in iter_corpus(DEMO) if isinstance(r, Record)]
    variants = VariantOptions.from_mapping(profile.get("lexicon.variants", {}) or {})
    keyword = LexiconDetector(read_lexicon("default"), variants=variants)
    benign = [r for r, found in zip(records, keyword.detect(records), strict=True) if not found][::40]
    assert len(benign) > 100
    detector = ClassifierDetector.from_profile(profile, "assessment")
    flagged = [
        (r.id, [f.risk for f in fs]) for r, fs in zip(benign, detector.detect(benign), strict=True) if fs
    ]
    assert not flagged, flagged[:10]
