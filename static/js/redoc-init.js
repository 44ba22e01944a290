// Starts ReDoc on the API docs page (templates/drf_spectacular/redoc.html); a file, not an inline script,
// so that the page's Content-Security-Policy needs no exception for scripts.
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  Redoc.init(container.getAttribute("data-spec-url"), JSON.parse(container.getAttribute("data-settings")), container);
})();
