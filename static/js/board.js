// The pipeline board (templates/screening/board.html, docs/pipeline.md). Without this script every card has a
// plain form that moves it. With it: cards are dragged onto a column, the card forms move without a reload, and
// the board follows the company's changes live over ws/pipeline/<vacancy>/ (chat.pipeline.PipelineConsumer), a
// candidate coming to or leaving the chat included (the card's "live" badge).
// Every move still goes to the server (screening.views.board.board_move), which may refuse it with a message.
(function () {
  "use strict";

  var board = document.querySelector("[data-board]");
  if (!board) return;
  var errorBox = document.querySelector("[data-board-error]");
  var canMove = board.hasAttribute("data-can-move");
  // The responses table's filters the board shows (a query string); moves keep them.
  var filters = board.getAttribute("data-filters") || "";

  function urlFor(attribute, id) {
    // The URL reversed with id 0 (board.html): its one "/0/" segment becomes the card's id.
    return board.getAttribute(attribute).replace("/0/", "/" + encodeURIComponent(id) + "/");
  }

  function column(key) {
    return board.querySelector('[data-column="' + key + '"]');
  }

  function columnOfStatus(status) {
    var columns = board.querySelectorAll("[data-column]");
    for (var i = 0; i < columns.length; i++) {
      if ((columns[i].getAttribute("data-statuses") || "").split(" ").indexOf(status) !== -1) return columns[i];
    }
    return null;
  }

  function addToCount(section, delta) {
    var badge = section && section.querySelector("[data-count]");
    if (!badge) return;
    badge.textContent = String(Math.max(0, (parseInt(badge.textContent, 10) || 0) + delta));
  }

  function showError(text) {
    if (!errorBox) return;
    errorBox.textContent = text || "";
    errorBox.hidden = !text;
  }

  function cardElement(html) {
    var holder = document.createElement("ul");
    holder.innerHTML = html.trim();
    return holder.querySelector("[data-card]");
  }

  // Move the card with this id into ``section`` and fix both counts, unless it is there already: a move made here
  // and its live echo (in either order) count once. ``from`` is its column when it is not on the page (capped).
  function relocate(id, section, from) {
    var card = document.getElementById("card-" + id);
    var current = card ? card.closest("[data-column]") : from;
    if (!section || current === section) return;
    if (current) addToCount(current, -1);
    addToCount(section, 1);
    if (card) {
      var list = section.querySelector("[data-cards]");
      list.insertBefore(card, list.firstChild);
    }
  }

  // Put a card (new HTML from the server) in its column, replacing the old one wherever it is.
  function place(html, section) {
    var card = cardElement(html);
    if (!card || !section) return;
    var old = document.getElementById(card.id);
    var list = section.querySelector("[data-cards]");
    if (old && old.closest("[data-column]") === section) {
      list.replaceChild(card, old);
      return;
    }
    if (old) old.remove();
    list.insertBefore(card, list.firstChild);
  }

  function csrfToken() {
    var field = board.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function move(card, status) {
    var id = card.getAttribute("data-card");
    var from = card.closest("[data-column]");
    var body = new FormData();
    body.append("status", status);
    body.append("csrfmiddlewaretoken", csrfToken());
    if (filters) body.append("filters", filters);
    card.classList.add("board-card--moving");
    showError("");
    fetch(urlFor("data-move-url", id), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    })
      .then(function (reply) {
        return reply.json().catch(function () {
          return { ok: false };
        });
      })
      .then(function (data) {
        card.classList.remove("board-card--moving");
        if (!data.ok) {
          showError(data.error || board.getAttribute("data-failed"));
          return;
        }
        var to = column(data.column);
        relocate(id, to, from);
        place(data.card, to);
      })
      .catch(function () {
        card.classList.remove("board-card--moving");
        showError(board.getAttribute("data-failed"));
      });
  }

  if (canMove) {
    board.addEventListener("dragstart", function (event) {
      var card = event.target.closest && event.target.closest("[data-card]");
      if (!card) return;
      event.dataTransfer.setData("text/plain", card.getAttribute("data-card"));
      event.dataTransfer.effectAllowed = "move";
      card.classList.add("board-card--dragging");
    });
    board.addEventListener("dragend", function (event) {
      var card = event.target.closest && event.target.closest("[data-card]");
      if (card) card.classList.remove("board-card--dragging");
    });
    board.addEventListener("dragover", function (event) {
      var section = event.target.closest("[data-column]");
      if (!section) return;
      event.preventDefault(); // any column accepts the drop; the server says why a screening column refuses it
      event.dataTransfer.dropEffect = "move";
      section.classList.add("board__column--over");
    });
    board.addEventListener("dragleave", function (event) {
      var section = event.target.closest("[data-column]");
      if (section && !section.contains(event.relatedTarget)) section.classList.remove("board__column--over");
    });
    board.addEventListener("drop", function (event) {
      var section = event.target.closest("[data-column]");
      if (!section) return;
      event.preventDefault();
      section.classList.remove("board__column--over");
      var id = event.dataTransfer.getData("text/plain");
      var card = id && document.getElementById("card-" + id);
      if (!card || card.closest("[data-column]") === section) return;
      move(card, (section.getAttribute("data-statuses") || "").split(" ")[0]);
    });
    board.addEventListener("submit", function (event) {
      var form = event.target.closest("[data-move-form]");
      if (!form) return;
      event.preventDefault();
      move(form.closest("[data-card]"), form.querySelector("select[name=status]").value);
    });
  }

  // --- live updates ---------------------------------------------------------------------------------------
  // A filtered board asks the server whether a changed card belongs (below: 204 when it does not match).
  function refreshCard(frame) {
    var id = String(frame.response_id);
    var to = column(frame.column) || columnOfStatus(frame.status);
    var from = frame.from_column ? column(frame.from_column) : null;
    if (!filters) relocate(id, to, from);
    var url = urlFor("data-card-url", id) + (filters ? "?" + filters : "");
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (reply) {
        return reply.ok ? reply.text() : "";
      })
      .then(function (html) {
        if (!html) return;
        if (filters) relocate(id, to, from);
        place(html, to);
      })
      .catch(function () {});
  }

  function connect(delay) {
    if (!("WebSocket" in window)) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + board.getAttribute("data-socket"));
    var opened = false;
    socket.addEventListener("open", function () {
      opened = true;
      board.setAttribute("data-live", "");
    });
    socket.addEventListener("message", function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (frame && frame.type === "pipeline" && typeof frame.response_id === "number") refreshCard(frame);
    });
    socket.addEventListener("close", function (event) {
      board.removeAttribute("data-live");
      if (event.code === 4403 || event.code === 4404) return; // no access: the board stays a plain page
      var next = opened ? 1000 : Math.min((delay || 1000) * 2, 60000);
      window.setTimeout(function () {
        connect(next);
      }, next);
    });
  }

  connect(1000);
})();
