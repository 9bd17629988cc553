"""Small-count suppression: no hidden count can be recovered, whatever the breakdown,
by a reader who knows the breakdown's total and what each mark means."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date

import pytest

from recrutement.core.spreadsheet import write_csv
from recrutement.extensions import db
from recrutement.pilotage import scope
from recrutement.pilotage.models import Recruit
from recrutement.pilotage.summary import summarise
from recrutement.pilotage.suppression import SECRET, SMALL, suppress
from tests import factories


def possible_values(marks: list[str], total: int) -> list[set[int]]:
    """Brute force, independent of the code under test: every assignment of the hidden
    cells consistent with their marks ("< 5": 0 to 4; "secret": anything) and their sum;
    returns, for each hidden cell, the values it can take."""
    ranges = [range(0, 5) if mark == SMALL else range(0, total + 1) for mark in marks]
    seen: list[set[int]] = [set() for _ in marks]
    for values in itertools.product(*ranges):
        if sum(values) == total:
            for index, value in enumerate(values):
                seen[index].add(value)
    return seen


def assert_nothing_recoverable(counts: dict[str, int], published: dict) -> None:
    hidden = [code for code, cell in published.items() if cell.hidden]
    for code, cell in published.items():
        if cell.hidden:
            assert cell.shown in (SMALL, SECRET)
        else:
            assert cell.value == counts[code] and cell.shown == str(counts[code])
    if not hidden:
        return
    total = sum(counts[code] for code in hidden)  # known: the breakdown's total is public
    for code, values in zip(
        hidden, possible_values([published[code].shown for code in hidden], total), strict=True
    ):
        assert len(values) >= 2, (counts, code, values)
        assert counts[code] in values


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ({"a": 0, "b": 7, "c": 12}, set()),
        ({"a": 3, "b": 0, "c": 12}, {"a", "b"}),  # a zero is the second cell, shown "< 5"
        ({"a": 3, "b": 10, "c": 12}, {"a", "b"}),  # no zero: the smallest count
        ({"a": 4, "b": 4, "c": 20, "d": 30}, {"a", "b", "c"}),  # 4 + 4 = 8 would pin both
        ({"a": 1, "b": 2, "c": 9}, {"a", "b"}),
        ({"a": 4, "b": 4, "c": 4}, {"a", "b", "c"}),  # all hidden, all "secret"
    ],
)
def test_primary_and_secondary_cells(counts, hidden):
    published = suppress(counts)
    assert {code for code, cell in published.items() if cell.hidden} == hidden
    assert list(published) == list(counts)  # order kept
    assert_nothing_recoverable(counts, published)


def test_a_secondary_count_of_five_or_more_is_marked_secret_not_below_five():
    published = suppress({"a": 3, "b": 10, "c": 12})
    assert published["a"].shown == SMALL and published["b"].shown == SECRET


def test_when_every_cell_is_hidden_the_marks_say_nothing_of_their_size():
    published = suppress({"a": 4, "b": 4, "c": 4})
    assert {cell.shown for cell in published.values()} == {SECRET}


@pytest.mark.parametrize("cells", [3, 4])
def test_exhaustively_no_hidden_count_can_be_recovered(cells):
    top = 12 if cells == 3 else 8
    checked = 0
    for values in itertools.product(range(top + 1), repeat=cells):
        counts = {f"c{index}": value for index, value in enumerate(values)}
        assert_nothing_recoverable(counts, suppress(counts))
        checked += 1
    assert checked == (top + 1) ** cells


def test_no_output_reveals_a_hidden_count(referential):
    """JSON and CSV of a real summary: each breakdown's hidden cells stay ambiguous given
    the total that the starts per semester publish."""
    organisation = factories.OrganisationFactory(commune=referential["quimperle"])
    genders = ["femme"] * 9 + ["homme"] * 3 + ["autre"] * 1
    for number, gender in enumerate(genders):
        db.session.add(
            Recruit(
                organisation_id=organisation.id,
                department_code="29",
                post_key=f"offer:{number}",
                source="hire",
                started_on=date(2024, 1 + number % 12, 1),
                gender=gender,
                diploma="bac+4/5" if number < 12 else "doctorat",
                employer_kind="epci" if number < 11 else "commune",
            )
        )
    db.session.commit()
    summary = summarise(scope.department("29"))
    document = summary.as_json()
    genre = document["profil_recrutes"]["genre"]
    assert genre["femme"] == 9 and genre["homme"] is None and genre["autre"] is None
    assert genre["non_renseigne"] == 0  # 3 and 1 hidden together sum to 4: either may be 0–4
    assert document["profil_recrutes"]["diplome"]["doctorat"] is None
    assert document["profil_recrutes"]["employeur"] == {"commune": None, "epci": 11, "petr": None}

    total = sum(count for _, count in summary.starts_table().rows)
    assert total == len(genders)
    for table in summary.profile_tables():
        text = write_csv(table.columns, table.rows)
        rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))[1:]
        marks = [value for _, value in rows if value in (SMALL, SECRET)]
        visible = sum(int(value) for _, value in rows if value not in (SMALL, SECRET))
        breakdown = table.key.removeprefix("profil-")
        assert [value is None for value in document["profil_recrutes"][breakdown].values()] == [
            value in (SMALL, SECRET) for _, value in rows
        ]
        if marks:
            assert len(marks) >= 2
            for values in possible_values(marks, total - visible):
                assert len(values) >= 2, (table.key, rows)
