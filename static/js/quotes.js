// The AI evaluation's receipts (templates/screening/_quotes.html): a click on a quote button highlights the
// candidate's words it cites, in the resume (data-source="resume") or in the answer to a question
// (data-source="answer:<question id>", the answer's [data-answer-question] cell, its <details> opened).
// Matching ignores case and runs of spaces (line breaks included). A quote is cut from the *redacted* text
// that was sent, so placeholders such as [NAME] or [PHONE] stand where the page shows the real words: the
// quote is split on them and the longest fragment found is highlighted. Nothing found: a short note says so.
// The evaluation block is swapped by htmx, so clicks are caught on the document. No inline handlers (CSP).
(function () {
  "use strict";
  var PLACEHOLDER = /\[[A-Z_]+\]/g;
  // The edges a model adds around a quote (its quotation marks, a full stop) that are not the candidate's.
  var EDGES = /^[\s"'.,;:!?()]+|[\s"'.,;:!?()]+$/g;
  // Typographic quotes and dashes read as plain ones, as the server compares them (screening/ai/receipts.py).
  var FOLD = {
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'",
    "–": "-", "—": "-", "‒": "-", "―": "-", "−": "-", "‐": "-", "‑": "-",
    "ё": "е", "…": "..."
  };
  var MIN_FRAGMENT = 3;

  function fold(text) {
    var out = "";
    var chars = Array.from(text.normalize ? text.normalize("NFKC") : text);
    for (var i = 0; i < chars.length; i++) {
      var lower = chars[i].toLowerCase();
      out += Object.prototype.hasOwnProperty.call(FOLD, lower) ? FOLD[lower] : lower;
    }
    return out;
  }

  function key(text) {
    return fold(text).replace(/\s+/g, " ").trim();
  }

  // The target's text as matching sees it, with where each of its characters came from: every character of
  // `text` has the text node and offset it starts at. A <br> reads as a space, runs of spaces as one.
  function indexText(root) {
    var text = "";
    var origins = [];
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    var lastSpace = true;
    function push(piece, node, offset) {
      for (var k = 0; k < piece.length; k++) {
        var ch = piece.charAt(k);
        if (/\s/.test(ch)) {
          if (lastSpace) continue;
          ch = " ";
          lastSpace = true;
        } else {
          lastSpace = false;
        }
        text += ch;
        origins.push(node ? { node: node, offset: offset } : null);
      }
    }
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === Node.ELEMENT_NODE) {
        if (node.tagName === "BR") push(" ", null, 0);
        continue;
      }
      var value = node.nodeValue;
      var chars = Array.from(value);
      var offset = 0;
      for (var i = 0; i < chars.length; i++) {
        push(fold(chars[i]), node, offset);
        offset += chars[i].length;
      }
    }
    return { text: text, origins: origins };
  }

  // The candidate's words to look for, best first: the whole quote, then its pieces between placeholders,
  // longest first (a piece too short to mean anything is skipped).
  function candidates(quote) {
    var whole = key(quote).replace(EDGES, "");
    var pieces = quote.split(PLACEHOLDER).map(function (piece) {
      return key(piece).replace(EDGES, "");
    }).filter(function (piece) {
      return piece.length >= MIN_FRAGMENT;
    });
    pieces.sort(function (a, b) { return b.length - a.length; });
    if (quote.search(PLACEHOLDER) === -1 && whole) return [whole];
    return pieces;
  }

  function clearMarks() {
    document.querySelectorAll("mark.quote-mark").forEach(function (mark) {
      var parent = mark.parentNode;
      while (mark.firstChild) parent.insertBefore(mark.firstChild, mark);
      parent.removeChild(mark);
      parent.normalize();
    });
    document.querySelectorAll(".quote-note").forEach(function (note) { note.remove(); });
    document.querySelectorAll(".quote[aria-pressed]").forEach(function (button) {
      button.removeAttribute("aria-pressed");
    });
  }

  // Wrap the characters [start, end) of the indexed text in <mark>s, one per text node they span.
  function highlight(index, start, end) {
    var spans = [];
    for (var i = start; i < end; i++) {
      var origin = index.origins[i];
      if (!origin) continue;
      var last = spans[spans.length - 1];
      if (last && last.node === origin.node) {
        last.end = origin.offset + 1;
      } else {
        spans.push({ node: origin.node, start: origin.offset, end: origin.offset + 1 });
      }
    }
    var first = null;
    spans.forEach(function (span) {
      // Offsets are of code points' starts: extend the end over a surrogate pair.
      var value = span.node.nodeValue;
      var stop = span.end;
      if (stop < value.length && /[\uDC00-\uDFFF]/.test(value.charAt(stop))) stop += 1;
      var range = document.createRange();
      range.setStart(span.node, span.start);
      range.setEnd(span.node, Math.min(stop, value.length));
      var mark = document.createElement("mark");
      mark.className = "quote-mark";
      range.surroundContents(mark);
      if (!first) first = mark;
    });
    return first;
  }

  function target(source) {
    if (source === "resume") return document.querySelector("#resume > .resume");
    var match = /^answer:(\d+)$/.exec(source || "");
    if (!match) return null;
    return document.querySelector('[data-answer-question="' + match[1] + '"]');
  }

  function show(button) {
    clearMarks();
    var root = target(button.getAttribute("data-source"));
    var mark = null;
    if (root) {
      var details = root.closest("details");
      if (details && !details.open) details.open = true;
      var index = indexText(root);
      var found = candidates(button.getAttribute("data-quote") || "");
      for (var i = 0; i < found.length && !mark; i++) {
        var at = index.text.indexOf(found[i]);
        if (at !== -1) mark = highlight(index, at, at + found[i].length);
      }
    }
    if (mark) {
      button.setAttribute("aria-pressed", "true");
      mark.scrollIntoView({ block: "center" });
      return;
    }
    var note = document.createElement("span");
    note.className = "quote-note small muted";
    note.setAttribute("role", "status");
    var holder = button.closest("[data-not-found]");
    note.textContent = holder ? holder.getAttribute("data-not-found") : "Not found in the text shown";
    button.insertAdjacentElement("afterend", note);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.quote[data-quote]");
    if (!button) return;
    event.preventDefault();
    show(button);
  });
})();
