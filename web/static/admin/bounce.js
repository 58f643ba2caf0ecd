// Shopify's bounce page: ask App Bridge for a fresh session token and load the page again with it.
(async () => {
  const token = await window.shopify.idToken();
  const url = new URL(window.location.href);
  url.searchParams.set("id_token", token);
  url.searchParams.set("bounced", "1");  // a token refused even so is answered, not bounced again
  window.location.replace(url.toString());
})();
