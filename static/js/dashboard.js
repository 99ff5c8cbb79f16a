// Draws the dashboard's plotly figures from their json_script blocks, and redraws the
// figures and cards in place when the patient's readings change (polling a tiny endpoint).
(function () {
  "use strict";

  var CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };

  function draw(element, figure) {
    window.Plotly.react(element, figure.data, figure.layout, CONFIG);
  }

  document.querySelectorAll("[data-plotly-figure]").forEach(function (element) {
    var source = document.getElementById(element.dataset.plotlyFigure);
    if (source) draw(element, JSON.parse(source.textContent));
  });

  var root = document.querySelector("[data-dashboard]");
  if (!root || !root.dataset.versionUrl) return;
  var version = root.dataset.version;
  var seconds = Number(root.dataset.pollSeconds) || 30;
  var busy = false;

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(
      function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      }
    );
  }

  function refresh() {
    return getJSON(root.dataset.dataUrl).then(function (data) {
      version = data.version;
      document.getElementById("stat-cards").innerHTML = data.cards_html;
      document.getElementById("dashboard-tables").innerHTML = data.tables_html;
      Object.keys(data.figures).forEach(function (name) {
        var element = root.querySelector('[data-figure-name="' + name + '"]');
        if (element) draw(element, data.figures[name]);
      });
      root.dataset.version = version;
      var status = document.getElementById("dashboard-status");
      if (status) status.textContent = "The dashboard now includes your newest readings.";
    });
  }

  function poll() {
    if (busy || document.hidden) return;
    busy = true;
    getJSON(root.dataset.versionUrl)
      .then(function (data) {
        if (data.version !== version) return refresh();
      })
      .catch(function () {
        // Offline or signed out: try again at the next tick.
      })
      .then(function () {
        busy = false;
      });
  }

  window.setInterval(poll, seconds * 1000);
})();
