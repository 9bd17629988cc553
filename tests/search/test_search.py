"""Searching offers: text, facets, distance, sorting, pages, excerpts, suggestions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.offers.models import ContractType, Experience, OfferStatus, RemoteWork
from recrutement.search.query import (
    InvalidSearch,
    SearchParams,
    close_communes,
    excerpt,
    paris_today,
    resolve_commune,
    search_offers,
)
from tests import factories
from tests.factories import OfferFactory


def search(**args):
    return search_offers(SearchParams.from_args({name: str(value) for name, value in args.items()}))


def found(**args) -> list[int]:
    return search(**args).offer_ids


@pytest.fixture
def organisations(referential):
    """One validated organisation per town of the referential."""
    return {
        name: factories.OrganisationFactory(commune=referential[name])
        for name in ("quimperle", "landerneau", "commercy", "ploermel")
    }


# --- Text ---------------------------------------------------------------------------


def test_accents_plurals_and_word_forms_do_not_matter(organisations):
    planning = OfferFactory(
        organisation=organisations["quimperle"],
        missions="Vous conduisez l'aménagement des espaces publics et la mobilité douce.",
        profile="Une expérience d'urbaniste est attendue.",
    )
    health = OfferFactory(
        organisation=organisations["commercy"],
        missions="Vous accompagnez l'installation d'une infirmière en maison de santé.",
        profile="Formation en développement local.",
    )
    assert found(q="amenagement") == [planning.id]
    assert found(q="AMÉNAGEMENTS") == [planning.id]
    assert found(q="mobilites") == [planning.id]
    assert found(q="Urbanisme") == [planning.id]
    assert found(q="infirmiere") == [health.id]
    assert found(q="infirmiers") == [health.id]
    assert found(q="sante") == [health.id]


def test_every_word_is_required_unless_ou(organisations):
    planning = OfferFactory(
        organisation=organisations["quimperle"], missions="Habitat et commerce."
    )
    health = OfferFactory(organisation=organisations["commercy"], missions="Santé et commerce.")
    assert found(q="habitat commerce") == [planning.id]
    assert set(found(q="habitat OU santé")) == {planning.id, health.id}
    assert found(q="commerce SAUF habitat") == [health.id]
    assert found(q='"habitat et commerce"') == [planning.id]
    assert found(q='"commerce et habitat"') == []


def test_organisation_towns_and_labels_are_searchable(organisations, referential):
    offer = OfferFactory(
        organisation=organisations["quimperle"],
        towns=[referential["quimperle"], referential["mellac"]],
        contract_type=ContractType.FIXED_TERM,
    )
    assert found(q="Mellac") == [offer.id]
    assert found(q="Commune de Quimperlé") == [offer.id]
    assert found(q="Finistère CDD") == [offer.id]
    assert found(q="Bretagne") == [offer.id]


def test_only_stop_words_means_no_text_filter(organisations):
    offer = OfferFactory(organisation=organisations["quimperle"])
    results = search(q="de la", tri="pertinence")
    assert results.offer_ids == [offer.id]
    assert results.sort == "date"


# --- What is shown --------------------------------------------------------------------


def test_drafts_closed_and_filled_offers_never_appear(organisations):
    published = OfferFactory(organisation=organisations["quimperle"])
    for status in (OfferStatus.DRAFT, OfferStatus.CLOSED, OfferStatus.FILLED, OfferStatus.EXPIRED):
        OfferFactory(organisation=organisations["commercy"], status=status)
    assert found() == [published.id]
    assert found(q="revitalisation") == [published.id]


def test_publish_then_close_then_republish(organisations):
    offer = OfferFactory(organisation=organisations["quimperle"], status=OfferStatus.DRAFT)
    assert found(q="revitalisation") == []

    offer.status = OfferStatus.PUBLISHED
    offer.published_at = utcnow()
    db.session.commit()
    assert found(q="revitalisation") == [offer.id]

    offer.status = OfferStatus.CLOSED
    db.session.commit()
    assert found(q="revitalisation") == []

    offer.status = OfferStatus.PUBLISHED
    offer.missions = "Nouvelle mission : la requalification des friches."
    db.session.commit()
    assert found(q="friches") == [offer.id]
    assert found(q="revitalisation") == []


def test_deleted_offer_disappears(organisations):
    offer = OfferFactory(organisation=organisations["quimperle"])
    db.session.delete(offer)
    db.session.commit()
    assert found() == []


def test_past_deadline_is_not_shown_even_before_offers_expire_runs(organisations):
    today = paris_today()
    closing_today = OfferFactory(
        organisation=organisations["quimperle"], application_deadline=today
    )
    OfferFactory(
        organisation=organisations["commercy"], application_deadline=today - timedelta(days=1)
    )
    assert found() == [closing_today.id]
    tomorrow = search_offers(SearchParams(), today=today + timedelta(days=1))
    assert tomorrow.total == 0 and tomorrow.hits == []
    assert all(sum(counts.values()) == 0 for counts in tomorrow.facets.values())


# --- Facets ---------------------------------------------------------------------------


@pytest.fixture
def spread(organisations):
    """Five offers over three départements, two régions, all contracts."""
    return [
        OfferFactory(
            organisation=organisations["quimperle"], contract_type=ContractType.FIXED_TERM
        ),
        OfferFactory(
            organisation=organisations["quimperle"],
            contract_type=ContractType.PROJECT_CONTRACT,
            experience=Experience.BEGINNER,
        ),
        OfferFactory(
            organisation=organisations["landerneau"],
            contract_type=ContractType.PROJECT_CONTRACT,
            remote_work=RemoteWork.NONE,
        ),
        OfferFactory(organisation=organisations["ploermel"], contract_type=ContractType.PERMANENT),
        OfferFactory(
            organisation=organisations["commercy"],
            contract_type=ContractType.PROJECT_CONTRACT,
            experience=Experience.SENIOR,
        ),
    ]


def test_facet_counts_add_up_to_the_total(spread):
    results = search()
    assert results.total == 5
    assert results.facets == {
        "region": {"53": 4, "44": 1},
        "departement": {"29": 3, "55": 1, "56": 1},
        "contrat": {"project_contract": 3, "fixed_term": 1, "permanent": 1},
        "experience": {"confirmed": 3, "beginner": 1, "senior": 1},
        "teletravail": {"occasional": 4, "none": 1},
    }
    for counts in results.facets.values():
        assert sum(counts.values()) == results.total


def test_a_facet_ignores_its_own_filter_but_applies_the_others(spread):
    results = search(contrat="project_contract", region="53")
    assert results.total == 2
    # Other contracts of Bretagne stay visible, to switch to them.
    assert results.facets["contrat"] == {"project_contract": 2, "fixed_term": 1, "permanent": 1}
    # Régions are counted among project contracts only.
    assert results.facets["region"] == {"53": 2, "44": 1}
    # Unfiltered facets add up to the total.
    for name in ("departement", "experience", "teletravail"):
        assert sum(results.facets[name].values()) == results.total


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"region": "44"}, [4]),
        ({"departement": "29"}, [0, 1, 2]),
        ({"departement": "29", "contrat": "project_contract"}, [1, 2]),
        ({"experience": "beginner"}, [1]),
        ({"teletravail": "none"}, [2]),
        ({"region": "44", "departement": "29"}, []),
    ],
)
def test_filters(spread, args, expected):
    assert set(found(**args)) == {spread[index].id for index in expected}


# --- Distance -------------------------------------------------------------------------


@pytest.fixture
def finistere_offers(organisations, referential):
    referential["quimperle"].latitude, referential["quimperle"].longitude = 47.872, -3.550
    referential["landerneau"].latitude, referential["landerneau"].longitude = 48.451, -4.252
    db.session.commit()
    return {
        "quimperle": OfferFactory(organisation=organisations["quimperle"]),
        "landerneau": OfferFactory(organisation=organisations["landerneau"]),
        # Mellac has no known position: never within a distance.
        "mellac": OfferFactory(
            organisation=organisations["quimperle"], workplace=referential["mellac"]
        ),
    }


def test_within_30_km_of_quimperle(finistere_offers):
    assert found(commune="29233") == [finistere_offers["quimperle"].id]
    assert found(commune="Quimperlé", rayon=30) == [finistere_offers["quimperle"].id]


def test_a_larger_radius_reaches_landerneau_83_km_away(finistere_offers):
    # 82.8 km as the crow flies between the two town halls' coordinates.
    assert found(commune="29233", rayon=82) == [finistere_offers["quimperle"].id]
    results = search(commune="29233", rayon=84)
    assert set(results.offer_ids) == {
        finistere_offers["quimperle"].id,
        finistere_offers["landerneau"].id,
    }
    assert results.total == 2
    assert results.facets["departement"] == {"29": 2}


def test_distance_keeps_pages_and_facets_consistent(finistere_offers, organisations):
    more = [OfferFactory(organisation=organisations["quimperle"]) for _ in range(3)]
    first = search(commune="29233", par_page=2)
    second = search(commune="29233", par_page=2, page=2)
    assert first.total == second.total == 4
    assert sum(first.facets["region"].values()) == 4
    assert set(first.offer_ids + second.offer_ids) == {
        finistere_offers["quimperle"].id,
        *(offer.id for offer in more),
    }


def test_near_a_town_results_carry_their_distance_and_come_nearest_first(
    finistere_offers, organisations
):
    # Published after the two others: newest first would put it first.
    landerneau_again = OfferFactory(organisation=organisations["landerneau"])
    results = search(commune="29233", rayon=100)
    assert results.sort == "distance"
    assert results.offer_ids == [
        finistere_offers["quimperle"].id,
        landerneau_again.id,
        finistere_offers["landerneau"].id,
    ]
    distances = [hit.distance_km for hit in results.hits]
    assert distances[0] == pytest.approx(0, abs=0.01)
    assert distances[1] == distances[2] == pytest.approx(82.8, abs=0.2)
    # Asked for explicitly, with words (which otherwise sort by relevance).
    assert search(q="revitalisation", commune="29233", rayon=100).sort == "pertinence"
    by_distance = search(q="revitalisation", commune="29233", rayon=100, tri="distance")
    assert by_distance.sort == "distance"
    assert by_distance.offer_ids[0] == finistere_offers["quimperle"].id
    assert search(commune="29233", rayon=100, tri="date").offer_ids[0] == landerneau_again.id


def test_without_a_town_results_have_no_distance_and_distance_sort_falls_back(
    finistere_offers,
):
    results = search(tri="distance")
    assert results.sort == "date"
    assert {hit.distance_km for hit in results.hits} == {None}
    assert search(q="revitalisation", tri="distance").sort == "pertinence"


def test_a_misspelt_town_comes_back_with_the_closest_communes(referential):
    referential["landerneau"].latitude, referential["landerneau"].longitude = 48.451, -4.252
    db.session.commit()
    with pytest.raises(InvalidSearch) as error:
        SearchParams.from_args({"commune": "Kimperlé"})
    assert error.value.parameter == "commune"
    assert [place.insee_code for place in error.value.suggestions] == ["29233"]
    assert error.value.suggestions[0].label == "Quimperlé (29)"
    assert "Vouliez-vous dire Quimperlé (29) ?" in error.value.message
    assert [place.name for place in close_communes("Landernau")] == ["Landerneau"]
    assert [place.name for place in close_communes("landerneau (29)")] == ["Landerneau"]
    # Mellac has no known position: proposing it would only fail again.
    assert close_communes("Melac") == ()
    assert close_communes("Zz") == ()


def test_a_town_matching_nothing_says_how_to_find_it(referential):
    with pytest.raises(InvalidSearch) as error:
        SearchParams.from_args({"commune": "Atlantide"})
    assert error.value.suggestions == ()
    assert "Vérifiez son orthographe ou indiquez son code postal" in error.value.message


def test_st_stands_for_saint_in_suggestions(referential):
    factories.CommuneFactory(
        insee_code="22278",
        name="Saint-Brieuc",
        search_name="saint brieuc",
        department=factories.DepartmentFactory(code="22", name="Côtes-d'Armor"),
        latitude=48.514,
        longitude=-2.765,
    )
    db.session.commit()
    assert [place.label for place in close_communes("St Brieu")] == ["Saint-Brieuc (22)"]


def test_the_place_label_resolves_back_to_the_same_commune(referential):
    place = resolve_commune("29233")
    assert place.label == "Quimperlé (29)"
    assert resolve_commune(place.label) == place


def test_commune_is_resolved_from_a_postcode_a_name_or_a_label(referential):
    referential["quimperle"].latitude = 47.872
    db.session.commit()
    assert resolve_commune("29233").insee_code == "29233"
    # Quimperlé and Mellac share 29300: the most populous is meant.
    assert resolve_commune("29300").insee_code == "29233"
    assert resolve_commune("quimperle").insee_code == "29233"
    assert resolve_commune("Quimperlé (29300)").insee_code == "29233"
    assert resolve_commune("QUIMPERLÉ (29)").insee_code == "29233"


def test_a_commune_without_position_cannot_centre_a_search(referential):
    with pytest.raises(InvalidSearch) as error:
        resolve_commune("Mellac")
    assert error.value.parameter == "commune"


# --- Sorting and pages ----------------------------------------------------------------


@pytest.fixture
def dated(organisations):
    now = utcnow()
    today = paris_today()
    return [
        OfferFactory(
            organisation=organisations["quimperle"],
            published_at=now - timedelta(days=3),
            application_deadline=today + timedelta(days=40),
            missions="Urbanisme.",
        ),
        OfferFactory(
            organisation=organisations["landerneau"],
            published_at=now - timedelta(days=1),
            application_deadline=today + timedelta(days=60),
            missions="Urbanisme, urbanisme et encore urbanisme.",
        ),
        OfferFactory(
            organisation=organisations["commercy"],
            published_at=now - timedelta(days=2),
            application_deadline=today + timedelta(days=31),
            missions="Une mission longue sur le commerce, le patrimoine, l'habitat, la santé, "
            "les mobilités, la transition écologique et, un peu, l'urbanisme.",
        ),
    ]


def test_sort_orders(dated):
    first, second, third = (offer.id for offer in dated)
    assert found() == [second, third, first]
    assert found(tri="date") == [second, third, first]
    assert found(tri="date_limite") == [third, first, second]
    results = search(q="urbanisme")
    assert results.sort == "pertinence"
    assert results.offer_ids[0] == second
    assert results.offer_ids[-1] == third
    assert results.hits[0].score > results.hits[-1].score > 0
    assert search(q="urbanisme", tri="date").offer_ids == [second, third, first]
    assert search(q="urbanisme", tri="date").hits[0].score is None


def test_pages(organisations):
    now = utcnow()
    offers = [
        OfferFactory(organisation=organisations["quimperle"], published_at=now - timedelta(hours=n))
        for n in range(7)
    ]
    pages = [search(par_page=3, page=page) for page in (1, 2, 3, 4)]
    assert [len(page.hits) for page in pages] == [3, 3, 1, 0]
    assert all(page.total == 7 for page in pages)
    assert pages[0].page_count == 3
    assert [hit for page in pages for hit in page.offer_ids] == [offer.id for offer in offers]
    ranked = [search(q="revitalisation", par_page=3, page=page).offer_ids for page in (1, 2, 3)]
    assert sorted(sum(ranked, [])) == sorted(offer.id for offer in offers)


# --- Excerpts and suggestions ---------------------------------------------------------


def test_excerpts_mark_the_words_found_and_escape_the_rest(organisations):
    OfferFactory(
        organisation=organisations["quimperle"],
        missions="Vous menez <script>alert(1)</script> l'aménagement & la mobilité du bourg.",
    )
    excerpt = search(q="amenagement mobilites").hits[0].excerpt
    assert "<mark>aménagement</mark>" in excerpt
    assert "<mark>mobilité</mark>" in excerpt
    assert "<script>" not in excerpt
    assert "&lt;script&gt;" in excerpt
    assert "&amp;" in excerpt
    plain = search().hits[0].excerpt
    assert "<mark>" not in plain and plain.startswith("Vous menez &lt;script&gt;")


def test_excerpt_as_plain_text_has_neither_tags_nor_character_references(organisations):
    OfferFactory(
        organisation=organisations["quimperle"],
        missions="Vous menez <script>alert(1)</script> l'aménagement & la mobilité du bourg.",
    )
    hit = search(q="amenagement").hits[0]
    assert hit.excerpt_text.startswith(
        "Vous menez <script>alert(1)</script> l'aménagement & la mobilité du bourg."
    )
    assert "<mark>" not in hit.excerpt_text and "&#39;" not in hit.excerpt_text
    assert "&amp;" not in hit.excerpt_text


def test_excerpt_shows_the_part_of_a_long_text_that_matches(organisations):
    OfferFactory(
        organisation=organisations["quimperle"],
        missions="Introduction sans intérêt. " * 40
        + "Le cœur du poste : les friches industrielles.",
    )
    excerpt = search(q="friches").hits[0].excerpt
    assert excerpt.startswith("… ")
    assert "<mark>friches</mark>" in excerpt
    assert len(excerpt) < 400


def test_excerpt_marks_whole_words_only():
    text = "Le projet, les PROJETS_x et l'avant-projet : Projets2 projets. Projet_ projet"
    assert excerpt(text, frozenset({"projet"})) == (
        "Le <mark>projet</mark>, les PROJETS_x et l&#39;avant-<mark>projet</mark> : "
        "Projets2 <mark>projets</mark>. Projet_ <mark>projet</mark>"
    )


def test_excerpt_without_words_is_the_start_of_the_text_on_one_line():
    assert excerpt("court  texte\n", frozenset()) == "court texte"
    long = excerpt("  Début\n\n  du   texte " + "mot " * 100, frozenset())
    assert long == "Début du texte " + "mot " * 56 + "…"


def test_misspelt_word_gets_a_suggestion_with_its_accents(organisations):
    OfferFactory(
        organisation=organisations["quimperle"],
        missions="Vous pilotez l'aménagement du centre-bourg et la mobilité.",
    )
    results = search(q="chef amenagment")
    assert results.total == 0
    assert results.suggestion == "chef aménagement"
    assert search(q="mobilté").suggestion == "mobilité"
    assert found(q=search(q="amenagment").suggestion) != []


def test_no_suggestion_for_words_the_offers_contain(organisations):
    OfferFactory(organisation=organisations["quimperle"], missions="La mobilité.")
    assert search(q="mobilites").suggestion is None
    assert search(q="Mobilité revitalisation").suggestion is None
    assert search(q="xyzzyq").suggestion is None
    assert search().suggestion is None


# --- Parameters -----------------------------------------------------------------------


def test_defaults(referential):
    params = SearchParams.from_args({})
    assert (params.page, params.per_page, params.effective_sort, params.place) == (
        1,
        20,
        "date",
        None,
    )
    assert SearchParams.from_args({"q": "habitat"}).effective_sort == "pertinence"
    referential["quimperle"].latitude = 47.87
    db.session.commit()
    near = SearchParams.from_args({"commune": "29233", "rayon": ""})
    assert near.radius_km == 30
    assert near.effective_sort == "distance"
    assert near.place.label == "Quimperlé (29)"
    assert SearchParams.from_args({"tri": "distance"}).effective_sort == "date"
    assert SearchParams.from_args({"rayon": "50"}).radius_km is None
    assert SearchParams.from_args({"departement": "29", "page": "2"}).to_args() == {
        "departement": "29",
        "page": "2",
    }


@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        ({"q": "x" * 201}, "q"),
        ({"region": "99"}, "region"),
        ({"departement": "2C"}, "departement"),
        ({"contrat": "cdd"}, "contrat"),
        ({"experience": "expert"}, "experience"),
        ({"teletravail": "toujours"}, "teletravail"),
        ({"commune": "Atlantide"}, "commune"),
        ({"commune": "29233", "rayon": "0"}, "rayon"),
        ({"commune": "29233", "rayon": "201"}, "rayon"),
        ({"commune": "29233", "rayon": "dix"}, "rayon"),
        ({"tri": "prix"}, "tri"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "deux"}, "page"),
        ({"page": "²"}, "page"),
        ({"par_page": "51"}, "par_page"),
        ({"par_page": "0"}, "par_page"),
    ],
)
def test_invalid_parameters(referential, args, parameter):
    referential["quimperle"].latitude = 47.87
    db.session.commit()
    with pytest.raises(InvalidSearch) as error:
        SearchParams.from_args(args)
    assert error.value.parameter == parameter
    assert error.value.message


def test_an_empty_index_answers_nothing(referential):
    results = search(q="amenagment", region="53", commune="Quimperlé")
    assert (results.total, results.hits, results.suggestion) == (0, [], None)
    assert results.facets == {
        "region": {},
        "departement": {},
        "contrat": {},
        "experience": {},
        "teletravail": {},
    }
