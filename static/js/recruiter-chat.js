// The recruiter's live view of a candidate's chat (protocol: docs/chat-protocol.md; the socket itself:
// chat-socket.js, loaded first). Without this script the transcript is static and the take over / hand back /
// send forms post normally. With it, the same forms go over the socket, the transcript updates as it happens,
// and the controls follow the chat's state: "Take over" while the bot leads, "Hand back" and the message box
// while this recruiter leads, nothing to send in a finished chat. Nothing typed is thrown away: the text
// leaves the box only when the server acknowledged it, and is kept (as a draft in this tab) otherwise.
// It also re-broadcasts "evaluation.updated" as the DOM event "smartbot:evaluation-updated".
// All text is inserted with textContent.
(function () {
  "use strict";
  var root = document.getElementById("recruiter-chat");
  var lib = window.SmartBotChat;
  if (!root || !lib || !window.WebSocket) return;

  var log = root.querySelector("[data-log]");
  var typing = root.querySelector("[data-typing]");
  var lead = root.querySelector("[data-lead]");
  var presence = root.querySelector("[data-presence]");
  var connection = root.querySelector("[data-connection]");
  var errorBox = root.querySelector("[data-error]");
  var takeoverForm = root.querySelector('[data-action="takeover"]');
  var handbackForm = root.querySelector('[data-action="handback"]');
  var messageForm = root.querySelector('[data-action="message"]');
  var input = messageForm ? messageForm.querySelector("[data-text]") : null;
  var sendButton = messageForm ? messageForm.querySelector("[data-send]") : null;
  var hint = messageForm ? messageForm.querySelector("[data-hint]") : null;
  var t = function (key, name) {
    var text = root.getAttribute("data-t-" + key) || "";
    return name === undefined ? text : text.replace("%(name)s", name);
  };
  var labels = { bot: t("bot"), candidate: "", system: "" };
  var draftKey = "smartbot-recruiter-draft:" + root.getAttribute("data-ws-path");

  var socket = null;
  var state = root.getAttribute("data-state");
  var mine = root.getAttribute("data-mine") === "1";
  var canEdit = root.getAttribute("data-can-take-over") === "1" && !!takeoverForm;
  var leader = null; // {name} of the recruiter who leads, if any
  var takeoverId = null; // our takeover frame, until acknowledged or refused
  var handbackId = null;
  // A form of this page went over HTTP (the socket was not open yet): the page is about to be replaced.
  var postedOverHttp = false;
  var sendAfterTakeover = false; // "Take over and send": the text goes once the takeover is acknowledged
  var inflight = null; // {id, text}: our message, until acknowledged or refused
  var unconfirmed = null; // the message in flight when the connection dropped
  var tooLong = false;
  var typingTimer = null;

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function addMessage(message) {
    if (message.sender === "candidate") clearTyping();
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
    scrollToEnd();
  }

  function lastRecruiterText() {
    var nodes = log.querySelectorAll(".chat__msg--recruiter");
    if (!nodes.length) return null;
    var node = nodes[nodes.length - 1];
    var label = node.querySelector(".chat__author");
    var text = node.textContent;
    return label ? text.slice(label.textContent.length) : text;
  }

  function setPresence(online) {
    presence.textContent = "";
    var badge = document.createElement("span");
    badge.className = online ? "badge badge--live" : "badge";
    badge.textContent = online ? t("live") : t("away");
    presence.appendChild(badge);
  }

  function show(node, text) {
    if (!node) return;
    node.textContent = text || "";
    node.hidden = !text;
  }

  function clearTyping() {
    clearTimeout(typingTimer);
    typing.textContent = "";
  }

  // Drafts: what is in the box survives a reload and a form posted over HTTP that the server refused.
  function saveDraft() {
    if (!input) return;
    try {
      if (input.value) sessionStorage.setItem(draftKey, input.value);
      else sessionStorage.removeItem(draftKey);
    } catch (e) { /* private mode: the box itself keeps it */ }
  }
  function restoreDraft() {
    if (!input || input.value) return;
    var draft = null;
    try { draft = sessionStorage.getItem(draftKey); } catch (e) { return; }
    if (!draft) return;
    if (draft === lastRecruiterText()) { // the last post went through: it is in the transcript
      input.value = "";
      saveDraft();
      return;
    }
    input.value = draft;
  }

  // Shows exactly the controls the state allows; called after every change.
  function render() {
    var open = socket !== null && socket.isOpen();
    var active = state === "active";
    var paused = state === "paused";
    var leading = paused && mine;
    root.setAttribute("data-state", state);
    root.setAttribute("data-mine", leading ? "1" : "");
    if (state === "finished") lead.textContent = t("finished");
    else if (leading) lead.textContent = t("led-by-me");
    else if (paused) lead.textContent = leader ? t("led-by", leader.name) : t("led-by", "");
    else lead.textContent = t("led-by-bot");

    if (takeoverForm) takeoverForm.hidden = !(canEdit && active);
    if (handbackForm) handbackForm.hidden = !(canEdit && leading);
    if (!messageForm) return;
    var hasText = input.value.trim() !== "";
    // The box shows while this recruiter leads, and stays (never emptied) while it holds unsent text.
    messageForm.hidden = !(canEdit && (leading || hasText));
    input.readOnly = inflight !== null;
    var label = t("send");
    var enabled = false;
    var note = "";
    if (inflight !== null || takeoverId !== null) {
      label = t("sending");
    } else if (leading) {
      enabled = true;
    } else if (active) {
      label = t("take-over-and-send");
      enabled = open; // over HTTP the message form would be refused while the bot leads
      note = t("kept-bot");
    } else if (paused) {
      note = t("kept-other", leader ? leader.name : "");
    } else {
      note = t("kept-finished");
    }
    sendButton.textContent = label;
    sendButton.disabled = !enabled || tooLong;
    show(hint, hasText ? note : "");
  }

  function sendText(text) {
    inflight = { id: lib.newId("r"), text: text };
    if (!socket.send({ type: "message", id: inflight.id, text: text })) inflight = null;
    render();
  }

  function takeOver(thenSend) {
    takeoverId = lib.newId("r");
    sendAfterTakeover = !!thenSend;
    if (!socket.send({ type: "takeover", id: takeoverId })) {
      takeoverId = null;
      sendAfterTakeover = false;
    }
    render();
  }

  var handlers = {
    hello: function (frame) {
      log.textContent = "";
      clearTyping();
      frame.messages.forEach(addMessage);
      setPresence(frame.candidate_online);
      state = frame.state;
      leader = frame.recruiter;
      mine = !!frame.taken_over_by_me;
      canEdit = !!frame.can_take_over && !!takeoverForm;
      // A message sent just before the connection dropped may have gone through: then it is in the replay.
      if (unconfirmed && input.value === unconfirmed.text && lastRecruiterText() === unconfirmed.text) {
        input.value = "";
        saveDraft();
      }
      unconfirmed = null;
      inflight = null;
      takeoverId = null;
      sendAfterTakeover = false;
      handbackId = null;
      show(connection, "");
      guard.update();
      render();
      scrollToEnd();
      // Tell the server this page has read that its recruiter leads: only then does closing it hand the chat back
      // (a page replaced before its script ran, by a form posted over HTTP, leaves the lead to the next page).
      // Not once a form has gone over HTTP: this page is being replaced, and its closing must not hand back.
      if (mine && !postedOverHttp) socket.send({ type: "ping" });
    },
    message: function (frame) { addMessage(frame.message); },
    state: function (frame) {
      state = frame.state;
      leader = frame.recruiter;
      if (state !== "paused") mine = false;
      // The server says who leads when it knows (another tab of this recruiter may have taken over).
      else if (typeof frame.taken_over_by_me === "boolean") mine = frame.taken_over_by_me;
      render();
      // A finished screening has just queued its AI evaluation: the evaluation block reloads itself.
      if (state === "finished") {
        document.dispatchEvent(new CustomEvent("smartbot:evaluation-updated", { detail: {} }));
      }
    },
    presence: function (frame) { setPresence(frame.candidate_online); },
    typing: function (frame) {
      if (frame.who !== "candidate") return;
      clearTimeout(typingTimer);
      typing.textContent = frame.on ? t("typing") : "";
      // Typing comes as repeated "on" frames; without one for 4 s the candidate has stopped.
      if (frame.on) typingTimer = setTimeout(clearTyping, 4000);
    },
    ack: function (frame) {
      if (frame.id === takeoverId) {
        // The server acknowledges before it sends the new state: from here on this recruiter leads.
        takeoverId = null;
        mine = true;
        state = "paused";
        show(errorBox, "");
        if (sendAfterTakeover && input.value.trim()) sendText(input.value);
        sendAfterTakeover = false;
      } else if (frame.id === handbackId) {
        handbackId = null;
        mine = false;
      } else if (inflight && frame.id === inflight.id) {
        if (input.value === inflight.text) input.value = "";
        inflight = null;
        saveDraft();
        guard.update();
        show(errorBox, "");
        input.focus();
      }
      render();
    },
    question: function () {},
    error: function (frame) {
      // Whatever was refused, the text stays in the box.
      if (frame.id && frame.id === takeoverId) { takeoverId = null; sendAfterTakeover = false; }
      if (frame.id && frame.id === handbackId) handbackId = null;
      if (inflight && frame.id === inflight.id) inflight = null;
      show(errorBox, frame.message);
      render();
    },
    "evaluation.updated": function (frame) {
      document.dispatchEvent(new CustomEvent("smartbot:evaluation-updated", { detail: { responseId: frame.response_id } }));
    },
    pong: function () {}
  };

  var guard = { ok: function () { return true; }, update: function () {} };
  if (messageForm) {
    restoreDraft();
    guard = lib.textGuard(input, messageForm.querySelector("[data-counter]"), {
      max: parseInt(root.getAttribute("data-max-chars"), 10) || 4000,
      count: t("count"),
      over: t("too-long"),
      onChange: function (over) { tooLong = over; render(); }
    });
    messageForm.addEventListener("submit", function (event) {
      if (!guard.ok() || sendButton.disabled) {
        event.preventDefault();
        return;
      }
      if (!socket.isOpen()) { // posted over HTTP: keep the text until the page shows it went through
        saveDraft();
        postedOverHttp = true;
        return;
      }
      event.preventDefault();
      var text = input.value;
      if (!text.trim()) return;
      show(errorBox, "");
      if (state === "paused" && mine) sendText(text);
      else if (state === "active" && canEdit) takeOver(true);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        if (messageForm.requestSubmit) messageForm.requestSubmit();
        else messageForm.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    });
    var lastTyping = 0;
    input.addEventListener("input", function () {
      saveDraft();
      render();
      if (!(state === "paused" && mine) || Date.now() - lastTyping < 3000) return;
      lastTyping = Date.now();
      socket.send({ type: "typing", on: true });
    });
  }
  if (takeoverForm) {
    takeoverForm.addEventListener("submit", function (event) {
      if (!socket.isOpen()) { postedOverHttp = true; return; }
      event.preventDefault();
      show(errorBox, "");
      takeOver(false);
    });
  }
  if (handbackForm) {
    handbackForm.addEventListener("submit", function (event) {
      if (!socket.isOpen()) { postedOverHttp = true; return; }
      event.preventDefault();
      show(errorBox, "");
      handbackId = lib.newId("r");
      if (!socket.send({ type: "handback", id: handbackId })) handbackId = null;
    });
  }

  scrollToEnd();
  socket = lib.socket({
    path: root.getAttribute("data-ws-path"),
    handlers: handlers,
    maxDelay: 15000,
    onOpen: render,
    onClose: function (willRetry) {
      clearTyping();
      // Its text is still in the box; the hello after reconnecting says whether it went through.
      if (inflight) unconfirmed = inflight;
      inflight = null;
      takeoverId = null;
      sendAfterTakeover = false;
      handbackId = null;
      if (willRetry) show(connection, t("disconnected"));
      render();
    }
  });
  render();
})();
