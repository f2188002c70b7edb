"""What the bot says when it is unsure or has not understood."""

from bot.flows.answers import answer_intent, bulleted
from bot.flows.base import Turn, main_menu, menu_button
from bot.i18n import N_, _
from bot.messages import Button, Outbound
from bot.nlu import OUT_OF_SCOPE

INTENT_TITLES = {
    "greeting": N_("Say hello"),
    "thanks_goodbye": N_("Say goodbye"),
    "help_menu": N_("See the menu"),
    "change_language": N_("Change language"),
    "create_cooperative": N_("Create a cooperative"),
    "membership_requirements": N_("Members and capital"),
    "required_documents": N_("Documents needed"),
    "name_certificate": N_("Name certificate"),
    "registration_court": N_("Registration at court"),
    "formalize_informal": N_("Become formal"),
    "financing_options": N_("Financing"),
    "intilaka": N_("Intilaka programme"),
    "covid_relief": N_("Covid-era support"),
    "grants_projects": N_("Grants and calls"),
    "bank_loan": N_("Bank loans"),
    "quality_label": N_("Quality labels"),
    "sanitary_approval": N_("ONSSA approval"),
    "product_certification": N_("Certification"),
    "online_selling": N_("Selling online"),
    "branding_marketing": N_("Branding"),
    "general_assembly": N_("General assembly"),
    "annual_reports": N_("Annual reports"),
    "training": N_("Training"),
    "women_cooperatives": N_("Women's cooperatives"),
    "watch_capsules": N_("Videos"),
    "talk_to_advisor": N_("Talk to an advisor"),
    "set_reminder": N_("Set a reminder"),
    "my_reminders": N_("My reminders"),
    "delete_my_data": N_("Delete my data"),
    "about_fadaa": N_("About Fadaa and ODCO"),
}


def did_you_mean(turn: Turn, candidates: list[str]) -> list[Outbound]:
    """The likely intents as buttons, then the menu (so "see the menu" is not offered twice)."""
    buttons = [
        Button(f"intent:{intent}", _(INTENT_TITLES[intent]))
        for intent in candidates
        if intent != "help_menu"
    ]
    return [Outbound(_("I am not sure I understood. Did you mean:"), (*buttons, menu_button()))]


def outside_scope(turn: Turn) -> list[Outbound]:
    """Unrelated requests (football, the weather): say what Fadaa covers, with its topics as
    buttons. Not a misunderstanding: advisors are for questions in Fadaa's field."""
    item = turn.content.for_intent(OUT_OF_SCOPE)
    topics = tuple(
        b for b in main_menu() if b.payload not in ("intent:talk_to_advisor", "menu:news")
    )
    if item is None:
        return answer_intent(turn, OUT_OF_SCOPE)
    return [Outbound(bulleted(item.text[turn.language]), topics, list_label=_("Menu"))]


def not_understood(turn: Turn) -> list[Outbound]:
    if _too_many_misses(turn):
        return _offer_advisor()
    return [
        Outbound(
            _(
                "Sorry, I did not understand. Write your question in a few words, for example "
                '"steps to create a cooperative", or choose a topic:'
            ),
            main_menu(),
            list_label=_("Menu"),
        )
    ]


def _too_many_misses(turn: Turn) -> bool:
    turn.conversation.misunderstandings += 1
    return turn.conversation.misunderstandings >= turn.settings.misunderstandings_before_advisor


def _offer_advisor() -> list[Outbound]:
    return [
        Outbound(
            _("Sorry, I still do not understand. An advisor can help you, or choose a topic."),
            (Button("intent:talk_to_advisor", _("Talk to an advisor")), menu_button()),
        )
    ]


def unreadable_media(turn: Turn) -> list[Outbound]:
    return [
        Outbound(
            _("I can only read text for now. Please write your question, or choose a topic:"),
            main_menu(),
            list_label=_("Menu"),
        )
    ]


def empty_message(turn: Turn) -> list[Outbound]:
    return [
        Outbound(
            _("Your message arrived empty. Write your question or choose a topic:"),
            main_menu(),
            list_label=_("Menu"),
        )
    ]
