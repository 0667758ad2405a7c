#!/usr/bin/env node
// Check the composed supergraph against the client-facing contract.
//
//   node router/contract-check.mjs [--contract schema/contract.graphql] [--supergraph schema/supergraph.graphql]
//                                  [--upstream ../shared/CONTRACT.graphql]
//
// The contract is split into sections by comment lines such as
//   # ---------------------------------------------------------------- users
// and a section is checked only when its subgraph is implemented, i.e. listed
// in the supergraph's join__Graph enum (USERS, SKILLS, ...). Definitions
// before the first section marker (e.g. `scalar DateTime`) are checked when
// an implemented section refers to them. Every type, field, argument, input field, enum
// value and union member of a checked section must exist in the supergraph's
// API schema (what clients see) with exactly the same type string; argument
// and input field default values written in the contract must match too, and
// fields may not gain required arguments / input types required fields.
//
// Contract path: --contract, else $SKILL_CIRCLE_CONTRACT, else the copy committed
// with the repository, schema/contract.graphql (so a clone alone can run the check).
// The team keeps the authoritative text beside its checkouts in
// ../shared/CONTRACT.graphql (--upstream): when that file exists, the committed
// copy must be byte-identical to it (a problem otherwise); when it does not
// exist (a plain clone), that comparison is skipped with a note. A contract named
// with --contract or $SKILL_CIRCLE_CONTRACT is compared only when --upstream is given.
// Exit codes: 0 ok, 1 problems, 2 usage/input error.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Kind,
  astFromValue,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isRequiredArgument,
  isRequiredInputField,
  isScalarType,
  isUnionType,
  parse,
  print,
  visit,
} from 'graphql';
import federationInternals from '@apollo/federation-internals';

const { Supergraph } = federationInternals;

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SECTION_RE = /^#\s*-{8,}\s*([A-Za-z][\w-]*)\s*$/;
const PREAMBLE = '(shared)';

function usage(message) {
  if (message) console.error(`error: ${message}`);
  console.error(
    'usage: node router/contract-check.mjs [--contract schema/contract.graphql] [--supergraph schema/supergraph.graphql] [--upstream ../shared/CONTRACT.graphql]',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {};
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
      case '--contract': opts.contract = resolve(value()); break;
      case '--supergraph': opts.supergraph = resolve(value()); break;
      case '--upstream': opts.upstream = resolve(value()); break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown argument ${arg}`);
    }
  }
  opts.contract ??= process.env.SKILL_CIRCLE_CONTRACT
    ? resolve(process.env.SKILL_CIRCLE_CONTRACT)
    : resolve(REPO_ROOT, 'schema/contract.graphql');
  // A contract given on the command line is checked as it is; the committed
  // copy is compared with upstream (or any contract, with --upstream given).
  if (!opts.upstream && opts.contract === resolve(REPO_ROOT, 'schema/contract.graphql')) {
    opts.upstream = resolve(REPO_ROOT, '../shared/CONTRACT.graphql');
  }
  opts.supergraph ??= resolve(REPO_ROOT, 'schema/supergraph.graphql');
  return opts;
}

function display(path) {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/** Splits the contract text into [{name, startLine, text}] sections. */
function splitSections(text) {
  const lines = text.split(/\r?\n/);
  const sections = [{ name: PREAMBLE, startLine: 1, lines: [] }];
  lines.forEach((line, idx) => {
    const m = SECTION_RE.exec(line.trim());
    if (m) {
      sections.push({ name: m[1].toLowerCase(), startLine: idx + 1, lines: [] });
      return;
    }
    // Keep line numbers stable for parse errors: pad with empty lines.
    const current = sections[sections.length - 1];
    if (current.lines.length === 0 && current.startLine > 1) current.lines.push(...Array(current.startLine).fill(''));
    current.lines.push(line);
  });
  return sections.map((s) => ({ name: s.name, startLine: s.startLine, text: s.lines.join('\n') }));
}

function loadApiSchema(supergraphPath) {
  const sdl = readFileSync(supergraphPath, 'utf8');
  let doc;
  try {
    doc = parse(sdl);
  } catch (e) {
    usage(`${display(supergraphPath)}: ${e.message}`);
  }
  const graphEnum = doc.definitions.find((d) => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === 'join__Graph');
  if (!graphEnum) usage(`${display(supergraphPath)} is not a supergraph (no join__Graph enum)`);
  const graphs = (graphEnum.values ?? []).map((v) => v.name.value);
  let api;
  try {
    // supportedFeatures: null -- only read the schema; do not refuse
    // @authenticated/@requiresScopes/@policy links like a router would.
    api = Supergraph.build(sdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();
  } catch (e) {
    usage(`${display(supergraphPath)}: cannot build the API schema: ${e.message}`);
  }
  return { api, graphs };
}

function typeKind(type) {
  if (isObjectType(type)) return 'object type';
  if (isInterfaceType(type)) return 'interface';
  if (isUnionType(type)) return 'union';
  if (isEnumType(type)) return 'enum';
  if (isInputObjectType(type)) return 'input type';
  if (isScalarType(type)) return 'scalar';
  return 'type';
}

const KIND_OF_DEFINITION = {
  [Kind.OBJECT_TYPE_DEFINITION]: 'object type',
  [Kind.OBJECT_TYPE_EXTENSION]: 'object type',
  [Kind.INTERFACE_TYPE_DEFINITION]: 'interface',
  [Kind.INTERFACE_TYPE_EXTENSION]: 'interface',
  [Kind.UNION_TYPE_DEFINITION]: 'union',
  [Kind.UNION_TYPE_EXTENSION]: 'union',
  [Kind.ENUM_TYPE_DEFINITION]: 'enum',
  [Kind.ENUM_TYPE_EXTENSION]: 'enum',
  [Kind.INPUT_OBJECT_TYPE_DEFINITION]: 'input type',
  [Kind.INPUT_OBJECT_TYPE_EXTENSION]: 'input type',
  [Kind.SCALAR_TYPE_DEFINITION]: 'scalar',
  [Kind.SCALAR_TYPE_EXTENSION]: 'scalar',
};

function printedDefault(value, type) {
  if (value === undefined) return undefined;
  const ast = astFromValue(value, type);
  return ast ? print(ast) : String(value);
}

/** Checks one section's definitions against the API schema. */
function checkSection(doc, api) {
  const problems = [];
  let items = 0;
  const problem = (coordinate, message) => problems.push({ coordinate, message });

  for (const def of doc.definitions) {
    const expectedKind = KIND_OF_DEFINITION[def.kind];
    if (!expectedKind) continue; // schema definitions, directives: not part of the client API contract
    const name = def.name.value;
    const isExtension = def.kind.endsWith('Extension');
    items++;
    const type = api.getType(name);
    if (!type) {
      problem(name, `missing ${expectedKind}${isExtension ? ' (extended in this section)' : ''}`);
      continue;
    }
    if (typeKind(type) !== expectedKind) {
      problem(name, `is a ${typeKind(type)} but the contract says ${expectedKind}`);
      continue;
    }

    if (isObjectType(type) || isInterfaceType(type)) {
      const implemented = new Set(type.getInterfaces().map((i) => i.name));
      for (const iface of def.interfaces ?? []) {
        items++;
        if (!implemented.has(iface.name.value)) problem(name, `does not implement ${iface.name.value}`);
      }
      const fields = type.getFields();
      for (const fieldNode of def.fields ?? []) {
        const fieldName = fieldNode.name.value;
        const coord = `${name}.${fieldName}`;
        items++;
        const field = fields[fieldName];
        if (!field) {
          problem(coord, `missing field (contract: ${fieldName}: ${print(fieldNode.type)})`);
          continue;
        }
        const want = print(fieldNode.type);
        const have = String(field.type);
        if (want !== have) problem(coord, `type is ${have} but the contract says ${want}`);
        const contractArgs = new Set();
        for (const argNode of fieldNode.arguments ?? []) {
          const argName = argNode.name.value;
          const argCoord = `${coord}(${argName}:)`;
          contractArgs.add(argName);
          items++;
          const arg = field.args.find((a) => a.name === argName);
          if (!arg) {
            problem(argCoord, `missing argument (contract: ${argName}: ${print(argNode.type)})`);
            continue;
          }
          const wantArg = print(argNode.type);
          if (wantArg !== String(arg.type)) problem(argCoord, `type is ${arg.type} but the contract says ${wantArg}`);
          if (argNode.defaultValue) {
            const wantDefault = print(argNode.defaultValue);
            const haveDefault = printedDefault(arg.defaultValue, arg.type);
            if (wantDefault !== haveDefault) {
              problem(argCoord, `default value is ${haveDefault ?? '(none)'} but the contract says ${wantDefault}`);
            }
          }
        }
        for (const arg of field.args) {
          if (!contractArgs.has(arg.name) && isRequiredArgument(arg)) {
            problem(`${coord}(${arg.name}:)`, `extra required argument ${arg.name}: ${arg.type} (added arguments must be optional)`);
          }
        }
      }
    } else if (isInputObjectType(type)) {
      const fields = type.getFields();
      const contractFields = new Set();
      for (const fieldNode of def.fields ?? []) {
        const fieldName = fieldNode.name.value;
        const coord = `${name}.${fieldName}`;
        contractFields.add(fieldName);
        items++;
        const field = fields[fieldName];
        if (!field) {
          problem(coord, `missing input field (contract: ${fieldName}: ${print(fieldNode.type)})`);
          continue;
        }
        const want = print(fieldNode.type);
        if (want !== String(field.type)) problem(coord, `type is ${field.type} but the contract says ${want}`);
        if (fieldNode.defaultValue) {
          const wantDefault = print(fieldNode.defaultValue);
          const haveDefault = printedDefault(field.defaultValue, field.type);
          if (wantDefault !== haveDefault) problem(coord, `default value is ${haveDefault ?? '(none)'} but the contract says ${wantDefault}`);
        }
      }
      for (const field of Object.values(fields)) {
        if (!contractFields.has(field.name) && isRequiredInputField(field)) {
          problem(`${name}.${field.name}`, `extra required input field ${field.name}: ${field.type} (added input fields must be optional)`);
        }
      }
    } else if (isEnumType(type)) {
      for (const valueNode of def.values ?? []) {
        const valueName = valueNode.name.value;
        items++;
        if (!type.getValue(valueName)) problem(`${name}.${valueName}`, 'missing enum value');
      }
    } else if (isUnionType(type)) {
      const members = new Set(type.getTypes().map((t) => t.name));
      for (const memberNode of def.types ?? []) {
        items++;
        if (!members.has(memberNode.name.value)) problem(name, `union does not include ${memberNode.name.value}`);
      }
    }
  }
  return { problems, items };
}

/** The committed contract must be the team's upstream text when that file is present. */
function checkUpstreamCopy(contractPath, upstreamPath) {
  if (!existsSync(upstreamPath)) {
    console.log(`note: ${display(upstreamPath)} not present; checking the committed ${display(contractPath)} only`);
    return true;
  }
  if (readFileSync(upstreamPath).equals(readFileSync(contractPath))) {
    console.log(`contract: ${display(contractPath)} is identical to ${display(upstreamPath)}`);
    return true;
  }
  console.log(`contract problem: ${display(contractPath)} differs from ${display(upstreamPath)} (copy the upstream file over it: cp ${display(upstreamPath)} ${display(contractPath)})`);
  return false;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(opts.contract)) usage(`contract not found: ${display(opts.contract)} (use --contract or SKILL_CIRCLE_CONTRACT)`);
  const upstreamOk = !opts.upstream || checkUpstreamCopy(opts.contract, opts.upstream);
  if (!existsSync(opts.supergraph)) usage(`supergraph not found: ${display(opts.supergraph)} (run node router/compose.mjs first)`);

  const { api, graphs } = loadApiSchema(opts.supergraph);
  const sections = splitSections(readFileSync(opts.contract, 'utf8'));
  const sectionNames = sections.filter((s) => s.name !== PREAMBLE).map((s) => s.name);
  const implemented = sections.filter((s) => s.name !== PREAMBLE && graphs.includes(s.name.toUpperCase()));
  const unknownGraphs = graphs.filter((g) => !sectionNames.some((n) => n.toUpperCase() === g));
  for (const g of unknownGraphs) {
    console.log(`note: subgraph ${g.toLowerCase()} has no section in ${display(opts.contract)}`);
  }
  if (implemented.length === 0) {
    console.log(
      `contract: 0 items checked; no contract section is implemented (supergraph subgraphs: ${graphs.join(', ') || 'none'}; contract sections: ${sectionNames.join(', ')})`,
    );
    if (!upstreamOk) process.exit(1);
    return;
  }

  const parseSection = (section) => {
    if (!section.text.split('\n').some((l) => l.trim() && !l.trim().startsWith('#'))) return null; // empty
    try {
      return parse(section.text);
    } catch (e) {
      const loc = e.locations?.[0];
      usage(`${display(opts.contract)}${loc ? `:${loc.line}:${loc.column}` : ''} (section ${section.name}): ${e.message}`);
    }
  };
  const docs = implemented.map((section) => ({ section, doc: parseSection(section) })).filter((d) => d.doc);
  // Shared definitions before the first section (scalar DateTime) are checked
  // when an implemented section refers to them.
  const referenced = new Set();
  for (const { doc } of docs) {
    visit(doc, { NamedType(node) { referenced.add(node.name.value); } });
  }
  const preamble = sections.find((s) => s.name === PREAMBLE);
  const preambleDoc = preamble && parseSection(preamble);
  if (preambleDoc) {
    const defs = preambleDoc.definitions.filter((d) => d.name && referenced.has(d.name.value));
    if (defs.length) docs.unshift({ section: preamble, doc: { ...preambleDoc, definitions: defs } });
  }

  let total = 0;
  const allProblems = [];
  for (const { section, doc } of docs) {
    const { problems, items } = checkSection(doc, api);
    total += items;
    for (const p of problems) allProblems.push({ section: section.name, ...p });
  }

  const names = implemented.map((s) => s.name).join(', ');
  if (allProblems.length) {
    console.log(`contract problems (${display(opts.contract)} vs API schema of ${display(opts.supergraph)}):`);
    for (const p of allProblems) console.log(`  [${p.section}] ${p.coordinate}: ${p.message}`);
  }
  console.log(`contract: ${total} items checked across ${names}; ${allProblems.length} problem${allProblems.length === 1 ? '' : 's'}`);
  if (allProblems.length || !upstreamOk) process.exit(1);
}

main();
