// Draws a page's plotly figures (json_script blocks named by data-plotly-figure) when they
// scroll into view, loading plotly.js (this script's data-plotly-src) only then, so the
// first screen costs no chart library. Charts follow the page's colour mode (theme.js).
// On the dashboard it also polls the "now" card and, when the readings changed, redraws
// the cards, tables and figures in place. Charts speak the page's language: its number
// separators (Django's JavaScript catalog, else the browser's Intl) and its month and day
// names in date ticks.
(function () {
  "use strict";

  var PLOTLY_SRC = document.currentScript && document.currentScript.dataset.plotlySrc;
  var LANGUAGE = (document.documentElement.lang || "en").toLowerCase();
  var CONFIG = {
    responsive: true,
    displaylogo: false,
    modeBarButtonsToRemove: ["lasso2d", "select2d"],
    locale: LANGUAGE,
  };
  // Django's JavaScript catalog (javascript-catalog), when the page loaded it.
  function gettext(text) {
    return window.gettext ? window.gettext(text) : text;
  }
  // Plotly's date ticks for a day and a month in the page's language (its default is
  // English: "Dec 2"); the names come from Intl.
  var DAY_MONTH = { de: "%-d. %b", fr: "%-d %b", es: "%-d %b", it: "%-d %b", nl: "%-d %b" };
  var figures = {}; // json_script id -> figure
  var plotly = null;

  // "," and "." for German: Django's formats when its catalog is loaded, else the browser's.
  function separators() {
    if (window.get_format) {
      var thousands = window.get_format("THOUSAND_SEPARATOR");
      return window.get_format("DECIMAL_SEPARATOR") + (thousands || " ");
    }
    var parts = new Intl.NumberFormat(LANGUAGE).formatToParts(12345.6);
    var find = function (type, fallback) {
      var part = parts.filter(function (p) {
        return p.type === type;
      })[0];
      return part ? part.value : fallback;
    };
    return find("decimal", ".") + find("group", ",");
  }

  function names(options, count, date) {
    var format = new Intl.DateTimeFormat(LANGUAGE, options);
    var out = [];
    for (var i = 0; i < count; i++) out.push(format.format(date(i)));
    return out;
  }

  // The page's language as a plotly locale (month and day names, date order, separators).
  var localeRegistered = false;
  function registerLocale(Plotly) {
    if (localeRegistered || LANGUAGE === "en" || !window.Intl) return;
    localeRegistered = true;
    var month = function (i) {
      return new Date(Date.UTC(2024, i, 15));
    };
    var day = function (i) {
      return new Date(Date.UTC(2024, 0, 7 + i)); // 7 Jan 2024 was a Sunday
    };
    var utc = { timeZone: "UTC" };
    var sep = separators();
    var dayMonth = DAY_MONTH[LANGUAGE.split("-")[0]] || "%-d %b";
    Plotly.register({
      moduleType: "locale",
      name: LANGUAGE,
      dictionary: {},
      format: {
        days: names(Object.assign({ weekday: "long" }, utc), 7, day),
        shortDays: names(Object.assign({ weekday: "short" }, utc), 7, day),
        months: names(Object.assign({ month: "long" }, utc), 12, month),
        shortMonths: names(Object.assign({ month: "short" }, utc), 12, month),
        decimal: sep.charAt(0),
        thousands: sep.charAt(1),
        dayMonth: dayMonth,
        dayMonthYear: dayMonth + " %Y",
        year: "%Y",
        month: "%b %Y",
      },
    });
  }

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
    var copy = JSON.parse(JSON.stringify(layout));
    if (!copy.separators) copy.separators = separators();
    if (!dark()) return copy;
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
      registerLocale(Plotly);
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
      if (status) status.textContent = gettext("The dashboard now includes your newest readings.");
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
