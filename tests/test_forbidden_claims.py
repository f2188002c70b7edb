"""The fact sheet's "must not claim" rules refuse a text at every write: the admin API, the
ready answers and `fadaa content import`, naming the rule and the language."""

import copy

import pytest
import yaml

from bot.content import CONTENT_DIR, ContentError, editing
from bot.content.claims import broken_rule, rules
from bot.handoff.canned import CANNED_FILE
from tests.test_admin_api import item, token
from tests.test_cli import fadaa

EXAMPLES = [
    (rule.id, language, text)
    for rule in rules()
    for language, texts in rule.examples.items()
    for text in texts
]
CLAIMS_IN_EACH_LANGUAGE = {
    "fr": "Il faut 7 fondateurs pour créer une coopérative.",
    "ar": "يجب أن تضم التعاونية سبعة أعضاء مؤسسين.",
    "ary": "خاصك 7 ديال الأعضاء باش تأسس التعاونية.",
    "ary-Latn": "Khassk 7 dyal l'a3da2 bach tdir cooperative.",
}


@pytest.mark.parametrize(("rule_id", "language", "text"), EXAMPLES)
def test_each_rule_refuses_its_examples(rule_id, language, text):
    rule = broken_rule(text, language)
    assert rule is not None and rule.id == rule_id


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ar", "يَجِبُ سَبْعَةُ أَعْضَاءٍ مُؤَسِّسِينَ"),  # harakat and hamza carriers
        ("ar", "يجب سبعه اعضاء مؤسسين"),  # ة written ه, hamza dropped
        ("ary", "خاصك ٧ ديال الأعضاء"),  # Arabic-Indic digit
        ("ary", "خاصكم سبعـــة ديال الناس"),  # tatweel
        ("fr", "IL FAUT SEPT FONDATEURS"),
    ],
)
def test_spelling_variants_of_arabic_and_case_do_not_escape_the_rules(language, text):
    assert broken_rule(text, language).id == "seven_founders"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Il ne faut pas 7 fondateurs : 5 membres suffisent."),
        ("fr", "La création ne se fait pas entièrement en ligne."),
        ("ar", "لا يتم التأسيس كليا عبر الإنترنت."),
        ("ary", "ماشي 7 ديال الأعضاء، غير 5 كافيين."),
        ("ary-Latn", "Machi 7 dyal l'a3da2, 5 kafyin."),
        ("fr", "Selon l'ODCO, fin novembre 2025 : 65 315 coopératives."),
        ("fr", "Site officiel : www.odco.gov.ma"),
    ],
)
def test_a_negated_or_dated_statement_is_not_a_forbidden_claim(language, text):
    assert broken_rule(text, language) is None


def test_the_shipped_ready_answers_break_no_rule():
    canned = yaml.safe_load(CANNED_FILE.read_text(encoding="utf-8"))["canned"]
    broken = [
        (key, language)
        for key, texts in canned.items()
        for language, text in texts.items()
        if broken_rule(text, language)
    ]
    assert broken == []


@pytest.mark.parametrize(("language", "claim"), CLAIMS_IN_EACH_LANGUAGE.items())
async def test_an_editor_cannot_publish_a_forbidden_claim_in_any_language(service, language, claim):
    editor = await token(service, "editor")
    current = await item(service, editor, "create.members")
    changed = copy.deepcopy(current["item"])
    changed["text"][language] = claim
    response = await service.client.put(
        "/admin/content/create.members",
        headers=editor,
        json={"file": current["file"], "item": changed},
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "rule seven_founders" in detail and f"language {language}" in detail
    assert f"text.{language}" in detail
    assert (await item(service, editor, "create.members"))["item"] == current["item"]


async def test_a_ready_answer_with_a_phone_number_is_refused(service):
    editor = await token(service, "editor")
    response = await service.client.put(
        "/admin/canned/call_us",
        headers=editor,
        json={
            "fr": "Appelez l'ODCO au 05 37 00 00 00.",
            "ar": "اتصلوا بمكتب تنمية التعاون.",
            "ary": "عيط للمكتب.",
        },
    )
    assert response.status_code == 422
    assert "rule phone_number" in response.json()["detail"]
    assert "language fr" in response.json()["detail"]


async def test_a_content_import_with_a_forbidden_claim_changes_nothing(service, tmp_path):
    (tmp_path / "women.yaml").write_text(
        (CONTENT_DIR / "women.yaml")
        .read_text(encoding="utf-8")
        .replace("Lalla Al Moutaâouina", "Lalla Al Moutaâouina (tribunal administratif)", 1),
        encoding="utf-8",
    )
    with pytest.raises(ContentError, match="rule administrative_court.*language fr"):
        async with service.services.db.transaction() as session:
            await editing.import_files(session, tmp_path, actor="cli")
    async with service.services.db.transaction() as session:
        assert "administratif" not in str((await editing.record(session, "women.overview")).data)


def test_fadaa_content_import_refuses_a_file_with_a_forbidden_claim(tmp_path):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "create_cooperative.yaml").write_text(
        (CONTENT_DIR / "create_cooperative.yaml")
        .read_text(encoding="utf-8")
        .replace("au moins 5 membres", "au moins 7 membres", 1),
        encoding="utf-8",
    )
    run = fadaa("content", "import", str(incoming), data_dir=tmp_path / "data")
    assert run.returncode == 2
    assert "rule seven_founders" in run.stderr and "language fr" in run.stderr
