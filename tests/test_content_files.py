"""`fadaa content export` / `import`: a reviewed change goes back into the repository."""

import pytest
import yaml

from bot.content import ContentError, editing

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
