"""`pii scan --image-field/--audio-field`: faces in images and speech in audio are biometric findings.

The corpus is generated: skimage's bundled astronaut photo saved as PNG, generated speech-like audio and
white noise saved as WAV, and records that point to them by relative path, ``file://`` URL, a list, a
missing file and a remote URL.
"""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from media_signals import speech_like, white_noise, write_wav

cv2 = pytest.importorskip("cv2")
skdata = pytest.importorskip("skimage.data")


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    (root / "media").mkdir(parents=True)
    cv2.imwrite(str(root / "media" / "astronaut.png"), cv2.cvtColor(skdata.astronaut(), cv2.COLOR_RGB2BGR))
    cv2.imwrite(
        str(root / "media" / "noise.png"), np.random.default_rng(0).integers(0, 255, (256, 256, 3), np.uint8)
    )
    write_wav(root / "media" / "speech.wav", speech_like(seed=3))
    write_wav(root / "media" / "noise.wav", white_noise())
    (root / "media" / "broken.wav").write_bytes(b"not a wav file")
    rows = [
        {"id": "face", "text": "照片见附件", "image": "media/astronaut.png"},
        {"id": "face-url", "text": "see photo", "image": (root / "media" / "astronaut.png").as_uri()},
        {"id": "no-face", "text": "风景", "image": "media/noise.png"},
        {"id": "voice", "text": "语音留言", "audio": "media/speech.wav"},
        {"id": "noise", "text": "白噪声", "audio": ["media/noise.wav"]},
        {
            "id": "both",
            "text": "手机13912345678",
            "image": ["media/noise.png", "media/astronaut.png"],
            "audio": "media/speech.wav",
        },
        {"id": "missing", "text": "缺失", "image": "media/nope.png", "audio": "https://example.com/a.wav"},
        {"id": "broken", "text": "坏文件", "audio": "media/broken.wav"},
        {"id": "plain", "text": "没有媒体"},
    ]
    (root / "records.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return root


def _scan(corpus, out, *extra):
    from safecorpus.cli import _register, cli

    _register()
    r = CliRunner().invoke(cli, ["pii", "scan", str(corpus), "--out", str(out), *extra])
    assert r.exit_code == 0, r.output
    _header, *rows = map(json.loads, out.read_text().splitlines())  # the findings format's header first
    return {row["id"]: row for row in rows}, r.output


def _types(row):
    return sorted(f["type"] for f in row["findings"])


def test_faces_and_speech_become_biometric_findings(tmp_path, corpus):
    rows, output = _scan(corpus, tmp_path / "out.jsonl", "--image-field", "image", "--audio-field", "audio")
    assert len(rows) == 9
    (face,) = rows["face"]["findings"]
    assert face["type"] == "FACE_IMAGE" and face["category"] == "biometric"
    assert face["start"] is None and face["end"] is None and face["validated"] is None
    assert face["detector"].startswith("pii.media_faces@") and face["faces"] == 1
    assert face["media"] == "media/astronaut.png" and len(face["boxes"]) == 1
    assert _types(rows["face-url"]) == ["FACE_IMAGE"]
    assert rows["no-face"]["findings"] == []
    (voice,) = rows["voice"]["findings"]
    assert voice["type"] == "VOICE_AUDIO" and voice["category"] == "biometric" and voice["segments"]
    assert voice["detector"].startswith("pii.media_speech@")
    assert rows["noise"]["findings"] == []
    assert _types(rows["both"]) == ["CN_MOBILE", "FACE_IMAGE", "VOICE_AUDIO"]
    assert rows["both"]["findings"][0]["type"] == "CN_MOBILE"  # text findings first
    problems = {p["media"]: p["problem"] for p in rows["missing"]["media_problems"]}
    assert problems["media/nope.png"] == "file not found"
    assert "remote URL" in problems["https://example.com/a.wav"]
    assert "not a PCM WAV" in rows["broken"]["media_problems"][0]["problem"]
    plain = rows["plain"]
    assert {k: plain[k] for k in ("id", "findings", "f")} == {"id": "plain", "findings": [], "f": []}
    assert "media_problems" not in plain and plain["schema_version"]
    assert "3 media reference(s) could not be read" in output


def test_without_media_fields_only_text_is_scanned(tmp_path, corpus):
    rows, _ = _scan(corpus, tmp_path / "out.jsonl")
    assert rows["face"]["findings"] == [] and "media_problems" not in rows["missing"]
    assert _types(rows["both"]) == ["CN_MOBILE"]


def test_a_single_file_corpus_resolves_against_its_folder(tmp_path, corpus):
    rows, _ = _scan(corpus / "records.jsonl", tmp_path / "out.jsonl", "--image-field", "image")
    assert _types(rows["face"]) == ["FACE_IMAGE"]
