import pytest

from recrutement.referential.text import fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Quimperlé", "quimperle"),
        ("Saint-Pol-de-Léon", "saint pol de leon"),
        ("St-Pol-de-Léon", "st pol de leon"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("L’Île-d’Yeu", "l ile d yeu"),
        ("Babœuf", "baboeuf"),
        ("  Aménagement   du  territoire ", "amenagement du territoire"),
        ("ÉCOLE — MOBILITÉS", "ecole mobilites"),
        ("Châteauneuf-du-Faou", "chateauneuf du faou"),
        ("2A004", "2a004"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_is_idempotent():
    assert fold(fold("Saint-Étienne-de-Tinée")) == fold("Saint-Étienne-de-Tinée")
