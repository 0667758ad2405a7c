#!/usr/bin/env node
// Fail on breaking changes to the client-facing API (the supergraph's API
// schema) compared with a committed version.
//
//   node router/breaking-check.mjs [--base-ref HEAD] [--base-file path] [--supergraph schema/supergraph.graphql]
//                                  [--allow Type.field,...] [--allow-file router/allowed-breaking-changes.txt]
//
// The base is `git show <ref>:<path of the supergraph>` (default ref HEAD), or
// --base-file. Breaking changes (graphql-js findBreakingChanges) fail unless
// their coordinate is allowed by --allow (comma-separated, repeatable) or by a
// line of the allow file (one coordinate per line, # comments). Coordinates:
// `Type`, `Type.field`, `Enum.VALUE`, `Input.field`, `Union.Member`,
// `Type.field(arg:)` (an argument change is also allowed by `Type.field`),
// `@directive`. Dangerous changes are printed as warnings.
//
// Exit codes: 0 ok, 1 unallowed breaking changes, 2 usage/input error.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BreakingChangeType, DangerousChangeType, findBreakingChanges, findDangerousChanges } from 'graphql';
import federationInternals from '@apollo/federation-internals';

const { Supergraph } = federationInternals;

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function usage(message) {
  if (message) console.error(`error: ${message}`);
  console.error(
    'usage: node router/breaking-check.mjs [--base-ref HEAD | --base-file path] [--supergraph schema/supergraph.graphql] [--allow Type.field,...] [--allow-file router/allowed-breaking-changes.txt]',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { allow: [], baseRef: null, baseFile: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      if (eq > 0) return arg.slice(eq + 1);
      if (i + 1 >= argv.length) usage(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--base-ref': opts.baseRef = value(); break;
      case '--base-file': opts.baseFile = resolve(value()); break;
      case '--supergraph': opts.supergraph = resolve(value()); break;
      case '--allow': opts.allow.push(...value().split(',').map((s) => s.trim()).filter(Boolean)); break;
      case '--allow-file': opts.allowFile = resolve(value()); break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown argument ${arg}`);
    }
  }
  if (opts.baseRef && opts.baseFile) usage('use either --base-ref or --base-file');
  opts.supergraph ??= resolve(REPO_ROOT, 'schema/supergraph.graphql');
  opts.allowFile ??= resolve(REPO_ROOT, 'router/allowed-breaking-changes.txt');
  if (!opts.baseFile) opts.baseRef ??= 'HEAD';
  return opts;
}

function display(path) {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function git(cwd, args) {
  return execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function tryGit(cwd, args) {
  try {
    return { ok: true, out: git(cwd, args) };
  } catch (e) {
    return { ok: false, err: String(e.stderr || e.message).trim() };
  }
}

/** Returns the base SDL, or null when there is nothing committed to compare with. */
function loadBase(opts) {
  if (opts.baseFile) {
    if (!existsSync(opts.baseFile)) usage(`base file not found: ${display(opts.baseFile)}`);
    return { sdl: readFileSync(opts.baseFile, 'utf8'), label: display(opts.baseFile) };
  }
  const dir = dirname(opts.supergraph);
  if (!existsSync(dir)) usage(`directory not found: ${display(dir)}`);
  const top = tryGit(dir, ['rev-parse', '--show-toplevel']);
  if (!top.ok) usage(`${display(dir)} is not inside a git repository (use --base-file)`);
  const root = top.out.trim();
  const pathInRepo = relative(root, opts.supergraph).split(sep).join('/');
  const commit = tryGit(root, ['rev-parse', '--verify', '--quiet', `${opts.baseRef}^{commit}`]);
  if (!commit.ok) {
    if (opts.baseRef === 'HEAD') return null; // no commits yet
    usage(`git ref ${opts.baseRef} not found`);
  }
  const shown = tryGit(root, ['show', `${opts.baseRef}:${pathInRepo}`]);
  if (!shown.ok) return null;
  return { sdl: shown.out, label: `${opts.baseRef}:${pathInRepo}` };
}

function apiSchema(sdl, label) {
  try {
    return Supergraph.build(sdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();
  } catch (e) {
    usage(`${label}: cannot build the API schema: ${e.message}`);
  }
}

function loadAllowList(opts) {
  const allowed = new Set(opts.allow);
  if (existsSync(opts.allowFile)) {
    for (const raw of readFileSync(opts.allowFile, 'utf8').split(/\r?\n/)) {
      const line = raw.replace(/#.*/, '').trim();
      if (line) allowed.add(line);
    }
  }
  return allowed;
}

/**
 * Schema coordinates a change can be allowed by, most specific first, derived
 * from graphql-js 16's change descriptions.
 */
function coordinates(change) {
  const d = change.description;
  let m;
  switch (change.type) {
    case BreakingChangeType.TYPE_REMOVED:
    case BreakingChangeType.TYPE_CHANGED_KIND:
      if ((m = /^(?:Standard scalar )?(\w+) (?:was removed|changed from)/.exec(d))) return [m[1]];
      break;
    case BreakingChangeType.TYPE_REMOVED_FROM_UNION:
    case DangerousChangeType.TYPE_ADDED_TO_UNION:
      if ((m = /^(\w+) was (?:removed from|added to) union type (\w+)\./.exec(d))) return [`${m[2]}.${m[1]}`, m[2]];
      break;
    case BreakingChangeType.VALUE_REMOVED_FROM_ENUM:
    case DangerousChangeType.VALUE_ADDED_TO_ENUM:
      if ((m = /^(\w+) was (?:removed from|added to) enum type (\w+)\./.exec(d))) return [`${m[2]}.${m[1]}`];
      break;
    case BreakingChangeType.REQUIRED_INPUT_FIELD_ADDED:
    case DangerousChangeType.OPTIONAL_INPUT_FIELD_ADDED:
      if ((m = /field (\w+) on input type (\w+) was added/.exec(d))) return [`${m[2]}.${m[1]}`];
      break;
    case BreakingChangeType.IMPLEMENTED_INTERFACE_REMOVED:
    case DangerousChangeType.IMPLEMENTED_INTERFACE_ADDED:
      if ((m = /^(\w+) no longer implements interface (\w+)\./.exec(d))) return [m[1]];
      if ((m = /^(\w+) added to interfaces implemented by (\w+)\./.exec(d))) return [m[2]];
      break;
    case BreakingChangeType.FIELD_REMOVED:
    case BreakingChangeType.FIELD_CHANGED_KIND:
      if ((m = /^(\w+)\.(\w+) (?:was removed|changed type)/.exec(d))) return [`${m[1]}.${m[2]}`];
      break;
    case BreakingChangeType.REQUIRED_ARG_ADDED:
    case DangerousChangeType.OPTIONAL_ARG_ADDED:
      if ((m = /arg (\w+) on (\w+)\.(\w+) was added/.exec(d))) return [`${m[2]}.${m[3]}(${m[1]}:)`, `${m[2]}.${m[3]}`];
      break;
    case BreakingChangeType.ARG_REMOVED:
    case BreakingChangeType.ARG_CHANGED_KIND:
    case DangerousChangeType.ARG_DEFAULT_VALUE_CHANGE:
      if ((m = /^(\w+)\.(\w+) arg (\w+) /.exec(d))) return [`${m[1]}.${m[2]}(${m[3]}:)`, `${m[1]}.${m[2]}`];
      break;
    case BreakingChangeType.DIRECTIVE_REMOVED:
      if ((m = /^(\w+) was removed\./.exec(d))) return [`@${m[1]}`];
      break;
    case BreakingChangeType.DIRECTIVE_ARG_REMOVED:
    case BreakingChangeType.REQUIRED_DIRECTIVE_ARG_ADDED:
    case BreakingChangeType.DIRECTIVE_REPEATABLE_REMOVED:
    case BreakingChangeType.DIRECTIVE_LOCATION_REMOVED:
      if ((m = /(?:from|directive) (\w+)\.?$/.exec(d.replace(/ was added\.$/, '')))) return [`@${m[1]}`];
      break;
    default:
      break;
  }
  return [];
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(opts.supergraph)) usage(`supergraph not found: ${display(opts.supergraph)} (run node router/compose.mjs first)`);
  const base = loadBase(opts);
  if (!base) {
    console.log(`no committed supergraph to compare with (${opts.baseRef}:${display(opts.supergraph)})`);
    return;
  }
  const oldApi = apiSchema(base.sdl, base.label);
  const newApi = apiSchema(readFileSync(opts.supergraph, 'utf8'), display(opts.supergraph));
  const allowed = loadAllowList(opts);

  const breaking = findBreakingChanges(oldApi, newApi).map((c) => ({ ...c, coords: coordinates(c) }));
  const dangerous = findDangerousChanges(oldApi, newApi).map((c) => ({ ...c, coords: coordinates(c) }));
  const used = new Set();
  const failing = [];
  for (const change of breaking) {
    const hit = change.coords.find((c) => allowed.has(c));
    if (hit) {
      used.add(hit);
      console.log(`allowed breaking change [${change.type}] ${change.description} (allowed by ${hit})`);
    } else {
      failing.push(change);
    }
  }
  for (const change of dangerous) {
    console.log(`warning: dangerous change [${change.type}] ${change.description}`);
  }
  for (const coord of allowed) {
    if (!used.has(coord)) console.log(`note: allowed coordinate ${coord} matches no breaking change`);
  }
  if (failing.length) {
    console.log(`breaking changes in ${display(opts.supergraph)} compared with ${base.label}:`);
    for (const change of failing) {
      const coord = change.coords[0] ? `${change.coords[0]}: ` : '';
      console.log(`  ${coord}[${change.type}] ${change.description}`);
    }
    console.log(
      `${failing.length} breaking change${failing.length === 1 ? '' : 's'}; if intended, list the coordinate${failing.length === 1 ? '' : 's'} ` +
        `with --allow or in ${display(opts.allowFile)}`,
    );
    process.exit(1);
  }
  console.log(
    `breaking: 0 unallowed breaking changes compared with ${base.label} (${breaking.length} allowed, ${dangerous.length} dangerous)`,
  );
}

main();
