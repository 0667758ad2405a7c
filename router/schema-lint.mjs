#!/usr/bin/env node
// Lint the client-facing API schema: the composed supergraph without its
// federation internals (what a client introspects through the gateway), with
// graphql-schema-linter. Every type, field, argument, enum value and input
// field must have a description, so the docs explorer documents the API.
//
//   node router/schema-lint.mjs [--supergraph schema/supergraph.graphql]
//   node router/schema-lint.mjs --schema client-schema.graphql   (plain SDL, no federation)
//
// Exit codes: 0 no findings; 1 findings (one line each); 2 usage or input error.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { printSchema } from 'graphql';
import federationInternals from '@apollo/federation-internals';

const { Supergraph } = federationInternals;
const require = createRequire(import.meta.url);
const { Configuration } = require('graphql-schema-linter/lib/configuration.js');
const { Schema } = require('graphql-schema-linter/lib/schema.js');
const { validateSchemaDefinition } = require('graphql-schema-linter/lib/validator.js');

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_SUPERGRAPH = resolve(REPO_ROOT, 'schema/supergraph.graphql');

// What the docs explorer needs, plus naming and deprecation rules the schema keeps.
// Not enabled: the *-sorted-alphabetically rules (fields are ordered for readers),
// relay-connection-arguments-spec (`first` alone is a valid Relay forward page).
const RULES = [
  'types-have-descriptions',
  'fields-have-descriptions',
  'arguments-have-descriptions',
  'enum-values-have-descriptions',
  'input-object-values-have-descriptions',
  'descriptions-are-capitalized',
  'deprecations-have-a-reason',
  'defined-types-are-used',
  'types-are-capitalized',
  'fields-are-camel-cased',
  'input-object-values-are-camel-cased',
  'enum-values-all-caps',
];

function usage(message) {
  if (message) console.error(`error: ${message}`);
  console.error('usage: node router/schema-lint.mjs [--supergraph schema/supergraph.graphql | --schema api.graphql]');
  process.exit(2);
}

function display(path) {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function options(argv) {
  let values;
  try {
    ({ values } = parseArgs(
      { args: argv, options: { supergraph: { type: 'string' }, schema: { type: 'string' }, help: { type: 'boolean', short: 'h' } } },
    ));
  } catch (e) {
    usage(e.message);
  }
  if (values.help) usage();
  if (values.supergraph && values.schema) usage('give --supergraph or --schema, not both');
  if (values.schema) return { schema: resolve(values.schema), supergraph: null };
  return { schema: null, supergraph: values.supergraph ? resolve(values.supergraph) : DEFAULT_SUPERGRAPH };
}

function read(path) {
  if (!existsSync(path)) usage(`${display(path)} does not exist`);
  return readFileSync(path, 'utf8');
}

/** The API schema's SDL: what clients see, descriptions included. */
function apiSdl(supergraphPath) {
  try {
    const api = Supergraph.build(read(supergraphPath), { supportedFeatures: null }).apiSchema();
    return printSchema(api.toGraphQLJSSchema());
  } catch (e) {
    usage(`${display(supergraphPath)}: cannot build the API schema: ${e.message}`);
  }
}

function lint(sdl) {
  const schema = new Schema(sdl, null);
  const configuration = new Configuration(schema, { rules: RULES });
  return validateSchemaDefinition(schema, configuration.getRules(), configuration);
}

function main() {
  const opts = options(process.argv.slice(2));
  const source = opts.schema ?? opts.supergraph;
  const sdl = opts.schema ? read(opts.schema) : apiSdl(opts.supergraph);
  const findings = lint(sdl);
  for (const finding of findings) {
    console.error(`${finding.ruleName}: ${finding.message}`);
  }
  if (findings.length > 0) {
    const api = opts.schema ? '' : ' (API schema)';
    console.error(`${findings.length} finding(s) in ${display(source)}${api}; describe them in the subgraph code and run scripts/schema.sh`);
    process.exit(1);
  }
  console.log(`schema lint: ${display(source)} clean (${RULES.length} rules)`);
}

main();
