// The Rules page: the form generated from the rules schema, read back into the API's body; Preview replays the
// last 90 days with the draft (POST /api/v1/rules/backtest), Save stores it (PUT /api/v1/rules); a refusal puts
// each field's message next to its input.
"use strict";
(() => {
  const data = Forewarn.json("rules-data");
  const form = document.getElementById("rules-form");
  if (!form || !data || !data.installed) return;
  const summary = document.getElementById("backtest-summary");
  const previewCard = document.getElementById("backtest");
  const banner = document.getElementById("rules-errors");
  let dirty = false;
  let chart = null;
  let previewSeq = 0;
  let previewAbort = null;
  let newIds = 0;

  // ------------------------------------------------------------ reading and writing one field

  function read(field) {
    const widget = field.dataset.widget;
    if (widget === "number") {
      const input = field.querySelector("input");
      const text = input.value.trim();
      if (text === "") return "";  // the server names it: "Not a valid number."
      const number = Number(text);
      return Number.isFinite(number) ? number : text;
    }
    if (widget === "checkboxes") {
      return [...field.querySelectorAll("input[type=checkbox]:checked")].map((box) => box.value);
    }
    if (widget === "time_range") {
      const none = field.querySelector("[data-none]");
      if (none && none.checked) return null;
      return [...field.querySelectorAll("input[type=time]")].map((input) => input.value);
    }
    if (widget === "dates") {
      return [...field.querySelectorAll("[data-item] input[type=date]")].map((input) => input.value).filter(Boolean);
    }
    if (widget === "select") return field.querySelector("select").value;
    const text = field.querySelector("input").value.trim();
    if (!text) return null;
    return widget === "country" ? text.toUpperCase() : text;
  }

  function write(field, value) {
    const widget = field.dataset.widget;
    if (widget === "number") {
      field.querySelector("input").value = value === null || value === undefined ? "" : String(value);
    } else if (widget === "checkboxes") {
      field.querySelectorAll("input[type=checkbox]").forEach((box) => { box.checked = (value || []).includes(box.value); });
    } else if (widget === "time_range") {
      const none = field.querySelector("[data-none]");
      const times = field.querySelectorAll("input[type=time]");
      if (none) none.checked = !value;
      times.forEach((input, i) => { input.value = value ? value[i] : ""; input.disabled = !value; });
    } else if (widget === "dates") {
      field.querySelectorAll("[data-item]").forEach((item) => item.remove());
      (value || []).forEach((day) => addItem(field, {value: day}));
      syncEmpty(field);
    } else if (widget === "select") {
      field.querySelector("select").value = value;
    } else {
      field.querySelector("input").value = value || "";
    }
  }

  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

  function defaultOf(element) {
    return JSON.parse(element.dataset.default);
  }

  function syncReset(field) {
    const button = field.querySelector("[data-reset]");
    if (button) button.hidden = same(read(field), defaultOf(field));
  }

  // ------------------------------------------------------------ repeating items: closed days, overrides

  function itemsOf(container) {
    return container.querySelector("[data-items]");
  }

  function addItem(container, values) {
    const template = container.querySelector("template[data-item-template]");
    const item = template.content.firstElementChild.cloneNode(true);
    newIds += 1;
    item.querySelectorAll("[id]").forEach((element) => { element.id = element.id.replace(/-new$/, "") + "-n" + newIds; });
    item.querySelectorAll("label[for]").forEach((label) => { label.htmlFor = label.htmlFor.replace(/-new$/, "") + "-n" + newIds; });
    const dateInput = item.querySelector("input[type=date]");
    if (dateInput) {
      dateInput.id = "closed-day-n" + newIds;
      item.querySelector("label").htmlFor = dateInput.id;
      if (values && values.value) dateInput.value = values.value;
    }
    Object.entries(values || {}).forEach(([key, value]) => {
      const cell = item.querySelector(`[data-cell="${key}"]`);
      if (cell) cell.value = String(value);
    });
    itemsOf(container).appendChild(item);
    syncEmpty(container);
    return item;
  }

  function syncEmpty(container) {
    const empty = container.querySelector("[data-when-empty]");
    if (empty) empty.hidden = itemsOf(container).querySelector("[data-item]") !== null;
  }

  function readRows(container) {
    return [...itemsOf(container).querySelectorAll("[data-item]")].map((row) => {
      const values = {};
      row.querySelectorAll("[data-cell]").forEach((cell) => {
        const text = cell.value.trim();
        values[cell.dataset.cell] = cell.type === "number" ? (text === "" ? "" : (Number.isFinite(Number(text)) ? Number(text) : text)) : text;
      });
      return values;
    });
  }

  function writeRows(container, rows) {
    itemsOf(container).querySelectorAll("[data-item]").forEach((row) => row.remove());
    rows.forEach((row) => addItem(container, row));
    syncEmpty(container);
  }

  // ------------------------------------------------------------ the body

  // Only what the merchant changed since the page loaded (or since the last save): the API keeps the rest as
  // stored, so a value set outside this form (the demo's quarter-day follow-up, say) never blocks a save.
  const valueOf = (element) => (element.matches("[data-rows]") ? readRows(element) : read(element));
  const editable = () => form.querySelectorAll("[data-field], [data-rows]");

  function markLoaded() {
    editable().forEach((element) => { element.dataset.loaded = JSON.stringify(valueOf(element)); });
  }

  function collect() {
    const body = {};
    editable().forEach((element) => {
      const value = valueOf(element);
      if (JSON.stringify(value) === element.dataset.loaded) return;
      const section = element.dataset.section;
      const key = element.dataset.key || section;
      if (section === key) body[section] = value;
      else (body[section] = body[section] || {})[key] = value;
    });
    return body;
  }

  // ------------------------------------------------------------ errors next to fields

  function flatten(messages) {
    if (typeof messages === "string") return [messages];
    if (Array.isArray(messages)) return messages.flatMap(flatten);
    if (messages && typeof messages === "object") {
      return Object.entries(messages).flatMap(([key, value]) =>
        flatten(value).map((text) => (/^\d+$/.test(key) ? `#${Number(key) + 1}: ` : "") + text));
    }
    return [];
  }

  function mark(slot, inputs, messages) {
    slot.textContent = flatten(messages).join(" ");
    slot.hidden = false;
    inputs.forEach((input) => input.setAttribute("aria-invalid", "true"));
  }

  function clearErrors() {
    banner.hidden = true;
    form.querySelectorAll("[data-error]").forEach((slot) => { slot.hidden = true; slot.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
  }

  function showErrors(errors) {
    clearErrors();
    const named = [];
    const unplaced = [];
    Object.entries(errors || {}).forEach(([section, messages]) => {
      const rows = form.querySelector(`[data-rows][data-section="${section}"]`);
      if (rows) {
        const items = itemsOf(rows).querySelectorAll("[data-item]");
        const listMessages = Array.isArray(messages) ? messages : [];
        if (listMessages.length) mark(rows.querySelector(":scope > [data-error]"), [], listMessages);
        Object.entries(Array.isArray(messages) ? {} : messages).forEach(([index, cells]) => {
          const row = items[Number(index)];
          Object.entries(cells || {}).forEach(([key, text]) => {
            const cell = row && row.querySelector(`[data-col="${key}"]`);
            if (cell) mark(cell.querySelector("[data-error]"), cell.querySelectorAll("input, select"), text);
            else unplaced.push(`${section} #${Number(index) + 1} ${key}: ${flatten(text).join(" ")}`);
          });
        });
        named.push(rows.closest(".card").querySelector("h2").textContent);
        return;
      }
      const whole = form.querySelector(`[data-field="${section}/${section}"]`);
      const entries = whole ? [[section, messages]] : (Array.isArray(messages) ? [["", messages]] : Object.entries(messages));
      entries.forEach(([key, text]) => {
        const field = form.querySelector(`[data-field="${section}/${key}"]`);
        if (!field) { unplaced.push(`${section}${key ? "." + key : ""}: ${flatten(text).join(" ")}`); return; }
        mark(field.querySelector("[data-error]"), field.querySelectorAll("input, select"), text);
        named.push((field.querySelector("label, legend") || {}).textContent || key);
      });
    });
    banner.textContent = "Not saved — please check: " + [...named, ...unplaced].join("; ") + ".";
    banner.hidden = false;
    const first = form.querySelector("[aria-invalid=true]");
    if (first) first.focus();
  }

  // ------------------------------------------------------------ preview (the backtest)

  const KIND = data.kinds || {};

  function delta(n, what) {
    if (!n) return "same as your saved rules";
    return `${n > 0 ? "+" : ""}${n} ${what} against your saved rules`;
  }

  function renderPreview(answer) {
    const {draft, current, difference} = answer;
    summary.textContent = answer.summary.charAt(0).toUpperCase() + answer.summary.slice(1) + ".";
    document.getElementById("backtest-result").hidden = false;
    ["cases", "messages"].forEach((what) => {
      document.querySelector(`[data-figure="${what}"]`).textContent = draft[what];
      const hint = document.querySelector(`[data-delta="${what}"]`);
      hint.textContent = delta(difference[what], what);
      hint.className = "hint " + (difference[what] > 0 ? "delta-up" : difference[what] < 0 ? "delta-down" : "");
    });
    const tbody = document.querySelector("#backtest-kinds tbody");
    tbody.replaceChildren();
    const kinds = Object.keys(difference.incidents);
    if (!kinds.length) {
      const row = tbody.insertRow();
      const cell = row.insertCell();
      cell.colSpan = 4;
      cell.className = "subdued";
      cell.textContent = "No problem found in this period, under either set of rules.";
    }
    kinds.forEach((kind) => {
      const row = tbody.insertRow();
      const n = difference.incidents[kind];
      [KIND[kind] || kind, current.incidents[kind] || 0, draft.incidents[kind] || 0, n ? (n > 0 ? "+" : "") + n : "—"]
        .forEach((text, i) => { const cell = row.insertCell(); cell.textContent = text; if (i) cell.className = "num"; });
    });
    const sample = document.getElementById("backtest-sample");
    sample.replaceChildren();
    draft.sample.forEach((s) => {
      const li = document.createElement("li");
      li.textContent = `${s.order}${s.tracking_number ? " · " + s.tracking_number : ""} — ${KIND[s.kind] || s.kind}: ${s.reason}`;
      sample.appendChild(li);
    });
    if (!draft.sample.length) {
      const li = document.createElement("li");
      li.className = "subdued";
      li.textContent = "Nothing would have been flagged.";
      sample.appendChild(li);
    }
    const channels = draft.channels.length ? draft.channels.join(", ") : "no channel (messages are off)";
    document.getElementById("backtest-note").textContent =
      `${draft.orders} orders and ${draft.shipments} parcels replayed` +
      (answer.sampled ? ` — the latest ${draft.orders} of ${draft.orders_in_period} orders placed in these ${draft.days} days (sampled)` : "") +
      `. Messages: one per problem the customer is told of, on ${channels}; quiet hours delay them and daily caps ` +
      "may hold some back, which the preview does not count.";
    drawChart(current.by_weekday, draft.by_weekday);
  }

  function drawChart(current, draft) {
    if (typeof Chart === "undefined") return;  // the table above says the same
    const labels = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];  // the API's keys come sorted by name
    const sets = [
      {label: "Saved rules", data: labels.map((d) => current[d]), backgroundColor: "#b5b5b5"},
      {label: "Draft", data: labels.map((d) => draft[d]), backgroundColor: "#005bd3"},
    ];
    if (chart) {
      chart.data.datasets.forEach((set, i) => { set.data = sets[i].data; });
      chart.update();
      return;
    }
    chart = new Chart(document.getElementById("backtest-chart"), {
      type: "bar",
      data: {labels, datasets: sets},
      options: {responsive: true, maintainAspectRatio: false, animation: false,
                scales: {y: {beginAtZero: true, ticks: {precision: 0}}}, plugins: {legend: {position: "bottom"}}},
    });
  }

  async function preview() {
    const seq = ++previewSeq;
    if (previewAbort) previewAbort.abort();  // the server stops nothing, but the browser frees its connection
    previewAbort = new AbortController();
    previewCard.setAttribute("aria-busy", "true");
    summary.textContent = `Replaying the last ${data.days} days with this draft…`;
    const answer = await Forewarn.api("POST", "/api/v1/rules/backtest", collect(), {signal: previewAbort.signal});
    if (seq !== previewSeq || answer.aborted) return;  // a newer preview is on its way
    previewCard.setAttribute("aria-busy", "false");
    if (answer.ok) {
      clearErrors();
      renderPreview(answer.data);
    } else if (answer.status === 400) {
      summary.textContent = "The preview needs valid rules: fix the highlighted fields.";
      showErrors(answer.data.fields);
      banner.textContent = banner.textContent.replace("Not saved", "Cannot preview");
    } else {
      summary.textContent = Forewarn.refusal(answer.data);
    }
  }

  async function save(event) {
    event.preventDefault();
    const status = document.getElementById("rules-status");
    Forewarn.status(status, "Saving…");
    const answer = await Forewarn.api("PUT", "/api/v1/rules", collect());
    if (answer.ok) {
      clearErrors();
      dirty = false;
      Forewarn.status(status, "Saved.", "success");
      Forewarn.toast("Rules saved");
      form.querySelectorAll("[data-field]").forEach((field) => write(field, fieldValue(answer.data.values, field)));
      form.querySelectorAll("[data-rows]").forEach((c) => writeRows(c, answer.data.values[c.dataset.section] || []));
      form.querySelectorAll("[data-field]").forEach(syncReset);
      markLoaded();
    } else if (answer.status === 400) {
      showErrors(answer.data.fields);
      Forewarn.status(status, "Not saved: see the highlighted fields.", "critical");
    } else {
      Forewarn.status(status, Forewarn.refusal(answer.data), "critical");
    }
  }

  function fieldValue(values, field) {
    const {section, key} = field.dataset;
    return section === key ? values[section] : (values[section] || {})[key];
  }

  // ------------------------------------------------------------ wiring

  const autoPreview = Forewarn.debounce(preview, 1200);
  markLoaded();

  form.addEventListener("submit", save);
  // Save stays disabled until here: before the script runs, Enter in a field would submit the form as a GET
  document.querySelectorAll("[data-ready]").forEach((button) => { button.disabled = false; });
  document.getElementById("rules-preview").addEventListener("click", preview);
  form.addEventListener("input", (event) => {
    dirty = true;
    const field = event.target.closest("[data-field]");
    if (field) syncReset(field);
  });
  form.addEventListener("change", (event) => {
    dirty = true;
    const field = event.target.closest("[data-field]");
    if (event.target.matches("[data-none]")) {
      field.querySelectorAll("input[type=time]").forEach((input) => {
        input.disabled = event.target.checked;
        if (!event.target.checked && !input.value) input.value = input.dataset.part === "0" ? "21:00" : "08:00";
      });
    }
    if (field) syncReset(field);
    autoPreview();
  });
  form.addEventListener("click", (event) => {
    const target = event.target;
    if (target.matches("[data-add]")) {
      const container = target.closest("[data-rows], [data-field]");
      const item = addItem(container);
      const first = item.querySelector("input, select");
      if (first) first.focus();
      dirty = true;
      if (container.dataset.field) syncReset(container);
    } else if (target.matches("[data-remove]")) {
      const container = target.closest("[data-rows], [data-field]");
      target.closest("[data-item]").remove();
      syncEmpty(container);
      dirty = true;
      if (container.dataset.field) syncReset(container);
      autoPreview();
    } else if (target.matches("[data-reset]")) {
      const field = target.closest("[data-field]");
      write(field, defaultOf(field));
      syncReset(field);
      dirty = true;
      (field.querySelector("input:not([disabled]), select") || field).focus();
      autoPreview();
    } else if (target.matches("[data-reset-section]")) {
      const card = target.closest(".card");
      card.querySelectorAll("[data-field]").forEach((field) => { write(field, defaultOf(field)); syncReset(field); });
      card.querySelectorAll("[data-rows]").forEach((container) => writeRows(container, defaultOf(container)));
      dirty = true;
      Forewarn.toast(`${card.querySelector("h2").textContent}: Forewarn's defaults (not saved yet)`);
      autoPreview();
    }
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) event.preventDefault();
  });
})();
