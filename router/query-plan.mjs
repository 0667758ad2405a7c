// Prints the query plan of an operation against a supergraph, as Apollo's query
// planner (@apollo/query-planner, the planner of Apollo Gateway/Router's JS
// lineage) builds it, and how many subgraph fetches lie on its critical path.
//
//   node router/query-plan.mjs                        # the learner dashboard (bench/scenarios.py)
//   node router/query-plan.mjs --operation catalog    # the catalog page
//   node router/query-plan.mjs --supergraph <file> --query '<graphql>'
//
// Hive Gateway plans with its own engine; the fetches it makes for the dashboard
// follow the same entity boundaries (the dependencies come from the schema).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'graphql';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner, prettyFormatQueryPlan } from '@apollo/query-planner';

const here = dirname(fileURLToPath(import.meta.url));

export const OPERATIONS = {
  dashboard: `query Dashboard {
  me {
    id displayName
    progress { percent status skill { name category { name } } }
    learningPaths { percent nextSkill { name } }
    unreadNotificationCount
    progressChartSvg
  }
}`,
  catalog: `query Catalog($first: Int!) {
  skills(first: $first) {
    edges { node { id name prerequisites { name } learnerCount courses { title } } }
  }
}`,
};

/** Sequential fetches on the longest path through a plan node. */
export function criticalPath(node) {
  if (!node) return 0;
  switch (node.kind) {
    case 'QueryPlan': return criticalPath(node.node);
    case 'Fetch': return 1;
    case 'Flatten': return criticalPath(node.node);
    case 'Sequence': return node.nodes.reduce((sum, n) => sum + criticalPath(n), 0);
    case 'Parallel': return Math.max(0, ...node.nodes.map(criticalPath));
    case 'Condition': return Math.max(criticalPath(node.ifClause), criticalPath(node.elseClause));
    case 'Defer': return criticalPath(node.primary?.node);
    default: throw new Error(`unknown plan node ${node.kind}`);
  }
}

/** Fetches per subgraph in a plan node. */
export function fetches(node, counts = {}) {
  if (!node) return counts;
  if (node.kind === 'Fetch') counts[node.serviceName] = (counts[node.serviceName] ?? 0) + 1;
  for (const child of [node.node, ...(node.nodes ?? []), node.ifClause, node.elseClause]) {
    if (child) fetches(child, counts);
  }
  return counts;
}

export function plan(supergraphSdl, query) {
  const supergraph = Supergraph.build(supergraphSdl);
  const operation = operationFromDocument(supergraph.schema, parse(query), { validate: true });
  return new QueryPlanner(supergraph).buildQueryPlan(operation);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      supergraph: { type: 'string', default: resolve(here, '../schema/supergraph.graphql') },
      operation: { type: 'string', default: 'dashboard' },
      query: { type: 'string' },
    },
  });
  const query = values.query ?? OPERATIONS[values.operation];
  if (!query) throw new Error(`unknown operation ${values.operation}; known: ${Object.keys(OPERATIONS)}`);
  const built = plan(readFileSync(values.supergraph, 'utf8'), query);
  console.log(prettyFormatQueryPlan(built));
  console.log(`\ncritical path: ${criticalPath(built)} sequential fetches; fetches per subgraph: ${JSON.stringify(fetches(built.node))}`);
}
