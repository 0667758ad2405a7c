"""The users subgraph: accounts, login, tokens, profiles, preferences."""
