// Settings page: write-back, the helpdesk (connect, test, disconnect), customer-message channels, sender and
// providers, carrier accounts, the default language. Every change goes through /api/v1 with the page's token;
// a refused change shows each wrong field's reason next to the field and keeps what was typed.
"use strict";

const visible = (element) => element.closest("[hidden]") === null;

function clearErrors(form) {
  form.querySelectorAll("[data-error-for]").forEach((element) => { element.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach((element) => element.removeAttribute("aria-invalid"));
}

// {"credentials": {"api_key": ["…"]}, "channels": {"0": ["…"]}} → [["credentials.api_key", "…"], ["channels.0", "…"]]
function flatten(value, prefix) {
  if (Array.isArray(value)) return [[prefix, value.map((v) => typeof v === "object" ? Object.values(v).flat().join(" ") : v).join(" ")]];
  if (value && typeof value === "object") return Object.entries(value).flatMap(([key, inner]) => flatten(inner, prefix ? prefix + "." + key : key));
  return [[prefix, String(value)]];
}

// Each field's reason next to the field (the visible one of that name); what has no field goes to the status line.
function showErrors(form, fields) {
  const unplaced = [];
  flatten(fields || {}, "").forEach(([path, text]) => {
    let key = path, slot = null;
    while (key && !slot) {
      slot = Array.from(form.querySelectorAll(`[data-error-for="${CSS.escape(key)}"]`)).find(visible) || null;
      if (!slot) key = key.includes(".") ? key.slice(0, key.lastIndexOf(".")) : "";
    }
    if (!slot) { unplaced.push((path && path !== "_schema" ? path + ": " : "") + text); return; }
    slot.textContent = text;
    const input = slot.closest(".field, fieldset")?.querySelector("input, select");
    if (input) input.setAttribute("aria-invalid", "true");
  });
  const first = form.querySelector("[aria-invalid=true]");
  if (first) first.focus();
  return unplaced.join(" ");
}

// The status line's words for a refused change: the reasons no field could show, else a pointer to the fields.
function refused(form, answer, fallback) {
  if (answer.status !== 400) return answer.data.error || fallback;
  const rest = showErrors(form, answer.data.fields);
  if (rest) return (answer.data.error ? answer.data.error + " — " : "") + rest;
  return form.querySelector("[aria-invalid=true]") ? "Not saved: see the fields marked." : answer.data.error || fallback;
}

// Required fields of the visible part of a form, checked before anything is sent.
function missing(form) {
  let count = 0;
  form.querySelectorAll("input[data-required]").forEach((input) => {
    if (!visible(input) || input.value.trim()) return;
    const slot = input.parentElement.querySelector("[data-error-for]");
    if (slot) slot.textContent = input.labels[0].textContent.replace("(optional)", "").trim() + " is required.";
    input.setAttribute("aria-invalid", "true");
    count += 1;
  });
  const first = form.querySelector("[aria-invalid=true]");
  if (first) first.focus();
  return count;
}

// Only the chosen kind's fieldset is shown and sent.
function showKind(form, chosen) {
  form.querySelectorAll("fieldset[data-kind]").forEach((set) => {
    const on = set.dataset.kind === chosen;
    set.hidden = !on;
    set.querySelectorAll("input").forEach((input) => { input.disabled = !on; });
  });
}

function credentials(form) {
  const values = {};
  form.querySelectorAll("fieldset[data-kind]:not([hidden]) input").forEach((input) => {
    if (input.value.trim()) values[input.name] = input.value.trim();
  });
  return values;
}

// A destructive button asks once more, on itself, instead of a dialog (framed pages may not open one).
function confirmed(button, question) {
  if (button.dataset.armed) return true;
  const label = button.textContent;
  button.dataset.armed = "1";
  button.textContent = question;
  button.classList.add("btn-critical");
  setTimeout(() => { delete button.dataset.armed; button.textContent = label; button.classList.remove("btn-critical"); }, 5000);
  return false;
}

// ------------------------------------------------------------------ write-back
const toggle = document.getElementById("write-back");
if (toggle) toggle.addEventListener("change", async () => {
  const result = document.getElementById("write-back-result");
  const answer = await Forewarn.api("PATCH", "/api/v1/shop", {write_back: toggle.checked});
  if (answer.ok) { Forewarn.status(result, toggle.checked ? "On: saved." : "Off: saved.", "success"); Forewarn.toast("Saved."); }
  else { toggle.checked = !toggle.checked; Forewarn.status(result, Forewarn.refusal(answer.data), "critical"); }
});

// ------------------------------------------------------------------ helpdesk
const helpdeskForm = document.getElementById("helpdesk-form");
const helpdeskKind = document.getElementById("helpdesk-kind");
if (helpdeskForm) {
  const show = () => showKind(helpdeskForm, helpdeskKind.value);
  show();
  helpdeskKind.addEventListener("change", () => { clearErrors(helpdeskForm); show(); });
  helpdeskForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = document.getElementById("helpdesk-result");
    clearErrors(helpdeskForm);
    if (missing(helpdeskForm)) { Forewarn.status(result, "Fill in the fields marked.", "critical"); return; }
    Forewarn.status(result, "Checking…");
    const answer = await Forewarn.api("PUT", "/api/v1/helpdesk", {kind: helpdeskKind.value, credentials: credentials(helpdeskForm)});
    if (answer.ok) { Forewarn.status(result, "Connected.", "success"); location.reload(); }
    else Forewarn.status(result, refused(helpdeskForm, answer, "Not connected."), "critical");
  });
}
const helpdeskStatus = document.getElementById("helpdesk-status");
document.getElementById("helpdesk-test")?.addEventListener("click", async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  Forewarn.status(helpdeskStatus, "Signing in with the stored credentials…");
  const answer = await Forewarn.api("POST", "/api/v1/helpdesk/test");
  button.disabled = false;
  if (answer.ok && answer.data.ok) Forewarn.status(helpdeskStatus, "It works: the helpdesk accepted the stored credentials.", "success");
  else if (answer.ok) Forewarn.status(helpdeskStatus, answer.data.error + (answer.data.outcome === "refused" ? " — the integration is paused until you reconnect it." : " — nothing was changed; try again later."), "critical");
  else Forewarn.status(helpdeskStatus, Forewarn.refusal(answer.data), "critical");
});
document.getElementById("helpdesk-disconnect")?.addEventListener("click", async (event) => {
  const button = event.currentTarget;
  if (!confirmed(button, "Disconnect? Click again")) return;
  const answer = await Forewarn.api("DELETE", "/api/v1/helpdesk");
  if (answer.ok) { Forewarn.status(helpdeskStatus, "Disconnected.", "success"); location.reload(); }
  else Forewarn.status(helpdeskStatus, Forewarn.refusal(answer.data), "critical");
});

// ------------------------------------------------------------------ customer messages: channels and sender
const messagingForm = document.getElementById("messaging-form");
if (messagingForm) {
  const channelBoxes = messagingForm.querySelectorAll("input[name=channels]");
  const warn = () => channelBoxes.forEach((box) => {
    const warning = messagingForm.querySelector(`[data-channel-warning="${box.value}"]`);
    if (warning) warning.hidden = !box.checked || warning.dataset.connected === "1";
  });
  channelBoxes.forEach((box) => box.addEventListener("change", warn));
  warn();
  messagingForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = document.getElementById("messaging-result");
    clearErrors(messagingForm);
    const text = (name) => messagingForm.elements[name].value.trim() || null;
    const body = {
      enabled: messagingForm.elements.enabled.checked,
      channels: Array.from(channelBoxes).filter((box) => box.checked).map((box) => box.value),
      sender_name: text("sender_name"), reply_to: text("reply_to"), sms_from: text("sms_from"),
      consent: messagingForm.elements.consent.value,
    };
    Forewarn.status(result, "Saving…");
    const answer = await Forewarn.api("PATCH", "/api/v1/messaging", body);
    if (answer.ok) Forewarn.status(result, "Saved.", "success");
    else Forewarn.status(result, refused(messagingForm, answer, "Not saved."), "critical");
  });
}

// ------------------------------------------------------------------ message providers
document.querySelectorAll(".provider-form").forEach((form) => {
  const kind = form.querySelector(".kind-select");
  const result = form.querySelector("[data-provider-result]");
  const show = () => showKind(form, kind.value);
  show();
  kind.addEventListener("change", () => { clearErrors(form); show(); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    if (missing(form)) { Forewarn.status(result, "Fill in the fields marked.", "critical"); return; }
    Forewarn.status(result, "Checking…");
    const answer = await Forewarn.api("PUT", "/api/v1/messaging/providers/" + form.dataset.channel, {kind: kind.value, credentials: credentials(form)});
    if (answer.ok) { Forewarn.status(result, "Connected.", "success"); location.reload(); }
    else Forewarn.status(result, refused(form, answer, "Not saved."), "critical");
  });
});
document.querySelectorAll(".provider-disconnect").forEach((button) => button.addEventListener("click", async () => {
  if (!confirmed(button, "Disconnect? Click again")) return;
  const status = button.parentElement.querySelector("[data-provider-status]");
  const answer = await Forewarn.api("DELETE", "/api/v1/messaging/providers/" + button.dataset.channel);
  if (answer.ok) { Forewarn.status(status, "Disconnected.", "success"); location.reload(); }
  else Forewarn.status(status, Forewarn.refusal(answer.data), "critical");
}));

// ------------------------------------------------------------------ carrier accounts
const carrierForm = document.getElementById("carrier-form");
if (carrierForm) {
  const provider = document.getElementById("carrier-provider");
  const any = document.getElementById("carrier-any");
  const own = document.getElementById("carrier-own");
  const show = () => {
    const karrio = provider.value === "karrio";
    carrierForm.querySelector("[data-for-provider=karrio]").hidden = !karrio;
    carrierForm.querySelector("[data-for-provider=aggregator]").hidden = karrio;
    own.disabled = !karrio;
    any.disabled = karrio;
    showKind(carrierForm, karrio ? "karrio:" + own.value : provider.value);
  };
  show();
  [provider, own].forEach((select) => select.addEventListener("change", () => { clearErrors(carrierForm); show(); }));
  carrierForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = document.getElementById("carrier-result");
    clearErrors(carrierForm);
    const karrio = provider.value === "karrio";
    const body = {provider: provider.value, carrier: karrio ? own.value : any.value, credentials: credentials(carrierForm)};
    Forewarn.status(result, "Saving…");
    const answer = await Forewarn.api("PUT", "/api/v1/carrier-accounts", body);
    if (answer.ok) { Forewarn.status(result, "Saved.", "success"); location.reload(); }
    else Forewarn.status(result, refused(carrierForm, answer, "Not saved."), "critical");
  });
}
document.querySelectorAll(".carrier-remove").forEach((button) => button.addEventListener("click", async () => {
  if (!confirmed(button, "Remove? Click again")) return;
  const status = button.parentElement.querySelector("[role=status]");
  const answer = await Forewarn.api("DELETE", "/api/v1/carrier-accounts/" + button.dataset.id);
  if (answer.ok) { Forewarn.status(status, "Removed.", "success"); location.reload(); }
  else Forewarn.status(status, Forewarn.refusal(answer.data), "critical");
}));

// ------------------------------------------------------------------ languages
const languageForm = document.getElementById("language-form");
if (languageForm) languageForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = document.getElementById("language-result");
  clearErrors(languageForm);
  const answer = await Forewarn.api("PATCH", "/api/v1/messaging", {default_language: languageForm.elements.default_language.value || null});
  if (answer.ok) Forewarn.status(result, "Saved.", "success");
  else Forewarn.status(result, refused(languageForm, answer, "Not saved."), "critical");
});
