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
})();
