// The notification bell (templates/_bell.html): keeps the unread count live over ws/notifications/
// (chat.consumers.NotificationConsumer). The socket only hears what the channel layer carries to this process
// (an in-memory layer does not cross from the Celery worker), so the count is also polled from
// screening:notification_bell as JSON every data-bell-poll-seconds, and at once when the tab is shown again.
// Without this script the bell is a plain link with the count.
// Also shows the "reason to tell the candidate" field of a status form only when "Declined" is chosen.
(function () {
  "use strict";

  function setCount(bell, unread) {
    var badge = bell.querySelector("[data-bell-count]");
    if (!badge) return;
    var count = Math.max(0, parseInt(unread, 10) || 0);
    badge.textContent = String(count);
    badge.hidden = count === 0;
    // The same count for screen readers, in the page's language (the template gives the wording).
    var label = bell.querySelector("[data-bell-label]");
    if (label) label.textContent = count ? label.getAttribute("data-bell-label").replace("{n}", String(count)) : "";
  }

  function connect(bell, delay) {
    if (!("WebSocket" in window)) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + bell.getAttribute("data-bell-socket"));
    var opened = false;
    socket.addEventListener("open", function () {
      opened = true;
    });
    socket.addEventListener("message", function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (frame && typeof frame.unread === "number") setCount(bell, frame.unread);
      if (frame && frame.type === "notification" && frame.text) {
        bell.setAttribute("title", frame.text);
        var announce = document.querySelector("[data-bell-announce]");
        if (announce) announce.textContent = frame.text;
      }
    });
    socket.addEventListener("close", function (event) {
      if (event.code === 4403) return; // signed out or no longer a member: stay a plain link
      var next = opened ? 1000 : Math.min((delay || 1000) * 2, 60000);
      window.setTimeout(function () {
        connect(bell, next);
      }, next);
    });
  }

  // Polling: one count query per member every ~30 s; none while the tab is hidden.
  function poll(bell) {
    var url = bell.getAttribute("data-bell-poll");
    if (!url || !window.fetch) return;
    var seconds = Math.max(1, parseFloat(bell.getAttribute("data-bell-poll-seconds")) || 30);
    var timer = null;
    var stopped = false;
    var schedule = function () {
      window.clearTimeout(timer);
      if (!stopped) timer = window.setTimeout(ask, seconds * 1000);
    };
    var ask = function () {
      if (stopped) return;
      if (document.hidden) return schedule();
      window
        .fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          // Signed out (redirected to the login page) or no longer a member: stay a plain link.
          if (response.redirected || response.status === 403 || response.status === 404) {
            stopped = true;
            return null;
          }
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data && typeof data.unread === "number") setCount(bell, data.unread);
        })
        .catch(function () {}) // offline for a moment: the next poll tries again
        .then(schedule);
    };
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) ask();
    });
    schedule();
  }

  function reasonField() {
    var reason = document.querySelector("[data-show-for-status]");
    if (!reason) return;
    var form = reason.closest("form");
    var status = form && form.querySelector("select[name=status]");
    var wrapper = reason.closest("[data-field]") || reason;
    if (!status) return;
    var update = function () {
      wrapper.hidden = status.value !== reason.getAttribute("data-show-for-status");
    };
    status.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var bell = document.querySelector("[data-bell]");
    if (bell) {
      connect(bell, 1000);
      poll(bell);
    }
    reasonField();
  });
})();
