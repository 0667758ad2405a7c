from subgraphs.common.stores.sql import run_migrations
from subgraphs.users import deletion_store  # noqa: F401  (its tables join Base.metadata)
from subgraphs.users.store import Base

run_migrations(Base.metadata)
