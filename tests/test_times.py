"""Time expressions in French, Arabic and Darija, from a table written apart from the parser
(tests/data/time_expressions.yaml, fixed "now": Wednesday 2026-11-25 16:00 Casablanca)."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.nlu.times import (
    Deletion,
    completed,
    corrected_time,
    deletion_asked,
    parse_time,
    points_back,
    reminder_words,
)

TABLE = yaml.safe_load(
    (Path(__file__).parent / "data" / "time_expressions.yaml").read_text(encoding="utf-8")
)
NOW = datetime.fromisoformat(TABLE["now"]).replace(tzinfo=ZoneInfo("Africa/Casablanca"))


def test_the_table_is_large_enough_and_covers_every_language():
    assert len(TABLE["cases"]) >= 120


@pytest.mark.parametrize("case", TABLE["cases"], ids=lambda case: case["text"])
def test_time_expression(case):
    parsed = parse_time(case["text"], NOW)
    if case["local"] is None:
        assert parsed is None
        return
    assert parsed is not None
    got = {
        "local": parsed.local.strftime("%Y-%m-%dT%H:%M"),
        "recurrence": parsed.recurrence,
        "alternative": parsed.alternative.strftime("%Y-%m-%dT%H:%M")
        if parsed.alternative
        else None,
        "time_assumed": parsed.time_assumed,
        "text_out": parsed.text,
    }
    assert got == {key: case[key] for key in got}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("ذكرني بالاتصال بالبنك غدا", "الاتصال بالبنك"),
        ("ذكرني ب الاتصال بالبنك غدا", "الاتصال بالبنك"),
        ("ذكرني غدا ببيع المنتوج", "بيع المنتوج"),
        ("فكرني بالوراق ديال الكوبيراتيف غدا", "الوراق ديال الكوبيراتيف"),
        ("ذكرني غدا بإرسال الطلب", "إرسال الطلب"),
        # words that begin with ب keep it
        ("ذكرني غدا بيع المنتوج", "بيع المنتوج"),
        ("ذكرني غدا بنك الشعبي", "بنك الشعبي"),
        ("فكرني غدا بطاقة التعاونية", "بطاقة التعاونية"),
        ("ذكرني غدا نتصل بالبنك", "نتصل بالبنك"),
    ],
)
def test_the_preposition_b_before_what_to_remind_of_is_not_kept(text, words):
    assert reminder_words(text, NOW) == words


@pytest.mark.parametrize(
    "text",
    [
        "rappelle-moi ça demain à 10h",
        "rappelle-le-moi demain",
        "rappelle-moi de ça lundi",
        "fakrni bih ghedda m3a 10",
        "fakrni b hadchi ghda",
        "ذكرني بها غدا على الساعة العاشرة",
        "ذكرني بهذا غدا",
        "ذكرني بذلك بعد يومين",
        "فكرني فيه غدا",
    ],
)
def test_a_pronoun_as_what_to_remind_of_points_back(text):
    assert points_back(text, NOW)


@pytest.mark.parametrize(
    "text",
    [
        "rappelle-moi demain à 10h d'appeler la banque",
        "rappelle-moi le 15 décembre de payer",
        "fakrni ghda m3a 10 nchri zit",
        "ذكرني بالجمع العام غدا",
        "ذكرني هذا المساء بالاتصال بالبنك",
        "fakrni ghda",
    ],
)
def test_what_to_remind_of_in_words_does_not_point_back(text):
    assert not points_back(text, NOW)


PROPOSED = datetime(2026, 11, 26, 10, 0)  # tomorrow at 10, as NOW is 2026-11-25 16:00


@pytest.mark.parametrize(
    ("text", "moved"),
    [
        ("plutôt à 11h", "2026-11-26T11:00"),
        ("non, à 11h", "2026-11-26T11:00"),
        ("plutôt 11", "2026-11-26T11:00"),
        ("non, jeudi prochain à 15h", "2026-11-26T15:00"),
        ("non, vendredi", "2026-11-27T10:00"),
        ("la, m3a 11", "2026-11-26T11:00"),
        ("la la, m3a 3 d l3chiya", "2026-11-26T15:00"),
        ("bdelha l 11", "2026-11-26T11:00"),
        ("لا، على الساعة 11", "2026-11-26T11:00"),
        ("لا، على الساعة الحادية عشرة", "2026-11-26T11:00"),
        ("بدلها ل 11", "2026-11-26T11:00"),
        ("لا، بعد غد", "2026-11-27T10:00"),
    ],
)
def test_a_change_of_time_keeps_the_day_unless_it_names_one(text, moved):
    corrected = corrected_time(text, NOW, PROPOSED)
    assert corrected is not None and corrected.local.strftime("%Y-%m-%dT%H:%M") == moved


@pytest.mark.parametrize(
    ("text", "moved"),
    [
        ("non, à 9", "2026-11-26T21:00"),
        ("plutôt 9h", "2026-11-26T21:00"),
        ("لا، مع 9", "2026-11-26T21:00"),
        ("la, m3a 9", "2026-11-26T21:00"),
        ("لا، على الساعة 9", "2026-11-26T21:00"),
        ("non, à 9h du matin", "2026-11-26T09:00"),
        ("la, m3a 9 d sba7", "2026-11-26T09:00"),
        ("non, à 09:00", "2026-11-26T09:00"),
        ("non, vendredi à 9", "2026-11-27T09:00"),  # a day said: read afresh
    ],
)
def test_an_hour_alone_corrects_an_evening_reminder_in_the_evening(text, moved):
    corrected = corrected_time(text, NOW, datetime(2026, 11, 26, 20, 0))
    assert corrected is not None and corrected.local.strftime("%Y-%m-%dT%H:%M") == moved


def test_the_morning_reading_of_an_evening_correction_is_offered():
    corrected = corrected_time("la, m3a 9", NOW, datetime(2026, 11, 26, 20, 0))
    assert corrected is not None and corrected.alternative == datetime(2026, 11, 26, 9, 0)


@pytest.mark.parametrize(
    ("first", "then", "local"),
    [
        ("lundi prochain", "à 14h30", "2026-11-30T14:30"),
        ("نهار 15 يناير", "مع 3 العشية", "2027-01-15T15:00"),
        ("le 15 janvier", "à 10h", "2027-01-15T10:00"),
        ("nhar lkhmis", "m3a 4", "2026-11-26T16:00"),
        ("à 16h", "jeudi", "2026-11-26T16:00"),
        ("ghda f 10", "ba3d ghda m3a 11", "2026-11-27T11:00"),
    ],
)
def test_a_time_given_in_pieces_keeps_each_piece(first, then, local):
    earlier, piece = parse_time(first, NOW), parse_time(then, NOW)
    assert earlier is not None and piece is not None
    assert completed(piece, earlier).local.strftime("%Y-%m-%dT%H:%M") == local


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("hier à 10h", "2026-11-24T10:00"),
        ("البارح مع 10", "2026-11-24T10:00"),
        ("lbare7 m3a 10", "2026-11-24T10:00"),
        ("أمس على الساعة العاشرة", "2026-11-24T10:00"),
        ("avant-hier à 15h", "2026-11-23T15:00"),
    ],
)
def test_yesterday_is_read_as_yesterday_not_moved_to_tomorrow(text, local):
    parsed = parse_time(text, NOW)
    assert parsed is not None and parsed.local.strftime("%Y-%m-%dT%H:%M") == local


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("rappelle-moi la semaine prochaine d'appeler la banque", "2026-12-02T09:00"),
        ("fakrni simana jaya n3ayet l bank", "2026-12-02T09:00"),
        ("فكرني السيمانة الجاية نعيط للبانكة", "2026-12-02T09:00"),
        ("ذكرني الأسبوع المقبل بالاتصال بالبنك", "2026-12-02T09:00"),
        ("rappelle-moi jeudi de la semaine prochaine à 10h", "2026-12-03T10:00"),
        ("rappelle-moi le mois prochain", "2026-12-25T09:00"),
        ("rappelle-moi le 28 de ce mois", "2026-11-28T09:00"),
        ("fakrni 28 dyal had chhar", "2026-11-28T09:00"),
        ("فكرني 28 من هاد الشهر", "2026-11-28T09:00"),
        ("ذكرني يوم 28 من هذا الشهر", "2026-11-28T09:00"),
        ("rappelle-moi le 3 de ce mois", "2026-11-03T09:00"),  # past: refused by the flow
    ],
)
def test_next_week_and_a_day_of_this_month(text, local):
    parsed = parse_time(text, NOW)
    assert parsed is not None and parsed.local.strftime("%Y-%m-%dT%H:%M") == local


@pytest.mark.parametrize(
    "text",
    [
        "bghitek tfakrni b chi 7aja",
        "بغيتك تفكرني بشي حاجة",
        "اريد ان تذكرني بشيء",
        "rappelle-moi quelque chose",
    ],
)
def test_something_unsaid_is_still_to_be_asked(text):
    assert reminder_words(text, NOW) == ""


@pytest.mark.parametrize(
    ("text", "deletion"),
    [
        ("7ayedha", Deletion()),
        ("حيدها", Deletion()),
        ("supprime-le", Deletion()),
        ("supprime le 2", Deletion(number=2)),
        ("7ayed kolchi", Deletion(everything=True)),
        ("إلغاء الكل", Deletion(everything=True)),
        ("supprime tous mes rappels", Deletion(everything=True)),
        ("احذف كل التذكيرات", Deletion(everything=True)),
        ("chno les rappels dyali", None),
        ("kifach n7ayed smiya dyal cooperative mn registre?", None),
    ],
)
def test_deleting_listed_reminders_in_words(text, deletion):
    assert deletion_asked(text) == deletion


@pytest.mark.parametrize(
    "text",
    [
        "à 11h",  # a time alone: maybe another reminder
        "non merci",
        "la",
        "plutôt l'agrément ONSSA",
        "fakrni ghda m3a 11 nchri zit",
        "non, à 11h je dois appeler la banque",
        "لا شكرا",
    ],
)
def test_only_a_change_of_time_is_a_correction(text):
    assert corrected_time(text, NOW, PROPOSED) is None


@pytest.mark.parametrize(
    "text", ["rappelle-moi a 25h d'appeler la banque", "rappelle-moi demain a 10h70 d'appeler"]
)
def test_an_impossible_time_is_not_a_time(text):
    assert parse_time(text, datetime(2026, 12, 4, 10, tzinfo=ZoneInfo("Africa/Casablanca"))) is None
