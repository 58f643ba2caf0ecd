"""WooCommerce: the store connector (REST API v3, wc-auth keys, webhooks)."""
