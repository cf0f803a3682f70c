"""Human speech in audio files a record points to: a biometric finding (a voice carries a voiceprint).

A small voice-activity detector over WAV files (read with the standard library's ``wave``; numpy for the
maths), with no model to download. Per 32 ms frame (16 ms hop) it measures:

- energy (dB below full scale), against an adaptive floor (a low percentile of the file's frames);
- spectral flatness in 80–4000 Hz (noise is flat, ~0.3–0.9; voiced sound is peaky, < 0.2);
- zero-crossing rate (voiced speech crosses rarely; hiss and fricatives often);
- harmonic peaks: the number of distinct spectral peaks within 20 dB of the frame's maximum (a pure tone
  has one; voiced speech has several harmonics shaped by formants).

A frame is *voiced* when it is loud enough, peaky, crosses zero rarely and shows at least three harmonic
peaks. The file holds speech when enough frames are voiced and the energy envelope is modulated at
syllable rate (2–8 Hz), which steady tones and hums are not. Speech segments are runs of voiced frames,
bridged over short pauses.
"""

from __future__ import annotations

import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from safecorpus.detect.base import Finding
from safecorpus.detect.layers import Layer
from safecorpus.detect.pii._media import media_refs
from safecorpus.io.records import Record

VERSION = "1"
FRAME_S = 0.032
HOP_S = 0.016


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """Mono float samples in [-1, 1] and the sample rate of a PCM WAV file (8/16/24/32-bit)."""
    with wave.open(str(path), "rb") as w:
        n_ch, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
        raw = w.readframes(n)
    if width == 1:
        x = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 2:
        x = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
    elif width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        v = np.where(v >= 1 << 23, v - (1 << 24), v)
        x = v.astype(np.float32) / float(1 << 23)
    elif width == 4:
        x = np.frombuffer(raw, "<i4").astype(np.float32) / float(1 << 31)
    else:  # pragma: no cover - wave rejects other widths
        raise ValueError(f"unsupported sample width {width}")
    if n_ch > 1:
        x = x.reshape(-1, n_ch).mean(axis=1)
    return x, rate


@dataclass(frozen=True)
class VadResult:
    speech: bool
    voiced_fraction: float
    modulation: float  # share of the envelope's modulation energy at 2–8 Hz
    segments: list[tuple[float, float]]  # seconds
    frames: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "speech": self.speech,
            "voiced_fraction": round(self.voiced_fraction, 3),
            "modulation": round(self.modulation, 3),
            "segments": [[round(a, 2), round(b, 2)] for a, b in self.segments],
        }


@dataclass(frozen=True)
class Vad:
    """Thresholds of the detector (documented defaults; see the module docstring)."""

    min_dbfs: float = -50.0
    above_floor_db: float = 10.0
    max_flatness: float = 0.2
    max_zcr: float = 0.25
    min_peaks: int = 3
    min_voiced_fraction: float = 0.1
    min_modulation: float = 0.25
    bridge_s: float = 0.3
    min_segment_s: float = 0.15

    def frames(self, x: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
        """Per frame: (energy dB, voiced flag)."""
        size, hop = int(FRAME_S * rate), int(HOP_S * rate)
        if len(x) < size:
            return np.zeros(0), np.zeros(0, bool)
        n = 1 + (len(x) - size) // hop
        idx = np.arange(size)[None, :] + hop * np.arange(n)[:, None]
        fr = x[idx] * np.hanning(size)[None, :]
        rms = np.sqrt(np.mean(x[idx] ** 2, axis=1) + 1e-12)
        db = 20 * np.log10(rms + 1e-12)
        floor = np.percentile(db, 10)
        loud = (db > self.min_dbfs) & (db > min(floor + self.above_floor_db, -20.0))
        spec = np.abs(np.fft.rfft(fr, axis=1)) ** 2 + 1e-12
        freqs = np.fft.rfftfreq(size, 1.0 / rate)
        band = (freqs >= 80) & (freqs <= 4000)
        sb = spec[:, band]
        flat = np.exp(np.mean(np.log(sb), axis=1)) / np.mean(sb, axis=1)
        signs = np.signbit(x[idx])
        zcr = np.mean(signs[:, 1:] != signs[:, :-1], axis=1)
        peaks = self._peaks(sb)
        voiced = loud & (flat < self.max_flatness) & (zcr < self.max_zcr) & (peaks >= self.min_peaks)
        return db, voiced

    @staticmethod
    def _peaks(sb: np.ndarray) -> np.ndarray:
        """Local maxima within 20 dB of each frame's strongest bin."""
        ldb = 10 * np.log10(sb)
        top = ldb.max(axis=1, keepdims=True)
        mid = ldb[:, 1:-1]
        is_peak = (mid > ldb[:, :-2]) & (mid >= ldb[:, 2:]) & (mid > top - 20)
        return is_peak.sum(axis=1)

    def run(self, x: np.ndarray, rate: int) -> VadResult:
        db, voiced = self.frames(np.asarray(x, np.float32), rate)
        n = len(voiced)
        if n == 0:
            return VadResult(False, 0.0, 0.0, [], 0)
        frac = float(voiced.mean())
        env = 10 ** (db / 20)
        env = env - env.mean()
        modulation = 0.0
        if n >= 16 and np.any(env):
            ps = np.abs(np.fft.rfft(env * np.hanning(n))) ** 2
            f = np.fft.rfftfreq(n, HOP_S)
            total = ps[(f > 0.5) & (f <= 20)].sum()
            modulation = float(ps[(f >= 2) & (f <= 8)].sum() / total) if total > 0 else 0.0
        segments = self._segments(voiced)
        speech = frac >= self.min_voiced_fraction and modulation >= self.min_modulation and bool(segments)
        return VadResult(speech, frac, modulation, segments if speech else [], n)

    def _segments(self, voiced: np.ndarray) -> list[tuple[float, float]]:
        out: list[list[float]] = []
        bridge = self.bridge_s / HOP_S
        start: int | None = None
        last = 0  # read only once start is set
        for i, v in enumerate(voiced):
            if not v:
                continue
            if start is None:
                start = last = i
            elif i - last > bridge:
                out.append([start * HOP_S, last * HOP_S + FRAME_S])
                start = i
            last = i
        if start is not None:
            out.append([start * HOP_S, last * HOP_S + FRAME_S])
        return [(a, b) for a, b in out if b - a >= self.min_segment_s]


def detect_speech(path: str | Path, vad: Vad | None = None) -> VadResult:
    x, rate = read_wav(path)
    return (vad or Vad()).run(x, rate)


class SpeechDetector:
    """The ``Detector`` for human speech in a record's audio files (``audio_field``, relative to
    ``root``). Only WAV is decoded; other files are reported as unresolved."""

    name = "media_speech"
    version = VERSION
    layer = Layer.PII.value  # a plain str: findings and the dicts keyed by layer stay JSON-plain

    def __init__(self, audio_field: str = "audio", root: str | Path | None = None, vad: Vad | None = None):
        self.audio_field = audio_field
        self.root = root
        self.vad = vad or Vad()
        self.unresolved: list[tuple[str, str, str]] = []

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]:
        out = []
        for rec in records:
            found: list[Finding] = []
            for ref in media_refs(rec.meta, self.audio_field, self.root):
                if ref.path is None:
                    self.unresolved.append((rec.id, ref.ref, ref.problem or ""))
                    continue
                try:
                    res = detect_speech(ref.path, self.vad)
                except (wave.Error, EOFError, ValueError) as exc:
                    self.unresolved.append((rec.id, ref.ref, f"not a PCM WAV file ({exc})"))
                    continue
                if res.speech:
                    found.append(self._finding(rec.id, ref.ref, res))
            out.append(found)
        return out

    def _finding(self, record_id: str, ref: str, res: VadResult) -> Finding:
        return Finding(
            record_id=record_id,
            detector=f"pii.{self.name}@{self.version}",
            layer=self.layer,
            risk="A.4.6",
            score=round(min(0.95, 0.6 + res.voiced_fraction), 3),
            topic="sensitive_personal_information",
            evidence={"type": "VOICE_AUDIO", "category": "biometric", "media": ref, **res.to_dict()},
        )
