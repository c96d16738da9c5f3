// Failure is shown where it happened. One handler for htmx's error events serves every control
// (a status button, a tick, a fold, a lazily loaded checklist or note): when its request fails
// (signed out 401, 5xx, 503 during a database outage, no network, a timeout), the control is put
// back as the server has it (ticks the reader just changed are unticked again: they were not
// saved), and a line right after it says what happened and offers to try again. Nothing else on
// the page changes. The note editor has its own handling (static/js/notes.js).
(function () {
  "use strict";

  const FAILED = "control-failed";
  const script = document.currentScript;
  const LOGIN_URL = (script && script.dataset.loginUrl) || "/accounts/login/";

  function controlOf(elt) {
    return elt.closest("form") || elt;
  }

  function clear(control) {
    const next = control.nextElementSibling;
    if (next && next.classList.contains(FAILED)) next.remove();
  }

  function reason(event, status) {
    const verb = event.detail.requestConfig ? event.detail.requestConfig.verb : "post";
    const what = verb === "get" ? "Not loaded" : "Not saved";
    if (event.type === "htmx:sendError") return `${what}: the server could not be reached.`;
    // It may still land after the browser gave up: say what is known, not more.
    if (event.type === "htmx:timeout") {
      return `${verb === "get" ? what : "Not confirmed"}: the server took too long to answer.`;
    }
    if (status === 401) return `${what}: you are signed out.`;
    if (status === 503) return `${what}: the site is briefly unavailable.`;
    return `${what}: the server had a problem (${status}).`;
  }

  // What the reader did, so "Try again" can do it once more: the boxes as they were ticked, the
  // button that submitted the form.
  function attempt(event, control) {
    const boxes = [...control.querySelectorAll("input[type=checkbox]")].map((box) => [
      box,
      box.checked,
    ]);
    const triggering = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    const submitter = triggering && triggering.submitter;
    const config = event.detail.requestConfig || {};
    return () => {
      if (!document.contains(control)) return;
      if (control instanceof HTMLFormElement) {
        for (const [box, checked] of boxes) box.checked = checked;
        if (boxes.length && !submitter) {
          control.dispatchEvent(new Event("change", { bubbles: true }));
        } else if (submitter && document.contains(submitter)) {
          submitter.click(); // htmx sends the button it saw clicked, as the first time
        } else {
          control.requestSubmit();
        }
      } else if (config.verb && config.path) {
        htmx.ajax(config.verb.toUpperCase(), config.path, { source: control });
      }
    };
  }

  function failed(event) {
    const elt = event.detail.elt;
    if (!elt || !document.contains(elt) || elt.closest("form.note-editor")) return;
    const control = controlOf(elt);
    const xhr = event.detail.xhr;
    const status = xhr ? xhr.status : 0;
    const again = attempt(event, control);
    // Show the control as it really is: a tick that was not saved is not ticked.
    for (const box of control.querySelectorAll("input[type=checkbox]")) {
      box.checked = box.defaultChecked;
    }
    clear(control);
    const line = document.createElement("p");
    line.className = `${FAILED} message message-error small`;
    line.setAttribute("role", "alert");
    line.append(reason(event, status), " ");
    if (status === 401) {
      const login = document.createElement("a");
      login.href = LOGIN_URL;
      login.target = "_blank";
      login.rel = "noopener";
      login.textContent = "Sign in (opens a new tab)";
      line.append(login, " ");
    }
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "quiet";
    retry.textContent = "Try again";
    retry.addEventListener("click", () => {
      line.remove();
      again();
    });
    line.append(retry);
    control.after(line);
  }

  for (const name of ["htmx:responseError", "htmx:sendError", "htmx:timeout"]) {
    document.addEventListener(name, failed);
  }
  // A request from the control that lands: whatever failed before no longer holds.
  document.addEventListener("htmx:afterRequest", (event) => {
    const elt = event.detail.elt;
    if (event.detail.successful && elt && document.contains(elt)) clear(controlOf(elt));
  });
})();
