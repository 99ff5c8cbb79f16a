// Bootstrap 5.3 colour mode following the device's light or dark setting: loaded in <head>
// without defer, so the page is painted in the right mode from the start, and followed when
// the setting changes (charts redraw on the "bgt:theme" event, static/js/dashboard.js).
(function () {
  "use strict";
  var query = window.matchMedia("(prefers-color-scheme: dark)");

  function apply() {
    document.documentElement.setAttribute("data-bs-theme", query.matches ? "dark" : "light");
    document.dispatchEvent(new CustomEvent("bgt:theme"));
  }

  apply();
  query.addEventListener("change", apply);
})();
