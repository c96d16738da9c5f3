// The dashboard (templates/progress/dashboard.html) stays light: an entry's checklist and note
// arrive only when the reader opens its "Parts and note". The link inside is the way there
// without JavaScript (to the entry's page); with it, the same address answers with the fragment,
// swapped in place of the link. Listeners are on document: entries are swapped in and out.
(function () {
  "use strict";

  document.addEventListener(
    "toggle",
    function (event) {
      const details = event.target;
      if (!(details instanceof HTMLDetailsElement) || !details.open) return;
      const link = details.querySelector(":scope > a.parts-link");
      // Without htmx (it failed to load) the link stays: the entry's page has it all.
      if (link && window.htmx) {
        htmx.ajax("GET", link.href, { source: link, target: link, swap: "outerHTML" });
      }
    },
    true, // toggle does not bubble
  );

  // A status change swaps the entry's head whole; its buttons carry no ids (150 of them), so
  // htmx cannot put focus back by id. Put it on the button with the same status in the new head.
  let focused = null;
  document.addEventListener("htmx:beforeSwap", function () {
    const active = document.activeElement;
    const head = active && active.closest && active.closest("#entries .entry-head");
    focused = head && active.matches("button[name=status]") ? [head.id, active.value] : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!focused) return;
    const [head, value] = focused;
    focused = null;
    const button = document.getElementById(head)?.querySelector(`button[value="${value}"]`);
    if (button && document.activeElement !== button) button.focus();
  });

  // A new reader's first-run hint (templates/progress/_first_run.html) starts closed, one line,
  // so a phone shows the first entry at once; where the screen has room it starts open.
  document.addEventListener("DOMContentLoaded", function () {
    const hint = document.querySelector("#first-run details");
    if (hint && window.matchMedia("(min-width: 40rem)").matches) hint.open = true;
  });
})();
