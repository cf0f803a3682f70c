"""Speech in audio: generated speech-like signals are positive; white noise, tones and silence are not."""

import numpy as np
import pytest
from media_signals import RATE, silence, speech_like, tone, white_noise, write_wav

from safecorpus.detect.pii.media_speech import SpeechDetector, Vad, detect_speech, read_wav
from safecorpus.io.records import Record


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_speech_like_is_speech(seed):
    res = Vad().run(speech_like(seed=seed).astype(np.float32), RATE)
    assert res.speech and res.voiced_fraction > 0.3 and res.segments


def am_tone() -> np.ndarray:
    t = np.arange(int(2.5 * RATE)) / RATE
    return tone() * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t))


def am_noise() -> np.ndarray:
    t = np.arange(int(2.5 * RATE)) / RATE
    return white_noise() * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t))


@pytest.mark.parametrize(
    "signal",
    [white_noise(), tone(), tone(freq=150), am_tone(), am_noise(), silence(), silence(0.01)],
    ids=["noise", "tone440", "tone150", "am_tone", "am_noise", "silence", "too_short"],
)
def test_not_speech(signal):
    assert Vad().run(signal.astype(np.float32), RATE).speech is False


def test_speech_after_silence_has_a_segment():
    x = np.concatenate([silence(1.0), speech_like(1.5)])
    res = Vad().run(x.astype(np.float32), RATE)
    assert res.speech
    (a, b), *_ = res.segments
    assert 0.9 <= a <= 1.1 and b > 2.0


def test_wav_roundtrip_stereo(tmp_path):
    p = write_wav(tmp_path / "s.wav", speech_like(), channels=2)
    x, rate = read_wav(p)
    assert rate == RATE and len(x) == int(2.5 * RATE)
    assert detect_speech(p).speech


def test_detector_on_records(tmp_path):
    write_wav(tmp_path / "talk.wav", speech_like())
    write_wav(tmp_path / "hiss.wav", white_noise())
    (tmp_path / "x.wav").write_bytes(b"RIFF....garbage")
    det = SpeechDetector(audio_field="audio", root=tmp_path / "corpus.jsonl")
    (tmp_path / "corpus.jsonl").write_text("")
    recs = [
        Record("1", "", "s", "f", 1, {"audio": "talk.wav"}),
        Record("2", "", "s", "f", 2, {"audio": "hiss.wav"}),
        Record("3", "", "s", "f", 3, {"audio": "x.wav"}),
        Record("4", "", "s", "f", 4, {"audio": "missing.wav"}),
    ]
    out = det.detect(recs)
    assert [len(x) for x in out] == [1, 0, 0, 0]
    f = out[0][0]
    assert f.evidence["type"] == "VOICE_AUDIO" and f.evidence["category"] == "biometric"
    assert f.topic == "sensitive_personal_information" and 0.6 <= f.score <= 0.95
    assert len(det.unresolved) == 2
