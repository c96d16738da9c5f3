// Notes are never lost. The note editor (templates/progress/note.html) autosaves through htmx a
// second after the reader stops typing; this script covers what that alone cannot:
// - leaving or hiding the page sooner: the unsaved text goes out in a keepalive request that
//   outlives the page, and that save also closes the sitting's revision (sitting=end);
// - leaving with text the server does not have yet: the browser asks first (beforeunload);
// - a save that fails (5xx, no network, a refusal htmx leaves unswapped): the status line says
//   "Not saved", the text stays, and the save is retried with backoff until it lands;
// - the status line never says "Saved" while the text on screen differs from the server's.
// Editors arrive later too (the dashboard loads them lazily), so every listener is on document.
(function () {
  "use strict";

  const EDITOR = "form.note-editor";
  // Browsers refuse keepalive bodies beyond 64 KiB (all in flight together): keep a margin for
  // the other fields and the multipart framing. Longer notes go out in a plain request, which
  // may not outlive the page; the beforeunload warning covers those.
  const KEEPALIVE_BUDGET = 60 * 1024;
  const FIRST_RETRY = 2;
  const LAST_RETRY = 60;
  // What the view swaps into the status line itself, with its own message (too long, invalid);
  // sending the same text again cannot help, so the next edit saves instead of a timer.
  const REFUSED = new Set([400, 413, 422]);
  const CONFLICT = 409;

  const states = new WeakMap(); // textarea -> what we know about its text and saves
  const sentText = new WeakMap(); // XMLHttpRequest -> the text it carried
  let keepaliveInFlight = 0;

  function textareaOf(form) {
    return form.querySelector("textarea[name=text]");
  }

  function stateOf(textarea) {
    let state = states.get(textarea);
    if (!state) {
      // The text the page arrived with is the server's.
      state = { saved: textarea.defaultValue, inFlight: 0, phase: "saved", delay: 0, timer: 0 };
      states.set(textarea, state);
    }
    return state;
  }

  function statusOf(form) {
    return form.querySelector(".note-status");
  }

  // The editor a save request belongs to: its form, whichever element sent it (the textarea,
  // the Save button's form, the "save the editor's text" button of a conflict).
  function editorFor(detail) {
    const config = detail.requestConfig;
    if (!config || config.verb !== "post") return null;
    const forms = document.querySelectorAll(EDITOR);
    for (const form of forms) {
      if (form.getAttribute("action") === config.path) return form;
    }
    return null;
  }

  function unsaved(form) {
    const textarea = textareaOf(form);
    const state = stateOf(textarea);
    return textarea.value !== state.saved || state.inFlight > 0 || state.phase !== "saved";
  }

  function say(form, text, alarm) {
    const status = statusOf(form);
    const line = document.createElement("span");
    line.textContent = text;
    if (alarm) {
      line.className = "note-unsaved";
      line.setAttribute("role", "alert");
    }
    status.replaceChildren(line);
  }

  function mark(form, phase) {
    stateOf(textareaOf(form)).phase = phase;
    form.dataset.noteState = phase;
  }

  // Typing after a save: the status line must stop saying "Saved" until the new text lands.
  function typed(form) {
    const textarea = textareaOf(form);
    const state = stateOf(textarea);
    if (state.phase === "saved" && textarea.value !== state.saved) {
      mark(form, "typing");
      say(form, "Saving…", false);
    }
  }

  function retryLater(form, why) {
    const textarea = textareaOf(form);
    const state = stateOf(textarea);
    state.delay = state.delay ? Math.min(state.delay * 2, LAST_RETRY) : FIRST_RETRY;
    mark(form, "failed");
    say(form, `Not saved — ${why}. Your text is still here; trying again in ${state.delay} s.`, true);
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(() => retry(form), state.delay * 1000);
  }

  function retry(form) {
    if (!document.contains(form)) return;
    // The textarea's hx-trigger listens for this: a save like an autosave, with the current
    // base version, through htmx's queue for this form.
    htmx.trigger(textareaOf(form), "note-retry");
  }

  function landed(form, text) {
    const state = stateOf(textareaOf(form));
    state.saved = text;
    state.delay = 0;
    window.clearTimeout(state.timer);
    mark(form, "saved");
    typed(form);
  }

  // What a save's answer means for the editor, however it was sent. `swapped` is false when
  // the answer is not yet on the page (the keepalive save): then this swaps it in as htmx would.
  function answered(form, status, html, text, swapped) {
    const ok = status >= 200 && status < 300;
    if (!swapped && (ok || status === CONFLICT || REFUSED.has(status))) {
      htmx.swap(statusOf(form), html, { swapStyle: "innerHTML", swapDelay: 0, settleDelay: 0 });
    }
    if (ok) {
      landed(form, text);
    } else if (status === CONFLICT) {
      mark(form, "conflict"); // both texts are on screen; the reader decides
    } else if (REFUSED.has(status)) {
      mark(form, "refused"); // the server's reason is on screen
    } else if (status === 0) {
      retryLater(form, "the server could not be reached");
    } else if (status >= 500) {
      retryLater(form, "the server had a problem");
    } else {
      retryLater(form, `the server refused it (${status})`);
    }
  }

  document.addEventListener("input", (event) => {
    const form = event.target.closest && event.target.closest(EDITOR);
    if (form && event.target === textareaOf(form)) typed(form);
  });

  document.addEventListener("htmx:configRequest", (event) => {
    const form = editorFor(event.detail);
    if (!form) return;
    const state = stateOf(textareaOf(form));
    if (state.leaving !== undefined) {
      // A keepalive save is out with this base version: wait for it rather than collide (409).
      event.preventDefault();
      state.deferred = true;
    }
  });

  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = editorFor(event.detail);
    if (!form) return;
    const textarea = textareaOf(form);
    stateOf(textarea).inFlight += 1;
    sentText.set(event.detail.xhr, textarea.value);
    if (event.detail.elt === textarea) stateOf(textarea).sitting = true;
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const form = editorFor(event.detail);
    const xhr = event.detail.xhr;
    if (!form || !sentText.has(xhr)) return;
    const state = stateOf(textareaOf(form));
    state.inFlight = Math.max(0, state.inFlight - 1);
    answered(form, xhr.status, "", sentText.get(xhr), true);
  });

  window.addEventListener("online", () => {
    for (const form of document.querySelectorAll(EDITOR)) {
      if (stateOf(textareaOf(form)).phase === "failed") retry(form);
    }
  });

  window.addEventListener("beforeunload", (event) => {
    for (const form of document.querySelectorAll(EDITOR)) {
      if (unsaved(form)) {
        event.preventDefault();
        event.returnValue = ""; // older Chromium asks only when this is set
        return;
      }
    }
  });

  // The page is being hidden or left: save what the server lacks, and end the sitting.
  function leave() {
    for (const form of document.querySelectorAll(EDITOR)) {
      const textarea = textareaOf(form);
      const state = stateOf(textarea);
      const text = textarea.value;
      if (state.leaving === text) continue; // sent already (visibilitychange, then pagehide)
      if (text === state.saved && state.phase === "saved" && !state.sitting) continue;
      send(form, text);
    }
  }

  function send(form, text) {
    const state = stateOf(textareaOf(form));
    const body = new FormData(form);
    body.set("sitting", "end");
    const base = form.querySelector("[name=base_version]");
    if (state.inFlight > 0 && base) {
      // An autosave is on its way with the same base version and reaches the server first (it
      // was sent first): this save builds on the version that one makes, or the newest words
      // would be refused as a conflict with the editor's own save once nobody is there to see it.
      body.set("base_version", String(Number(base.value) + state.inFlight));
    }
    const size = new Blob([text]).size + 2048;
    const keepalive = keepaliveInFlight + size <= KEEPALIVE_BUDGET;
    if (keepalive) keepaliveInFlight += size;
    const token = form.querySelector("[name=csrfmiddlewaretoken]");
    state.leaving = text;
    state.sitting = false;
    const done = (status, html) => {
      if (keepalive) keepaliveInFlight -= size;
      delete state.leaving;
      answered(form, status, html, text, false);
      // An autosave held back while this was out: send the newer text now.
      if (state.deferred) {
        state.deferred = false;
        if (state.phase === "typing") retry(form);
      }
    };
    fetch(form.getAttribute("action"), {
      method: "POST",
      body,
      keepalive,
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": token ? token.value : "",
        "HX-Request": "true",
        "HX-Trigger": textareaOf(form).id,
      },
    }).then(
      (response) => response.text().then((html) => done(response.status, html)),
      () => done(0, ""),
    );
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") leave();
  });
  window.addEventListener("pagehide", leave);
})();
