"""The notifications subgraph: inboxes, live notifications and channel deliveries."""
