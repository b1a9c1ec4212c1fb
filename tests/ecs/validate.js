#!/usr/bin/env node
// validate.js - checks banwatch's JSON-lines records (events.jsonl) against
// the official ECS field definitions of the pinned @elastic/ecs package
// (its EcsFlat: one entry per ECS field, with type, normalize and
// allowed_values). See tests/ecs/README.md.
//
//   node tests/ecs/validate.js [--all-events] FILE...
//
// Every line of every FILE must be one JSON object in which
//   - every top-level key is an ECS field or field set, or "banwatch";
//   - every field outside banwatch.* is an ECS field, with the JSON type of
//     its ECS type (keyword, text, ... string; long, integer ... integral
//     number; float ... number; boolean; date an ISO 8601 UTC string), an
//     array only where ECS allows one (normalize: array), and a value of
//     allowed_values where ECS lists them (event.kind, category, type,
//     outcome);
//   - every banwatch.* field is a string, number or boolean (or an array of
//     them), and no path under banwatch names an ECS field set or field
//     (banwatch.host..., banwatch.event.code ...);
//   - the fields banwatch writes on every event are there, log.level and
//     event.severity agree.
// --all-events: the files must hold at least one record of every Event ID
// banwatch has (the list in docs/events.md, read from the records'
// event.code against the list below).
// Prints a summary; exits 1 when anything is wrong, 2 on bad usage.
'use strict';

const fs = require('fs');
const path = require('path');

let ecs;
try {
  ecs = require('@elastic/ecs');
} catch (e) {
  console.error('validate.js: @elastic/ecs is not installed: run `npm ci` in tests/ecs ' +
                '(toolchain/setup.sh does)');
  process.exit(2);
}
const flat = ecs.EcsFlat;
const ecsPkg = require('@elastic/ecs/package.json').version;

// Every Event ID of service/core/bw_alert.h.
const EVENT_IDS = [100, 101, 102, 110, 200, 201, 202, 203, 204, 205, 206, 210, 220, 230, 300,
                   301, 400, 401, 402, 403, 404, 405, 406, 900, 901, 902, 903, 904, 905, 906];
// What every record has.
const ALWAYS = ['@timestamp', 'message', 'event.code', 'event.action', 'event.kind',
                'event.category', 'event.type', 'event.severity', 'event.provider',
                'event.dataset', 'event.module', 'log.level', 'agent.type', 'agent.version'];
const LEVELS = {information: 1, warning: 2, error: 3};
const STRING_TYPES = new Set(['keyword', 'text', 'match_only_text', 'wildcard',
                              'constant_keyword', 'ip']);
const INT_TYPES = new Set(['long', 'integer', 'short', 'byte', 'unsigned_long']);
const FLOAT_TYPES = new Set(['float', 'double', 'half_float', 'scaled_float']);
const DATE_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const fieldSets = new Set(Object.keys(flat).map((k) => k.split('.')[0]));

function main(argv) {
  const files = argv.filter((a) => !a.startsWith('--'));
  const allEvents = argv.includes('--all-events');
  if (!files.length) {
    console.error('usage: validate.js [--all-events] FILE...');
    return 2;
  }
  const errors = [];
  const pairings = new Map();
  const codes = new Set();
  let records = 0, ecsFields = 0, ownFields = 0;
  const err = (where, msg) => errors.push(`${where}: ${msg}`);

  if (fieldSets.has('banwatch'))
    err('ECS ' + ecsPkg, 'ECS itself has a field set "banwatch"');

  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    if (lines[lines.length - 1] === '')
      lines.pop();
    lines.forEach((line, i) => {
      const where = `${file}:${i + 1}`;
      let rec;
      try {
        rec = JSON.parse(line);
      } catch (e) {
        err(where, `not JSON: ${e.message}`);
        return;
      }
      if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
        err(where, 'not a JSON object');
        return;
      }
      records++;
      const leaves = [];
      flatten(rec, '', leaves);
      const have = new Map(leaves);
      for (const key of Object.keys(rec))
        if (key !== 'banwatch' && !fieldSets.has(key) && !flat[key])
          err(where, `top-level key "${key}" is neither an ECS field nor banwatch`);
      for (const [p, v] of leaves) {
        if (p === 'banwatch' || p.startsWith('banwatch.')) {
          ownFields++;
          checkOwn(where, p, v, err);
        } else {
          ecsFields++;
          checkEcs(where, p, v, err);
        }
      }
      for (const p of ALWAYS)
        if (!have.has(p))
          err(where, `${p} is missing`);
      const code = have.get('event.code');
      if (typeof code === 'string') {
        codes.add(code);
        if (!EVENT_IDS.includes(Number(code)))
          err(where, `event.code ${code} is no banwatch Event ID`);
      }
      const level = have.get('log.level');
      if (level !== undefined && LEVELS[level] !== have.get('event.severity'))
        err(where, `log.level ${level} and event.severity ${have.get('event.severity')} disagree`);
      const cats = have.get('event.category') || [];
      const types = have.get('event.type') || [];
      for (const c of [].concat(cats)) {
        const def = (flat['event.category'].allowed_values || []).find((a) => a.name === c);
        for (const t of [].concat(types))
          if (def && def.expected_event_types && !def.expected_event_types.includes(t))
            pairings.set(`${c}/${t}`, (pairings.get(`${c}/${t}`) || 0) + 1);
      }
    });
  }
  if (allEvents)
    for (const id of EVENT_IDS)
      if (!codes.has(String(id)))
        err('all events', `no record of event ${id}`);

  const shown = errors.slice(0, 50);
  for (const e of shown)
    console.error('  ' + e);
  if (errors.length > shown.length)
    console.error(`  ... and ${errors.length - shown.length} more`);
  console.log(`ECS check (@elastic/ecs ${ecsPkg}, ECS ${ecs.EcsVersion}): ${files.length} ` +
              `file(s), ${records} record(s), ${codes.size} Event ID(s), ` +
              `${ecsFields + ownFields} field(s) checked (${ecsFields} ECS, ${ownFields} ` +
              `banwatch.*): ${errors.length ? errors.length + ' error(s)' : 'all valid'}`);
  if (pairings.size)
    console.log('  category/type pairs ECS does not list as expected (allowed values, not an ' +
                'error): ' + [...pairings.keys()].sort().join(', '));
  return errors.length ? 1 : 0;
}

// The leaves of a record: [dotted path, value]; an array is one leaf.
function flatten(v, prefix, out) {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v))
      flatten(x, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  out.push([prefix, v]);
}

function checkEcs(where, p, v, err) {
  const def = flat[p];
  if (!def) {
    err(where, `${p} is not an ECS field`);
    return;
  }
  const values = Array.isArray(v) ? v : [v];
  if (Array.isArray(v) && !(def.normalize || []).includes('array'))
    err(where, `${p} is an array; ECS has it as one value`);
  if (Array.isArray(v) && !v.length)
    err(where, `${p} is an empty array`);
  for (const x of values) {
    const why = typeProblem(def.type, x);
    if (why)
      err(where, `${p} (${def.type}): ${why}`);
    if (def.allowed_values && !def.allowed_values.some((a) => a.name === x))
      err(where, `${p}: "${x}" is not one of ECS's allowed values`);
  }
}

function typeProblem(type, x) {
  if (x === null)
    return 'null (missing values are left out)';
  if (STRING_TYPES.has(type))
    return typeof x === 'string' ? null : `${JSON.stringify(x)} is not a string`;
  if (INT_TYPES.has(type))
    return Number.isInteger(x) ? null : `${JSON.stringify(x)} is not an integer`;
  if (FLOAT_TYPES.has(type))
    return typeof x === 'number' ? null : `${JSON.stringify(x)} is not a number`;
  if (type === 'boolean')
    return typeof x === 'boolean' ? null : `${JSON.stringify(x)} is not a boolean`;
  if (type === 'date')
    return typeof x === 'string' && DATE_RE.test(x) && !isNaN(Date.parse(x))
               ? null : `${JSON.stringify(x)} is not an ISO 8601 UTC date`;
  return `banwatch writes no field of type ${type}`;
}

function checkOwn(where, p, v, err) {
  if (p === 'banwatch') {
    err(where, 'banwatch is a value, not an object');
    return;
  }
  const rest = p.slice('banwatch.'.length);
  const first = rest.split('.')[0];
  if (fieldSets.has(first) || flat[first])
    err(where, `${p}: banwatch.${first} clashes with the ECS field set or field "${first}"`);
  if (flat[rest])
    err(where, `${p}: clashes with the ECS field ${rest}`);
  if (!/^[a-z0-9_]+(\.[a-z0-9_]+)*$/.test(rest))
    err(where, `${p}: banwatch field names are snake_case`);
  for (const x of Array.isArray(v) ? v : [v])
    if (!['string', 'number', 'boolean'].includes(typeof x))
      err(where, `${p}: ${JSON.stringify(x)} is not a string, number or boolean`);
}

process.exitCode = main(process.argv.slice(2));
