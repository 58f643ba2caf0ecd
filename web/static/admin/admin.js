// Forewarn admin: the helpers every page uses. API calls carry a bearer token — App Bridge's session token
// inside Shopify, the page's signed store token elsewhere — never a cookie.
"use strict";
const Forewarn = (() => {
  const context = JSON.parse(document.getElementById("admin-context").textContent);

  // Shopify's session token (one minute) and the bounce marker leave the address bar once the page is here:
  // a reload inside the admin then bounces for a fresh token instead of showing an expired one
  const here = new URL(window.location.href);
  if (here.searchParams.has("id_token") || here.searchParams.has("bounced")) {
    here.searchParams.delete("id_token");
    here.searchParams.delete("bounced");
    window.history.replaceState(null, "", here.toString());
  }

  async function token() {
    const meta = document.querySelector('meta[name="forewarn-session"]');
    if (meta) return meta.content;
    return await window.shopify.idToken();  // App Bridge: a fresh session token for each call
  }

  // fetch an /api/v1 path as JSON: {ok, status, data}; a network failure is {ok: false, status: 0}
  // options.signal: an AbortController's, to drop a request a newer one replaces
  async function api(method, path, body, options) {
    const headers = {"Authorization": "Bearer " + await token(), "Accept": "application/json"};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body),
                                    signal: options && options.signal});
    } catch (error) {
      if (error.name === "AbortError") return {ok: false, status: 0, aborted: true, data: {}};
      return {ok: false, status: 0, data: {error: "Forewarn could not be reached. Check your connection and try again."}};
    }
    const data = await response.json().catch(() => ({error: "unexpected answer (" + response.status + ")"}));
    return {ok: response.ok, status: response.status, data};
  }

  // an image that needs the session token (an <img src> cannot send one): fetched and shown as a blob
  async function image(img, path) {
    const response = await fetch(path, {headers: {"Authorization": "Bearer " + await token()}});
    if (response.ok) img.src = URL.createObjectURL(await response.blob());
  }

  // an admin link that keeps what the platform needs (Wix's instance, Shopify's shop and host, the demo shop)
  function url(path, params) {
    const query = new URLSearchParams(context.carry);
    Object.entries(params || {}).forEach(([key, value]) => {
      if (value !== undefined && value !== null && value !== "") query.set(key, value);
    });
    const text = query.toString();
    return text ? path + "?" + text : path;
  }

  let toastTimer;
  function toast(text, tone) {
    const element = document.getElementById("toast");
    element.textContent = text;
    element.className = "toast" + (tone ? " tone-" + tone : "");
    element.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { element.hidden = true; }, 4000);
  }

  // a status line next to a control: text, with a tone for errors
  function status(element, text, tone) {
    element.textContent = text;
    element.className = (element.dataset.baseClass || "status-text") + (tone ? " badge tone-" + tone : "");
  }

  // the message an API refusal carries, with each wrong field
  function refusal(data) {
    if (!data) return "Not saved.";
    const parts = [data.error || "Not saved."];
    const fields = data.fields || data.problems;
    if (fields && typeof fields === "object") {
      const flat = (value, prefix) => Array.isArray(value)
        ? value.map((v) => typeof v === "object" ? flat(v, prefix) : (prefix ? prefix + ": " : "") + (v.reason || v)).join(" ")
        : typeof value === "object" ? Object.entries(value).map(([k, v]) => flat(v, (prefix ? prefix + "." : "") + k)).join(" ")
        : (prefix ? prefix + ": " : "") + value;
      parts.push(flat(fields, ""));
    }
    return parts.join(" — ");
  }

  function json(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function debounce(fn, wait) {
    let timer;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), wait); };
  }

  return {context, token, api, image, url, toast, status, refusal, json, debounce};
})();
