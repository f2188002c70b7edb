// Video capsules: the catalogue, and an MP4 upload with its progress.
import { call, h, LANGUAGE_NAMES } from "./api.js";

const csrf = document.querySelector('meta[name="csrf-token"]').content;

export async function render(view) {
  const list = h("div", { class: "capsules" });
  view.append(h("h2", {}, "Capsules vidéo"), list);
  const capsules = await call("GET", "/admin/capsules");
  list.replaceChildren(...capsules.map(card));
  if (!capsules.length) list.append(h("p", { class: "muted" }, "Aucune capsule pour l'instant."));
}

function card(capsule) {
  const progress = h("progress", { max: 100, value: 0, hidden: true });
  const status = h("span", { class: "muted" });
  const file = h("input", { type: "file", accept: "video/mp4" });
  file.addEventListener("change", () => {
    const form = new FormData();
    form.append("video", file.files[0]);
    const request = new XMLHttpRequest();
    request.open("POST", `/admin/capsules/${capsule.id}/video`);
    request.setRequestHeader("X-CSRF-Token", csrf);
    progress.hidden = false;
    request.upload.addEventListener("progress", (event) => { progress.value = (event.loaded / event.total) * 100; });
    request.addEventListener("load", () => {
      status.textContent = request.status === 200 ? "Vidéo envoyée." : JSON.parse(request.responseText).detail;
    });
    request.send(form);
  });
  return h("article", { class: "capsule" }, h("h3", {}, capsule.title.fr || capsule.id),
    h("p", { dir: "auto" }, capsule.caption.ary || ""),
    h("p", { class: "muted" }, capsule.tags.join(", ")),
    h("label", {}, "Nouvelle vidéo (MP4, 16 Mo au plus) ", file), progress, status,
    h("p", { class: "muted" }, Object.keys(capsule.title).map((l) => LANGUAGE_NAMES[l] || l).join(" · ")));
}
