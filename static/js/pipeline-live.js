// The responses table's live notice (templates/screening/_pipeline_live.html, docs/pipeline.md "Live updates"):
// counts the company's changes arriving over ws/pipeline/ (those of the vacancy the table is filtered by, if any)
// and offers to refresh the table block with htmx, or the page without it. The table itself never jumps; only a
// row's "live" badge follows its candidate coming to or leaving the chat (the "live" kind) in place.
(function () {
  "use strict";

  var notice = document.querySelector("[data-pipeline-live]");
  if (!notice) return;
  var count = 0;
  var counter = notice.querySelector("[data-live-count]");

  function show() {
    if (counter) counter.textContent = String(count);
    notice.hidden = count === 0;
  }

  function matches(frame) {
    var vacancy = new URLSearchParams(window.location.search).get("vacancy");
    return !vacancy || String(frame.vacancy_id) === vacancy;
  }

  // A candidate came back to the chat or left it: show or hide the row's "live" badge, if the row is on the page.
  function markLive(id, live) {
    var row = document.querySelector('[data-response-row="' + String(id) + '"]');
    if (!row) return;
    var badge = row.querySelector(".badge--live");
    if (!live) {
      if (badge) badge.remove();
      return;
    }
    if (badge) return;
    var link = row.querySelector('a[href*="/responses/"]');
    if (!link) return;
    badge = document.createElement("span");
    badge.className = "badge badge--live";
    badge.textContent = notice.getAttribute("data-live-label") || "live";
    link.insertAdjacentText("afterend", " ");
    link.nextSibling.after(badge);
  }

  var button = notice.querySelector("[data-live-refresh]");
  if (button) {
    button.addEventListener("click", function () {
      count = 0;
      show();
      var target = document.getElementById("responses");
      if (window.htmx && target) {
        window.htmx.ajax("GET", window.location.pathname + window.location.search, {
          target: "#responses",
          swap: "outerHTML",
        });
      } else {
        window.location.reload();
      }
    });
  }

  function connect(delay) {
    if (!("WebSocket" in window)) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + notice.getAttribute("data-socket"));
    var opened = false;
    socket.addEventListener("open", function () {
      opened = true;
      notice.setAttribute("data-live", "");
    });
    socket.addEventListener("message", function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (!frame || frame.type !== "pipeline" || !matches(frame)) return;
      if (frame.kind === "live") {
        markLive(frame.response_id, frame.live === true); // the row changes in place: nothing to refresh
        return;
      }
      count += 1;
      show();
    });
    socket.addEventListener("close", function (event) {
      notice.removeAttribute("data-live");
      if (event.code === 4403 || event.code === 4404) return;
      var next = opened ? 1000 : Math.min((delay || 1000) * 2, 60000);
      window.setTimeout(function () {
        connect(next);
      }, next);
    });
  }

  connect(1000);
})();
