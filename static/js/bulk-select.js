// Selection for bulk actions (templates/screening/_bulk_form.html): "select all on this page", the count of the
// ticked rows, and only the fields of the chosen action shown. Delegated on the document, so it keeps working
// after htmx swaps the table. Without it, ticking rows and the "every response matching" choice still work.
(function () {
  "use strict";
  function rows() { return document.querySelectorAll("input[data-bulk-row]"); }
  function update() {
    var form = document.querySelector("[data-bulk-form]");
    if (!form) return;
    var ticked = 0;
    rows().forEach(function (box) { if (box.checked) ticked += 1; });
    var count = form.querySelector("[data-bulk-count]");
    if (count) count.textContent = "(" + ticked + ")";
    var kind = form.querySelector("select[name=kind]");
    form.querySelectorAll("[data-bulk-for]").forEach(function (field) {
      var kinds = field.getAttribute("data-bulk-for").split(" ");
      field.hidden = !kind || kinds.indexOf(kind.value) === -1;
    });
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches) return;
    if (target.matches("input[data-bulk-all]")) {
      rows().forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches("input[data-bulk-row], input[data-bulk-all], [data-bulk-form] select[name=kind]")) update();
  });
  document.addEventListener("htmx:afterSettle", update);
  document.addEventListener("DOMContentLoaded", update);
  update();
})();
