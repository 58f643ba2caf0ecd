"""The GraphQL Admin API documents Forewarn sends (API version pinned in client.py)."""
from __future__ import annotations

#: Topics subscribed at install, as GraphQL WebhookSubscriptionTopic values. The compliance topics
#: cannot be subscribed through the API: they are set in the app's configuration (shopify.app.toml).
WEBHOOK_TOPICS = (
    "ORDERS_CREATE",
    "ORDERS_UPDATED",
    "ORDERS_CANCELLED",
    "FULFILLMENTS_CREATE",
    "FULFILLMENTS_UPDATE",
    "APP_UNINSTALLED",
)

WEBHOOK_SUBSCRIPTION_CREATE = """
mutation webhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}
"""

FULFILLMENT_EVENT_CREATE = """
mutation fulfillmentEventCreate($fulfillmentEvent: FulfillmentEventInput!) {
  fulfillmentEventCreate(fulfillmentEvent: $fulfillmentEvent) {
    fulfillmentEvent { id status message happenedAt }
    userErrors { field message }
  }
}
"""

TAGS_ADD = """
mutation tagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
  }
}
"""

ORDERS_UPDATED_SINCE = """
query ordersUpdatedSince($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      legacyResourceId
      name
      email
      phone
      customerLocale
      createdAt
      updatedAt
      cancelledAt
      cancelReason
      closedAt
      displayFinancialStatus
      displayFulfillmentStatus
      currencyCode
      statusPageUrl
      totalPriceSet { shopMoney { amount currencyCode } }
      customer { legacyResourceId firstName lastName email phone locale }
      shippingAddress { name firstName lastName city province provinceCode zip countryCodeV2 phone }
      lineItems(first: 100) { nodes { id name title sku quantity requiresShipping } }
      fulfillments(first: 25) {
        legacyResourceId
        name
        status
        displayStatus
        createdAt
        updatedAt
        trackingInfo(first: 10) { company number url }
        fulfillmentLineItems(first: 100) { nodes { quantity lineItem { id name title } } }
      }
    }
  }
}
"""

FULFILLMENT_EVENTS = """
query fulfillmentEvents($id: ID!) {
  fulfillment(id: $id) {
    events(first: 50, reverse: true) { nodes { id status happenedAt } }
  }
}
"""
