// The AI evaluation block of the response page: refreshes itself when the evaluation changes.
// Live: the recruiter socket script dispatches `smartbot:evaluation-updated` on document
// (detail: {responseId} or {response_id}) when the server broadcasts "evaluation.updated".
// Fallback: while the evaluation is pending or running, poll every few seconds (the demo's
// worker is another process, and an in-memory channel layer cannot reach this page).
// Without JavaScript the block is plain HTML and the "Re-evaluate" form posts normally.
(function () {
  "use strict";
  if (window.smartbotEvaluation) return;
  var POLL_MS = 3000;
  var timer = null;
  var inflight = false;

  function block() { return document.getElementById("evaluation"); }

  function isPending() {
    var el = block();
    var status = el && el.getAttribute("data-evaluation-status");
    return status === "pending" || status === "running";
  }

  function schedule() {
    clearTimeout(timer);
    if (isPending()) timer = setTimeout(refresh, POLL_MS);
  }

  function replaceWith(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("evaluation");
    var current = block();
    if (fresh && current) current.replaceWith(document.adoptNode(fresh));
    schedule();
  }

  function refresh() {
    var el = block();
    if (!el || inflight) return;
    inflight = true;
    fetch(el.getAttribute("data-evaluation-url"), {
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      inflight = false;
      if (html) replaceWith(html); else schedule();
    }).catch(function () {
      inflight = false;
      schedule();
    });
  }

  document.addEventListener("smartbot:evaluation-updated", function (event) {
    var el = block();
    if (!el) return;
    var id = event.detail && (event.detail.response_id || event.detail.responseId);
    if (id && String(id) !== el.getAttribute("data-response-id")) return;
    refresh();
  });

  // "Re-evaluate" without leaving the page; a failure falls back to the plain form post.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("[data-evaluation-form]");
    if (!form || !window.fetch) return;
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.text();
    }).then(replaceWith).catch(function () { form.submit(); });
  });

  window.smartbotEvaluation = { refresh: refresh };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", schedule);
  else schedule();
})();
