from subgraphs.common.stores.sql import run_migrations
from subgraphs.users.store import Base

run_migrations(Base.metadata)
