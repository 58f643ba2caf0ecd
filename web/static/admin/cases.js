// Cases pages: the customer's photos (fetched with the session token), the case's actions through
// PATCH /api/v1/cases/<id>, copying the suggested reply, and the suggested-reply editor.
"use strict";
(() => {
  const FLASH = "forewarn-case-flash";

  document.querySelectorAll("img[data-photo-src]").forEach((img) => Forewarn.image(img, img.dataset.photoSrc));

  // a photo full size, in a new tab (its address needs the session token, so it opens as a blob)
  document.querySelectorAll("[data-photo-open]").forEach((button) => button.addEventListener("click", async () => {
    const tab = window.open("", "_blank");
    const response = await fetch(button.dataset.photoOpen, {headers: {"Authorization": "Bearer " + await Forewarn.token()}});
    if (response.ok && tab) tab.location = URL.createObjectURL(await response.blob());
    else { if (tab) tab.close(); Forewarn.toast("The photo could not be opened.", "critical"); }
  }));

  // Copy: the clipboard where the browser allows it (not always inside an admin's frame), else select the text
  document.querySelectorAll("[data-copy]").forEach((button) => button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copy);
    field.focus();
    field.select();
    let copied = false;
    try { await navigator.clipboard.writeText(field.value); copied = true; } catch (error) {
      try { copied = document.execCommand("copy"); } catch (ignored) { copied = false; }
    }
    Forewarn.toast(copied ? "Reply copied" : "Press Ctrl+C (⌘C) to copy the selected reply", copied ? undefined : "critical");
  }));

  // the case's own page
  const data = Forewarn.json("case-data");
  if (data) {
    const flash = sessionStorage.getItem(FLASH);
    if (flash) { sessionStorage.removeItem(FLASH); Forewarn.toast(flash); }

    async function change(body, result, done, button) {
      if (button) button.disabled = true;
      Forewarn.status(result, "Saving…");
      const answer = await Forewarn.api("PATCH", "/api/v1/cases/" + data.id, body);
      if (button) button.disabled = false;
      if (!answer.ok) {
        Forewarn.status(result, answer.status === 404 ? "This case is not in this store any more." : Forewarn.refusal(answer.data), "critical");
        return;
      }
      sessionStorage.setItem(FLASH, done);
      location.reload();  // the page shows the case as it is now: timeline, status, response time
    }

    document.querySelectorAll("[data-set-status]").forEach((button) => button.addEventListener("click", () => {
      const status = button.dataset.setStatus;
      const done = {resolved: "Case resolved", open: data.status === "open" || data.status === "pending" ? "Case marked open" : "Case reopened",
                    pending: "Case marked pending", closed: "Case closed"}[status];
      change({status}, button.parentElement.querySelector("[data-result]"), done, button);
    }));

    const note = document.getElementById("note-form");
    note.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = note.elements.note.value.trim();
      const result = note.querySelector("[data-result]");
      if (!text) { Forewarn.status(result, "Write the note first.", "critical"); note.elements.note.focus(); return; }
      change({note: text}, result, "Note added", note.querySelector("button[type=submit]"));
    });

    const assignee = document.getElementById("assignee-form");
    assignee.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = assignee.elements.assignee.value.trim();
      change({assignee: value || null}, assignee.querySelector("[data-result]"),
             value ? "Assigned to " + value : "Nobody is assigned now", assignee.querySelector("button[type=submit]"));
    });

    const labels = document.getElementById("labels-form");
    labels.addEventListener("submit", (event) => {
      event.preventDefault();
      const values = labels.elements.labels.value.split(",").map((l) => l.trim()).filter((l) => l);
      change({labels: values}, labels.querySelector("[data-result]"), "Labels saved", labels.querySelector("button[type=submit]"));
    });
  }

  // the suggested-reply library
  document.querySelectorAll("form.reply-form").forEach((form) => {
    const path = "/api/v1/replies/" + form.dataset.problem + "/" + form.dataset.language;
    const result = form.querySelector("[data-reply-result]");
    async function send(method, body) {
      const answer = await Forewarn.api(method, path, body);
      if (answer.ok) { Forewarn.status(result, "Saved."); if (method === "DELETE") location.reload(); }
      else Forewarn.status(result, (answer.data.problems || [answer.data.error || "Not saved."]).join(" "), "critical");
    }
    form.addEventListener("submit", (event) => { event.preventDefault(); send("PUT", {text: form.elements.text.value}); });
    const reset = form.querySelector("[data-reset]");
    if (reset) reset.addEventListener("click", () => send("DELETE"));
  });
})();
