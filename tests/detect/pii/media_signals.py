"""Generated test media: speech-like audio, noise, tones, silence, and WAV writing (no real recordings)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 16000


def speech_like(seconds: float = 2.5, seed: int = 1) -> np.ndarray:
    """Voiced 'syllables': a harmonic series on a gliding pitch, shaped by two formant-like resonances
    that move per syllable, gated at ~4 syllables per second with short pauses."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    syll = 0.25
    n_syll = int(seconds / syll) + 1
    f0 = 120 + 30 * np.sin(2 * np.pi * 0.7 * t) + 10 * rng.standard_normal() * 0
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    f1s = rng.uniform(350, 800, n_syll)
    f2s = rng.uniform(1000, 2300, n_syll)
    k = np.minimum((t / syll).astype(int), n_syll - 1)
    f1, f2 = f1s[k], f2s[k]
    x = np.zeros_like(t)
    for h in range(1, 30):
        fh = h * f0
        amp = np.exp(-(((fh - f1) / 150) ** 2)) + 0.6 * np.exp(-(((fh - f2) / 200) ** 2)) + 0.05 / h
        x += amp * np.sin(h * phase)
    pos = (t % syll) / syll
    env = np.where(pos < 0.75, np.sin(np.pi * pos / 0.75) ** 2, 0.0)
    x *= env
    x += 0.002 * rng.standard_normal(len(t))
    return 0.5 * x / np.max(np.abs(x))


def white_noise(seconds: float = 2.5, seed: int = 2) -> np.ndarray:
    return 0.3 * np.random.default_rng(seed).standard_normal(int(seconds * RATE)).clip(-3, 3) / 3


def tone(seconds: float = 2.5, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return 0.5 * np.sin(2 * np.pi * freq * t)


def silence(seconds: float = 2.5) -> np.ndarray:
    return np.zeros(int(seconds * RATE))


def write_wav(path: Path, x: np.ndarray, rate: int = RATE, channels: int = 1) -> Path:
    pcm = (np.clip(x, -1, 1) * 32767).astype("<i2")
    if channels == 2:
        pcm = np.repeat(pcm[:, None], 2, axis=1).reshape(-1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path
