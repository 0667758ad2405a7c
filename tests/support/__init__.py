"""Test support: throwaway servers, the stack of processes, GraphQL clients."""
