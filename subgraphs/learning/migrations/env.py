from subgraphs.common.stores.sql import run_migrations
from subgraphs.learning.tables import Base

run_migrations(Base.metadata)
