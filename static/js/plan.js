// The plan page (templates/plans/plan.html): a new plan's time zone starts as the browser's own,
// when the list knows it, instead of UTC. Without JavaScript the reader picks it from the list.
(function () {
  "use strict";

  function chooseBrowserZone() {
    const form = document.querySelector("form[data-browser-zone]");
    const select = form && form.querySelector("select[name=timezone]");
    let zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return;
    }
    if (select && zone && select.querySelector('option[value="' + CSS.escape(zone) + '"]')) {
      select.value = zone;
    }
  }

  document.addEventListener("DOMContentLoaded", chooseBrowserZone);
  document.addEventListener("htmx:afterSettle", chooseBrowserZone);
})();
