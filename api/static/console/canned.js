// Ready answers for advisors, in four languages ("{name}" becomes the user's first name).
import { call, h, isRtl, LANGUAGES, LANGUAGE_NAMES, message } from "./api.js";

export async function render(view) {
  const list = h("div", { class: "canned-list" });
  view.append(h("h2", {}, "Réponses prêtes"), list);

  async function draw() {
    const answers = await call("GET", "/admin/canned");
    list.replaceChildren(...Object.entries(answers).map(([key, texts]) => form(key, texts)), form("", {}));
  }

  function form(key, texts) {
    const name = h("input", { id: key ? null : "new-key", value: key, placeholder: "clé (ex. merci)", pattern: "[a-z0-9_]{1,40}", required: true, readonly: Boolean(key) });
    const inputs = Object.fromEntries(LANGUAGES.map((language) => {
      const input = h("textarea", { rows: 4, dir: isRtl(language) ? "rtl" : "ltr", lang: language, "aria-label": LANGUAGE_NAMES[language] });
      input.value = texts[language] || "";
      return [language, input];
    }));
    const status = h("p", { class: "field-error", role: "alert" });
    const save = async () => {
      const body = Object.fromEntries(Object.entries(inputs).filter(([, input]) => input.value.trim()).map(([l, input]) => [l, input.value]));
      try {
        await call("PUT", `/admin/canned/${name.value.trim()}`, body);
        await draw();
      } catch (failure) { status.textContent = message(failure); }
    };
    return h("fieldset", { class: "canned", "data-canned": key || "new" }, h("legend", {}, key || "Nouvelle réponse"), key ? null : name,
      h("div", { class: "canned-grid" }, ...LANGUAGES.map((l) => h("label", {}, LANGUAGE_NAMES[l], inputs[l]))),
      status,
      h("div", { class: "row" }, h("button", { type: "button", onclick: save }, "Enregistrer"),
        key ? h("button", { type: "button", class: "quiet", onclick: async () => { await call("DELETE", `/admin/canned/${key}`); draw(); } }, "Supprimer") : null));
  }
  await draw();
}
