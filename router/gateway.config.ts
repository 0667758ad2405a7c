// Hive Gateway configuration for the Skill Circle supergraph.
//
//   npx hive-gateway supergraph --config-path router/gateway.config.ts
//
// (Do not pass a supergraph path on the command line: a positional path
// overrides `supergraph` below. The CLI's --port / PORT env and --host / HOST
// env override `port` / `host` below.)
//
// Environment:
//   SKILL_CIRCLE_SUPERGRAPH        supergraph SDL file (default ../schema/supergraph.graphql, relative to this file)
//   SKILL_CIRCLE_GATEWAY_PORT      listen port (default 4000)
//   SKILL_CIRCLE_GATEWAY_DEDUPE    "false" disables merging identical in-flight subgraph queries (benchmarks); default true
//   SKILL_CIRCLE_GATEWAY_IDE       "false" stops serving the in-browser IDE (production); default true
//   SKILL_CIRCLE_GATEWAY_INTROSPECTION  "false" refuses introspection (production); default true
//   SKILL_CIRCLE_GATEWAY_QUERY_PLANNER  "rust" plans with Hive's Rust query planner (@graphql-hive/router-runtime)
//                                  instead of the JavaScript one; default js (see docs/benchmarks.md)
//   SKILL_CIRCLE_CORS_ORIGINS      comma-separated allowed origins (default http://localhost:3000,http://localhost:4000)
//   SKILL_CIRCLE_<SUBGRAPH>_URL    e.g. SKILL_CIRCLE_USERS_URL: overrides that subgraph's routing URL
//   SKILL_CIRCLE_ENVIRONMENT       "development" opens the IDE on the example collection of
//                                  router/ide-collection.mjs (scripts/dev.sh); anything else, or unset, does not
//   SKILL_CIRCLE_RESPONSE_CACHE_TTL_MS  how long an anonymous query's response is served from the
//                                  gateway's response cache (default 5000; 0 turns the cache off)
//   SKILL_CIRCLE_OTLP_ENDPOINT     OTLP/HTTP collector base URL (e.g. http://jaeger:4318): traces are
//                                  exported to <endpoint>/v1/traces; unset = no tracing (OTEL_BSP_* apply)
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphQLError, getOperationAST, OperationTypeNode, parse } from 'graphql';
import { defineConfig, type GatewayPlugin } from '@graphql-hive/gateway';
import { unifiedGraphHandler as rustQueryPlanner } from '@graphql-hive/router-runtime';
import { openTelemetrySetup } from '@graphql-hive/gateway/opentelemetry/setup';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ideCollections } from './ide-collection.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function envBool(name: string, fallback: boolean): boolean {
  const raw = process.env[name];
  if (raw == null || raw.trim() === '') return fallback;
  return !['0', 'false', 'no', 'off'].includes(raw.trim().toLowerCase());
}

function envInt(name: string, fallback: number, { allowZero = false } = {}): number {
  const raw = process.env[name];
  if (raw == null || raw.trim() === '') return fallback;
  const n = Number.parseInt(raw, 10);
  if (!Number.isInteger(n) || n < 0 || (n === 0 && !allowZero)) {
    throw new Error(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(raw)}`);
  }
  return n;
}

const supergraphEnv = process.env.SKILL_CIRCLE_SUPERGRAPH;
const supergraphPath = supergraphEnv
  ? isAbsolute(supergraphEnv) ? supergraphEnv : resolve(process.cwd(), supergraphEnv)
  : resolve(here, '../schema/supergraph.graphql');

const corsOrigins = (process.env.SKILL_CIRCLE_CORS_ORIGINS ?? 'http://localhost:3000,http://localhost:4000')
  .split(',')
  .map((o) => o.trim())
  .filter(Boolean);

/**
 * Subgraph URL overrides (what router.yaml's override_subgraph_url reads):
 * SKILL_CIRCLE_USERS_URL=http://users:4001/graphql etc. The supergraph's
 * routing URLs point at localhost; in containers the subgraphs are reached
 * by service name. Subscriptions use the same URL with ws:// / wss://.
 */
const SUBGRAPHS = ['users', 'skills', 'learning', 'content', 'visualization', 'notifications'];
const subgraphLocations = Object.fromEntries(
  SUBGRAPHS.flatMap((name) => {
    const url = process.env[`SKILL_CIRCLE_${name.toUpperCase()}_URL`]?.trim();
    return url ? [[name, { location: url }]] : [];
  }),
);

/**
 * OpenTelemetry. With SKILL_CIRCLE_OTLP_ENDPOINT set, the gateway records a
 * trace per request (http -> graphql operation -> subgraph execution ->
 * upstream fetch), continuing the client's W3C trace context when it sent
 * one, and injects its own traceparent into every subgraph request, so each
 * subgraph's spans join the same trace (the plugin sets the header at fetch
 * time, after propagateHeaders). Exported as OTLP/HTTP protobuf, batched.
 */
const otlpEndpoint = process.env.SKILL_CIRCLE_OTLP_ENDPOINT?.trim().replace(/\/+$/, '');
const UNTRACED_PATHS = new Set(['/healthcheck', '/readiness', '/metrics']);
if (otlpEndpoint) {
  openTelemetrySetup({
    contextManager: new AsyncLocalStorageContextManager(),
    resource: { serviceName: 'gateway' },
    traces: {
      exporter: new OTLPTraceExporter({
        url: otlpEndpoint.endsWith('/v1/traces') ? otlpEndpoint : `${otlpEndpoint}/v1/traces`,
      }),
    },
  });
}

/** Key under which the normalised client token is stored in the GraphQL context. */
const AUTH_CONTEXT_KEY = 'skillCircleAuthorization';

/** Case-insensitive lookup in a plain object (connection_init payloads keep the client's spelling). */
function pick(obj: unknown, name: string): string | undefined {
  if (!obj || typeof obj !== 'object') return undefined;
  const record = obj as Record<string, unknown>;
  const direct = record[name] ?? record[name.toLowerCase()];
  if (typeof direct === 'string' && direct) return direct;
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() === name.toLowerCase() && typeof record[key] === 'string' && record[key]) {
      return record[key] as string;
    }
  }
  return undefined;
}

/**
 * The client's "Authorization" value: for websocket clients from the
 * connection_init payload (browsers cannot set headers on the handshake),
 * otherwise from the HTTP request header.
 */
function clientAuthorization(context: Record<string, any>): string | undefined {
  return (
    pick(context.connectionParams, 'authorization') ??
    context.request?.headers?.get?.('authorization') ??
    pick(context.headers, 'authorization') ??
    undefined
  );
}

/**
 * Stores the client token in the context so the websocket transport can put it
 * into the subgraph connection_init payload through a (case-sensitive)
 * `{context.skillCircleAuthorization}` placeholder.
 */
function useClientAuthorizationInContext(): GatewayPlugin {
  return {
    onContextBuilding({ context, extendContext }) {
      const token = clientAuthorization(context as Record<string, any>);
      if (token) extendContext({ [AUTH_CONTEXT_KEY]: token } as any);
    },
  };
}

/**
 * Error masking. A GraphQL error that a subgraph put in its response is
 * already masked by the subgraph and carries its extensions.code
 * (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT + extensions.field, ...): it
 * reaches the client unchanged (message, path, extensions). Masked as
 * "Unexpected error." (code INTERNAL_SERVER_ERROR):
 * - errors with a non-GraphQL cause (gateway bugs, unreachable subgraph:
 *   "connect ECONNREFUSED ..." with code SUBREQUEST_HTTP_ERROR and the
 *   upstream request body in extensions.request);
 * - subgraph errors without a code of their own (the gateway labels them
 *   DOWNSTREAM_SERVICE_ERROR): an unmasked subgraph exception message;
 * - wrapped errors without any code (a subscription to an unreachable
 *   subgraph yields "connect ECONNREFUSED ..." that way).
 * Shown errors lose the gateway's `request`/`response` extensions (upstream
 * URL and query body, e.g. on GATEWAY_TIMEOUT).
 * Without this, Hive Gateway 2.15.1 passes every subgraph error through as
 * is (measured) and masks only errors with a non-GraphQL cause.
 */
const SUBGRAPH_CODELESS_ERROR_CODE = 'DOWNSTREAM_SERVICE_ERROR';

function isOriginalGraphQLError(error: unknown): error is GraphQLError {
  // graphql-yoga's rule: a GraphQLError with no non-GraphQL error underneath.
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError == null || isOriginalGraphQLError(error.originalError);
}

function isShownToClient(error: unknown): error is GraphQLError {
  if (!isOriginalGraphQLError(error)) return false;
  const code = error.extensions?.code;
  if (typeof code === 'string') return code !== SUBGRAPH_CODELESS_ERROR_CODE;
  // No code: fine for the gateway's own request errors (e.g. the maxDepth
  // limit), but a wrapped error without a code is a transport failure such as
  // a subscription to an unreachable subgraph ("connect ECONNREFUSED ...").
  return error.originalError == null;
}

/**
 * Brackets nested deeper than this are refused before parsing: graphql-js
 * parses recursively, and `[[[[...` thousands deep in an argument overflows the
 * stack (maxDepth and maxTokens look at selections and tokens, not values).
 */
const MAX_NESTING = 64;

function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[' || ch === '(') deepest = Math.max(deepest, ++depth);
    else if (ch === '}' || ch === ']' || ch === ')') depth--;
  }
  return deepest;
}

function useNestingLimit(limit: number): GatewayPlugin {
  return {
    onParams({ params }) {
      if (typeof params.query === 'string' && nestingDepth(params.query) > limit) {
        throw new GraphQLError(`Operation nests brackets deeper than ${limit}`, {
          extensions: { code: 'BAD_USER_INPUT', field: 'query', http: { status: 400 } },
        });
      }
    },
  };
}

/** A variable value graphql-js refused: the client's input, named by variable. */
const VARIABLE_ERROR = /^Variable "\$(\w+)"/;

/** Gateway diagnostics that name upstream URLs and repeat subgraph request bodies. */
const INTERNAL_EXTENSIONS = ['request', 'response'];

function maskError(error: unknown, message: string): Error {
  const variable = error instanceof GraphQLError && !error.extensions?.code
    ? VARIABLE_ERROR.exec(error.message) : null;
  if (variable) {
    return new GraphQLError((error as GraphQLError).message, {
      nodes: (error as GraphQLError).nodes,
      extensions: { code: 'BAD_USER_INPUT', field: variable[1], http: { status: 400 } },
    });
  }
  if (isShownToClient(error)) {
    // e.g. the upstream timeout: {code: GATEWAY_TIMEOUT, request: {url, body}}
    if (!INTERNAL_EXTENSIONS.some((key) => key in (error.extensions ?? {}))) return error;
    const extensions = { ...error.extensions };
    for (const key of INTERNAL_EXTENSIONS) delete extensions[key];
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions,
    });
  }
  const extensions: Record<string, unknown> = { code: 'INTERNAL_SERVER_ERROR' };
  if (error instanceof GraphQLError) {
    if (error.extensions?.http) extensions.http = error.extensions.http;
    return new GraphQLError(message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions,
    });
  }
  return new GraphQLError(message, { extensions });
}

function isSubscription(executionRequest: { operationType?: string; document?: any; operationName?: string }): boolean {
  if (executionRequest.operationType) return executionRequest.operationType === OperationTypeNode.SUBSCRIPTION;
  if (!executionRequest.document) return false;
  return getOperationAST(executionRequest.document, executionRequest.operationName)?.operation === OperationTypeNode.SUBSCRIPTION;
}

/**
 * X-Forwarded-For as the subgraphs should see it: what the proxy in front of
 * the gateway said, plus the address the gateway itself was reached from
 * (subgraphs take the first hop, from the right, that is not a trusted proxy:
 * SKILL_CIRCLE_TRUSTED_PROXIES).
 */
function forwardedFor(context: Record<string, any>, request: Request): string | undefined {
  const peer: string | undefined = context.req?.socket?.remoteAddress?.replace(/^::ffff:/, '');
  const prior = request.headers.get('x-forwarded-for') ?? undefined;
  if (!peer) return prior;
  return prior ? `${prior}, ${peer}` : peer;
}

/**
 * Response cache for anonymous reads (the public catalog). Only requests that
 * carry no credentials are cached or served from the cache, under one shared
 * session: a request with an Authorization header (or a websocket token) never
 * reads or fills it, so one user's data cannot reach another. Authenticated
 * mutations still pass through the plugin so that it can evict every cached
 * response that contains an entity the mutation returned (updateSkill,
 * deleteSkill, addPrerequisite, ...: `invalidateViaMutation`). Changes that
 * reach the catalog only as events or as a side effect (learnerCount after
 * recordProgress, a skill created or changed through another gateway
 * replica) are bounded by the TTL: an anonymous catalog read is at most
 * RESPONSE_CACHE_TTL_MS stale. The cache lives in this gateway process's
 * memory (one per gateway replica).
 */
const RESPONSE_CACHE_TTL_MS = envInt('SKILL_CIRCLE_RESPONSE_CACHE_TTL_MS', 5_000, { allowZero: true });

function isAnonymous(request: Request | undefined, context: Record<string, any> | undefined): boolean {
  if (!request || request.headers.get('authorization')) return false;
  return !pick(context?.connectionParams, 'authorization');
}

function isMutation(context: Record<string, any> | undefined): boolean {
  const query: unknown = context?.params?.query;
  if (typeof query !== 'string' || !query.includes('mutation')) return false;
  try {
    const operation = getOperationAST(parse(query), context?.params?.operationName);
    return operation?.operation === OperationTypeNode.MUTATION;
  } catch {
    return false; // not parseable: the gateway refuses it anyway
  }
}

const queryPlanner = (process.env.SKILL_CIRCLE_GATEWAY_QUERY_PLANNER ?? 'js').trim().toLowerCase();
if (!['js', 'rust'].includes(queryPlanner)) {
  throw new Error(`SKILL_CIRCLE_GATEWAY_QUERY_PLANNER must be js or rust, got ${JSON.stringify(queryPlanner)}`);
}

export const gatewayConfig = defineConfig({
  supergraph: supergraphPath,
  ...(queryPlanner === 'rust' ? { unifiedGraphHandler: rustQueryPlanner } : {}),
  port: envInt('SKILL_CIRCLE_GATEWAY_PORT', 4000),

  transportEntries: {
    ...subgraphLocations,
    '*.http': {
      options: {
        // Identical in-flight subgraph queries (same URL, headers and body)
        // are merged by default; benchmarks switch it off for honest numbers.
        deduplicateInflightRequests: envBool('SKILL_CIRCLE_GATEWAY_DEDUPE', true),
        // Strawberry speaks graphql-transport-ws; its SSE framing is not
        // understood by the gateway, so subscriptions go over websockets.
        subscriptions: {
          kind: 'ws',
          options: {
            connectionParams: {
              Authorization: `{context.${AUTH_CONTEXT_KEY}}`,
            },
          },
        },
      },
    },
  },

  propagateHeaders: {
    fromClientToSubgraphs({ context, request }) {
      const headers: Record<string, string | undefined> = {
        authorization: clientAuthorization(context as Record<string, any>),
        'x-request-id': request.headers.get('x-request-id') ?? undefined,
        traceparent: request.headers.get('traceparent') ?? undefined,
        tracestate: request.headers.get('tracestate') ?? undefined,
        'x-forwarded-for': forwardedFor(context as Record<string, any>, request),
      };
      return headers;
    },
  },

  plugins: () => [useNestingLimit(MAX_NESTING), useClientAuthorizationInContext()],

  ...(RESPONSE_CACHE_TTL_MS > 0
    ? {
        responseCaching: {
          session: () => null, // one shared session: only anonymous requests get here
          enabled: (request: Request, context: Record<string, any>) =>
            isAnonymous(request, context) || isMutation(context),
          ttl: RESPONSE_CACHE_TTL_MS,
          invalidateViaMutation: true,
          // Never cache a response with errors (a subgraph outage must not stick).
          shouldCacheResult: ({ result }: { result: { errors?: readonly unknown[] } }) =>
            !result.errors?.length,
          includeExtensionMetadata: process.env.SKILL_CIRCLE_RESPONSE_CACHE_METADATA === 'true',
        },
      }
    : {}),

  maskedErrors: {
    errorMessage: 'Unexpected error.',
    maskError,
  },

  maxDepth: 15,
  maxTokens: 2000,
  // No demandControl: measured with 2.15 on this supergraph, it read @listSize but
  // neither the drawings' @cost(weight: 50) nor its `listSize` default (other lists
  // counted once), so the attacks estimated at 9,030 and 12,030, under any
  // budget that lets real pages through. The subgraphs' own budgets (COST_LIMIT) stop
  // them; Hive Router, the shipped default, refuses them itself.
  // 30 s per subgraph request. NOT for subscriptions: the timeout would end a
  // live subscription after 30 s, and (measured with 2.15.1) a subscription
  // that ended with a subgraph error crashed the whole gateway process with an
  // unhandled TimeoutError 30 s later.
  upstreamTimeout: ({ executionRequest }) =>
    executionRequest && isSubscription(executionRequest) ? undefined : 30_000,

  // Requests a browser sends without a preflight (GET, or a POST with a "simple"
  // content type) must carry one of these headers (the same as the routers').
  csrfPrevention: {
    requestHeaders: ['x-apollo-operation-name', 'apollo-require-preflight'],
  },

  cors: {
    origin: corsOrigins,
    credentials: true,
    allowedHeaders: [
      'authorization', 'content-type', 'x-request-id', 'traceparent', 'tracestate', 'accept',
      'apollo-require-preflight', 'x-apollo-operation-name',
    ],
    exposedHeaders: ['x-request-id'],
  },

  prometheus: {
    metrics: true,
    endpoint: '/metrics',
  },

  // Spans only when an OTLP endpoint is configured (see openTelemetrySetup above);
  // probes and scrapes are not traced.
  ...(otlpEndpoint
    ? {
        openTelemetry: {
          traces: {
            spans: {
              http: ({ request }: { request: Request }) =>
                !UNTRACED_PATHS.has(new URL(request.url).pathname),
            },
          },
        },
      }
    : {}),

  // Production (compose's hive profile) turns both off: no schema browsing for attackers.
  ...(envBool('SKILL_CIRCLE_GATEWAY_INTROSPECTION', true) ? {} : { disableIntrospection: true }),
  // Self-contained IDE at GET /graphql (Accept: text/html); works offline. In
  // development it opens on the example operations of router/ide-collection.mjs
  // (Hive Laboratory's `defaultCollections`, used while the browser has none saved).
  graphiql: envBool('SKILL_CIRCLE_GATEWAY_IDE', true)
    ? {
        title: 'Skill Circle',
        defaultCollections: ideCollections(process.env.SKILL_CIRCLE_ENVIRONMENT),
      }
    : false,
});
