"""The skills subgraph: skills, categories, the prerequisite DAG and roadmaps (MongoDB)."""
