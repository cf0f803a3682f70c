"""Human faces in images a record points to: a biometric finding (sensitive PI, PIPL Art. 28).

Uses OpenCV's Haar cascade for frontal faces, which ships inside ``opencv-python-headless`` 4.x (OpenCV 5
dropped the cascades, hence the pin ``<5``); nothing is downloaded. Each image with at least one face
gives one record-level finding (``start``/``end`` are ``None``) with the face boxes in its evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from safecorpus.detect.base import Finding
from safecorpus.detect.layers import Layer
from safecorpus.detect.pii._media import media_refs
from safecorpus.io.records import Record

VERSION = "1"
CASCADE = "haarcascade_frontalface_default.xml"


def _cv2() -> Any:
    try:
        import cv2
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("face detection needs opencv-python-headless>=4.10,<5") from exc
    if not hasattr(cv2, "CascadeClassifier"):  # pragma: no cover - OpenCV 5
        raise RuntimeError(
            "this OpenCV has no CascadeClassifier (OpenCV 5); install opencv-python-headless<5"
        )
    return cv2


class FaceFinder:
    """Finds frontal faces in an image array (RGB, BGR or grey; any dtype)."""

    def __init__(self, *, scale_factor: float = 1.1, min_neighbors: int = 5, min_size: int = 30) -> None:
        cv2 = _cv2()
        self.cv2 = cv2
        self.cascade = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / CASCADE))
        if self.cascade.empty():  # pragma: no cover - broken install
            raise RuntimeError(f"OpenCV's {CASCADE} did not load")
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors
        self.min_size = min_size

    def find(self, image: np.ndarray) -> list[tuple[int, int, int, int]]:
        """Face boxes ``(x, y, w, h)`` in pixels."""
        img = np.asarray(image)
        if img.dtype != np.uint8:
            img = np.clip(img * (255.0 if img.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
        grey = img if img.ndim == 2 else self.cv2.cvtColor(img[..., :3], self.cv2.COLOR_RGB2GRAY)
        grey = self.cv2.equalizeHist(grey)
        boxes = self.cascade.detectMultiScale(
            grey,
            scaleFactor=self.scale_factor,
            minNeighbors=self.min_neighbors,
            minSize=(self.min_size, self.min_size),
        )
        return [tuple(int(v) for v in b) for b in boxes]  # type: ignore[misc]

    def find_in_file(self, path: str | Path) -> list[tuple[int, int, int, int]] | None:
        """Faces in an image file; ``None`` when the file is not a readable image."""
        data = np.fromfile(str(path), dtype=np.uint8)
        img = self.cv2.imdecode(data, self.cv2.IMREAD_GRAYSCALE) if data.size else None
        if img is None:
            return None
        return self.find(img)


class FaceDetector:
    """The ``Detector`` for faces in a record's images (``image_field``, relative to ``root``)."""

    name = "media_faces"
    version = VERSION
    layer = Layer.PII.value  # a plain str: findings and the dicts keyed by layer stay JSON-plain

    def __init__(self, image_field: str = "image", root: str | Path | None = None, **finder: Any) -> None:
        self.image_field = image_field
        self.root = root
        self.finder = FaceFinder(**finder)
        self.unresolved: list[tuple[str, str, str]] = []  # (record id, ref, why)

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]:
        out = []
        for rec in records:
            found: list[Finding] = []
            for ref in media_refs(rec.meta, self.image_field, self.root):
                if ref.path is None:
                    self.unresolved.append((rec.id, ref.ref, ref.problem or ""))
                    continue
                boxes = self.finder.find_in_file(ref.path)
                if boxes is None:
                    self.unresolved.append((rec.id, ref.ref, "not a readable image"))
                elif boxes:
                    found.append(self._finding(rec.id, ref.ref, boxes))
            out.append(found)
        return out

    def _finding(self, record_id: str, ref: str, boxes: list[tuple[int, int, int, int]]) -> Finding:
        return Finding(
            record_id=record_id,
            detector=f"pii.{self.name}@{self.version}",
            layer=self.layer,
            risk="A.4.6",
            score=0.9,
            topic="sensitive_personal_information",
            evidence={
                "type": "FACE_IMAGE",
                "category": "biometric",
                "media": ref,
                "faces": len(boxes),
                "boxes": [list(b) for b in boxes],
                "model": f"opencv-{self.finder.cv2.__version__}/{CASCADE}",
            },
        )
