from subgraphs.common.migrations import run_migrations
from subgraphs.users.store import Base

run_migrations(Base.metadata)
