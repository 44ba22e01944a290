// The recruiter's live view of a candidate's chat (protocol: docs/chat-protocol.md).
// Without this script the transcript is static and the take over / hand back / send forms post
// normally. With it, the same forms go over the socket and the transcript updates as it happens.
// It also re-broadcasts "evaluation.updated" as the DOM event "smartbot:evaluation-updated".
// All text is inserted with textContent.
(function () {
  "use strict";
  var root = document.getElementById("recruiter-chat");
  if (!root || !window.WebSocket) return;

  var log = root.querySelector("[data-log]");
  var typing = root.querySelector("[data-typing]");
  var lead = root.querySelector("[data-lead]");
  var presence = root.querySelector("[data-presence]");
  var takeoverForm = root.querySelector('[data-action="takeover"]');
  var handbackForm = root.querySelector('[data-action="handback"]');
  var messageForm = root.querySelector('[data-action="message"]');
  var input = messageForm ? messageForm.querySelector("[data-text]") : null;
  var t = function (key, name) {
    var text = root.getAttribute("data-t-" + key) || "";
    return name === undefined ? text : text.replace("%(name)s", name);
  };
  var labels = { bot: t("bot"), candidate: "", system: "" };

  var socket = null;
  var open = false;
  var attempts = 0;
  var mine = false;
  var typingTimer = null;

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "r" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  function addMessage(message) {
    if (message.id && log.querySelector('[data-id="' + message.id + '"]')) return;
    var empty = log.querySelector("[data-empty]");
    if (empty) empty.remove();
    var node = document.createElement("div");
    node.className = "chat__msg chat__msg--" + message.sender;
    if (message.id) node.setAttribute("data-id", message.id);
    var author = message.sender === "recruiter" ? message.author : labels[message.sender];
    if (author) {
      var label = document.createElement("span");
      label.className = "chat__author";
      label.textContent = author;
      node.appendChild(label);
    }
    node.appendChild(document.createTextNode(message.text));
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
  }

  function setPresence(online) {
    presence.textContent = "";
    var badge = document.createElement("span");
    badge.className = online ? "badge badge--live" : "badge";
    badge.textContent = online ? t("live") : t("away");
    presence.appendChild(badge);
  }

  function setState(state, recruiter, byMe) {
    root.setAttribute("data-state", state);
    mine = !!byMe;
    if (state === "finished") lead.textContent = t("finished");
    else if (state === "paused" && recruiter) lead.textContent = t("led-by", recruiter.name);
    else lead.textContent = t("led-by-bot");
    if (takeoverForm) takeoverForm.hidden = state !== "active";
    if (handbackForm) handbackForm.hidden = state !== "paused";
    if (messageForm) messageForm.hidden = !(state === "paused" && mine);
  }

  function send(frame) {
    if (!open) return false;
    frame.v = 1;
    frame.id = frame.id || newId();
    socket.send(JSON.stringify(frame));
    return true;
  }

  var handlers = {
    hello: function (frame) {
      log.textContent = "";
      frame.messages.forEach(addMessage);
      setPresence(frame.candidate_online);
      setState(frame.state, frame.recruiter, frame.taken_over_by_me);
    },
    message: function (frame) { addMessage(frame.message); },
    state: function (frame) {
      // Only this socket's own takeover makes the message box appear; others see who leads.
      var byMe = frame.state === "paused" && (mine || pendingTakeover);
      pendingTakeover = false;
      setState(frame.state, frame.recruiter, byMe);
      // A finished screening has just queued its AI evaluation: the evaluation block reloads itself.
      if (frame.state === "finished") {
        document.dispatchEvent(new CustomEvent("smartbot:evaluation-updated", { detail: {} }));
      }
    },
    presence: function (frame) { setPresence(frame.candidate_online); },
    typing: function (frame) {
      if (frame.who !== "candidate") return;
      typing.textContent = frame.on ? t("typing") : "";
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { typing.textContent = ""; }, 4000);
    },
    ack: function () {},
    question: function () {},
    error: function (frame) {
      pendingTakeover = false;
      typing.textContent = frame.message;
    },
    "evaluation.updated": function (frame) {
      document.dispatchEvent(new CustomEvent("smartbot:evaluation-updated", { detail: { responseId: frame.response_id } }));
    },
    pong: function () {}
  };
  var pendingTakeover = false;

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.getAttribute("data-ws-path"));
    socket.addEventListener("open", function () { open = true; attempts = 0; });
    socket.addEventListener("message", function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.v === 1 && handlers[frame.type]) handlers[frame.type](frame);
    });
    socket.addEventListener("close", function () {
      open = false;
      typing.textContent = t("disconnected");
      attempts += 1;
      setTimeout(connect, Math.min(15000, 500 * Math.pow(2, attempts)));
    });
  }

  if (takeoverForm) {
    takeoverForm.addEventListener("submit", function (event) {
      if (!open) return;
      event.preventDefault();
      pendingTakeover = true;
      send({ type: "takeover" });
    });
  }
  if (handbackForm) {
    handbackForm.addEventListener("submit", function (event) {
      if (!open) return;
      event.preventDefault();
      send({ type: "handback" });
    });
  }
  if (messageForm) {
    messageForm.addEventListener("submit", function (event) {
      if (!open) return;
      event.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      send({ type: "message", text: text });
      input.value = "";
      input.focus();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        messageForm.requestSubmit ? messageForm.requestSubmit() : messageForm.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    });
    var lastTyping = 0;
    input.addEventListener("input", function () {
      if (Date.now() - lastTyping < 3000) return;
      lastTyping = Date.now();
      send({ type: "typing", on: true });
    });
  }
  setInterval(function () { send({ type: "ping" }); }, 25000);
  connect();
})();
