// The import pages. Upload form: while the file is sent and checked (one request, up to
// some seconds for a large file), a busy bar says so. Progress page: stores the job's
// chunks one request after another, moving the bar, then opens the result. Without
// JavaScript the Continue button does the same, one press per chunk.
(function () {
  "use strict";
  // Django's JavaScript catalog (loaded before this script) translates; English without it.
  var gettext = window.gettext || function (text) { return text; };
  var upload = document.querySelector("form[data-import-upload]");
  if (upload) {
    upload.addEventListener("submit", function () {
      var busy = document.querySelector("[data-upload-progress]");
      if (busy) busy.hidden = false;
      var button = upload.querySelector("button[type=submit]");
      if (button) button.disabled = true; // one upload, not two
    });
  }

  var job = document.querySelector("[data-import-job]");
  var form = document.querySelector("form[data-import-continue]");
  if (!job || !form) return;
  var bar = job.querySelector("progress");
  var text = job.querySelector("[data-progress-text]");
  var error = document.querySelector("[data-progress-error]");
  var hint = document.querySelector("[data-no-script-hint]");
  form.hidden = true;
  hint.hidden = true;

  function fail() {
    error.textContent = gettext(
      "The connection to BGT was interrupted. Press Continue to go on; nothing is stored twice."
    );
    error.hidden = false;
    form.hidden = false;
  }

  function step() {
    fetch(form.action, {
      method: "POST",
      body: new FormData(form), // carries the CSRF token
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (progress) {
        bar.max = progress.rows_total;
        bar.value = progress.rows_done;
        bar.textContent = progress.label;
        text.textContent =
          progress.label + (progress.busy ? gettext(" (waiting for an earlier request to end)") : "") + ".";
        if (progress.finished) {
          window.location.assign(form.action); // the result page
        } else {
          window.setTimeout(step, progress.busy ? 2000 : 0);
        }
      })
      .catch(fail);
  }
  step();
})();
