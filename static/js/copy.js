// A "Copy" button beside an address to share (the group's invite link, templates/groups/detail.html):
// hidden without JavaScript, where the address is there to select by hand. Listeners are on
// document, so a swapped-in invite card works too.
(function () {
  "use strict";

  function reveal() {
    for (const button of document.querySelectorAll("button.copy-button[hidden]")) {
      if (navigator.clipboard) button.hidden = false;
    }
  }

  document.addEventListener("click", async function (event) {
    const button = event.target.closest && event.target.closest("button.copy-button");
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    const said = button.parentElement.querySelector(".copy-said");
    try {
      await navigator.clipboard.writeText(source.value || source.textContent);
      if (said) said.textContent = "Copied.";
    } catch (error) {
      source.select();
      if (said) said.textContent = "Select the link and copy it.";
    }
  });
  document.addEventListener("DOMContentLoaded", reveal);
  document.addEventListener("htmx:afterSettle", reveal);
})();
