//! Delivery of rendered payloads to webhooks. Placeholder until delivery lands.
