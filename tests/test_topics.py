"""How the words of a message name an aspect or an item: a listed word loses only its
article, a typed word any clitic."""

from bot.flows.topics import aspects_named, item_named


def test_how_many_is_not_asking_a_price():
    assert "cost" not in aspects_named("ch7al khasna mn wa7ed?")
    assert "cost" not in aspects_named("شحال خاصنا من واحد؟")


def test_for_how_much_asks_a_price_in_both_scripts():
    assert aspects_named("w l'attestation bch7al?") == ["cost"]
    assert aspects_named("بشحال؟") == ["cost"]


def test_a_listed_word_is_found_without_its_article():
    assert aspects_named("khlas dyalha ch7al?") == ["cost"]  # listed as "lkhlas"
    assert aspects_named("عطيني تلفون ديالهم") == ["contact"]  # listed as "التلفون"


def test_a_typed_word_is_found_behind_a_clitic():
    assert aspects_named("wlkhlas?") == ["cost"]
    assert item_named("شنو خاصني فالضريبة").item_id == "life.tax"


def test_a_word_that_starts_like_a_clitic_is_not_read_without_it():
    assert aspects_named("chkoun howa rais dyal cooperative") == []  # "frais" is listed
    assert aspects_named("بحال انطلاقة") == []  # "like", not "for how much"
