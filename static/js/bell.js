// The notification bell (templates/screening/_bell.html): keeps the unread count live over ws/notifications/
// (chat.consumers.NotificationConsumer). Without this script the bell is a plain link with the count.
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
    if (bell) connect(bell, 1000);
    reasonField();
  });
})();
