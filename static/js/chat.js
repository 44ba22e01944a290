// The candidate's live chat (protocol: docs/chat-protocol.md; the socket itself: chat-socket.js, loaded first).
// The page works without this script (plain form posts); with it, answers go over a WebSocket that
// reconnects by itself and resends unacknowledged messages with the same ids (the server writes each id once).
// All text is inserted with textContent: nothing the candidate or recruiter types is parsed as HTML.
(function () {
  "use strict";
  var root = document.getElementById("chat");
  var lib = window.SmartBotChat;
  if (!root || !lib || !window.WebSocket || !window.JSON) return;

  var log = root.querySelector("[data-log]");
  var typing = root.querySelector("[data-typing]");
  var status = root.querySelector("[data-status]");
  var progress = root.querySelector("[data-progress]");
  var errorBox = root.querySelector("[data-error]");
  var choices = root.querySelector("[data-choices]");
  var form = root.querySelector("[data-form]");
  var input = form ? form.querySelector("[data-text]") : null;
  // The form's hidden "question": when the socket is down the browser posts the form, naming the question shown.
  var questionField = form ? form.querySelector("[data-question]") : null;
  var sendButton = form ? form.querySelector("[data-send]") : null;
  // "Talk to a person": a form that posts without the socket, a "human" frame with it.
  var humanForm = root.querySelector("[data-human]");
  var t = function (key, name) {
    var text = root.getAttribute("data-t-" + key) || "";
    return name === undefined ? text : text.replace("%(name)s", name);
  };

  // The bot answers within milliseconds; its "typing" shows at least this long so it can be seen at all.
  var TYPING_MIN_MS = 500;
  // A person's typing indicator comes as repeated "on" frames: it goes out this long after the last one.
  var PERSON_TYPING_MS = 5000;
  // The bot's "on" is always followed by "off"; this is the backstop if that frame is lost.
  var BOT_TYPING_MS = 15000;

  var socket = null;
  var state = root.getAttribute("data-state");
  var question = null;
  var recruiter = null;
  var pending = {}; // client id -> frame, until acknowledged
  var pendingNodes = {};
  var storageKey = "smartbot-chat-pending:" + root.getAttribute("data-ws-path");
  var queue = []; // frames wait here while the bot's typing indicator has its minimum time
  var holdUntil = 0;
  var drainTimer = null;
  var typingTimer = null;

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

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
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
    if (message.sender === "bot" || message.sender === "recruiter") clearTyping();
    if (message.id && log.querySelector('[data-id="' + message.id + '"]')) return;
    var node = bubble(message.sender, message.text, message.author);
    if (message.id) node.setAttribute("data-id", message.id);
    if (message.slots && message.slots.length) node.appendChild(slotButtons(message.slots));
    log.appendChild(node);
    scrollToEnd();
  }

  // Interview times offered by the bot (docs/chat-protocol.md, "Booking an interview"): one button each, in the
  // browser's own time zone, named; a click sends a "book" frame and the bot answers with a message.
  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }
  function slotLabel(slot, zone) {
    try {
      var when = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", timeZone: zone
      }).format(new Date(slot.starts_at));
      return when + " (" + zone + ")";
    } catch (e) { return slot.label; }
  }
  function slotButtons(slots) {
    var box = document.createElement("div");
    box.className = "chat__slots";
    box.setAttribute("data-slots", "");
    var zone = browserZone();
    slots.forEach(function (slot) {
      var b = button(zone ? slotLabel(slot, zone) : slot.label, function () {
        if (!socket) return;
        Array.prototype.forEach.call(log.querySelectorAll("[data-slots] button"), function (other) { other.disabled = true; });
        showError("");
        socket.send({ v: 1, type: "book", id: lib.newId(), slot: slot.id, time_zone: zone });
      }, "btn--small");
      b.setAttribute("data-slot", slot.id);
      box.appendChild(b);
    });
    return box;
  }

  function showError(text) {
    if (!errorBox) return;
    errorBox.textContent = text || "";
    errorBox.hidden = !text;
  }

  function showTyping(who) {
    typing.textContent = who === "recruiter" && recruiter ? t("recruiter-typing", recruiter.name) : t("typing");
    clearTimeout(typingTimer);
    typingTimer = setTimeout(clearTyping, who === "bot" ? BOT_TYPING_MS : PERSON_TYPING_MS);
  }

  function clearTyping() {
    clearTimeout(typingTimer);
    typing.textContent = "";
  }

  function setStatus(open) {
    if (recruiter) status.textContent = t("recruiter-here", recruiter.name);
    else if (state === "finished") status.textContent = "";
    else status.textContent = open ? t("online") : t("offline");
  }

  function setProgress() {
    if (!progress) return;
    if (state === "finished" || !question || !question.total) {
      progress.textContent = "";
      progress.hidden = true;
      return;
    }
    progress.hidden = false;
    progress.textContent = t("progress")
      .replace("%(number)s", String(question.number))
      .replace("%(total)s", String(question.total));
  }

  function showHumanButton() {
    if (humanForm) humanForm.hidden = state !== "active";
  }

  function setFinished() {
    state = "finished";
    choices.textContent = "";
    if (humanForm) { humanForm.remove(); humanForm = null; }
    clearTyping();
    if (form) {
      var note = document.createElement("p");
      note.className = "chat__form muted";
      note.setAttribute("data-finished", "");
      note.textContent = t("finished");
      form.replaceWith(note);
      form = null;
    }
    setProgress();
    setStatus(false);
    scrollToEnd();
  }

  function button(label, onClick, extraClass) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn" + (extraClass ? " " + extraClass : "");
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  // Multiple choice: checkboxes that belong to the message form, whose one Send button sends the ticked
  // options (and, with the socket down, the same form posts them over HTTP).
  function optionBoxes(q) {
    var fieldset = document.createElement("fieldset");
    fieldset.className = "chat__options";
    var legend = document.createElement("legend");
    legend.className = "chat__hint";
    legend.textContent = t("choose-all");
    fieldset.appendChild(legend);
    q.options.forEach(function (option) {
      var label = document.createElement("label");
      label.className = "chat__option";
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = "choices";
      box.value = option;
      box.setAttribute("form", "chat-form");
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + option));
      fieldset.appendChild(label);
    });
    return fieldset;
  }

  function picked() {
    return Array.prototype.map.call(choices.querySelectorAll('input[name="choices"]:checked'), function (box) {
      return box.value;
    });
  }

  function syncQuestionField() {
    if (questionField) questionField.value = question && state === "active" ? String(question.id) : "";
  }

  function showQuestion(q) {
    question = q || question;
    syncQuestionField();
    setProgress();
    choices.textContent = "";
    if (!q || state !== "active") return;
    if (q.confirm) {
      // The bot read the answer back: its two buttons replace the question's own (a typed answer corrects it).
      q.confirm.options.forEach(function (option) {
        choices.appendChild(button(option.label, function () { sendMessage({ text: option.label }, option.label); }));
      });
      return;
    }
    if (q.kind === "yes_no") {
      choices.appendChild(button(t("yes"), function () { sendMessage({ text: "yes" }, t("yes")); }));
      choices.appendChild(button(t("no"), function () { sendMessage({ text: "no" }, t("no")); }));
    } else if (q.kind === "single_choice") {
      q.options.forEach(function (option) {
        choices.appendChild(button(option, function () { sendMessage({ text: option }, option); }));
      });
    } else if (q.kind === "multiple_choice") {
      choices.appendChild(optionBoxes(q));
    }
    if (!q.required) {
      choices.appendChild(button(t("skip"), function () { sendMessage({ text: "" }, "—"); }, "btn--link"));
    }
  }

  function pendingBubble(id, shown) {
    var node = bubble("candidate", shown);
    node.classList.add("is-pending");
    node.title = t("pending");
    log.appendChild(node);
    pendingNodes[id] = node;
    scrollToEnd();
  }

  function sendMessage(fields, shown) {
    if (state === "finished") return;
    var frame = { v: 1, type: "message", id: lib.newId() };
    Object.keys(fields).forEach(function (k) { frame[k] = fields[k]; });
    if (question && state === "active") frame.question = question.id;
    pending[frame.id] = frame;
    savePending();
    pendingBubble(frame.id, shown);
    choices.textContent = "";
    showError("");
    socket.send(frame);
  }

  function acknowledged(frame) {
    var node = pendingNodes[frame.id];
    if (node) {
      node.classList.remove("is-pending");
      node.removeAttribute("title");
      if (frame.message_id) node.setAttribute("data-id", frame.message_id);
      delete pendingNodes[frame.id];
    }
    delete pending[frame.id];
    savePending();
  }

  function refused(frame) {
    clearTyping();
    Array.prototype.forEach.call(log.querySelectorAll("[data-slots] button"), function (b) { b.disabled = false; });
    var sent = frame.id && pending[frame.id];
    if (sent) {
      if (pendingNodes[frame.id]) pendingNodes[frame.id].remove();
      delete pendingNodes[frame.id];
      delete pending[frame.id];
      savePending();
      // Nothing typed is lost: a refused text goes back into an empty box, refused choices are offered again.
      if (input && !sent.choices && sent.text && !input.value) {
        input.value = sent.text;
        guard.update();
      }
      if (state === "active") showQuestion(question);
    }
    if (frame.code === "finished") setFinished();
    else if (frame.code === "stale_question") socket.reconnect();
    // "script_changed": the bot's message and the question now awaited follow this frame.
    showError(frame.message);
  }

  function onHello(frame) {
    log.textContent = "";
    pendingNodes = {};
    clearTyping();
    showError("");
    frame.messages.forEach(addMessage);
    state = frame.state;
    recruiter = frame.recruiter;
    question = frame.question || null;
    setStatus(true);
    if (state === "finished") {
      pending = {};
      savePending();
      setFinished();
      return;
    }
    showQuestion(frame.question);
    showHumanButton();
    // Resend what the last connection did not acknowledge; known ids are acknowledged, not written again.
    Object.keys(pending).forEach(function (id) {
      var frame = pending[id];
      pendingBubble(id, frame.choices ? frame.choices.join(", ") : frame.text || "—");
      socket.send(frame);
    });
    scrollToEnd();
  }

  var handlers = {
    hello: onHello,
    ack: acknowledged,
    message: function (frame) { addMessage(frame.message); },
    question: function (frame) { showQuestion(frame.question); },
    typing: function (frame) {
      if (frame.on) {
        showTyping(frame.who);
        if (frame.who === "bot") holdUntil = Date.now() + TYPING_MIN_MS;
      } else {
        clearTyping();
      }
    },
    state: function (frame) {
      state = frame.state;
      recruiter = frame.recruiter;
      if (state === "finished") { setFinished(); return; }
      setStatus(true);
      syncQuestionField();
      showHumanButton();
      if (state === "paused") { choices.textContent = ""; setProgress(); }
      else showQuestion(frame.question || question);
    },
    error: refused,
    pong: function () {}
  };

  // Frames are handled in order; while the bot's typing indicator has its minimum time, the rest wait.
  function drain() {
    clearTimeout(drainTimer);
    drainTimer = null;
    while (queue.length) {
      var wait = holdUntil - Date.now();
      if (wait > 0) {
        drainTimer = setTimeout(drain, wait);
        return;
      }
      var frame = queue.shift();
      handlers[frame.type](frame);
    }
  }
  var queued = {};
  Object.keys(handlers).forEach(function (type) {
    queued[type] = function (frame) {
      if (type === "hello") { queue = []; holdUntil = 0; }
      queue.push(frame);
      if (!drainTimer) drain();
    };
  });

  var guard = { ok: function () { return true; }, update: function () {} };
  if (form && input) {
    guard = lib.textGuard(input, form.querySelector("[data-counter]"), {
      max: parseInt(root.getAttribute("data-max-chars"), 10) || 4000,
      count: t("count"),
      over: t("too-long"),
      onChange: function (over) { if (sendButton) sendButton.disabled = over; }
    });
    form.addEventListener("submit", function (event) {
      if (!guard.ok()) { // never cut a long answer: it stays in the box until it is short enough
        event.preventDefault();
        input.focus();
        return;
      }
      if (!socket || !socket.isOpen()) return; // no socket: the browser posts the form (the HTTP fallback)
      event.preventDefault();
      if (question && question.kind === "multiple_choice" && state === "active") {
        var ticked = picked();
        if (ticked.length) {
          sendMessage({ choices: ticked }, ticked.join(", "));
          return;
        }
      }
      var text = input.value;
      if (!text.trim() && question && question.required && state === "active") return;
      sendMessage({ text: text }, text);
      input.value = "";
      guard.update();
      input.focus();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit();
        else form.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    });
    var lastTyping = 0;
    input.addEventListener("input", function () {
      if (state !== "paused" || Date.now() - lastTyping < 3000) return;
      lastTyping = Date.now();
      socket.send({ type: "typing", on: true });
    });
  }

  if (humanForm) {
    humanForm.addEventListener("submit", function (event) {
      if (!socket || !socket.isOpen()) return; // no socket: the browser posts the form
      event.preventDefault();
      showError("");
      // The server answers with the ack, the candidate's line, the bot's acknowledgement and the question again.
      socket.send({ v: 1, type: "human", id: lib.newId() });
    });
  }

  // A finished chat opens at its end, where the outcome is.
  scrollToEnd();
  if (state !== "finished") {
    status.textContent = t("connecting");
    socket = lib.socket({
      path: root.getAttribute("data-ws-path"),
      handlers: queued,
      onClose: function () {
        queue = [];
        holdUntil = 0;
        clearTyping();
        if (state === "finished") socket.stop(); // nothing more to say: no reconnecting
        setStatus(false);
      },
      // The link turned read-only or the chat is gone: reloading the page shows what is left.
      onGone: function () { status.textContent = t("gone"); }
    });
  }
})();
