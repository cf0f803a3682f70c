import pytest
from pii_helpers import spans


@pytest.mark.parametrize(
    "text,name",
    [
        ("Yesterday Emily Carter called.", "Emily Carter"),
        ("Please ask Dr. Quill Marrow about it.", "Quill Marrow"),
        ("The patient Noah Feldstein-Ray arrived.", "Noah Feldstein-Ray"),
    ],
)
def test_found(text, name):
    assert [s.text_in(text) for s in spans(text, "PERSON")] == [name]


@pytest.mark.parametrize(
    "text", ["The United Nations met.", "We visited New York City.", "Emma Street is closed."]
)
def test_negatives(text):
    assert spans(text, "PERSON") == []
