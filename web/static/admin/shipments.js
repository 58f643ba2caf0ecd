// The shipments filter form: fields left empty stay out of the address, so a filtered list's link reads
// "?carrier=ups&problem=any" and can be shared. The form works the same without this script.
"use strict";
(() => {
  const form = document.querySelector("form[data-filters]");
  if (!form) return;
  form.addEventListener("submit", () => {
    form.querySelectorAll("input[name], select[name]").forEach((field) => {
      if (field.type !== "hidden" && field.value === "") field.disabled = true;
    });
  });
  // back to this page from history: the fields are usable again
  window.addEventListener("pageshow", () => form.querySelectorAll("[disabled]").forEach((f) => { f.disabled = false; }));
})();
