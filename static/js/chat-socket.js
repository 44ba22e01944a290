// What the candidate's chat (chat.js) and the recruiter's live view (recruiter-chat.js) share: the chat
// socket (protocol: docs/chat-protocol.md) and the 4,000-character guard of a message box. Plain JS, no
// build step; load it before either script. It defines window.SmartBotChat = { socket, newId, textGuard }.
(function () {
  "use strict";

  // Close codes (chat/frames.py). Refused handshakes reach a browser as 1006, so these come only from a
  // socket the server had accepted.
  var GONE = { 4403: "forbidden", 4404: "not_found", 4410: "gone" }; // reconnecting cannot help
  var FLOODING = 4429; // we sent too fast: wait longer before the next try

  function newId(prefix) {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return (prefix || "c") + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  // socket({path, handlers, onOpen, onClose, onGone, maxDelay}) opens ws(s)://<this host><path> and keeps it
  // open: reconnects with exponential backoff (0.5 s doubling, up to maxDelay ms, with jitter), at once when
  // the browser comes back online, and pings every 25 s so proxies keep an idle connection.
  // handlers: {frameType: function (frame)}, called for version-1 frames only; others are ignored.
  // onClose(willRetry) after every drop; onGone(reason) once when the server says the chat is not there
  // ("forbidden", "not_found", "gone"): no more tries.
  // Returns {send(frame) -> bool (false while closed; adds v and id), isOpen(), reconnect(), stop()}.
  function socket(options) {
    var ws = null;
    var open = false;
    var stopped = false;
    var attempts = 0;
    var timer = null;
    var maxDelay = options.maxDelay || 10000;
    var handlers = options.handlers || {};

    function connect() {
      clearTimeout(timer);
      timer = null;
      if (stopped) return;
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var current = new WebSocket(scheme + location.host + options.path);
      ws = current;
      current.addEventListener("open", function () {
        if (ws !== current) return;
        open = true;
        attempts = 0;
        if (options.onOpen) options.onOpen();
      });
      current.addEventListener("message", function (event) {
        if (ws !== current) return;
        var frame;
        try { frame = JSON.parse(event.data); } catch (e) { return; }
        if (!frame || frame.v !== 1 || !Object.prototype.hasOwnProperty.call(handlers, frame.type)) return;
        handlers[frame.type](frame);
      });
      current.addEventListener("close", function (event) {
        if (ws !== current) return; // an old socket replaced by reconnect()
        open = false;
        ws = null;
        var gone = GONE[event.code];
        if (gone) stopped = true;
        if (options.onClose) options.onClose(!stopped);
        if (gone) {
          if (options.onGone) options.onGone(gone);
          return;
        }
        if (stopped) return;
        attempts += 1;
        var delay = Math.min(maxDelay, 500 * Math.pow(2, attempts - 1));
        if (event.code === FLOODING) delay = maxDelay;
        // Jitter, so a server restart is not met by every client in the same millisecond.
        timer = setTimeout(connect, delay * (0.75 + Math.random() * 0.5));
      });
    }

    function send(frame) {
      if (!open || !ws) return false;
      frame.v = 1;
      if (!frame.id) frame.id = newId();
      ws.send(JSON.stringify(frame));
      return true;
    }

    // Drop the current connection and open a new one now (its hello replays the chat).
    function reconnect() {
      if (stopped) return;
      var old = ws;
      ws = null;
      open = false;
      if (old) old.close();
      if (options.onClose) options.onClose(true);
      connect();
    }

    window.addEventListener("online", function () {
      if (!ws && !stopped) connect(); // waiting for a retry: try now (a socket still connecting is left alone)
    });
    setInterval(function () { send({ type: "ping" }); }, 25000);
    connect();
    return {
      send: send,
      isOpen: function () { return open; },
      reconnect: reconnect,
      stop: function () {
        stopped = true;
        clearTimeout(timer);
        if (ws) ws.close();
      }
    };
  }

  // textGuard(textarea, counter, {max, near, count, over, onChange}) watches a message box: from `near`
  // characters on, `counter` shows "count" ("%(count)s of %(max)s characters"), and past `max` it shows "over"
  // (the same placeholders, saying it is too long) and is marked is-over; onChange(over) is called when the box crosses `max`. The server refuses longer texts, so the box drops any maxlength attribute (which
  // would cut a pasted text silently) and the caller asks ok() before sending.
  // Returns {ok() -> bool, update()}.
  function textGuard(textarea, counter, texts) {
    var max = texts.max || 4000;
    var near = texts.near || Math.floor(max * 0.9);
    var lang = document.documentElement.lang || undefined;
    var format = function (n) { return n.toLocaleString(lang); };
    textarea.removeAttribute("maxlength");

    var wasOver = false;
    function length() { return textarea.value.length; }
    function update() {
      var n = length();
      var over = n > max;
      textarea.setAttribute("aria-invalid", over ? "true" : "false");
      if (over !== wasOver && texts.onChange) texts.onChange(over);
      wasOver = over;
      if (!counter) return;
      counter.classList.toggle("is-over", over);
      if (n < near) {
        counter.textContent = "";
        counter.hidden = true;
        return;
      }
      counter.hidden = false;
      counter.textContent = ((over ? texts.over : texts.count) || "")
        .replace("%(count)s", format(n))
        .replace("%(max)s", format(max));
    }
    textarea.addEventListener("input", update);
    update();
    return {
      ok: function () { update(); return length() <= max; },
      update: update
    };
  }

  window.SmartBotChat = { socket: socket, newId: newId, textGuard: textGuard };
})();
