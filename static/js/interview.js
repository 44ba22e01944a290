// The candidate's interview page (templates/chat/interview.html): show the times in the browser's own time zone.
// Without this script the page works in the company's zone, which it names.
(function () {
  "use strict";
  var page = document.querySelector("[data-interview-page]");
  if (!page) return;
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  if (!zone) return;
  document.querySelectorAll("[data-time-zone-input]").forEach(function (input) {
    input.value = zone;
  });
  var url = new URL(window.location.href);
  if (page.dataset.timeZone !== zone && url.searchParams.get("tz") !== zone) {
    url.searchParams.set("tz", zone);
    window.location.replace(url.toString());
  }
})();
