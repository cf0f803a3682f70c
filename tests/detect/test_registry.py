"""The detector registry: one place builds every detector from the policy, the same for every command."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from safecorpus.assess.runner import AssessConfig, build_tiers
from safecorpus.detect import registry
from safecorpus.detect.base import Detector, detector_id
from safecorpus.detect.lexicon.variants import VariantOptions
from safecorpus.errors import ConfigError
from safecorpus.io.options import ReaderOptions
from safecorpus.pipeline.policy import FilterPolicy
from safecorpus.pipeline.spec import Context, JobSpec
from safecorpus.taxonomy.profile import load_profile


def test_every_entry_has_a_layer_and_builds_or_says_off() -> None:
    names = [e.name for e in registry.entries()]
    assert len(names) == len(set(names))
    assert {"keyword", "pii", "pii.consent", "classifier.fast", "classifier.assessment", "guard"} <= set(
        names
    )
    ctx = registry.BuildContext(load_profile())
    for entry in registry.entries():
        built = entry.build(ctx)
        if entry.name in ("guard", "blocklist"):
            assert built is None  # [guard] enabled is false by default; a blocklist needs its file
            continue
        assert built is not None, entry.name
        assert isinstance(built, Detector) and built.layer == entry.layer, entry.name


def test_unknown_name_is_a_config_error_listing_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="registered: keyword"):
        registry.build("keywords", registry.BuildContext())


def test_keyword_variants_come_from_the_profile() -> None:
    profile = load_profile(overrides={"lexicon": {"variants": {"pinyin": False}}})
    det = registry.build("keyword", registry.BuildContext(profile))
    assert det.variants == dataclasses.replace(VariantOptions(), pinyin=False)  # type: ignore[union-attr]
    plain = registry.build("keyword", registry.BuildContext(load_profile()))
    assert detector_id(det) != detector_id(plain)  # type: ignore[arg-type]  # stored findings never mix


def test_filter_and_assess_get_the_same_detectors_from_one_policy(tmp_path: Path) -> None:
    profile = load_profile()
    tiers = build_tiers(AssessConfig(corpus=tmp_path, profile=profile))
    spec = JobSpec(
        out=str(tmp_path / "out"),
        findings=str(tmp_path / "f"),
        reader=ReaderOptions(),
        policy=FilterPolicy.from_profile(profile),
        classifier=True,
        pii=False,
        profile=profile,
    )
    ctx = Context(spec)
    fast = {detector_id(d) for d in tiers.fast if d.layer in ("keyword", "classifier")}
    assert fast == set(ctx.ids)
    assert ctx.detectors[0] is tiers.fast[0]  # one keyword automaton per process and configuration
