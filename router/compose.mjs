#!/usr/bin/env node
// Compose the Skill Circle supergraph from the subgraph SDL files listed in a
// rover-style config (router/supergraph.yaml), using @apollo/composition
// (the library rover itself runs; rover cannot be installed offline here).
//
//   node router/compose.mjs [--config router/supergraph.yaml] [--out schema/supergraph.graphql] [--check]
//
// Exit codes: 0 ok; 1 composition failed / output stale; 2 usage or input error.
// Default paths are relative to the repository root; explicit paths are
// relative to the current directory. Schema paths inside the config are
// relative to the config file (as rover resolves them).

import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { parse as parseGraphQL, Kind } from 'graphql';
import YAML from 'yaml';
import composition from '@apollo/composition';

const { composeServices } = composition;
const require = createRequire(import.meta.url);
const COMPOSITION_VERSION = require('@apollo/composition/package.json').version;

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_CONFIG = resolve(REPO_ROOT, 'router/supergraph.yaml');
const DEFAULT_OUT = resolve(REPO_ROOT, 'schema/supergraph.graphql');

function usage(message) {
  if (message) console.error(`error: ${message}`);
  console.error(
    'usage: node router/compose.mjs [--config router/supergraph.yaml] [--out schema/supergraph.graphql] [--check]',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { config: null, out: null, check: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) usage(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--config': opts.config = resolve(value()); break;
      case '--out': opts.out = resolve(value()); break;
      case '--check': opts.check = true; break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown argument ${arg}`);
    }
  }
  opts.explicitConfig = opts.config !== null;
  opts.explicitOut = opts.out !== null;
  opts.config ??= DEFAULT_CONFIG;
  opts.out ??= DEFAULT_OUT;
  return opts;
}

function display(path) {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/** Parses "=2.11.0", "2.11", "2" into {major, minor}. */
function parseFederationVersion(raw) {
  const m = /^=?\s*(\d+)(?:\.(\d+))?(?:\.\d+)?(?:-[\w.]+)?$/.exec(String(raw ?? '').trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: m[2] === undefined ? Infinity : Number(m[2]), raw: String(raw) };
}

/** Federation spec versions a subgraph links, e.g. [{major: 2, minor: 11}]. */
function linkedFederationVersions(doc) {
  const versions = [];
  for (const def of doc.definitions) {
    if (def.kind !== Kind.SCHEMA_DEFINITION && def.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const dir of def.directives ?? []) {
      if (dir.name.value !== 'link') continue;
      const url = dir.arguments?.find((a) => a.name.value === 'url')?.value;
      if (url?.kind !== Kind.STRING) continue;
      const m = /specs\.apollo\.dev\/federation\/v(\d+)\.(\d+)/.exec(url.value);
      if (m) versions.push({ major: Number(m[1]), minor: Number(m[2]), url: url.value });
    }
  }
  return versions;
}

function loadConfig(configPath) {
  if (!existsSync(configPath)) usage(`config file not found: ${display(configPath)}`);
  let config;
  try {
    config = YAML.parse(readFileSync(configPath, 'utf8'));
  } catch (e) {
    usage(`cannot parse ${display(configPath)}: ${e.message}`);
  }
  if (!config || typeof config !== 'object') usage(`${display(configPath)} is empty`);
  const fedVersion = parseFederationVersion(config.federation_version ?? '=2.11.0');
  if (!fedVersion || fedVersion.major !== 2) {
    usage(`${display(configPath)}: federation_version must be a 2.x version such as "=2.11.0" (got ${JSON.stringify(config.federation_version)})`);
  }
  const subgraphs = config.subgraphs;
  if (!subgraphs || typeof subgraphs !== 'object' || Object.keys(subgraphs).length === 0) {
    usage(`${display(configPath)}: "subgraphs" must list at least one subgraph`);
  }
  return { fedVersion, subgraphs };
}

function loadServices(configPath, { fedVersion, subgraphs }) {
  const baseDir = dirname(configPath);
  const services = [];
  const problems = [];
  for (const [name, entry] of Object.entries(subgraphs)) {
    const where = `${display(configPath)}: subgraph "${name}"`;
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) {
      problems.push(`${where}: invalid subgraph name`);
      continue;
    }
    const url = entry?.routing_url;
    if (typeof url !== 'string' || !url) {
      problems.push(`${where}: routing_url is required`);
      continue;
    }
    const file = entry?.schema?.file;
    if (typeof file !== 'string' || !file) {
      problems.push(`${where}: only "schema: { file: <path> }" is supported offline (got ${JSON.stringify(entry?.schema)})`);
      continue;
    }
    const sdlPath = resolve(baseDir, file);
    if (!existsSync(sdlPath)) {
      problems.push(`${where}: SDL file ${display(sdlPath)} does not exist (export the subgraph's SDL first)`);
      continue;
    }
    const sdl = readFileSync(sdlPath, 'utf8');
    let typeDefs;
    try {
      typeDefs = parseGraphQL(sdl);
    } catch (e) {
      const loc = e.locations?.[0];
      problems.push(`${display(sdlPath)}${loc ? `:${loc.line}:${loc.column}` : ''}: syntax error: ${e.message}`);
      continue;
    }
    for (const v of linkedFederationVersions(typeDefs)) {
      if (v.major !== fedVersion.major || v.minor > fedVersion.minor) {
        problems.push(
          `${display(sdlPath)}: links ${v.url} but ${display(configPath)} pins federation_version ${fedVersion.raw}`,
        );
      }
    }
    services.push({ name, url, typeDefs });
  }
  return { services, problems };
}

function errorCode(e) {
  return e.extensions?.code ?? e.code ?? 'ERROR';
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const config = loadConfig(opts.config);
  const { services, problems } = loadServices(opts.config, config);
  if (problems.length) {
    for (const p of problems) console.error(`error: ${p}`);
    process.exit(2);
  }

  const result = composeServices(services);
  if (result.errors) {
    console.error(
      `composition failed (${result.errors.length} error${result.errors.length === 1 ? '' : 's'}; ` +
        `subgraphs: ${services.map((s) => s.name).join(', ')}; @apollo/composition ${COMPOSITION_VERSION}):`,
    );
    for (const e of result.errors) console.error(`  error [${errorCode(e)}] ${e.message}`);
    process.exit(1);
  }
  for (const hint of result.hints ?? []) {
    const code = hint.definition?.code ?? 'HINT';
    console.error(`warning [${code}] ${hint.message}`);
  }
  // Composition keeps one of several differing descriptions; the docs must not depend on which.
  if ((result.hints ?? []).some((hint) => hint.definition?.code === 'INCONSISTENT_DESCRIPTION')) {
    console.error('error: a type or field defined in several subgraphs must have one description in all of them');
    process.exit(1);
  }

  const sdl = result.supergraphSdl.endsWith('\n') ? result.supergraphSdl : `${result.supergraphSdl}\n`;
  const names = services.map((s) => s.name).join(', ');

  if (opts.check) {
    const current = existsSync(opts.out) ? readFileSync(opts.out, 'utf8') : null;
    if (current === sdl) {
      console.log(`${display(opts.out)} is up to date (subgraphs: ${names})`);
      return;
    }
    const cmd = ['node', display(resolve(REPO_ROOT, 'router/compose.mjs'))];
    if (opts.explicitConfig) cmd.push('--config', display(opts.config));
    if (opts.explicitOut) cmd.push('--out', display(opts.out));
    console.error(
      current === null
        ? `${display(opts.out)} is missing; generate it with: ${cmd.join(' ')}`
        : `${display(opts.out)} is stale (it does not match the composition of ${names}); regenerate it with: ${cmd.join(' ')}`,
    );
    process.exit(1);
  }

  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, sdl);
  console.log(`wrote ${display(opts.out)} (subgraphs: ${names})`);
}

main();
