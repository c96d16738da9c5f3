// Notes are never lost. The note editor (templates/progress/note.html) autosaves through htmx a
// second after the reader stops typing; this script covers what that alone cannot:
// - leaving or hiding the page sooner: the unsaved text goes out in a keepalive request that
//   outlives the page, and that save also closes the sitting's revision (sitting=end);
// - leaving with text the server does not have yet: the browser asks first (beforeunload);
// - a save that fails (5xx, no network, a refusal htmx leaves unswapped): the status line says
//   "Not saved", the text stays, and the save is retried with backoff until it lands;
// - the status line never says "Saved" while the text on screen differs from the server's;
// - the session ended (401): "Not saved: you are signed out", with a link to sign in in a new
//   tab; the editor asks again now and then (and when the reader comes back to the tab), takes
//   the fresh form token once signed in, and saves with the same base version (so a change made
//   elsewhere meanwhile is still a conflict, never overwritten);
// - the text the server does not have yet is kept in the browser (localStorage, per reader and
//   entry) until it does, so a reload or a closed tab puts it back in the editor and saves it.
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
  const SIGNED_OUT = 401;
  const FORBIDDEN = 403;
  const SIGNED_OUT_WHY = "you are signed out";
  const DRAFTS = "mireads.note-draft:";

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

  // The unsaved text, kept in the browser until the server has it (a reload, a closed tab, an
  // ended session). Storage may be full or refused (private browsing): then only the page has it.
  function draftKey(form) {
    return form.dataset.draftKey ? DRAFTS + form.dataset.draftKey : null;
  }

  function keepDraft(form) {
    const key = draftKey(form);
    if (!key) return;
    const base = form.querySelector("[name=base_version]");
    // The base version is the newest the server confirmed to this editor: the text builds on it.
    const draft = { text: textareaOf(form).value, base: base ? base.value : "0" };
    try {
      window.localStorage.setItem(key, JSON.stringify(draft));
    } catch (error) {
      /* storage unavailable: the page still holds the text */
    }
  }

  function readDraft(form) {
    const key = draftKey(form);
    if (!key) return null;
    try {
      const draft = JSON.parse(window.localStorage.getItem(key) || "null");
      return draft && typeof draft.text === "string" ? draft : null;
    } catch (error) {
      return null;
    }
  }

  function dropDraft(form) {
    const key = draftKey(form);
    if (!key) return;
    try {
      window.localStorage.removeItem(key);
    } catch (error) {
      /* nothing kept */
    }
  }

  // An editor arrives (page load, or swapped in): if the browser kept text the server does not
  // have, put it back and save it on the base version it was typed on.
  function restore(form) {
    if (form.dataset.restored) return;
    form.dataset.restored = "true";
    const draft = readDraft(form);
    if (!draft) return;
    const textarea = textareaOf(form);
    if (draft.text === textarea.value) {
      dropDraft(form);
      return;
    }
    textarea.value = draft.text;
    const base = form.querySelector("[name=base_version]");
    if (base) base.value = draft.base;
    mark(form, "typing");
    say(form, "Saving the text you typed before…", false);
    retry(form);
  }

  function signedOut(form, why) {
    const state = stateOf(textareaOf(form));
    state.delay = state.delay ? Math.min(state.delay * 2, LAST_RETRY) : FIRST_RETRY;
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(() => probe(form), state.delay * 1000);
    // Said once, not again at every probe (an alert is read out each time it is put there).
    if (state.phase === "signedout" && state.why === why) return;
    state.why = why;
    mark(form, "signedout");
    const line = document.createElement("span");
    line.className = "note-unsaved";
    line.setAttribute("role", "alert");
    const login = document.createElement("a");
    login.href = form.dataset.loginUrl || "/accounts/login/";
    login.target = "_blank";
    login.rel = "noopener";
    login.textContent = "Sign in (opens a new tab)";
    line.append(`Not saved: ${why}. Your text is still here and in this browser. `);
    line.append(login);
    line.append("; it saves once you are signed in again.");
    statusOf(form).replaceChildren(line);
  }

  // Signed out: ask for the editor (a GET changes nothing) until it comes; then the page's form
  // token is stale (signing in makes a new one), so take the fresh one and save.
  function probe(form) {
    if (!document.contains(form)) return;
    const state = stateOf(textareaOf(form));
    if (state.phase !== "signedout" || state.probing) return;
    state.probing = true;
    fetch(form.getAttribute("action"), {
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
      cache: "no-store",
    }).then(
      (response) => {
        state.probing = false;
        if (!response.ok) return signedOut(form, SIGNED_OUT_WHY);
        return response.text().then((html) => {
          // Signed in as someone else (a shared computer): this text is not theirs to save.
          const owner = /data-draft-key="([^"]+)"/.exec(html);
          if (!owner || owner[1] !== form.dataset.draftKey) {
            return signedOut(form, "you are signed in as someone else");
          }
          // Read, not parsed into a document: the fragment is only wanted for its token.
          const found = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html);
          if (found) {
            for (const field of document.querySelectorAll("[name=csrfmiddlewaretoken]")) {
              field.value = found[1];
            }
            document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": found[1] }));
          }
          state.delay = 0;
          mark(form, "typing");
          say(form, "Signed in again: saving…", false);
          retry(form);
        });
      },
      () => {
        state.probing = false;
        signedOut(form, SIGNED_OUT_WHY);
      },
    );
  }

  function mark(form, phase) {
    stateOf(textareaOf(form)).phase = phase;
    form.dataset.noteState = phase;
  }

  // Typing after a save: the status line must stop saying "Saved" until the new text lands.
  function typed(form) {
    const textarea = textareaOf(form);
    const state = stateOf(textarea);
    if (textarea.value !== state.saved) keepDraft(form);
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
    const textarea = textareaOf(form);
    const state = stateOf(textarea);
    state.saved = text;
    state.tokenRefreshed = false;
    // The base version moved on (the answer swapped it in): a newer text builds on that one.
    if (textarea.value === text) dropDraft(form);
    else keepDraft(form);
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
    } else if (status === SIGNED_OUT) {
      signedOut(form, SIGNED_OUT_WHY); // the text stays, on the page and in the browser
    } else if (status === FORBIDDEN && !stateOf(textareaOf(form)).tokenRefreshed) {
      // Signed in again (in another tab) since the page came: its form token is stale. Fetch a
      // fresh one and save, once; a second refusal with a fresh token is a real one.
      stateOf(textareaOf(form)).tokenRefreshed = true;
      mark(form, "signedout");
      probe(form);
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

  // Back from signing in in another tab: try at once rather than at the next timer.
  function cameBack() {
    for (const form of document.querySelectorAll(EDITOR)) {
      if (stateOf(textareaOf(form)).phase === "signedout") probe(form);
    }
  }
  window.addEventListener("focus", cameBack);

  function restoreAll(root) {
    const forms = root.matches && root.matches(EDITOR) ? [root] : root.querySelectorAll(EDITOR);
    for (const form of forms) restore(form);
  }
  // Once htmx has set the editor up (its retry trigger), on the page and in swapped-in content.
  document.addEventListener("htmx:load", (event) => restoreAll(event.detail.elt));

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
    else cameBack();
  });
  window.addEventListener("pagehide", leave);
})();
