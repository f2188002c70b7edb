// The console's shell: the tabs a role may use, one view at a time (chosen by the URL's #).
import { call } from "./api.js";

const role = document.querySelector('meta[name="staff-role"]').content;
const views = {
  inbox: () => import("./inbox.js"),
  content: () => import("./content.js"),
  canned: () => import("./canned.js"),
  capsules: () => import("./capsules.js"),
  insights: () => import("./insights.js"),
};
const tabs = [...document.querySelectorAll("#tabs a")];
for (const tab of tabs) tab.hidden = !tab.dataset.roles.split(" ").includes(role);
const allowed = tabs.filter((tab) => !tab.hidden).map((tab) => tab.hash.slice(1));
let leave = () => {};

async function show() {
  const name = allowed.includes(location.hash.slice(1)) ? location.hash.slice(1) : allowed[0];
  for (const tab of tabs) tab.classList.toggle("current", tab.hash === `#${name}`);
  tabs.find((tab) => tab.hash === `#${name}`)?.scrollIntoView({ block: "nearest", inline: "nearest" });
  leave();
  const view = document.getElementById("view");
  view.replaceChildren();
  view.dataset.view = name;
  const module = await views[name]();
  leave = (await module.render(view)) || (() => {});
}

document.getElementById("logout").addEventListener("click", async () => {
  await call("POST", "/console/logout");
  location.assign("/console");
});
window.addEventListener("hashchange", show);
show();
