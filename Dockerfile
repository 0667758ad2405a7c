# syntax=docker/dockerfile:1
#
# One image for all six Skill Circle subgraphs; SUBGRAPH picks which one runs.
#
#   docker build -t skill-circle/subgraph:0.1.0 .
#   docker run -e SUBGRAPH=skills -e SKILL_CIRCLE_PORT=4002 ... skill-circle/subgraph:0.1.0
#   docker run -e SUBGRAPH=users ... skill-circle/subgraph:0.1.0 migrate
#   docker run -e SUBGRAPH=users ... skill-circle/subgraph:0.1.0 create-admin --email E --password P
#
# Arguments after the image name go to `python -m subgraphs.$SUBGRAPH`
# (none: serve). `--build-arg SUBGRAPH=...` bakes in a default.
#
# Targets: `subgraph` (the default, last stage), `hive-router` (the production
# gateway, compose profile `hive-router`) and `hive-gateway` (the Node gateway,
# compose profile `hive`).

ARG PYTHON_IMAGE=python:3.11-slim
ARG NODE_IMAGE=node:20-slim
# Keep in step with compose.yaml, the Helm values and tests/infra/build-tools.sh.
ARG HIVE_ROUTER_IMAGE=ghcr.io/graphql-hive/router:0.2.0
ARG BUSYBOX_IMAGE=busybox:1.37.0-musl

# ------------------------------------------------------------ Python deps
FROM ${PYTHON_IMAGE} AS python-deps
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock ./
# Dependencies only, exactly as locked; the code is copied in the final stage.
RUN uv sync --frozen --no-dev --no-install-project --python /usr/local/bin/python3

# ------------------------------------------------------------ Hive Router
# The upstream image (distroless: no shell) with a static busybox added for the
# healthcheck, and the committed config and supergraph as defaults (compose
# mounts the working copies over them; the Helm chart uses the upstream image).
FROM ${BUSYBOX_IMAGE} AS busybox

FROM ${HIVE_ROUTER_IMAGE} AS hive-router
COPY --from=busybox /bin/busybox /busybox/busybox
COPY router/hive-router.yaml /dist/config/router.yaml
COPY schema/supergraph.graphql /dist/schema/supergraph.graphql
ENV ROUTER_CONFIG_FILE_PATH=/dist/config/router.yaml \
    SUPERGRAPH_FILE_PATH=/dist/schema/supergraph.graphql
USER 65532:65532
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/busybox/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:4000/health"]

# ------------------------------------------------------------ Hive Gateway
FROM ${NODE_IMAGE} AS hive-gateway
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY router/gateway.config.ts router/ide-collection.mjs router/
COPY schema/ schema/
USER node
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:4000/healthcheck').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["npx", "hive-gateway", "supergraph", "schema/supergraph.graphql", "--config-path", "router/gateway.config.ts"]

# ---------------------------------------------------------------- subgraph
FROM ${PYTHON_IMAGE} AS subgraph
ARG SUBGRAPH=users
ENV SUBGRAPH=${SUBGRAPH} \
    PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SKILL_CIRCLE_ENVIRONMENT=production \
    SKILL_CIRCLE_HOST=0.0.0.0 \
    SKILL_CIRCLE_PORT=4001 \
    SKILL_CIRCLE_DATA_DIR=/tmp/skill-circle
# DejaVu Sans: certificate PDFs print learners' names in any script (visualization).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 skillcircle \
    && useradd --system --uid 10001 --gid skillcircle --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin skillcircle
WORKDIR /app
COPY --from=python-deps /app/.venv /app/.venv
COPY schema/ schema/
COPY subgraphs/ subgraphs/
USER 10001:10001
EXPOSE 4001 4002 4003 4004 4005 4006
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['SKILL_CIRCLE_PORT'] + '/health', timeout=4)"]
ENTRYPOINT ["/bin/sh", "-c", "exec python -m \"subgraphs.${SUBGRAPH:?set SUBGRAPH to users, skills, learning, content, visualization or notifications}\" \"$@\"", "subgraph"]
CMD []
