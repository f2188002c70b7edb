/* The web chat page: a session token kept in localStorage, messages posted to /web/messages,
   replies read from the /web/events stream. Every text is put in the page as text, never as
   HTML. No framework, no build. */
(function () {
  "use strict";

  var TOKEN_KEY = "fadaa.web.token";
  var CONTINUE = "web:continue";
  var RIGHT_TO_LEFT = { ary: true, ar: true };
  var everyLanguage = JSON.parse(document.getElementById("texts").textContent);
  var language = document.documentElement.lang;
  var texts = everyLanguage[language];
  var thread = document.getElementById("thread");
  var statusLine = document.getElementById("status");
  var typing = document.getElementById("typing");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var continueButton = document.getElementById("continue");
  var elsewhere = document.getElementById("elsewhere");
  var shown = {}; // event ids already in the thread
  var unsent = []; // messages waiting for the connection
  var token = null;
  var stream = null;
  var typingTimer = null;
  var reconnecting = null;

  function randomId() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function api(method, path, body) {
    var headers = { Authorization: "Bearer " + token };
    if (body) headers["Content-Type"] = "application/json";
    return fetch(path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined });
  }

  function newSession() {
    return fetch("/web/sessions", { method: "POST" }).then(function (response) {
      if (!response.ok) throw new Error("session " + response.status);
      return response.json();
    }).then(function (data) {
      token = data.token;
      localStorage.setItem(TOKEN_KEY, token);
    });
  }

  /* Text with its web addresses as links: built from text nodes, so nothing is HTML. */
  function fillText(element, text) {
    var pattern = /https:\/\/[^\s<>"']+/g;
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      element.appendChild(document.createTextNode(text.slice(last, match.index)));
      var link = document.createElement("a");
      link.href = match[0];
      link.textContent = match[0];
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.dir = "ltr";
      element.appendChild(link);
      last = match.index + match[0].length;
    }
    element.appendChild(document.createTextNode(text.slice(last)));
  }

  /* The page's own words follow the conversation's language (chosen in the chat). */
  function applyLanguage(code) {
    if (!code || code === language || !everyLanguage[code]) return;
    language = code;
    texts = everyLanguage[code];
    document.documentElement.lang = code;
    document.documentElement.dir = RIGHT_TO_LEFT[code] ? "rtl" : "ltr";
    document.title = texts.title;
    document.querySelectorAll("[data-text]").forEach(function (element) {
      element.textContent = texts[element.dataset.text];
    });
    document.querySelectorAll("[data-placeholder]").forEach(function (element) {
      element.placeholder = texts[element.dataset.placeholder];
      element.setAttribute("aria-label", texts[element.dataset.placeholder]);
    });
    document.querySelectorAll("[data-label]").forEach(function (element) {
      element.setAttribute("aria-label", texts[element.dataset.label]);
      element.title = texts[element.dataset.label];
    });
  }

  function scrollDown() {
    thread.scrollTop = thread.scrollHeight;
  }

  function addMessage(message) {
    var item = document.createElement("li");
    item.className = "msg " + (message.from === "user" ? "user" : "bot");
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.dir = message.dir || "auto";
    fillText(bubble, message.text || "");
    item.appendChild(bubble);
    if (message.video) {
      var video = document.createElement("video");
      video.src = message.video.src;
      video.controls = true;
      video.preload = "metadata";
      video.setAttribute("playsinline", "");
      if (message.video.caption) video.title = message.video.caption;
      video.addEventListener("loadedmetadata", scrollDown); // it grew: keep the end in view
      item.appendChild(video);
    }
    if (message.file) {
      // an advisor's photo or PDF: the session token rides in the link, as for the events
      var link = document.createElement("a");
      link.href = message.file.src + "?token=" + encodeURIComponent(token);
      link.target = "_blank";
      link.rel = "noopener";
      link.className = "file";
      if (message.file.kind === "photo") {
        var image = document.createElement("img");
        image.src = link.href;
        image.alt = message.file.name;
        image.addEventListener("load", scrollDown);
        link.appendChild(image);
      } else {
        link.textContent = "📎 " + message.file.name;
      }
      item.appendChild(link);
    }
    if (message.buttons && message.buttons.length) {
      var chips = document.createElement("div");
      chips.className = "chips";
      message.buttons.forEach(function (button) {
        var chip = document.createElement("button");
        chip.type = "button";
        chip.className = "chip";
        chip.textContent = button.title;
        chip.dir = "auto";
        chip.dataset.payload = button.payload;
        chips.appendChild(chip);
      });
      item.appendChild(chips);
    }
    thread.appendChild(item);
    scrollDown();
    return item;
  }

  function showStatus(kind) {
    if (!kind) {
      statusLine.hidden = true;
      return;
    }
    statusLine.textContent = texts[kind];
    statusLine.className = "status " + kind;
    statusLine.hidden = false;
  }

  function setTyping(on) {
    clearTimeout(typingTimer);
    typing.hidden = !on;
    if (on) {
      scrollDown();
      typingTimer = setTimeout(function () { typing.hidden = true; }, 20000);
    }
  }

  function onEvent(event) {
    var message = JSON.parse(event.data);
    if (shown[message.id]) return;
    shown[message.id] = true;
    setTyping(false);
    showStatus(null); // a reply came through: connected
    applyLanguage(message.lang);
    addMessage(message);
  }

  function listen(after) {
    if (stream) stream.close();
    var url = "/web/events?token=" + encodeURIComponent(token) + "&after=" + after;
    stream = new EventSource(url);
    stream.addEventListener("message", onEvent);
    stream.onopen = function () {
      clearTimeout(reconnecting);
      showStatus(navigator.onLine ? null : "offline");
      flush();
    };
    stream.onerror = function () {
      if (stream.readyState === EventSource.CLOSED) {
        // refused (an expired session): start again
        setTimeout(start, 3000);
      }
      if (!navigator.onLine) {
        showStatus("offline");
        return;
      }
      // the server ends a stream now and then and the browser reconnects at once: say so
      // only if that takes a while
      clearTimeout(reconnecting);
      reconnecting = setTimeout(function () { showStatus("reconnecting"); }, 3000);
    };
  }

  function post(message) {
    return api("POST", "/web/messages", message.body).then(function (response) {
      if (response.status === 401) {
        // the session expired while the page was open: a new conversation begins
        return newSession().then(function () {
          thread.textContent = "";
          shown = {};
          thread.appendChild(message.item);
          listen(0);
          return post(message);
        });
      }
      if (response.status === 429) {
        showStatus("too_fast");
        setTimeout(function () { showStatus(null); }, 4000);
        throw new Error("rate");
      }
      if (response.status >= 500) throw new Error("server " + response.status);
      message.item.classList.remove("failed");
      var note = message.item.querySelector(".note");
      if (note) note.remove();
      return response.ok ? response.json() : { replies: 0 }; // refused for good (too long…)
    }).then(function (accepted) {
      if (accepted && accepted.replies === 0) setTyping(false); // an advisor will answer
    });
  }

  function markFailed(message) {
    setTyping(false);
    if (unsent.indexOf(message) < 0) unsent.push(message);
    if (message.item.classList.contains("failed")) return;
    message.item.classList.add("failed");
    var note = document.createElement("span");
    note.className = "note";
    note.textContent = texts.failed;
    message.item.appendChild(note);
    if (message.tappable) return;
    message.tappable = true;
    message.item.addEventListener("click", function () {
      if (message.item.classList.contains("failed")) send(message);
    });
  }

  function send(message) {
    setTyping(true);
    post(message).then(function () {
      var waiting = unsent.indexOf(message);
      if (waiting >= 0) unsent.splice(waiting, 1);
    }, function () {
      markFailed(message);
    });
  }

  /* Messages typed offline go out, in order, with their first id (answered once). */
  function flush() {
    var waiting = unsent;
    unsent = [];
    waiting.forEach(send);
  }

  function say(body, shownText) {
    var message = { body: body, item: addMessage({ from: "user", text: shownText, dir: "auto" }) };
    body.id = randomId();
    body.language = navigator.language;
    send(message);
  }

  function openElsewhere() {
    var open = elsewhere.hidden;
    elsewhere.hidden = !open;
    continueButton.setAttribute("aria-expanded", String(open));
    if (!open) return;
    api("POST", "/web/link").then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (links) {
      if (!links) return;
      [["to-telegram", links.telegram], ["to-whatsapp", links.whatsapp]].forEach(function (pair) {
        var link = document.getElementById(pair[0]);
        link.hidden = !pair[1];
        if (pair[1]) link.href = pair[1];
      });
    });
  }

  thread.addEventListener("click", function (event) {
    var chip = event.target.closest(".chip");
    if (!chip) return;
    if (chip.dataset.payload === CONTINUE) {
      if (elsewhere.hidden) openElsewhere();
      elsewhere.scrollIntoView();
      return;
    }
    say({ payload: chip.dataset.payload }, chip.textContent);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    input.style.height = "";
    say({ text: text }, text);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  input.addEventListener("input", function () {
    input.style.height = "";
    input.style.height = Math.min(input.scrollHeight, 140) + "px";
  });

  continueButton.addEventListener("click", openElsewhere);
  window.addEventListener("offline", function () { showStatus("offline"); });
  window.addEventListener("online", function () {
    var connected = stream && stream.readyState === EventSource.OPEN;
    showStatus(connected ? null : "reconnecting");
    flush();
  });

  function loadHistory() {
    return api("GET", "/web/history").then(function (response) {
      if (response.status === 401) {
        return newSession().then(loadHistory);
      }
      if (!response.ok) throw new Error("history " + response.status);
      return response.json();
    });
  }

  function start() {
    token = localStorage.getItem(TOKEN_KEY);
    var ready = token ? Promise.resolve() : newSession();
    ready.then(loadHistory).then(function (history) {
      applyLanguage(history.language);
      thread.textContent = "";
      shown = {};
      history.messages.forEach(function (message) {
        if (message.id) shown[message.id] = true;
        addMessage(message);
      });
      listen(history.cursor);
      document.body.dataset.ready = "true";
    }).catch(function () {
      showStatus(navigator.onLine ? "reconnecting" : "offline");
      setTimeout(start, 3000);
    });
  }

  start();
})();
