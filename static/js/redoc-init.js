// Starts ReDoc on the API docs page (templates/drf_spectacular/redoc.html); a file, not an inline script,
// so that the page's Content-Security-Policy needs no exception for scripts.
// The page loads nothing from another site: the theme uses the system fonts (no web fonts), and the
// "API docs by Redocly" logo that ReDoc's bundle always fetches from cdn.redoc.ly is never requested.
(function () {
  "use strict";
  var SYSTEM_FONTS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  var MONOSPACE = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";

  // ReDoc (React) gives an <img> its src as a property (or an attribute): an address on another origin is
  // dropped, and api-docs.css hides the image left without a source.
  function foreign(value) {
    return new URL(String(value), document.baseURI).origin !== window.location.origin;
  }
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) {
      if (!foreign(value)) src.set.call(this, value);
    }
  });
  var setAttribute = Element.prototype.setAttribute;
  HTMLImageElement.prototype.setAttribute = function (name, value) {
    if (String(name).toLowerCase() === "src" && foreign(value)) return;
    return setAttribute.call(this, name, value);
  };

  var container = document.getElementById("redoc-container");
  var settings = JSON.parse(container.getAttribute("data-settings") || "{}");
  var theme = settings.theme || {};
  var typography = theme.typography || {};
  typography.fontFamily = typography.fontFamily || SYSTEM_FONTS;
  typography.headings = Object.assign({ fontFamily: SYSTEM_FONTS }, typography.headings);
  typography.code = Object.assign({ fontFamily: MONOSPACE }, typography.code);
  theme.typography = typography;
  settings.theme = theme;
  Redoc.init(container.getAttribute("data-spec-url"), settings, container);
})();
