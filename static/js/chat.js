// The candidate's live chat (protocol: docs/chat-protocol.md). The page works without this
// script (plain form posts); with it, answers go over a WebSocket that reconnects by itself and
// resends unacknowledged messages with the same ids (the server writes each id once).
// All text is inserted with textContent: nothing the candidate or recruiter types is parsed as HTML.
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root || !window.WebSocket || !window.JSON) return;

  var log = root.querySelector("[data-log]");
  var typing = root.querySelector("[data-typing]");
  var status = root.querySelector("[data-status]");
  var choices = root.querySelector("[data-choices]");
  var form = root.querySelector("[data-form]");
  var input = root.querySelector("[data-text]");
  var t = function (key, name) {
    var text = root.getAttribute("data-t-" + key) || "";
    return name === undefined ? text : text.replace("%(name)s", name);
  };

  var socket = null;
  var open = false;
  var attempts = 0;
  var state = root.getAttribute("data-state");
  var question = null;
  var recruiter = null;
  var pending = {}; // client id -> frame, until acknowledged
  var pendingNodes = {};
  var storageKey = "smartbot-chat-pending:" + root.getAttribute("data-ws-path");

  try {
    pending = JSON.parse(sessionStorage.getItem(storageKey) || "{}") || {};
  } catch (e) {
    pending = {};
  }
  function savePending() {
    try {
      sessionStorage.setItem(storageKey, JSON.stringify(pending));
    } catch (e) { /* private mode: keep them in memory only */ }
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  function bubble(sender, text, author) {
    var node = document.createElement("div");
    node.className = "chat__msg chat__msg--" + sender;
    if (author && sender === "recruiter") {
      var label = document.createElement("span");
      label.className = "chat__author";
      label.textContent = author;
      node.appendChild(label);
    }
    node.appendChild(document.createTextNode(text));
    return node;
  }

  function addMessage(message) {
    if (message.id && log.querySelector('[data-id="' + message.id + '"]')) return;
    var node = bubble(message.sender, message.text, message.author);
    if (message.id) node.setAttribute("data-id", message.id);
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
  }

  function setStatus() {
    if (recruiter) status.textContent = t("recruiter-here", recruiter.name);
    else if (state === "finished") status.textContent = "";
    else status.textContent = open ? t("online") : t("offline");
  }

  function setFinished() {
    state = "finished";
    choices.textContent = "";
    if (form) {
      var note = document.createElement("p");
      note.className = "chat__form muted";
      note.textContent = t("finished");
      form.replaceWith(note);
      form = null;
    }
    setStatus();
  }

  function button(label, onClick, extraClass) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn" + (extraClass ? " " + extraClass : "");
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function showQuestion(q) {
    question = q;
    choices.textContent = "";
    if (!q || state !== "active") return;
    if (q.kind === "yes_no") {
      choices.appendChild(button(t("yes"), function () { sendMessage({ text: "yes" }, t("yes")); }));
      choices.appendChild(button(t("no"), function () { sendMessage({ text: "no" }, t("no")); }));
    } else if (q.kind === "single_choice") {
      q.options.forEach(function (option) {
        choices.appendChild(button(option, function () { sendMessage({ text: option }, option); }));
      });
    } else if (q.kind === "multiple_choice") {
      var picked = [];
      q.options.forEach(function (option) {
        var b = button(option, function () {
          var i = picked.indexOf(option);
          if (i >= 0) picked.splice(i, 1); else picked.push(option);
          b.classList.toggle("btn--primary", i < 0);
          b.setAttribute("aria-pressed", i < 0 ? "true" : "false");
        });
        b.setAttribute("aria-pressed", "false");
        choices.appendChild(b);
      });
      choices.appendChild(button(t("send"), function () {
        if (picked.length) sendMessage({ choices: picked.slice() }, picked.join(", "));
      }, "btn--primary"));
    }
    if (!q.required) {
      choices.appendChild(button(t("skip"), function () { sendMessage({ text: "" }, "—"); }, "btn--link"));
    }
  }

  function sendFrame(frame) {
    if (open) socket.send(JSON.stringify(frame));
  }

  function sendMessage(fields, shown) {
    if (state === "finished") return;
    var frame = { v: 1, type: "message", id: newId() };
    Object.keys(fields).forEach(function (k) { frame[k] = fields[k]; });
    if (question && state === "active") frame.question = question.id;
    pending[frame.id] = frame;
    savePending();
    var node = bubble("candidate", shown);
    node.classList.add("is-pending");
    node.style.opacity = "0.6";
    node.title = t("pending");
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
    pendingNodes[frame.id] = node;
    choices.textContent = "";
    sendFrame(frame);
  }

  function acknowledged(frame) {
    var node = pendingNodes[frame.id];
    if (node) {
      node.classList.remove("is-pending");
      node.style.opacity = "";
      node.removeAttribute("title");
      if (frame.message_id) node.setAttribute("data-id", frame.message_id);
      delete pendingNodes[frame.id];
    }
    delete pending[frame.id];
    savePending();
  }

  function onHello(frame) {
    log.textContent = "";
    pendingNodes = {};
    frame.messages.forEach(addMessage);
    state = frame.state;
    recruiter = frame.recruiter;
    setStatus();
    if (state === "finished") {
      pending = {};
      savePending();
      setFinished();
      return;
    }
    showQuestion(frame.question);
    // Resend what the last connection did not acknowledge; known ids are acknowledged, not written again.
    Object.keys(pending).forEach(function (id) {
      var node = bubble("candidate", pending[id].choices ? pending[id].choices.join(", ") : pending[id].text || "—");
      node.classList.add("is-pending");
      node.style.opacity = "0.6";
      log.appendChild(node);
      pendingNodes[id] = node;
      sendFrame(pending[id]);
    });
  }

  var handlers = {
    hello: onHello,
    ack: acknowledged,
    message: function (frame) { addMessage(frame.message); },
    question: function (frame) { showQuestion(frame.question); },
    typing: function (frame) {
      if (!frame.on) typing.textContent = "";
      else typing.textContent = frame.who === "recruiter" && recruiter ? t("recruiter-typing", recruiter.name) : t("typing");
    },
    state: function (frame) {
      state = frame.state;
      recruiter = frame.recruiter;
      if (state === "finished") { setFinished(); return; }
      setStatus();
      if (state === "paused") choices.textContent = "";
      else if (frame.question) showQuestion(frame.question);
    },
    error: function (frame) {
      if (frame.id && pendingNodes[frame.id]) {
        pendingNodes[frame.id].remove();
        delete pendingNodes[frame.id];
        delete pending[frame.id];
        savePending();
      }
      if (frame.code === "finished") setFinished();
      else if (frame.code === "stale_question") connect(true);
      typing.textContent = frame.message;
    },
    pong: function () {}
  };

  function connect(restart) {
    if (restart && socket) { socket.close(); return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.getAttribute("data-ws-path"));
    socket.addEventListener("open", function () { open = true; attempts = 0; setStatus(); });
    socket.addEventListener("message", function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.v !== 1 || !handlers[frame.type]) return;
      handlers[frame.type](frame);
    });
    socket.addEventListener("close", function () {
      open = false;
      typing.textContent = "";
      setStatus();
      if (state === "finished") return;
      attempts += 1;
      // Back off up to 10 s; the page's form still posts over HTTP meanwhile.
      setTimeout(connect, Math.min(10000, 500 * Math.pow(2, attempts)));
    });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      if (!open) return; // no socket: the browser posts the form (the HTTP fallback)
      event.preventDefault();
      var text = input.value;
      if (!text.trim() && question && question.required && state === "active") return;
      sendMessage({ text: text }, text);
      input.value = "";
      input.focus();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    });
    var lastTyping = 0;
    input.addEventListener("input", function () {
      if (state !== "paused" || Date.now() - lastTyping < 3000) return;
      lastTyping = Date.now();
      sendFrame({ v: 1, type: "typing", id: newId(), on: true });
    });
  }
  // Keep idle connections open through proxies.
  setInterval(function () { sendFrame({ v: 1, type: "ping", id: newId() }); }, 25000);

  if (state !== "finished") {
    // Choice buttons rendered for the no-JS page are replaced by the socket's hello.
    connect();
  }
})();
