// Fill empty hidden time-zone inputs (signup) with the browser's IANA zone, so a new
// patient's days start at their own midnight without having to pick a zone first.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) return;
  document.querySelectorAll('input[type="hidden"][name="timezone"]').forEach(function (input) {
    if (!input.value) input.value = zone;
  });
})();
