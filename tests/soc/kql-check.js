#!/usr/bin/env node
// Parse and analyze every KQL query of docs/soc/sentinel with Microsoft's
// Kusto language service (Kusto.Language), against the tables they read:
//   Event        the Log Analytics Event table (columns below, as Azure
//                Monitor documents them)
//   banwatch_CL  the custom table declared in banwatch-jsonl-dcr.json
//   source       the input stream of that rule's transformation (its
//                streamDeclarations)
// A syntax error, an unknown column, table or function, or a wrong argument
// is an error. Queries: sentinel/queries/*.kql, the workbook's query items,
// the rule's transformKql.
//
// Usage: kql-check.js --root REPO     kql-check.js --self-test
// Exit status 0 when every query analyzes cleanly, 1 otherwise, 77 when the
// language service is not installed (toolchain/setup.sh installs it).
'use strict';

const fs = require('fs');
const path = require('path');

const SKIP = 77;

function loadKusto() {
  try {
    require('@kusto/language-service-next/bridge.js');
    require('@kusto/language-service-next/Kusto.Language.Bridge.js');
  } catch (err) {
    console.log('SKIP: the Kusto language service (@kusto/language-service-next) is not ' +
                'installed in tests/soc/node_modules: run toolchain/setup.sh; KQL is not ' +
                `analyzed (${err.code || err.message})`);
    process.exit(SKIP);
  }
  return global.Kusto;
}

const EVENT_SCHEMA =
    '(TenantId:string, SourceSystem:string, TimeGenerated:datetime, Source:string, ' +
    'EventLog:string, Computer:string, EventLevel:int, EventLevelName:string, ' +
    'ParameterXml:string, EventData:string, EventID:int, RenderedDescription:string, ' +
    'AzureDeploymentID:string, Role:string, EventCategory:int, UserName:string, ' +
    'Message:string, MG:string, ManagementGroupName:string, _ResourceId:string, Type:string)';

function schemaOf(columns) {
  return '(' + columns.map((c) => `${c.name}:${c.type}`).join(', ') + ')';
}

// The tables and queries of one docs/soc/sentinel folder.
function collect(sentinel) {
  const dcrFile = path.join(sentinel, 'banwatch-jsonl-dcr.json');
  const dcr = JSON.parse(fs.readFileSync(dcrFile, 'utf8'));
  const tables = {Event: EVENT_SCHEMA};
  const queries = [];
  for (const resource of dcr.resources || []) {
    const props = resource.properties || {};
    if (props.schema) {
      tables[props.schema.name] = schemaOf(props.schema.columns);
    }
    for (const [name, stream] of Object.entries(props.streamDeclarations || {})) {
      tables.source = schemaOf(stream.columns);
      if (!name.startsWith('Custom-')) {
        throw new Error(`${dcrFile}: stream ${name} does not start with Custom-`);
      }
    }
    for (const flow of props.dataFlows || []) {
      queries.push({place: `${dcrFile} transformKql`, text: flow.transformKql});
    }
  }
  const workbook = path.join(sentinel, 'banwatch-workbook.json');
  for (const item of JSON.parse(fs.readFileSync(workbook, 'utf8')).items || []) {
    if (item.type === 3) {
      queries.push({place: `${workbook} item ${item.name}`, text: item.content.query});
    }
  }
  const dir = path.join(sentinel, 'queries');
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.kql')).sort()) {
    const file = path.join(dir, name);
    queries.push({place: file, text: fs.readFileSync(file, 'utf8')});
  }
  return {tables, queries};
}

function analyze(Kusto, tables, queries) {
  const S = Kusto.Language.Symbols;
  const symbols = Object.entries(tables).map(([name, schema]) =>
    new S.TableSymbol.$ctor7(name, schema, null));
  const db = new S.DatabaseSymbol.ctor('banwatch', symbols);
  const globals = Kusto.Language.GlobalState.Default.WithDatabase(db);
  const problems = [];
  for (const {place, text} of queries) {
    if (!text || !text.trim()) {
      problems.push(`${place}: empty query`);
      continue;
    }
    const diags = Kusto.Language.KustoCode.ParseAndAnalyze(text, globals).GetDiagnostics();
    for (let i = 0; i < diags.Count; i++) {
      const d = diags.getItem(i);
      if (d.Severity !== 'Error') {
        continue;
      }
      const line = text.slice(0, d.Start).split('\n').length;
      problems.push(`${place}:${line}: ${d.Message}`);
    }
  }
  return problems;
}

function selfTest(Kusto) {
  const tables = {Event: EVENT_SCHEMA, banwatch_CL: '(TimeGenerated:datetime, Doc:dynamic)'};
  const cases = [
    ['Event | where Source == "banwatch" and EventID == 230 | ' +
     'extend P = parse_xml(strcat("<P>", ParameterXml, "</P>")).P.Param | ' +
     'extend present = tostring(P[1]) | summarize arg_max(TimeGenerated, present) by Computer',
     null],
    ['Event | where EventIDx == 230', "'EventIDx'"],
    ['banwatch_CL | where EventCode == 300', "'EventCode'"],
    ['banwatch_CL | extend h = tostring(Doc.host.name) | summarize count() by h', null],
    ['Event | summarize arg_max(TimeGenerated, nope) by Computer', "'nope'"],
    ['Event | where (', 'Expected'],
  ];
  const failures = [];
  for (const [text, expected] of cases) {
    const problems = analyze(Kusto, tables, [{place: 'q', text}]);
    const ok = expected === null ? problems.length === 0 :
      problems.some((p) => p.includes(expected));
    if (!ok) {
      failures.push(`${text}: expected ${expected === null ? 'no error' : expected}, ` +
                    `got ${JSON.stringify(problems)}`);
    }
  }
  failures.forEach((f) => console.log(`self-test: ${f}`));
  if (failures.length === 0) {
    console.log(`kql-check.js self-test: ${cases.length} cases behave`);
  }
  return failures.length ? 1 : 0;
}

function main(argv) {
  const Kusto = loadKusto();
  if (argv[0] === '--self-test') {
    return selfTest(Kusto);
  }
  if (argv[0] !== '--root' || !argv[1]) {
    console.error('usage: kql-check.js --root REPO | --self-test');
    return 2;
  }
  const {tables, queries} = collect(path.join(argv[1], 'docs', 'soc', 'sentinel'));
  const problems = analyze(Kusto, tables, queries);
  problems.forEach((p) => console.log(p));
  if (problems.length) {
    console.log(`kql-check.js: ${problems.length} problem(s)`);
    return 1;
  }
  console.log(`kql-check.js: ${queries.length} KQL queries analyze cleanly against ` +
              Object.keys(tables).join(', '));
  return 0;
}

process.exit(main(process.argv.slice(2)));
