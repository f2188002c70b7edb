"""Unanswered questions proposed as training phrases: editors propose and review them, and
`fadaa nlu-train` takes the accepted ones into a reviewed training file, never a phrase of
a held-out check set."""

import json

import pytest

from bot.nlu.review import take_accepted
from tests.test_admin_api import token

pytestmark = pytest.mark.store
QUESTION = {
    "text": "wach kayn chi da3m l cooperative dyal lkhayata?",
    "intent": "financing_options",
    "language": "ary-Latn",
}

pytestmark = pytest.mark.store


async def propose(service, headers, body=QUESTION):
    return await service.client.post("/admin/training/review", headers=headers, json=body)


async def test_an_editor_proposes_an_unanswered_question_and_finds_it_in_the_list(service):
    editor = await token(service, "editor", name="Khadija")
    created = await propose(service, editor)
    assert created.status_code == 201
    assert created.json()["status"] == "proposed"
    listed = (await service.client.get("/admin/training/review", headers=editor)).json()
    assert [(p["text"], p["intent"], p["proposed_by"]) for p in listed] == [
        (QUESTION["text"], "financing_options", "Khadija")
    ]


async def test_the_same_phrase_proposed_twice_is_a_conflict(service):
    editor = await token(service, "editor")
    await propose(service, editor)
    again = await propose(service, editor)
    assert again.status_code == 409


async def test_an_unknown_intent_or_language_is_refused_naming_the_field(service):
    editor = await token(service, "editor")
    unknown_intent = await propose(service, editor, QUESTION | {"intent": "weather"})
    unknown_language = await propose(service, editor, QUESTION | {"language": "es"})
    assert (unknown_intent.status_code, unknown_language.status_code) == (422, 422)
    assert "unknown intent 'weather'" in str(unknown_intent.json()["detail"])


async def test_an_accepted_phrase_cannot_be_decided_again(service):
    editor = await token(service, "editor", name="Khadija")
    phrase = (await propose(service, editor)).json()
    path = f"/admin/training/review/{phrase['id']}"
    accepted = await service.client.post(path, headers=editor, json={"decision": "accept"})
    assert (accepted.json()["status"], accepted.json()["reviewed_by"]) == ("accepted", "Khadija")
    again = await service.client.post(path, headers=editor, json={"decision": "reject"})
    assert again.status_code == 409
    missing = await service.client.post(
        "/admin/training/review/999", headers=editor, json={"decision": "accept"}
    )
    assert missing.status_code == 404


async def test_advisors_cannot_propose_training_phrases(service):
    advisor = await token(service, "advisor")
    assert (await propose(service, advisor)).status_code == 403


async def test_training_takes_accepted_phrases_but_not_rejected_or_held_out_ones(service, tmp_path):
    editor = await token(service, "editor")
    held_out = tmp_path / "hard.jsonl"
    held_out.write_text(
        json.dumps({"text": "Chno lwra9 dyal cooperative?", "intent": "required_documents"}) + "\n"
    )
    phrases = [
        QUESTION,
        {
            "text": "Quels papiers pour la coopérative ?",
            "intent": "required_documents",
            "language": "fr",
        },
        {
            "text": "chno lwra9 dyal cooperative",
            "intent": "required_documents",
            "language": "ary-Latn",
        },
    ]
    ids = [(await propose(service, editor, p)).json()["id"] for p in phrases]
    for phrase_id, decision in zip(ids, ["accept", "reject", "accept"], strict=True):
        await service.client.post(
            f"/admin/training/review/{phrase_id}", headers=editor, json={"decision": decision}
        )
    reviewed = tmp_path / "reviewed.jsonl"
    async with service.services.db.transaction() as session:
        taken = await take_accepted(session, reviewed_file=reviewed, held_out=[held_out])
    rows = [json.loads(line) for line in reviewed.read_text(encoding="utf-8").splitlines()]
    assert taken == 1
    assert rows == [
        {"text": QUESTION["text"], "intent": "financing_options", "lang": "ary", "script": "latn"}
    ]
    trained = await service.client.get("/admin/training/review?status=trained", headers=editor)
    assert len(trained.json()) == 2
