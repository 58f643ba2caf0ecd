// Settings page: write-back toggle and the helpdesk connection.
"use strict";
const toggle = document.getElementById("write-back");
if (toggle) toggle.addEventListener("change", async () => {
  const answer = await Forewarn.api("PATCH", "/api/v1/shop", {write_back: toggle.checked});
  if (answer.ok) Forewarn.toast("Saved.");
  else { toggle.checked = !toggle.checked; Forewarn.toast("The setting could not be saved.", "critical"); }
});
const helpdeskForm = document.getElementById("helpdesk-form");
const helpdeskKind = document.getElementById("helpdesk-kind");
function showKind() {  // only the chosen helpdesk's fields are shown, required and sent
  helpdeskForm.querySelectorAll("fieldset[data-kind]").forEach((set) => {
    const chosen = set.dataset.kind === helpdeskKind.value;
    set.hidden = !chosen;
    set.querySelectorAll("input").forEach((input) => { input.required = chosen && !input.dataset.optional; input.disabled = !chosen; });
  });
}
if (helpdeskForm) {
  showKind();
  helpdeskKind.addEventListener("change", showKind);
  helpdeskForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = document.getElementById("helpdesk-result");
    Forewarn.status(result, "Checking…");
    const credentials = {};
    helpdeskForm.querySelectorAll("fieldset:not([hidden]) input").forEach((input) => { if (input.value) credentials[input.name] = input.value; });
    const answer = await Forewarn.api("PUT", "/api/v1/helpdesk", {kind: helpdeskKind.value, credentials});
    if (answer.ok) { Forewarn.status(result, "Connected."); location.reload(); }
    else Forewarn.status(result, answer.data.error || "Not connected.", "critical");
  });
}
