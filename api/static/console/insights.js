// Insights: charts drawn as SVG by the server, key figures, unanswered questions (each can
// become a training phrase when the API has the review list), a CSV per table.
import { call, h, LANGUAGE_NAMES, message } from "./api.js";

const CHARTS = ["daily-channel", "daily-language", "intents", "handoffs", "response-times", "reminders", "funnels"];
const TABLES = { daily: "Messages par jour", intents: "Intentions", unanswered: "Questions sans réponse", handoffs: "Conseillers", funnels: "Parcours guidés" };

export async function render(view) {
  const days = h("select", { id: "days", "aria-label": "Période" },
    ...[7, 30, 90, 365].map((n) => h("option", { value: n, selected: n === 30 }, `${n} jours`)));
  const body = h("div", {});
  view.append(h("div", { class: "row insights-head" }, h("h2", {}, "Statistiques"), days), body);
  const training = await hasTrainingReview();
  const intents = training ? await call("GET", "/console/intents") : [];

  async function draw() {
    const n = days.value;
    const data = await call("GET", `/admin/insights?days=${n}`);
    const summary = data.handoff_summary;
    body.replaceChildren(
      h("div", { class: "tiles" },
        tile("Utilisateurs", data.users),
        tile("Taux de repli", `${(data.fallback_rate * 100).toFixed(1)} %`, "fallback-rate"),
        tile("Demandes de conseiller", summary.requests),
        tile("1re réponse (médiane)", summary.first_response_minutes_median ?? "—", null, "min"),
        tile("1re réponse (p90)", summary.first_response_minutes_p90 ?? "—", null, "min"),
        tile("Note moyenne", summary.rating_average ?? "—", null, `/5 (${summary.ratings})`)),
      h("div", { class: "charts" }, ...CHARTS.map((name) =>
        h("figure", {}, h("img", { src: `/console/charts/${name}.svg?days=${n}`, alt: name, "data-chart": name, loading: "lazy" })))),
      h("h3", {}, "Questions sans réponse"),
      h("table", { class: "unanswered", id: "unanswered" },
        h("thead", {}, h("tr", {}, h("th", {}, "Question"), h("th", {}, "Langue"), h("th", {}, "Date"), training ? h("th", {}, "Entraînement") : null)),
        h("tbody", {}, ...data.unanswered.map((row) => unansweredRow(row, training, intents)))),
      h("p", { class: "downloads" }, "Télécharger (CSV) : ",
        ...Object.entries(TABLES).map(([table, label]) => h("a", { href: `/admin/insights/${table}.csv?days=${n}`, download: `${table}.csv` }, label))),
    );
  }
  days.addEventListener("change", draw);
  await draw();
}

function tile(label, value, id, unit) {
  const known = value !== "—";
  return h("div", { class: "tile", id }, h("span", { class: "tile-value" }, String(value), known && unit ? h("small", {}, ` ${unit}`) : null), h("span", { class: "muted" }, label));
}

function unansweredRow(row, training, intents) {
  let cell = null;
  if (training) {
    const intent = h("select", { "aria-label": "Intention" }, h("option", { value: "" }, "Intention…"), ...intents.map((i) => h("option", { value: i }, i)));
    const done = h("span", { class: "muted" });
    const add = h("button", { type: "button", class: "quiet", "data-train": row.text, onclick: async () => {
      if (!intent.value) { done.textContent = "Choisissez une intention."; return; }
      try {
        await call("POST", "/admin/training/review", { text: row.text, intent: intent.value, language: row.language || "ary" });
        add.disabled = true;
        done.textContent = "Ajoutée à la liste de revue.";
      } catch (failure) { done.textContent = message(failure); }
    } }, "Ajouter comme phrase d'entraînement");
    cell = h("td", {}, intent, add, done);
  }
  return h("tr", {}, h("td", { dir: "auto" }, row.text), h("td", {}, LANGUAGE_NAMES[row.language] || row.language), h("td", {}, row.date.slice(0, 16)), cell);
}

async function hasTrainingReview() {
  try {
    const schema = await fetch("/openapi.json").then((r) => r.json());
    return Boolean(schema.paths?.["/admin/training/review"]?.post);
  } catch {
    return false;
  }
}
