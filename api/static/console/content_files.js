// The content files: "Exporter" downloads the live content as YAML (the chosen topic, or
// every topic in a zip); "Importer" checks a file first (a dry run: what would change, or
// every problem next to the file), then applies it once the editor confirms.
import { ApiError, call, h, LANGUAGE_NAMES, message } from "./api.js";

const STATUS = { added: "ajouté", changed: "modifié", unchanged: "inchangé" };

export function filesPanel(topic, applied) {
  const exportLink = h("a", { class: "button", id: "export", download: "" }, "Exporter");
  const target = h("span", { class: "muted", id: "export-target" });
  const pointExport = () => {
    exportLink.href = topic.value ? `/admin/content-files/${topic.value}.yaml` : "/admin/content-files/export.zip";
    target.textContent = topic.value ? `${topic.value}.yaml` : "tous les thèmes (.zip)";
  };
  topic.addEventListener("change", pointExport);
  pointExport();

  const file = h("input", { type: "file", id: "import-file", accept: ".yaml,.yml,.zip" });
  const report = h("div", { class: "import-report", id: "import-report", "aria-live": "polite" });
  file.addEventListener("change", () => check());

  function upload() {
    const form = new FormData();
    form.append("upload", file.files[0]);
    return form;
  }

  async function check() {
    if (!file.files.length) return report.replaceChildren();
    report.replaceChildren(h("p", { class: "muted" }, "Vérification…"));
    try {
      const result = await call("POST", "/admin/content-files/check", upload());
      report.replaceChildren(...summary(file.files[0].name, result), confirm(result));
    } catch (failure) {
      report.replaceChildren(...refusal(failure));
    }
  }

  function confirm(result) {
    const apply = h("button", { type: "button", id: "import-apply", disabled: !(result.added + result.changed) },
      "Appliquer l'import");
    apply.addEventListener("click", async () => {
      apply.disabled = true;
      try {
        const done = await call("POST", `/admin/content-files/import?revision=${result.revision}`, upload());
        const count = done.added + done.changed;
        report.replaceChildren(...summary(file.files[0].name, done),
          h("p", { class: "ok", role: "status", id: "import-done" },
            `Importé : ${count} contenu${count > 1 ? "s" : ""} mis à jour, c'est en ligne.`));
        applied();
      } catch (failure) {
        if (failure instanceof ApiError && failure.status === 409) return check();
        report.replaceChildren(...refusal(failure));
      }
    });
    return h("div", { class: "row" }, apply,
      h("button", { type: "button", class: "quiet", onclick: () => { file.value = ""; report.replaceChildren(); } }, "Annuler"));
  }

  return h("section", { class: "files-panel", id: "files-panel" },
    h("div", { class: "row" }, exportLink, target),
    h("details", { id: "import-panel" }, h("summary", {}, "Importer"),
      h("label", {}, "Fichier de contenus (.yaml) ou archive (.zip)", file), report));
}

function summary(name, result) {
  const changes = result.items.filter((item) => item.status !== "unchanged");
  const languages = Object.entries(result.languages).filter(([, count]) => count)
    .flatMap(([language, count], at) => [at ? " · " : "", h("bdi", {}, LANGUAGE_NAMES[language]), ` : ${count}`]);
  return [
    h("h3", {}, result.applied ? "Import appliqué" : "Vérification (rien n'est encore changé)"),
    h("p", { class: "import-counts", id: "import-counts" },
      `${name} : ${result.added} ajouté(s), ${result.changed} modifié(s), ${result.unchanged} inchangé(s).`),
    languages.length ? h("p", { class: "muted", id: "import-languages" }, "Textes modifiés par langue — ", ...languages) : null,
    changes.length ? h("ul", { class: "import-items" }, ...changes.map((item) => h("li", { "data-change": item.id },
      h("strong", {}, item.id), ` ${STATUS[item.status]}`,
      item.languages.length && item.status === "changed"
        ? [" (", ...item.languages.flatMap((l, at) => [at ? ", " : "", h("bdi", {}, LANGUAGE_NAMES[l])]), ")"] : null,
      item.fields.length ? h("span", { class: "muted" }, ` · ${item.fields.join(", ")}`) : null)))
      : h("p", { class: "muted" }, "Aucun changement : le fichier est identique au contenu en ligne."),
    result.kept.length ? h("p", { class: "muted" },
      `Absents du fichier mais conservés (l'import ne supprime rien) : ${result.kept.join(", ")}`) : null,
    result.ignored.length ? h("p", { class: "muted" }, `Ignorés (sans contenus) : ${result.ignored.join(", ")}`) : null,
  ].filter(Boolean);
}

function refusal(failure) {
  const problems = failure instanceof ApiError && Array.isArray(failure.detail) ? failure.detail : null;
  if (!problems) return [h("p", { class: "error", role: "alert", id: "import-error" }, message(failure))];
  return [
    h("h3", {}, "Le fichier ne peut pas être importé (rien n'a changé)"),
    h("ul", { class: "import-problems", id: "import-problems", role: "alert" }, ...problems.map((problem) => h("li", {},
      h("strong", {}, [problem.file, problem.line ? `ligne ${problem.line}` : null, problem.item, problem.field]
        .filter(Boolean).join(" · ")),
      problem.rule ? h("span", { class: "pill" }, `règle ${problem.rule} (`,
        h("bdi", {}, LANGUAGE_NAMES[problem.language] ?? problem.language), ")") : null,
      h("p", { class: "field-error", dir: "auto" }, problem.message ?? problem.msg ?? JSON.stringify(problem))))),
  ];
}
