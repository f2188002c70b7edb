"""Understanding: intents per language and script, language id, confidence bands."""

import pytest

from bot.nlu import understand
from bot.nlu.train import Example, without

INTENTS = [
    # Darija, Arabic script
    ("بغيت نأسس تعاونية ديال الكسكس مع خواتاتي فالدوار، منين نبدا؟", "create_cooperative"),
    ("شحال خاص من واحد باش نديرو تعاونية؟ و شحال الرأسمال؟", "membership_requirements"),
    ("فين كنحطو الملف ديال التأسيس؟ واش فالمحكمة؟", "registration_court"),
    ("واش انطلاقة كتعطي الكريدي للتعاونيات؟", "intilaka"),
    ("كيفاش ناخدو الترخيص ديال أونسا باش نبيعو العسل فالمارشي", "sanitary_approval"),
    ("فوقاش خاصنا نديرو الجمع العام ديال العام؟", "general_assembly"),
    ("بغيت نهضر مع شي واحد من الإدارة عافاك", "talk_to_advisor"),
    # Darija, Latin script
    ("salam, ana kanbi3 lkhobz f zenqa w bghit nwli legal, chno ndir?", "formalize_informal"),
    ("wach kayn chi da3m dyal lflous l cooperative jdida?", "financing_options"),
    ("kifach nakhod smiya l cooperative mn 3nd odco", "name_certificate"),
    ("fakrni ghda f 10 dsbah nmchi l banka", "set_reminder"),
    ("bghit nmse7 ga3 les informations dyali", "delete_my_data"),
    ("kayn chi formation f tsyir dyal cooperative?", "training"),
    ("fin n9der nchof les vidéos dyal l'coopérative", "watch_capsules"),
    # French
    (
        "Quels documents faut-il pour le dossier de création de la coopérative ?",
        "required_documents",
    ),
    ("Comment obtenir une IGP pour notre huile d'olive ?", "quality_label"),
    ("On veut vendre nos tapis sur internet, comment faire ?", "online_selling"),
    ("Est-ce que le produit Relance TPE marche encore pour une coopérative ?", "covid_relief"),
    ("Comment préparer le rapport financier annuel de la coopérative ?", "annual_reports"),
    ("Je voudrais annuler mon rappel de demain", "my_reminders"),
    # Modern Standard Arabic
    ("ما هي الوثائق المطلوبة لملف تأسيس التعاونية؟", "required_documents"),
    ("هل توجد منح أو دعم من المبادرة الوطنية للتنمية البشرية للتعاونيات؟", "grants_projects"),
    ("كيف أحصل على شهادة المطابقة من إيمانور لمنتجاتنا؟", "product_certification"),
    ("أريد قرضا بنكيا لتعاونيتي، ما هي الشروط؟", "bank_loan"),
    ("ما هو دعم التعاونيات النسائية؟ سمعت عن جائزة للا المتعاونة", "women_cooperatives"),
    ("ما هو مكتب تنمية التعاون وما عنوانه؟", "about_fadaa"),
]


@pytest.mark.parametrize(("message", "intent"), INTENTS)
def test_realistic_messages_get_their_intent(message, intent):
    assert understand(message).intent == intent


@pytest.mark.parametrize(
    "message",
    [
        "chkoun rbe7 lmatch dyal lbare7?",
        "Quel temps fera-t-il demain à Agadir ?",
        "كيفاش نجدد لاكارط الوطنية ديالي؟",
        "bghit visa l france chno khassni",
        "أريد وصفة الطاجين باللحم والبرقوق",
    ],
)
def test_unrelated_requests_are_out_of_scope(message):
    assert understand(message).intent == "out_of_scope"


@pytest.mark.parametrize(
    ("message", "language", "script"),
    [
        ("شنو خاصني باش نسجل التعاونية", "ary", "arab"),
        ("ما هي شروط الانخراط في التعاونية؟", "ar", "arab"),
        ("bghit ndir cooperative m3a 5 d l3yalat", "ary", "latn"),
        ("Comment créer une coopérative agricole ?", "fr", "latn"),
        ("c quoi intilaka w ch7al l'interet", "ary", "latn"),
    ],
)
def test_language_and_script_are_identified(message, language, script):
    result = understand(message)
    assert (result.language, result.script) == (language, script)


def test_confidence_is_high_for_a_clear_question():
    assert understand("kifach ndir cooperative?").confidence > 0.6


def test_noise_is_never_taken_for_a_confident_request():
    noise = understand("xkcd qwerty zzkp")
    assert noise.intent == "out_of_scope" or noise.confidence < 0.6


def test_the_top_three_are_ranked_and_probabilities():
    top = understand("intilaka wla relance tpe?").top
    assert len(top) == 3
    assert [p for _, p in top] == sorted((p for _, p in top), reverse=True)
    assert all(0 <= p <= 1 for _, p in top)


def test_unknown_words_and_empty_text_never_crash():
    assert understand("").intent == "out_of_scope"
    assert understand("🙏🙏").confidence == 0.0
    assert understand("x" * 50_000).intent


def test_excluding_an_evaluation_file_removes_its_rows_whatever_their_spelling():
    training = [
        Example("Salam khoya", "greeting", "ary", "latn"),
        Example("merci", "thanks_goodbye", "fr", "latn"),
    ]
    excluded = [Example("salaaam  KHOYA!", "greeting", "ary", "latn")]
    assert without(training, excluded) == training[1:]


def test_the_shipped_model_is_trained_on_the_current_phrases():
    from bot.nlu.model import LinearModel
    from bot.nlu.train import training_digest

    assert LinearModel.load().training_digest == training_digest(), (
        "training phrases changed: run `fadaa nlu-train`"
    )


@pytest.mark.parametrize(
    "message",
    [
        "سلام خويا واش الكوبيراتيف كتاخد الكريدي من البانكة",
        "شحال كيطلبو فالدوسي",
        "عافاك فين نحط لاطيسطاسيون",
        "مازال ما جاوبونيش من الطريبونال",
        "بغيت نعرف واش خاصني نمشي للمقاطعة ولا لا",
        "راه درنا الجمع العام السيمانة لي فاتت",
        "الله يخليك عاوني راني ما فاهم والو",
        "كنبيعو الزيت ديال الزيتون غير فالدوار",
        "واش هادشي بفلوس ولا فابور",
        "علاش ماكيردوش عليا فالتيليفون",
        "دابا شنو ندير من موراها",
        "الكونط ديال الكوبيراتيف تبلوكا",
    ],
)
def test_darija_chat_in_arabic_script_is_darija(message):
    result = understand(message)
    assert (result.language, result.script) == ("ary", "arab")


@pytest.mark.parametrize(
    "message",
    [
        "أعلنت الحكومة عن برنامج جديد لدعم الشباب",
        "هل يمكنني الحصول على نسخة من الوثيقة اليوم؟",
        "نود إخباركم بأن الاجتماع قد تأجل إلى الأسبوع المقبل",
        "ما هي الشروط المطلوبة للاستفادة من هذه الخدمة؟",
    ],
)
def test_modern_standard_arabic_is_arabic(message):
    assert understand(message).language == "ar"


@pytest.mark.parametrize(
    "message",
    [
        "bghit n3ref les documents li khasni pour la création",
        "wach la banque kat3ti crédit l cooperatives",
        "salam, j'ai une question 3la l'assemblée générale dyalna",
    ],
)
def test_darija_mixed_with_french_is_darija(message):
    assert understand(message).language == "ary"


@pytest.mark.parametrize(
    "message",
    [
        "Bonsoir tout le monde, je voulais savoir comment créer une coopérative, merci bzaf",
        "Bonjour, salam 3likom, est-ce que vous pouvez m'envoyer la liste des documents ?",
    ],
)
def test_a_mostly_french_message_is_french(message):
    assert understand(message).language == "fr"


@pytest.mark.parametrize(
    "message",
    [
        "بغيت ندير الكوبيراتيف مع خواتاتي كيفاش",
        "كيفاش نأسس الكوبيراتيف ديال العسل",
        "kifach ndir lcooperative m3a s7abi",
        "Comment créer la coopérative avec les femmes du douar ?",
        "منين نجيب الفلوس للكوبيراتيف",
        "kifach nmwl lcooperative dyali",
    ],
)
def test_the_word_cooperative_in_a_question_is_not_a_request_for_videos(message):
    assert understand(message).intent != "watch_capsules"


@pytest.mark.parametrize(
    "message",
    [
        "بغيت نشوف الحلقات ديال الكوبيراتيف",
        "fin nchouf les videos dyal lcooperative",
        "où regarder les épisodes de la sitcom L'coopérative ?",
    ],
)
def test_an_explicit_ask_for_the_sitcom_videos_is_watch_capsules(message):
    assert understand(message).intent == "watch_capsules"


@pytest.mark.parametrize(
    ("check_set", "minimum"),
    [
        ("doda_ongoing_langid.jsonl", 0.95),
        ("msa_langid.jsonl", 0.97),
        ("fr_langid.jsonl", 0.97),
    ],
)
def test_language_id_on_the_check_sets_meets_its_goal_for_each_script(check_set, minimum):
    from pathlib import Path

    from bot.nlu.evaluation import evaluate_language

    outcomes = evaluate_language(Path(__file__).parent / "data" / check_set)
    for expected in {o.expected for o in outcomes}:
        subset = [o for o in outcomes if o.expected == expected]
        assert sum(o.found == expected for o in subset) / len(subset) >= minimum, expected


def test_a_darija_word_makes_a_message_in_arabic_letters_darija():
    from bot.nlu import understand

    assert understand("صباح الخير، أنا نجار فمكناس، شكون هما ODCO؟").language == "ary"


def test_a_word_msa_shares_with_darija_leaves_msa_alone():
    from bot.nlu import understand

    assert understand("هل هناك دعم خاص بالتعاونيات النسائية؟").language == "ar"
