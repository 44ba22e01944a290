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
  // Confirm destructive actions: <form data-confirm="Are you sure?">.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
