"""The visualization subgraph: SVG diagrams and charts of skills, roadmaps and progress."""
