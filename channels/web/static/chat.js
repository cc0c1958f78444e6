// Chat page: talks socket.io with the web server that sent it; keeps the session id in
// sessionStorage so a reload or a dropped connection continues the conversation.
(function () {
  "use strict";
  var messages = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("message-input");
  var typing = document.getElementById("typing");
  var statusLine = document.getElementById("status");
  var select = document.getElementById("language-select");
  var texts = {};
  var language = sessionStorage.getItem("chatLanguage") || document.documentElement.lang;
  var sessionId = sessionStorage.getItem("chatSessionId");
  // The transcript lives in this tab only, so a reload or reconnect shows it again.
  var transcript = JSON.parse(sessionStorage.getItem("chatTranscript") || "[]");
  var socket = null;

  function t(key) { return (texts[language] || {})[key] || ""; }

  function applyLanguage() {
    document.documentElement.lang = language;
    select.value = language;
    document.querySelectorAll("[data-i18n]").forEach(function (el) {
      el.textContent = t(el.getAttribute("data-i18n"));
    });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (el) {
      el.setAttribute("placeholder", t(el.getAttribute("data-i18n-placeholder")));
    });
    document.title = t("heading");
  }

  function remember(author, text, buttons) {
    transcript.push({ author: author, text: text, buttons: buttons || [] });
    sessionStorage.setItem("chatTranscript", JSON.stringify(transcript.slice(-200)));
  }

  function addMessage(author, text, buttons, restoring) {
    if (!restoring) { remember(author, text, buttons); }
    var item = document.createElement("li");
    item.className = "message message-" + author;
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = t(author === "user" ? "you" : "bot") + ": ";
    var body = document.createElement("p");
    body.textContent = text;
    item.appendChild(who);
    item.appendChild(body);
    if (buttons && buttons.length) {
      var group = document.createElement("div");
      group.className = "quick-replies";
      group.setAttribute("role", "group");
      buttons.forEach(function (button) {
        var element = document.createElement("button");
        element.type = "button";
        element.textContent = button.title;
        element.addEventListener("click", function () {
          send(button.payload, button.title);
          group.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        });
        group.appendChild(element);
      });
      item.appendChild(group);
    }
    messages.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  function send(payload, shownText) {
    if (!socket) { return; }
    if (shownText) { addMessage("user", shownText); }
    typing.hidden = false;
    socket.emit("user_uttered", {
      message: payload,
      session_id: sessionId,
      metadata: { language: language }
    });
  }

  function connect() {
    // The web server that sent this page keeps the chat session (websocket,
    // or long-polling where a proxy blocks websockets) and relays to Rasa.
    // A logged-in user's page may set window.migriChatLoginToken (the website's
    // signed token); the server verifies it, and without it the chat is anonymous.
    var options = { reconnection: true };
    if (window.migriChatLoginToken) { options.auth = { token: window.migriChatLoginToken }; }
    socket = io(options);
    statusLine.textContent = t("connecting");
    socket.on("connect", function () {
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", function (data) {
      var first = !sessionId;
      sessionId = (data && data.session_id) || data;
      sessionStorage.setItem("chatSessionId", sessionId);
      statusLine.textContent = t("connected");
      if (first) { send(t("greeting")); }
    });
    socket.on("bot_uttered", function (message) {
      typing.hidden = true;
      var buttons = message.quick_replies || message.buttons || [];
      addMessage("bot", message.text || "", buttons);
    });
    socket.on("disconnect", function () {
      statusLine.textContent = t("disconnected");
    });
    socket.io.on("reconnect", function () {
      statusLine.textContent = t("connected");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    send(text, text);
    input.value = "";
    input.focus();
  });

  select.addEventListener("change", function () {
    language = select.value;
    sessionStorage.setItem("chatLanguage", language);
    applyLanguage();
    send('/switch_language{"requested_language": "' + language + '"}');
  });

  Promise.all([
    fetch("/static/i18n.json").then(function (r) { return r.json(); }),
    fetch("/config.json").then(function (r) { return r.json(); })
  ]).then(function (results) {
    texts = results[0];
    if (!texts[language]) { language = results[1].defaultLanguage; }
    applyLanguage();
    transcript.forEach(function (entry) { addMessage(entry.author, entry.text, entry.buttons, true); });
    connect();
  });
})();
