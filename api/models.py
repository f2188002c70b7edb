"""Request and response models shared by the admin routers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, JsonValue

LANGUAGE_TEXTS: dict[str, JsonValue] = {
    "fr": "Bonjour {name}, un conseiller vous répond dans la journée.",
    "ar": "مرحبا {name}، سيجيبك مستشار خلال اليوم.",
    "ary": "السلام {name}، شي مستشار غادي يجاوبك اليوم.",
    "ary-Latn": "Salam {name}, chi mostachar ghadi yjawbek lyoum.",
}


class Texts(BaseModel):
    """One text per reply language ("ary-Latn" optional)."""

    model_config = ConfigDict(
        populate_by_name=True, json_schema_extra={"examples": [LANGUAGE_TEXTS]}
    )

    fr: str = Field(min_length=1, max_length=1024)
    ar: str = Field(min_length=1, max_length=1024)
    ary: str = Field(min_length=1, max_length=1024)
    ary_latn: str | None = Field(
        default=None,
        alias="ary-Latn",
        min_length=1,
        max_length=1024,
        description="Darija in Latin letters",
    )

    def by_language(self) -> dict[str, str]:
        """The texts keyed by language code ("ary-Latn" only when given)."""
        return self.model_dump(by_alias=True, exclude_none=True)


class CampaignCounts(BaseModel):
    """A campaign's figures (bot/campaigns/results.py)."""

    audience: int
    queued: int
    in_outbox: int
    sent: int
    failed: int
    blocked: int
    skipped_no_consent: int
    skipped_no_template: int
    skipped_blocked: int
    cancelled: int
    stopped: int
    button_taps: int
    wrote_back_48h: int


class CampaignFigures(CampaignCounts):
    id: int
    name: str
    topic: str
    status: str
