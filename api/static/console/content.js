// Editors: content items found by topic and text, edited in all four languages side by
// side with a phone preview, saved through PUT /admin/content/{id}; versions, diff, rollback;
// the topic files exported and imported (content_files.js).
import { call, h, isRtl, LANGUAGES, LANGUAGE_NAMES, message } from "./api.js";
import { filesPanel } from "./content_files.js";
import { lineDiff } from "./diff.js";

const FIELDS = { title: "Titre", text: "Texte", reminder: "Rappel" };

export async function render(view) {
  const query = h("input", { type: "search", id: "search", placeholder: "Chercher dans les textes…" });
  const topic = h("select", { id: "topic", "aria-label": "Thème" }, h("option", { value: "" }, "Tous les thèmes"));
  const list = h("ul", { class: "items", id: "items" });
  const editor = h("section", { class: "editor", id: "editor" },
    h("p", { class: "muted empty" }, "Choisissez un contenu à modifier."));
  view.append(h("div", { class: "content-layout" },
    h("aside", {}, filesPanel(topic, () => search()), h("div", { class: "row" }, query, topic), list), editor));

  async function search() {
    const found = await call("GET", `/console/content?q=${encodeURIComponent(query.value)}&topic=${encodeURIComponent(topic.value)}`);
    if (topic.options.length === 1) {
      for (const name of found.topics) topic.append(h("option", { value: name }, name));
    }
    list.replaceChildren(...found.items.map((item) => h("li", {},
      h("button", { type: "button", class: "item", "data-item": item.id, onclick: () => edit(item.id) },
        h("strong", {}, item.title), h("span", { class: "muted" }, ` ${item.id}`),
        item.excerpt ? h("span", { class: "excerpt", dir: "auto" }, item.excerpt) : null))));
    if (!found.items.length) list.append(h("li", { class: "muted empty" }, "Aucun contenu ne correspond."));
  }
  let timer;
  query.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 250); });
  topic.addEventListener("change", search);

  async function edit(id) {
    const { file, item } = await call("GET", `/admin/content/${id}`);
    const fields = Object.keys(FIELDS).filter((field) => item[field]);
    const inputs = {};
    const errors = {};
    const general = h("p", { class: "error", role: "alert", id: "save-error", hidden: true });
    const saved = h("p", { class: "ok", role: "status", id: "saved", hidden: true });
    const columns = LANGUAGES.map((language) => {
      const rtl = isRtl(language);
      const bubble = h("div", { class: "bubble-preview", dir: rtl ? "rtl" : "ltr", lang: language, "data-preview": language });
      const redraw = () => { bubble.textContent = inputs[`text.${language}`].value; };
      const parts = fields.map((field) => {
        const key = `${field}.${language}`;
        const input = h(field === "title" ? "input" : "textarea", {
          id: `field-${key}`, name: key, dir: rtl ? "rtl" : "ltr", lang: language, rows: field === "text" ? 12 : 3,
        });
        input.value = item[field][language] || "";
        input.addEventListener("input", redraw);
        inputs[key] = input;
        errors[key] = h("p", { class: "field-error", role: "alert", id: `error-${key}`, hidden: true });
        return h("label", {}, FIELDS[field], input, errors[key]);
      });
      const column = h("fieldset", { class: "language" }, h("legend", {}, LANGUAGE_NAMES[language]), ...parts,
        h("div", { class: "phone" }, h("div", { class: "phone-bar" }, "Fadaa"), bubble));
      redraw();
      return column;
    });
    const verified = h("input", { type: "date", id: "field-last_verified", value: item.last_verified });
    errors.last_verified = h("p", { class: "field-error", role: "alert", hidden: true });
    const versions = h("div", { class: "versions", id: "versions" });

    async function save() {
      for (const error of [general, saved, ...Object.values(errors)]) error.hidden = true;
      const changed = structuredClone(item);
      for (const [key, input] of Object.entries(inputs)) {
        const [field, language] = key.split(/\.(.+)/);
        changed[field][language] = input.value;
      }
      changed.last_verified = verified.value;
      try {
        const result = await call("PUT", `/admin/content/${id}`, { file, item: changed });
        Object.assign(item, changed);
        saved.textContent = `Enregistré (version ${result.version}) : c'est en ligne.`;
        saved.hidden = false;
        showVersions();
      } catch (failure) {
        const where = fieldOf(failure.detail);
        const shown = errors[where] || general;
        shown.textContent = message(failure);
        shown.hidden = false;
        inputs[where]?.focus();
      }
    }

    async function showVersions() {
      const rows = await call("GET", `/admin/content/${id}/versions`);
      versions.replaceChildren(h("h3", {}, "Versions"), h("ol", { reversed: true }, ...rows.slice().reverse().map((version) =>
        h("li", {},
          h("details", {},
            h("summary", {}, `#${version.version} · ${version.action} · ${version.actor} · ${new Date(version.at).toLocaleString("fr-MA")}`),
            diffOf(version.before, version.after),
            h("button", { type: "button", class: "quiet", "data-rollback": version.version,
              onclick: async () => { await call("POST", `/admin/content/versions/${version.version}/rollback`); edit(id); } },
              "Revenir à l'état d'avant cette version"))))));
    }

    editor.replaceChildren(
      h("header", { class: "editor-head" }, h("h2", {}, id), h("span", { class: "muted" }, file),
        h("label", { class: "inline" }, "Vérifié le ", verified), errors.last_verified,
        h("button", { type: "button", id: "save", onclick: save }, "Enregistrer")),
      general, saved, h("div", { class: "languages" }, ...columns), versions);
    showVersions();
  }

  await search();
}

// "… text.ary makes a claim …" or "… title.fr is missing …" → the field it names
export function fieldOf(detail) {
  const text = typeof detail === "string" ? detail : JSON.stringify(detail ?? "");
  const named = text.match(/\b(title|text|reminder)\.(ary-Latn|ary|ar|fr)\b/);
  if (named) return `${named[1]}.${named[2]}`;
  if (/last_verified/.test(text)) return "last_verified";
  const language = text.match(/language (ary-Latn|ary|ar|fr)\b/);
  return language ? `text.${language[1]}` : null;
}

function diffOf(before, after) {
  const rows = [];
  for (const field of Object.keys(FIELDS)) {
    for (const language of LANGUAGES) {
      const old = before?.[field]?.[language] ?? "";
      const now = after?.[field]?.[language] ?? "";
      if (old === now) continue;
      rows.push(h("div", { class: "diff" }, h("h4", {}, `${FIELDS[field]} · ${LANGUAGE_NAMES[language]}`),
        h("pre", { dir: "auto" }, ...lineDiff(old, now).map(([kind, line]) =>
          h("span", { class: `diff-${kind}` }, `${kind === "add" ? "+ " : kind === "del" ? "− " : "  "}${line}\n`)))));
    }
  }
  return rows.length ? rows : [h("p", { class: "muted" }, "Aucun texte modifié.")];
}
