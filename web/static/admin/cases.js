// Cases page: the customer's photos (fetched with the session token) and the suggested-reply editor.
"use strict";
document.querySelectorAll("img[data-photo-src]").forEach((img) => Forewarn.image(img, img.dataset.photoSrc));
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
