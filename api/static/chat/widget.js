/* Fadaa's chat on another site, with one tag:
     <script src="https://fadaa.example/widget.js" defer></script>
   A round launcher opens the chat page (served by Fadaa) in a panel; the page keeps its
   own session and its strict Content-Security-Policy inside the frame.
   Optional: data-lang="fr|ar|ary" on the tag chooses the page's language. */
(function () {
  "use strict";
  var tag = document.currentScript;
  if (!tag || window.__fadaaWidget) return;
  window.__fadaaWidget = true;
  var origin = new URL(tag.src, location.href).origin;
  var page = origin + "/chat?embed=1" + (tag.dataset.lang ? "&lang=" + encodeURIComponent(tag.dataset.lang) : "");
  var rtl = (document.documentElement.dir || "").toLowerCase() === "rtl";

  function css(element, styles) {
    Object.keys(styles).forEach(function (name) { element.style[name] = styles[name]; });
  }

  var launcher = document.createElement("button");
  launcher.type = "button";
  launcher.setAttribute("aria-label", "Fadaa");
  launcher.setAttribute("aria-expanded", "false");
  launcher.title = "Fadaa";
  css(launcher, {
    position: "fixed", bottom: "16px", width: "60px", height: "60px", padding: "0",
    border: "0", borderRadius: "50%", background: "#0b6e4f", cursor: "pointer",
    boxShadow: "0 4px 14px rgba(0,0,0,.25)", zIndex: "2147483000"
  });
  launcher.style[rtl ? "left" : "right"] = "16px";
  var icon = document.createElement("img");
  icon.src = origin + "/chat/assets/icon.svg";
  icon.alt = "";
  css(icon, { width: "60px", height: "60px", display: "block" });
  launcher.appendChild(icon);

  var panel = document.createElement("div");
  css(panel, {
    position: "fixed", bottom: "88px", width: "min(400px, calc(100vw - 16px))",
    height: "min(640px, calc(100vh - 104px))", borderRadius: "16px", overflow: "hidden",
    boxShadow: "0 8px 30px rgba(0,0,0,.3)", background: "#fff", zIndex: "2147483000",
    display: "none"
  });
  panel.style[rtl ? "left" : "right"] = "8px";
  var frame = null;

  launcher.addEventListener("click", function () {
    var opening = panel.style.display === "none";
    if (opening && !frame) {
      frame = document.createElement("iframe");
      frame.src = page;
      frame.title = "Fadaa";
      frame.setAttribute("allow", "autoplay; fullscreen");
      css(frame, { width: "100%", height: "100%", border: "0" });
      panel.appendChild(frame);
    }
    panel.style.display = opening ? "block" : "none";
    launcher.setAttribute("aria-expanded", String(opening));
  });

  document.body.appendChild(panel);
  document.body.appendChild(launcher);
})();
