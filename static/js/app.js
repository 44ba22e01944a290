// Small progressive enhancements shared by every page. Pages work without it.
(function () {
  "use strict";
  // "Copy link" buttons: <button data-copy="https://...">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) return;
    event.preventDefault();
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      var original = button.textContent;
      button.textContent = button.getAttribute("data-copied") || "✓";
      setTimeout(function () { button.textContent = original; }, 1500);
    });
  });
  // A file over the upload limit is caught before the form is sent (the server refuses it anyway, after the
  // upload): <input type="file" data-max-bytes="5242880" data-too-large="The file is larger than 5 MB.">.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var file = input.files && input.files[0];
    input.setCustomValidity(file && file.size > max ? input.getAttribute("data-too-large") : "");
    input.reportValidity();
  });
  // A select that submits its form when changed (the language switcher): <select data-autosubmit>.
  // No inline handlers anywhere: the Content-Security-Policy refuses them.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) select.form.submit();
  });
  // Read-only link fields select their text when focused, ready to copy: <input readonly data-select-on-focus>.
  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[data-select-on-focus]")) input.select();
  });
  // Confirm destructive actions: <form data-confirm="Are you sure?">.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // htmx (base.html) swaps blocks of a page. A request that was redirected elsewhere (a session that expired
  // lands on the login page) loads that page whole instead of putting it inside the block.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var asked = event.detail.pathInfo && (event.detail.pathInfo.finalRequestPath || event.detail.pathInfo.requestPath);
    if (!xhr || !xhr.responseURL || !asked) return;
    if (new URL(xhr.responseURL).pathname !== new URL(asked, window.location.href).pathname) {
      event.detail.shouldSwap = false;
      window.location.assign(xhr.responseURL);
    }
  });
  // A block that could not be fetched says so (the text comes from <body data-t-htmx-error>), until the next
  // swap works.
  function htmxProblem(show) {
    var note = document.getElementById("htmx-error");
    if (!show) {
      if (note) note.remove();
      return;
    }
    if (note) return;
    note = document.createElement("p");
    note.id = "htmx-error";
    note.className = "message message--error htmx-error";
    note.setAttribute("role", "alert");
    note.textContent = document.body.getAttribute("data-t-htmx-error") || "Error";
    document.body.appendChild(note);
  }
  document.addEventListener("htmx:responseError", function () { htmxProblem(true); });
  document.addEventListener("htmx:sendError", function () { htmxProblem(true); });
  document.addEventListener("htmx:afterSwap", function () { htmxProblem(false); });
})();
