"""Faces in images: skimage's bundled astronaut photo is positive; noise and a drawn face are not."""

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")
skdata = pytest.importorskip("skimage.data")

from safecorpus.detect.base import Detector  # noqa: E402
from safecorpus.detect.pii.media_faces import FaceDetector, FaceFinder  # noqa: E402
from safecorpus.io.records import Record  # noqa: E402


def test_opencv_ships_cascades():
    assert cv2.__version__.startswith("4.") and hasattr(cv2, "CascadeClassifier")


@pytest.fixture(scope="module")
def finder():
    return FaceFinder()


def smiley() -> np.ndarray:
    img = np.full((512, 512, 3), 255, np.uint8)
    cv2.circle(img, (256, 256), 150, (0, 0, 0), 3)
    cv2.circle(img, (200, 210), 20, (0, 0, 0), -1)
    cv2.circle(img, (312, 210), 20, (0, 0, 0), -1)
    cv2.ellipse(img, (256, 300), (80, 40), 0, 0, 180, (0, 0, 0), 3)
    return img


def test_astronaut_has_one_face(finder):
    (box,) = finder.find(skdata.astronaut())
    x, y, w, _h = box
    assert 150 < x < 220 and 40 < y < 100 and 70 < w < 130


@pytest.mark.parametrize(
    "image",
    [
        np.random.default_rng(0).integers(0, 256, (512, 512, 3), dtype=np.uint8),
        smiley(),
        np.zeros((300, 300), np.uint8),
        skdata.coffee(),
    ],
    ids=["noise", "smiley", "black", "coffee"],
)
def test_negatives(finder, image):
    assert finder.find(image) == []


def test_detector_on_records(tmp_path):
    cv2.imwrite(str(tmp_path / "a.png"), cv2.cvtColor(skdata.astronaut(), cv2.COLOR_RGB2BGR))
    cv2.imwrite(str(tmp_path / "s.png"), smiley())
    (tmp_path / "bad.png").write_bytes(b"not an image")
    det = FaceDetector(image_field="media.image", root=tmp_path)
    assert isinstance(det, Detector)
    recs = [
        Record("1", "", "s", "f", 1, {"media": {"image": "a.png"}}),
        Record("2", "", "s", "f", 2, {"media": {"image": ["s.png", str(tmp_path / "a.png")]}}),
        Record("3", "", "s", "f", 3, {"media": {"image": "https://example.org/x.jpg"}}),
        Record("4", "", "s", "f", 4, {"media": {"image": "bad.png"}}),
        Record("5", "", "s", "f", 5, {}),
    ]
    out = det.detect(recs)
    assert [len(x) for x in out] == [1, 1, 0, 0, 0]
    f = out[0][0]
    assert f.layer == "pii" and f.risk == "A.4.6" and f.evidence["category"] == "biometric"
    assert f.evidence["type"] == "FACE_IMAGE" and f.evidence["faces"] == 1
    assert {why for _, _, why in det.unresolved} == {
        "remote URL not fetched (offline)",
        "not a readable image",
    }
