"""The content subgraph: courses, encyclopedia articles, resources, institutions."""
