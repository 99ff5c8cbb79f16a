// Draws a page's plotly figures (json_script blocks named by data-plotly-figure) when they
// scroll into view, loading plotly.js (this script's data-plotly-src) only then, so the
// first screen costs no chart library. Charts follow the page's colour mode (theme.js).
// On the dashboard it also polls the "now" card and, when the readings changed, redraws
// the cards, tables and figures in place.
(function () {
  "use strict";

  var PLOTLY_SRC = document.currentScript && document.currentScript.dataset.plotlySrc;
  var CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  var figures = {}; // json_script id -> figure
  var plotly = null;

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!plotly) {
      plotly = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = PLOTLY_SRC;
        script.onload = function () {
          resolve(window.Plotly);
        };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return plotly;
  }

  function dark() {
    return document.documentElement.getAttribute("data-bs-theme") === "dark";
  }

  // The figure's layout in the page's colours: in dark mode a transparent background (the
  // card's), the body's text colour and darker grid lines.
  function themed(layout) {
    if (!dark()) return layout;
    var copy = JSON.parse(JSON.stringify(layout));
    var text = getComputedStyle(document.body).getPropertyValue("--bs-body-color").trim() || "#dee2e6";
    var grid = "#495057";
    copy.paper_bgcolor = "rgba(0,0,0,0)";
    copy.plot_bgcolor = "rgba(0,0,0,0)";
    copy.font = Object.assign({}, copy.font, { color: text });
    Object.keys(copy).forEach(function (key) {
      if (/^[xy]axis\d*$/.test(key) && copy[key]) {
        copy[key].gridcolor = grid;
        copy[key].linecolor = grid;
        copy[key].zerolinecolor = grid;
      }
    });
    (copy.annotations || []).forEach(function (note) {
      if (note.font) note.font.color = text;
    });
    return copy;
  }

  // The traces' own dark blues, lightened on a dark background: the brand blue of the
  // medians and markers, and the overlay's days (newest darkest becomes newest lightest).
  function themedColour(colour) {
    if (colour === "#0b3d91") return "#8fb3ff";
    var day = /^hsl\(218, 75%, (\d+)%\)$/.exec(colour);
    return day ? "hsl(218, 75%, " + (100 - Number(day[1])) + "%)" : colour;
  }

  function themedData(data) {
    if (!dark()) return data;
    var copy = JSON.parse(JSON.stringify(data));
    copy.forEach(function (trace) {
      ["line", "marker", "error_y"].forEach(function (part) {
        if (trace[part] && typeof trace[part].color === "string") {
          trace[part].color = themedColour(trace[part].color);
        }
      });
    });
    return copy;
  }

  function draw(element) {
    var figure = figures[element.dataset.plotlyFigure];
    if (!figure) return;
    loadPlotly().then(function (Plotly) {
      Plotly.react(element, themedData(figure.data), themed(figure.layout), CONFIG);
    });
  }

  var charts = Array.prototype.slice.call(document.querySelectorAll("[data-plotly-figure]"));
  charts.forEach(function (element) {
    var source = document.getElementById(element.dataset.plotlyFigure);
    if (source) figures[element.dataset.plotlyFigure] = JSON.parse(source.textContent);
  });

  function drawWhenSeen(element) {
    element.dataset.drawn = "1";
    draw(element);
  }

  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) return;
          observer.unobserve(entry.target);
          drawWhenSeen(entry.target);
        });
      },
      { rootMargin: "200px 0px" }
    );
    charts.forEach(function (element) {
      observer.observe(element);
    });
  } else {
    charts.forEach(drawWhenSeen);
  }

  function redrawDrawn() {
    charts.forEach(function (element) {
      if (element.dataset.drawn) draw(element);
    });
  }
  document.addEventListener("bgt:theme", redrawDrawn);

  // --- live updates (the dashboard only) ---------------------------------------------------

  var root = document.querySelector("[data-dashboard]");
  var now = document.querySelector("[data-now]");
  if (!root || !now) return;
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
        figures["figure-" + name] = data.figures[name];
      });
      redrawDrawn();
      root.dataset.version = version;
      var status = document.getElementById("dashboard-status");
      if (status) status.textContent = "The dashboard now includes your newest readings.";
    });
  }

  function showNow(data) {
    now.querySelector("[data-now-body]").innerHTML = data.html;
    var suffix = now.dataset.titleSuffix;
    document.title = data.title ? data.title + " · " + suffix : suffix;
  }

  function poll() {
    if (busy || document.hidden) return;
    busy = true;
    getJSON(now.dataset.nowUrl)
      .then(function (data) {
        showNow(data);
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
  // Back to a tab left in the background: the age and the value are out of date.
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) poll();
  });
})();
