// Advisors' inbox: the queue by status (live through server-sent events), one conversation
// with its summary and history, and the desk's actions through /admin/handoffs/...
import { call, h, isRtl, LANGUAGE_NAMES, message, since } from "./api.js";

const STATUSES = { waiting: "En attente", claimed: "Pris en charge", closed: "Fermés" };
const AUTHORS = { user: "Utilisateur", advisor: "Conseiller", note: "Note interne", bot: "Fadaa", command: "Action", refused: "Refusé" };
const MEDIA = { photo: "la photo", document: "le document", voice: "le message vocal", video: "la vidéo" };
const CHANNELS = { whatsapp: "WhatsApp", telegram: "Telegram", web: "Web" };

export async function render(view) {
  const state = { status: "waiting", open: null, counts: {}, unread: {}, canned: {} };
  const list = h("ul", { class: "queue", id: "queue" });
  const statusTabs = h("div", { class: "segmented", role: "tablist" });
  const conversation = h("section", { class: "conversation", id: "conversation" },
    h("p", { class: "muted empty" }, "Choisissez une conversation dans la file."));
  const layout = h("div", { class: "inbox" },
    h("aside", { class: "queue-pane" }, statusTabs, list), conversation);
  view.append(layout);
  call("GET", "/admin/canned").then((canned) => { state.canned = canned; }).catch(() => {});

  function drawTabs() {
    statusTabs.replaceChildren(...Object.entries(STATUSES).map(([status, label]) => {
      const count = state.counts[status];
      return h("button", {
        type: "button", role: "tab", "data-status": status,
        "aria-selected": String(state.status === status),
        onclick: () => { state.status = status; drawTabs(); refreshList(); },
      }, label, count ? h("span", { class: "count" }, String(count)) : null);
    }));
  }

  async function refreshList() {
    const rows = await call("GET", `/admin/handoffs?status=${state.status}`);
    list.replaceChildren(...(rows.length ? rows.map(row) : [h("li", { class: "muted empty" }, "Personne dans cette file.")]));
  }

  function row(handoff) {
    const unread = state.unread[String(handoff.id)];
    return h("li", { class: handoff.id === state.open ? "current" : "" },
      h("button", { type: "button", class: "queue-item", "data-handoff": handoff.id, onclick: () => open(handoff.id) },
        h("span", { class: "queue-name" }, handoff.user_name || `#${handoff.id}`,
          unread ? h("span", { class: "unread", title: "messages non lus" }, String(unread)) : null),
        h("span", { class: "queue-meta" },
          `${CHANNELS[handoff.channel] || handoff.channel} · ${LANGUAGE_NAMES[handoff.language] || handoff.language} · `,
          h("span", { class: "waiting" }, since(handoff.created_at))),
        h("span", { class: "queue-topic" }, handoff.description || handoff.topic)));
  }

  async function open(id) {
    state.open = id;
    layout.classList.add("open");
    const handoff = await call("GET", `/admin/handoffs/${id}`);
    drawConversation(handoff);
    refreshList();
  }

  function drawConversation(handoff) {
    const shown = `${handoff.id}:${handoff.status}:${handoff.messages.length}:${handoff.advisor}`;
    if (shown === state.shown) return;
    const draft = state.shown?.startsWith(`${handoff.id}:`) ? conversation.querySelector("#reply")?.value : "";
    state.shown = shown;
    const active = handoff.status !== "closed";
    const rtl = isRtl(handoff.language);
    const reply = h("textarea", { id: "reply", rows: 3, dir: rtl ? "rtl" : "auto", lang: handoff.language, placeholder: "Votre réponse à l'utilisateur…" });
    reply.value = draft || "";
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const act = (path, body) => async () => {
      error.hidden = true;
      try {
        await call("POST", `/admin/handoffs/${handoff.id}/${path}`, body?.());
        if (path === "reply" || path === "notes" || path === "files") reply.value = "";
        state.shown = null;
        await open(handoff.id);
      } catch (failure) {
        error.textContent = message(failure);
        error.hidden = false;
      }
    };
    const file = h("input", { type: "file", id: "attach", accept: "image/jpeg,image/png,image/webp,application/pdf", "aria-label": "Fichier à envoyer (photo ou PDF)" });
    const sendFile = async () => {
      if (!file.files.length) { error.textContent = "Choisissez d'abord une photo ou un PDF."; error.hidden = false; return; }
      const form = new FormData();
      form.append("file", file.files[0]);
      if (reply.value.trim()) form.append("text", reply.value);
      await act("files", () => form)();
    };
    const transferTo = h("input", { id: "transfer-to", placeholder: "Nom du conseiller (vide : libérer)" });
    const cannedPick = h("select", { id: "canned", "aria-label": "Réponse prête" },
      h("option", { value: "" }, "Réponse prête…"),
      ...Object.keys(state.canned).map((key) => h("option", { value: key }, key)));
    cannedPick.addEventListener("change", () => {
      const texts = state.canned[cannedPick.value];
      if (!texts) return;
      const text = texts[handoff.language] || texts.ary;
      reply.value = handoff.user_name ? text.replaceAll("{name}", handoff.user_name)
        : text.replaceAll(" {name},", ",").replaceAll(" {name}", "").replaceAll("{name}", "");
      cannedPick.value = "";
      reply.focus();
    });
    conversation.replaceChildren(
      h("button", { type: "button", class: "quiet back", onclick: () => { layout.classList.remove("open"); state.open = null; } }, "← File"),
      h("header", { class: "conversation-head" },
        h("h2", {}, handoff.user_name || `Conversation #${handoff.id}`),
        h("p", { class: "facts" },
          h("span", { class: "pill" }, CHANNELS[handoff.channel] || handoff.channel),
          h("span", { class: "pill" }, LANGUAGE_NAMES[handoff.language] || handoff.language),
          h("span", { class: "pill status-" + handoff.status }, STATUSES[handoff.status] || handoff.status),
          h("span", { class: "muted" }, `attend depuis ${since(handoff.created_at)}`),
          handoff.advisor ? h("span", { class: "muted advisor" }, ` · ${handoff.advisor_name || handoff.advisor}`) : null)),
      h("details", { class: "summary", open: true }, h("summary", {}, "Résumé"),
        h("p", { dir: "auto" }, handoff.summary || "—")),
      h("ol", { class: "history" }, ...handoff.messages.map((m) =>
        h("li", { class: `bubble from-${m.author}` },
          h("span", { class: "who" }, AUTHORS[m.author] || m.author, m.advisor ? ` · ${m.advisor.split(":").pop()}` : ""),
          m.file ? attachment(m) : null,
          h("span", { class: "text", dir: "auto" }, m.text || (m.media !== "none" && !m.file ? `[${m.media}]` : "")),
          h("time", { datetime: m.at }, new Date(m.at).toLocaleTimeString("fr-MA", { hour: "2-digit", minute: "2-digit" }))))),
      error,
      active ? h("div", { class: "actions" },
        h("div", { class: "row" },
          handoff.status === "waiting" ? h("button", { type: "button", id: "claim", onclick: act("claim") }, "Prendre en charge") : null,
          h("button", { type: "button", id: "close", class: "quiet", onclick: act("close") }, "Fermer"),
          transferTo,
          h("button", { type: "button", id: "transfer", class: "quiet", onclick: act("transfer", () => ({ to: transferTo.value.trim() || null })) }, "Transférer")),
        reply,
        h("div", { class: "row attach" }, file,
          h("button", { type: "button", id: "send-file", class: "quiet", onclick: sendFile }, "Envoyer le fichier")),
        h("div", { class: "row" }, cannedPick,
          h("button", { type: "button", id: "note", class: "quiet", onclick: act("notes", () => ({ text: reply.value })) }, "Note interne"),
          h("button", { type: "button", id: "send", onclick: act("reply", () => ({ text: reply.value })) }, "Envoyer"))) : null,
    );
  }

  function attachment(m) {
    // a photo shows as a thumbnail, anything else as a link; both open the file in a new tab
    const label = MEDIA[m.media] || "le fichier";
    return h("a", { class: "attachment", href: m.file, target: "_blank", rel: "noopener" },
      m.media === "photo" ? h("img", { src: m.file, alt: `Photo (${AUTHORS[m.author] || m.author})`, loading: "lazy" })
        : `📎 Ouvrir ${label}`);
  }

  const events = new EventSource("/console/events");
  events.addEventListener("queue", (event) => {
    const data = JSON.parse(event.data);
    state.counts = data.counts;
    state.unread = data.unread;
    drawTabs();
    refreshList();
    if (state.open) call("GET", `/admin/handoffs/${state.open}`).then(drawConversation).catch(() => {});
  });
  const clock = setInterval(refreshList, 60000); // waiting times
  drawTabs();
  await refreshList();
  return () => { events.close(); clearInterval(clock); };
}
