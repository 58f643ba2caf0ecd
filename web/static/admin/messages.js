// Messages page: the template editor. The merchant picks a message × language × channel; the texts come from
// /api/v1/templates (theirs, or Forewarn's), a live preview is rendered by the server with a sample order as they
// type, and Save / Back to Forewarn's text / Send a test go through the same API. Unsaved drafts are kept per
// template while the merchant switches between them, and the page warns before it is left with any.
"use strict";
(() => {
  const data = Forewarn.json("template-editor-data");
  if (!data) return;
  const $ = (id) => document.getElementById(id);
  const pick = {kind: $("tpl-kind"), language: $("tpl-language"), channel: $("tpl-channel")};
  const areas = {subject: $("tpl-subject"), body: $("tpl-body"), sms: $("tpl-sms")};
  const fields = Object.fromEntries(Object.keys(areas).map((p) => [p, document.querySelector(`.field[data-part="${p}"]`)]));
  const partsOf = Object.fromEntries(data.channels.map((c) => [c.channel, c.parts]));
  const partNames = {subject: "subject", body: "email text", sms: "text message"};
  const languages = Object.fromEntries(data.languages.map((l) => [l.code, l]));
  const kinds = Object.fromEntries(data.kinds.map((k) => [k.kind, k]));
  const channelLabels = Object.fromEntries(data.channels.map((c) => [c.channel, c.label]));
  const edited = data.edited;        // {kind: {language: [parts]}}: the shop's saved edits
  const saved = {};                  // "kind|language" → {part: {text, edited}} as the API last said
  const drafts = {};                 // "kind|language|part" → unsaved text
  let lastFocused = null;
  let previewSeq = 0;
  let undo = null;                   // the texts "Back to Forewarn's text" replaced: {key, texts}

  const key = () => pick.kind.value + "|" + pick.language.value;
  const parts = () => partsOf[pick.channel.value];
  const isEdited = (kind, lang, part) => ((edited[kind] || {})[lang] || []).includes(part);

  // ------------------------------------------------------------------ the picker and its "edited" marks

  function markPicker() {
    const kind = pick.kind.value, lang = pick.language.value, channel = pick.channel.value;
    const touched = (k, l, c) => partsOf[c].some((p) => isEdited(k, l, p));
    const unsaved = (k, l, c) => partsOf[c].some((p) => (k + "|" + l + "|" + p) in drafts);
    const mark = (option, on, draft) => {
      const base = option.dataset.label || (option.dataset.label = option.textContent);
      option.textContent = base + (draft ? " — unsaved" : on ? " — edited" : "");
    };
    for (const o of pick.kind.options) mark(o, touched(o.value, lang, channel), unsaved(o.value, lang, channel));
    for (const o of pick.language.options) mark(o, touched(kind, o.value, channel), unsaved(kind, o.value, channel));
    for (const o of pick.channel.options) mark(o, touched(kind, lang, o.value), unsaved(kind, lang, o.value));
    const state = $("tpl-state");
    const dirty = unsaved(kind, lang, channel);
    state.textContent = dirty ? "Unsaved changes" : touched(kind, lang, channel) ? "Edited — your text" : "Forewarn's text";
    state.className = "badge " + (dirty ? "tone-attention" : touched(kind, lang, channel) ? "tone-info" : "");
    $("tpl-reset").disabled = !touched(kind, lang, channel) && !dirty;
    $("tpl-kind-help").textContent = kinds[kind].description;
    listEdited();
  }

  // every edited template as a button that opens it
  function listEdited() {
    const box = $("tpl-edited");
    box.querySelectorAll("button").forEach((b) => b.remove());
    const entries = [];
    for (const [kind, langs] of Object.entries(edited)) {
      for (const [lang, ps] of Object.entries(langs)) {
        const channels = new Set(ps.map((p) => (p === "sms" ? "sms" : "email")));
        channels.forEach((channel) => entries.push({kind, lang, channel}));
      }
    }
    box.hidden = entries.length === 0;
    for (const e of entries) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "chip chip-edited";
      b.textContent = `${kinds[e.kind] ? kinds[e.kind].label : e.kind} · ${languages[e.lang] ? languages[e.lang].name : e.lang} · ${e.channel === "sms" ? "SMS/WhatsApp" : "Email"}`;
      b.lang = e.lang;
      b.addEventListener("click", () => {
        pick.kind.value = e.kind; pick.language.value = e.lang; pick.channel.value = e.channel;
        load();
      });
      box.appendChild(b);
    }
  }

  // ------------------------------------------------------------------ loading a template into the editor

  async function load() {
    const kind = pick.kind.value, lang = pick.language.value, k = key();
    const language = languages[lang];
    for (const [part, area] of Object.entries(areas)) {
      fields[part].hidden = !parts().includes(part);
      area.lang = lang;
      area.dir = language.dir;
      area.setAttribute("aria-invalid", "false");
    }
    $("tpl-test").disabled = !data.test_address || pick.channel.value !== "email";
    Forewarn.status($("tpl-test-result"), pick.channel.value === "email" ? "" : "Tests go by email: the preview shows the text message.");
    if (!saved[k]) {
      setBusy(true);
      const query = new URLSearchParams({kind, language: lang}).toString();
      const answer = await Forewarn.api("GET", "/api/v1/templates?" + query);
      if (!answer.ok) {
        setBusy(false);
        Forewarn.status($("tpl-status"), Forewarn.refusal(answer.data), "critical");
        return;
      }
      saved[k] = answer.data.templates[kind][lang];
    }
    if (k !== key()) return;  // the merchant picked another template meanwhile
    for (const part of Object.keys(areas)) {
      const draft = drafts[k + "|" + part];
      areas[part].value = draft !== undefined ? draft : saved[k][part].text;
    }
    Forewarn.status($("tpl-status"), "");
    markPicker();
    preview();
  }

  function setBusy(busy) {
    $("tpl-preview").setAttribute("aria-busy", busy ? "true" : "false");
  }

  // ------------------------------------------------------------------ live preview and problems

  function showProblems(problems) {
    const box = $("tpl-problems"), list = box.querySelector("ul");
    list.textContent = "";
    for (const p of problems) {
      const li = document.createElement("li");
      const where = [p.part ? partNames[p.part] || p.part : null, p.line ? "line " + p.line : null].filter(Boolean).join(", ");
      li.textContent = (where ? where[0].toUpperCase() + where.slice(1) + ": " : "") + p.reason;
      list.appendChild(li);
    }
    box.hidden = problems.length === 0;
    const wrong = new Set(problems.map((p) => p.part).filter(Boolean));
    for (const part of parts()) areas[part].setAttribute("aria-invalid", wrong.has(part) ? "true" : "false");
  }

  function emptyProblems() {
    return parts().filter((p) => !areas[p].value.trim())
      .map((p) => ({part: p, line: null, reason: `the ${partNames[p]} is empty: write one, or go back to Forewarn's text`}));
  }

  async function preview() {
    const seq = ++previewSeq;
    const empty = emptyProblems();
    if (empty.length) {
      showProblems(empty);
      stale(true);
      return false;
    }
    const overrides = Object.fromEntries(parts().map((p) => [p, areas[p].value]));
    setBusy(true);
    const answer = await Forewarn.api("POST", "/api/v1/templates/preview",
      {kind: pick.kind.value, language: pick.language.value, channel: pick.channel.value, overrides});
    if (seq !== previewSeq) return null;  // a newer keystroke's preview is on its way
    setBusy(false);
    if (answer.status === 422 && answer.data.problems) {
      showProblems(answer.data.problems);
      stale(true);
      return false;
    }
    if (!answer.ok) {
      showProblems([{part: null, line: null, reason: Forewarn.refusal(answer.data)}]);
      stale(true);
      return false;
    }
    showProblems([]);
    stale(false);
    render(answer.data);
    return true;
  }

  function stale(on) {
    $("tpl-preview").classList.toggle("stale", on);
    const note = $("tpl-preview-note");
    note.hidden = !on && !htmlNote();
    note.textContent = on ? "The preview shows the last text that worked; fix the problem on the left to update it."
      : htmlNote() || "";
  }

  // email goes as plain text: HTML tags would reach the customer as written
  function htmlNote() {
    return pick.channel.value === "email" && /<\/?(p|br|div|a|b|strong|em|table|html|body|span|h[1-6]|ul|li|img)\b[^>]*>/i.test(areas.body.value)
      ? "Emails are sent as plain text: HTML tags such as <p> reach the customer exactly as written." : "";
  }

  function render(result) {
    const box = $("tpl-preview");
    box.lang = result.language;
    box.dir = result.direction;
    box.classList.toggle("is-sms", result.sms !== null);
    const subject = $("tpl-preview-subject"), body = $("tpl-preview-body");
    if (result.sms !== null) {
      subject.textContent = channelLabels[pick.channel.value] + " message";
      body.textContent = result.sms;
      const n = result.sms_length;
      if (n) subject.textContent += ` · ${result.sms.length} characters, ${n.segments} ${n.segments === 1 ? "message" : "messages"} (${n.encoding})`;
    } else {
      subject.textContent = result.subject;
      body.textContent = result.body;
    }
    if (result.language !== pick.language.value) {
      const note = $("tpl-preview-note");
      note.hidden = false;
      note.textContent = `Shown in ${languages[result.language].english}: every part of this channel needs a ${languages[pick.language.value].english} text.`;
    }
  }

  const livePreview = Forewarn.debounce(preview, 300);

  function onInput(part) {
    const k = key(), text = areas[part].value;
    if (saved[k] && text === saved[k][part].text) delete drafts[k + "|" + part];
    else drafts[k + "|" + part] = text;
    markPicker();
    livePreview();
  }

  // ------------------------------------------------------------------ save, back to Forewarn's, test

  async function save(event) {
    event.preventDefault();
    const k = key(), kind = pick.kind.value, lang = pick.language.value;
    const changed = parts().filter((p) => (k + "|" + p) in drafts);
    if (!changed.length) {
      Forewarn.status($("tpl-status"), "Nothing to save: this is the text customers get.");
      return;
    }
    Forewarn.status($("tpl-status"), "Checking…");
    if (!(await preview())) {
      Forewarn.status($("tpl-status"), "Not saved: fix the problems listed above.", "critical");
      return;
    }
    for (const part of changed) {
      const answer = await Forewarn.api("PUT", `/api/v1/templates/${encodeURIComponent(kind)}/${lang}/${part}`, {text: areas[part].value});
      if (!answer.ok) {
        if (answer.data.problems) showProblems(answer.data.problems.map((p) => ({...p, part})));
        Forewarn.status($("tpl-status"), "Not saved: " + Forewarn.refusal(answer.data), "critical");
        return;
      }
      saved[k][part] = {text: answer.data.text, edited: answer.data.edited};
      delete drafts[k + "|" + part];
      setEdited(kind, lang, part, true);
    }
    markPicker();
    Forewarn.status($("tpl-status"), "Saved: customers get your text from now on.", "success");
  }

  function setEdited(kind, lang, part, on) {
    const list = ((edited[kind] = edited[kind] || {})[lang] = (edited[kind][lang] || []).filter((p) => p !== part));
    if (on) list.push(part);
    if (!list.length) delete edited[kind][lang];
    if (!Object.keys(edited[kind]).length) delete edited[kind];
  }

  async function reset() {
    const k = key(), kind = pick.kind.value, lang = pick.language.value;
    const before = Object.fromEntries(parts().map((p) => [p, areas[p].value]));
    for (const part of parts()) {
      delete drafts[k + "|" + part];
      if (!isEdited(kind, lang, part)) {
        areas[part].value = saved[k][part].text;
        continue;
      }
      const answer = await Forewarn.api("DELETE", `/api/v1/templates/${encodeURIComponent(kind)}/${lang}/${part}`);
      if (!answer.ok) {
        Forewarn.status($("tpl-status"), "Not changed: " + Forewarn.refusal(answer.data), "critical");
        return;
      }
      saved[k][part] = {text: answer.data.text, edited: false};
      areas[part].value = answer.data.text;
      setEdited(kind, lang, part, false);
    }
    undo = {key: k, texts: before};
    markPicker();
    preview();
    const status = $("tpl-status");
    Forewarn.status(status, "Forewarn's text is back. ");
    const again = document.createElement("button");
    again.type = "button";
    again.className = "btn-plain";
    again.id = "tpl-undo";
    again.textContent = "Bring my text back";
    again.addEventListener("click", () => {
      if (!undo || undo.key !== key()) return;
      for (const [part, text] of Object.entries(undo.texts)) { areas[part].value = text; onInput(part); }
      undo = null;
      Forewarn.status(status, "Your text is back in the editor: save it to use it again.");
    });
    status.appendChild(again);
  }

  async function testSend() {
    const result = $("tpl-test-result");
    const unsaved = parts().some((p) => (key() + "|" + p) in drafts);
    Forewarn.status(result, "Sending…");
    const answer = await Forewarn.api("POST", "/api/v1/templates/test-send",
      {kind: pick.kind.value, language: pick.language.value, channel: "email"});
    if (answer.ok) {
      Forewarn.status(result, `Sent to ${answer.data.to}: “${answer.data.subject}”` +
        (unsaved ? " — your saved text; save to test your changes." : ""), "success");
    } else {
      Forewarn.status(result, "Not sent: " + Forewarn.refusal(answer.data), "critical");
    }
  }

  // ------------------------------------------------------------------ variables

  function insert(name) {
    const visible = parts().map((p) => areas[p]);
    const area = visible.includes(lastFocused) ? lastFocused : visible[visible.length - 1];
    const text = name === "order.items"
      ? "{% for item in order.items %}{{ item.quantity }} × {{ item.title }}\n{% endfor %}"
      : `{{ ${name} }}`;
    const start = area.selectionStart, end = area.selectionEnd;
    area.setRangeText(text, start, end, "end");
    area.focus();
    area.dispatchEvent(new Event("input", {bubbles: true}));
  }

  // ------------------------------------------------------------------ wiring

  for (const [part, area] of Object.entries(areas)) {
    area.addEventListener("input", () => onInput(part));
    area.addEventListener("focus", () => { lastFocused = area; });
  }
  for (const select of Object.values(pick)) select.addEventListener("change", load);
  document.querySelectorAll("[data-variable]").forEach((chip) =>
    chip.addEventListener("click", () => insert(chip.dataset.variable)));
  $("template-form").addEventListener("submit", save);
  $("tpl-reset").addEventListener("click", reset);
  $("tpl-test").addEventListener("click", testSend);
  window.addEventListener("beforeunload", (event) => {
    if (Object.keys(drafts).length) { event.preventDefault(); event.returnValue = ""; }
  });
  load();
})();
