"""`fadaa content export` / `import`: a reviewed change goes back into the repository."""

import pytest
import yaml

from bot.content import ContentError, editing
from tests.test_cli import fadaa

pytestmark = pytest.mark.store


@pytest.fixture
async def exported(db, tmp_path):
    """The seeded content, exported as an editor would before a review."""
    async with db.transaction() as session:
        await editing.seed_if_empty(session)
        await editing.export_files(session, tmp_path)
    return tmp_path


async def test_export_then_import_changes_nothing(db, exported):
    async with db.transaction() as session:
        assert await editing.import_files(session, exported, actor="review") == 0


async def test_an_edited_export_imports_as_one_versioned_change(db, exported):
    tmp_path = exported
    path = tmp_path / "women.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["items"]["women.overview"]["title"]["fr"] = "Femmes coopératrices"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    async with db.transaction() as session:
        assert await editing.import_files(session, tmp_path, actor="review") == 1
        content = await editing.load(session)
        (last,) = (await editing.history(session, "women.overview"))[-1:]
    assert content.get("women.overview").title["fr"] == "Femmes coopératrices"
    assert (last.action, last.actor) == ("import", "review")


async def test_an_import_with_a_broken_link_changes_nothing(db, exported):
    tmp_path = exported
    path = tmp_path / "women.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["items"]["women.overview"]["next"] = ["women.nowhere"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError, match="women.nowhere"):
        async with db.transaction() as session:
            await editing.import_files(session, tmp_path, actor="review")
    async with db.transaction() as session:
        assert (await editing.load(session)).get("women.overview").next != ("women.nowhere",)


def test_the_cli_dry_run_and_the_api_share_one_import_that_names_a_forbidden_claim(tmp_path):
    folder = tmp_path / "review"
    assert fadaa("content", "export", str(folder), data_dir=tmp_path).returncode == 0
    path = folder / "create_cooperative.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["items"]["create.members"]["text"]["ary"] = "خاصكم 7 ديال الأعضاء باش تأسسو التعاونية."
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    refused = fadaa("content", "import", "--dry-run", str(folder), data_dir=tmp_path)
    assert refused.returncode == 2
    assert "item create.members: text.ary makes a claim" in refused.stderr
    assert "rule seven_founders, language ary" in refused.stderr
    data["items"]["create.members"]["title"]["fr"] = "Les membres"
    data["items"]["create.members"]["text"]["ary"] = "خاصكم 5 ديال الأعضاء على الأقل."
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    dry = fadaa("content", "import", "--dry-run", str(folder), data_dir=tmp_path)
    assert dry.stdout.strip() == "1 item(s) would change"
