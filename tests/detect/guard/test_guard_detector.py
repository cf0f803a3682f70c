"""The guard as an optional `assess` layer: off by default, configured by [guard], and an item it cannot
judge counts as a violation (risk `unjudged`), never as clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safecorpus.assess.runner import AssessConfig, build_tiers, run_assessment
from safecorpus.detect.base import Detector
from safecorpus.detect.guard.detector import GuardDetector, guard_config
from safecorpus.errors import ConfigError
from safecorpus.io.records import Record
from safecorpus.taxonomy.profile import load_profile
from tests.support.mockserver import GuardScript, MockChatServer

TEXTS = {
    "clean": "今天天气不错，大家一起去公园散步。",
    "flagged": "some text [[unsafe:S10]]",
    "broken": "some text [[garbage]]",
}


def _profile(tmp_path: Path, url: str, layers: str = '["guard"]', enabled: str = "true"):
    path = tmp_path / "p.toml"
    path.write_text(
        f'extends = "gbt45654-2025"\n[decision]\nlayers = {layers}\n'
        f'[guard]\nenabled = {enabled}\nendpoint = "{url}"\nmodel = "lg"\ntemplate = "llamaguard3"\n'
        f'timeout_s = 2.0\nmax_retries = 1\ncache = "{tmp_path / "guard.sqlite"}"\n',
        "utf-8",
    )
    return load_profile(str(path))


def test_off_by_default_and_refused_when_listed_but_disabled(tmp_path, tiny_lexicon_path):
    lex = str(tiny_lexicon_path)
    tiers = build_tiers(AssessConfig(corpus=tmp_path, profile=load_profile(), lexicon=lex))
    assert "guard" not in [d.layer for d in tiers.assessment + tiers.fast]
    with pytest.raises(ConfigError, match="enabled is false"):
        build_tiers(
            AssessConfig(
                corpus=tmp_path, profile=_profile(tmp_path, "http://x/v1", enabled="false"), lexicon=lex
            )
        )
    with pytest.raises(ConfigError, match="endpoint and a model"):
        guard_config({"enabled": True})


def test_detector_interface_and_findings(tmp_path):
    with MockChatServer(GuardScript("llamaguard")) as srv:
        det = GuardDetector.from_profile(_profile(tmp_path, srv.url))
        assert isinstance(det, Detector)
        recs = [Record(k, t, "s", "f", i) for i, (k, t) in enumerate(TEXTS.items())]
        clean, flagged, broken = det.detect(recs)
    assert clean == []
    assert [(f.layer, f.risk, f.score) for f in flagged] == [("guard", "A.2.9", 1.0)]
    assert broken[0].risk == "unjudged" and broken[0].evidence["judge_failed"]
    assert "unusable answer" in broken[0].evidence["reason"]
    assert det.summary()["failed"] == 1 and det.summary()["judged"] == 2


def test_assess_counts_a_failed_judgement_as_a_violation(tmp_path, tiny_lexicon_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = [{"id": k, "text": t, "source": "web"} for k, t in TEXTS.items()]
    (corpus / "web.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    with MockChatServer(GuardScript("llamaguard")) as srv:
        cfg = AssessConfig(
            corpus=corpus,
            profile=_profile(tmp_path, srv.url, layers='["keyword", "guard"]'),
            store_dir=tmp_path / "store",
            lexicon=str(tiny_lexicon_path),
        )
        s = run_assessment(cfg)
    assert any(d.startswith("guard@llamaguard3") for d in s["detectors"]["assessment"])
    assert not any(d.startswith("guard@") for d in s["detectors"]["fast"])
    (usage,) = s["detectors"]["usage"].values()
    assert usage["judged"] == 2 and usage["failed"] == 1
    assert usage["failure_reasons"] == {"unusable answer": 1}
    (src,) = s["sources"]
    assert src["violations"] == 2 and src["layers"] == {"guard": 2}
    assert {r["risk"] for r in src["top_risks"]} == {"A.2.9", "unjudged"}
