#!/usr/bin/env python3
"""Check the SOC content of docs/soc against what banwatch emits.

Every file under docs/soc must be well-formed for its kind (XML, JSON,
NDJSON, YAML, Splunk .conf) and every Event ID and field it names must be
one banwatch emits:

- Event IDs: the Summary table of docs/events.md.
- Event Log insertion strings (%1 ... %n, `paramN`, `Params[n-1]`, the
  `key=` lines of the rendered message): the param tables and rendered
  messages of docs/events.md, per Event ID. A reference must exist for every
  Event ID the query selects; with --names-at-positions the name a query
  gives a position must also be the field docs/events.md puts there.
- JSON-lines fields (ECS names such as host.name, event.code,
  banwatch.verdict.present): the records of --events FILE, a JSON-lines
  sample with one record of each Event ID as banwatch writes it. A field must
  be emitted by at least one record of the Event IDs its query selects.

Usage:
  check.py --root REPO [--events FILE] [--names-at-positions]
  check.py --root REPO --events-program PROGRAM [--emulator WORD]... [--names-at-positions]
  check.py --self-test
Exit status 0 when everything holds, 1 with one line per problem.
"""

import argparse
import configparser
import datetime
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import uuid
import xml.etree.ElementTree as ET

import yaml


class Problems:
    """Collects problems as 'place: reason' lines."""

    def __init__(self):
        self.lines = []

    def add(self, place, reason):
        self.lines.append(f"{place}: {reason}")


# ---------------------------------------------------------------- events.md

SUMMARY_ROW = re.compile(r"^\|\s*\[?(\d{3})\]?(?:\([^)]*\))?\s*\|\s*`([a-z-]+)`")
PARAM_HEADER = re.compile(r"^\|\s*param\s*\|\s*field\s*\|")
PARAM_ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*`([a-z_]+)`")
MESSAGE_KEY = re.compile(r"\b([a-z_]+)=%(\d+)")
EVENT_HEADING = re.compile(r"^###\s+(\d{3})\s")
BAND_HEADING = re.compile(r"^##\s+(\d)xx\b")


class EventsDoc:
    """Event IDs, names and insertion strings as docs/events.md gives them."""

    def __init__(self, text, place="docs/events.md"):
        self.place = place
        self.names = {}
        self.params = {}
        self.problems = []
        self._parse_summary(text)
        self._parse_params(text)

    def _parse_summary(self, text):
        in_summary = False
        for line in text.splitlines():
            if line.startswith("## "):
                in_summary = line.strip() == "## Summary"
                continue
            match = SUMMARY_ROW.match(line) if in_summary else None
            if match:
                self.names[int(match.group(1))] = match.group(2)
        if not self.names:
            self.problems.append(f"{self.place}: no Event IDs found in the Summary table")

    def _parse_params(self, text):
        messages, tables, bands = {}, {}, {}
        band, event, in_table, in_code = None, None, False, False
        for line in text.splitlines():
            if line.startswith("```"):
                in_code = not in_code
                continue
            if not in_code and line.startswith("## "):
                match = BAND_HEADING.match(line)
                band, event = (int(match.group(1)) if match else None), None
                continue
            if not in_code and line.startswith("### "):
                match = EVENT_HEADING.match(line)
                event = int(match.group(1)) if match else None
                continue
            if in_code and event is not None:
                for name, pos in MESSAGE_KEY.findall(line):
                    self._put(messages.setdefault(event, {}), int(pos), name,
                              f"{event} message")
                continue
            if PARAM_HEADER.match(line):
                in_table = True
                continue
            if in_table and not line.startswith("|"):
                in_table = False
            match = PARAM_ROW.match(line) if in_table else None
            if match and event is not None:
                self._put(tables.setdefault(event, {}), int(match.group(1)), match.group(2),
                          f"{event} param table")
            elif match and band is not None:
                self._put(bands.setdefault(band, {}), int(match.group(1)), match.group(2),
                          f"{band}xx param table")
        self._resolve(messages, tables, bands)

    def _put(self, mapping, pos, name, what):
        if mapping.get(pos, name) != name:
            self.problems.append(
                f"{self.place}: {what}: %{pos} is both {mapping[pos]} and {name}")
        mapping[pos] = name

    def _resolve(self, messages, tables, bands):
        """A rendered message naming %1..%n in full is the event's layout (its own
        table must agree); otherwise the band's shared table, completed by what the
        event's own message and table say."""
        for event_id in self.names:
            message = messages.get(event_id, {})
            if message and sorted(message) == list(range(1, len(message) + 1)):
                layout = dict(message)
            else:
                layout = dict(bands.get(event_id // 100, {}))
                for pos, name in message.items():
                    self._put(layout, pos, name, f"{event_id} message against its band")
            for pos, name in tables.get(event_id, {}).items():
                self._put(layout, pos, name, f"{event_id} param table against its layout")
            self.params[event_id] = layout


# ---------------------------------------------------------------- the sample

def flatten(value, prefix, out):
    if isinstance(value, dict):
        for key, sub in value.items():
            flatten(sub, f"{prefix}.{key}" if prefix else key, out)
    else:
        out.add(prefix)


def load_sample(path, problems):
    """Event ID -> the set of dotted field names its records carry."""
    emitted = {}
    text = pathlib.Path(path).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            problems.add(f"{path}:{number}", f"not JSON: {err}")
            continue
        code = record.get("event", {}).get("code") if isinstance(record, dict) else None
        if not isinstance(code, str) or not code.isdigit():
            problems.add(f"{path}:{number}", "no event.code string")
            continue
        fields = set()
        flatten(record, "", fields)
        emitted.setdefault(int(code), set()).update(fields)
    if not emitted:
        problems.add(path, "no records")
    return emitted


# ---------------------------------------------------------------- queries

ID_CONTEXT = re.compile(
    r"(?:\bEventCode|\bEventID|(?<![\w.])'?(?:(?:Doc|d)\.)?event\.code'?)"
    r"\s*(?:==|=|:|\bIN\b)\s*(\([^)]*\)|\"?\d+\"?)", re.IGNORECASE)
ECS_FIELD = re.compile(
    r"(?<![\w.@'])'?(?:(?:Doc|d)\.)?(@timestamp|(?:event|host|agent|package|service|rule|"
    r"file|log|banwatch|ecs)(?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
DOUBLE_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"')
SPL_COMMENT = re.compile(r"```.*?```", re.DOTALL)
LINE_COMMENT = re.compile(r"//[^\n]*")
ESQL_FROM = re.compile(r"\bFROM\s+[^\n|]+", re.IGNORECASE)
KQL_PARAM = re.compile(r"\bParams\[(\d+)\]")
KQL_NAMED_PARAM = re.compile(r"\b(\w+)\s*=\s*tostring\(\s*Params\[(\d+)\]\s*\)")
SPL_REX_KEY = re.compile(r'\brex\s+field=Message\s+"\(\?m\)\^([a-z_]+)=')


class Checker:
    def __init__(self, doc, emitted, names_at_positions, problems):
        self.doc = doc
        self.emitted = emitted
        self.names_at_positions = names_at_positions
        self.problems = problems

    # Event IDs ---------------------------------------------------------
    def event_ids(self, place, text):
        found = set()
        for match in ID_CONTEXT.finditer(text):
            for number in re.findall(r"\d+", match.group(1)):
                found.add(int(number))
        self.known_ids(place, found)
        return found

    def known_ids(self, place, ids):
        for event_id in sorted(ids):
            if event_id not in self.doc.names:
                self.problems.add(place, f"Event ID {event_id} is not one banwatch raises "
                                  "(docs/events.md, Summary)")

    # Event Log insertion strings -------------------------------------------
    def positions(self, place, ids, refs):
        """refs: (position, name or None, how it is written)."""
        if refs and not ids:
            self.problems.add(place, "uses insertion strings but selects no Event ID "
                              "(their order differs by event)")
        for event_id in sorted(ids & set(self.doc.names)):
            layout = self.doc.params.get(event_id, {})
            for pos, name, how in refs:
                if pos not in layout:
                    self.problems.add(place, f"{how}: Event ID {event_id} has no %{pos} "
                                      f"(it has %1-%{max(layout, default=0)})")
                elif self.names_at_positions and name and name != layout[pos]:
                    self.problems.add(place, f"{how} is named {name}, but %{pos} of "
                                      f"Event ID {event_id} is {layout[pos]}")

    def message_keys(self, place, ids, keys):
        if keys and not ids:
            self.problems.add(place, "extracts message fields but selects no Event ID")
        for event_id in sorted(ids & set(self.doc.names)):
            fields = set(self.doc.params.get(event_id, {}).values())
            for key in keys:
                if key not in fields:
                    self.problems.add(place, f"rex {key}=: Event ID {event_id} has no field "
                                      f"{key}")

    # JSON-lines fields -------------------------------------------------------
    def fields(self, place, ids, names):
        if self.emitted is None:
            return
        pool = set()
        for event_id in (ids or self.emitted.keys()):
            pool |= self.emitted.get(event_id, set())
        for name in sorted(names):
            if name not in pool:
                which = ", ".join(map(str, sorted(ids))) if ids else "any"
                self.problems.add(place, f"field {name} is not emitted by banwatch "
                                  f"(Event IDs {which}, sample --events)")

    # one query ---------------------------------------------------------------
    def query(self, place, text, lang, source):
        if lang == "spl":
            code = SPL_COMMENT.sub(" ", text)
        elif lang in ("kql", "esql"):
            code = LINE_COMMENT.sub(" ", text)
        else:
            code = text
        ids = self.event_ids(place, code)
        if source == "eventlog":
            named = {(int(i) + 1): n for n, i in KQL_NAMED_PARAM.findall(code)}
            refs = [(int(i) + 1, strip_prefix(named.get(int(i) + 1)), f"Params[{i}]")
                    for i in KQL_PARAM.findall(code)]
            refs += percent_refs(text)
            self.positions(place, ids, refs)
            self.message_keys(place, ids, set(SPL_REX_KEY.findall(code)))
            return
        bare = DOUBLE_QUOTED.sub('""', code)
        if lang == "esql":
            bare = ESQL_FROM.sub("FROM", bare)
        self.fields(place, ids, {m.group(1) for m in ECS_FIELD.finditer(bare)})


PERCENT_REF = re.compile(r"`?%(\d+)`?(?:\s+`?([a-z][a-z_]*)\b)?")


def percent_refs(text):
    """'%12 tier' in prose: position 12, said to be the field tier (a word in
    lower case after %n is taken as the field's name)."""
    return [(int(pos), name or None, f"%{pos}") for pos, name in PERCENT_REF.findall(text)]


def strip_prefix(name):
    if name and name.startswith("bw_"):
        return name[3:]
    return name


def spl_source(text):
    jsonl = 'sourcetype="banwatch:events"' in text
    eventlog = re.search(r"\bSourceName=banwatch\b", text) is not None
    if jsonl == eventlog:
        return None
    return "jsonl" if jsonl else "eventlog"


def kql_source(text):
    for line in LINE_COMMENT.sub("", text).splitlines():
        word = line.strip().rstrip(";")
        if not word or word.startswith("let "):
            continue
        if word == "Event":
            return "eventlog"
        if word == "banwatch_CL":
            return "jsonl"
        return None
    return None


# ---------------------------------------------------------------- Sigma

SIGMA_KEYS = ("title", "id", "status", "description", "references", "author", "date",
              "level", "falsepositives")
SIGMA_STATUS = {"stable", "test", "experimental", "deprecated", "unsupported"}
SIGMA_LEVEL = {"informational", "low", "medium", "high", "critical"}
CORRELATION_TYPES = {"event_count", "value_count", "temporal", "temporal_ordered"}
CONDITION_WORDS = {"and", "or", "not", "of", "1", "all", "them"}


def check_sigma_common(place, rule, problems, seen_ids):
    for key in SIGMA_KEYS:
        if key not in rule:
            problems.add(place, f"Sigma rule lacks '{key}'")
    try:
        parsed = uuid.UUID(str(rule.get("id", "")))
        if str(parsed) != str(rule.get("id")).lower():
            raise ValueError
    except ValueError:
        problems.add(place, f"id {rule.get('id')!r} is not a UUID")
    if rule.get("id") in seen_ids:
        problems.add(place, f"id {rule.get('id')} is used by another rule too")
    seen_ids.add(rule.get("id"))
    if rule.get("author") != "banwatch":
        problems.add(place, "author is not banwatch")
    if rule.get("status") not in SIGMA_STATUS:
        problems.add(place, f"status {rule.get('status')!r} is not a Sigma status")
    if rule.get("level") not in SIGMA_LEVEL:
        problems.add(place, f"level {rule.get('level')!r} is not a Sigma level")
    date = rule.get("date")
    if not isinstance(date, datetime.date) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}",
                                                                  str(date)):
        problems.add(place, f"date {date!r} is not YYYY-MM-DD")
    for key in ("references", "falsepositives", "tags"):
        if key in rule and not isinstance(rule[key], list):
            problems.add(place, f"'{key}' is not a list")


def selection_ids(value):
    values = value if isinstance(value, list) else [value]
    return {int(v) for v in values if isinstance(v, int) or str(v).isdigit()}


def check_sigma_detection(place, rule, checker):
    problems = checker.problems
    source = rule.get("logsource") or {}
    if source.get("product") != "windows" or source.get("service") != "application":
        problems.add(place, "logsource is not product windows, service application")
    detection = rule.get("detection")
    if not isinstance(detection, dict) or "condition" not in detection:
        problems.add(place, "detection lacks a condition")
        return
    all_ids = set()
    for name, selection in detection.items():
        if name == "condition":
            continue
        if not isinstance(selection, dict) or selection.get("Provider_Name") != "banwatch":
            problems.add(place, f"selection {name}: Provider_Name is not banwatch")
            continue
        ids = selection_ids(selection.get("EventID", []))
        if not ids:
            problems.add(place, f"selection {name}: no EventID")
        checker.known_ids(f"{place} ({name})", ids)
        refs = [(int(m.group(1)), None, key) for key in selection
                for m in [re.fullmatch(r"param(\d+)(\|.*)?", key)] if m]
        checker.positions(f"{place} ({name})", ids, refs)
        all_ids |= ids
    check_condition(place, str(detection["condition"]), detection, problems)
    refs = [(int(m.group(1)), None, f"fields {f}") for f in rule.get("fields", [])
            for m in [re.fullmatch(r"param(\d+)", str(f))] if m]
    checker.positions(f"{place} (fields)", all_ids, refs)
    for event_id in sorted(all_ids):
        said = percent_refs(sigma_description_for(str(rule.get("description", "")), event_id))
        checker.positions(f"{place} (description)", {event_id}, said)


def sigma_description_for(text, event_id):
    """The parts of a description about one Event ID: sentences naming other
    Event IDs only (e.g. '905 and 906: %2 path') are left out for it."""
    parts = []
    for part in re.split(r"(?<=[.;])\s+", text):
        named = {int(n) for n in re.findall(r"\b(\d{3})\b", part.split("%")[0])}
        if "%" in part and named and event_id not in named:
            continue
        parts.append(part)
    return " ".join(parts)


def check_condition(place, condition, detection, problems):
    names = [n for n in detection if n != "condition"]
    for word in re.findall(r"[\w*]+", condition):
        if word in CONDITION_WORDS:
            continue
        pattern = re.compile(re.escape(word).replace(r"\*", ".*") + r"\Z")
        if not any(pattern.match(n) for n in names):
            problems.add(place, f"condition names {word}, which is no selection")


def check_correlation(place, rule, names, problems):
    corr = rule.get("correlation") or {}
    if corr.get("type") not in CORRELATION_TYPES:
        problems.add(place, f"correlation type {corr.get('type')!r} is not a Sigma one")
    for ref in corr.get("rules") or []:
        if ref not in names:
            problems.add(place, f"correlation rule {ref} is not in this file")
    if not corr.get("rules"):
        problems.add(place, "correlation names no rules")
    if not re.fullmatch(r"\d+[smhdwMy]", str(corr.get("timespan", ""))):
        problems.add(place, f"timespan {corr.get('timespan')!r} is not like 4h")
    if not isinstance(corr.get("group-by"), list):
        problems.add(place, "correlation group-by is not a list")
    cond = corr.get("condition")
    if not isinstance(cond, dict) or not set(cond) & {"gt", "gte", "lt", "lte", "eq", "neq"}:
        problems.add(place, "correlation condition has no gt/gte/lt/lte/eq/neq")


def check_sigma_file(place, docs, checker, seen_ids):
    names = {d.get("name") for d in docs if isinstance(d, dict)} | \
            {str(d.get("id")) for d in docs if isinstance(d, dict)}
    for index, rule in enumerate(docs):
        where = f"{place} (rule {index + 1})" if len(docs) > 1 else place
        if not isinstance(rule, dict):
            checker.problems.add(where, "not a YAML mapping")
            continue
        check_sigma_common(where, rule, checker.problems, seen_ids)
        if "correlation" in rule:
            check_correlation(where, rule, names, checker.problems)
        else:
            check_sigma_detection(where, rule, checker)


# ---------------------------------------------------------------- per file kind

WEF_NS = "{http://schemas.microsoft.com/2006/03/windows/events/subscription}"


def check_wef(place, root, checker):
    problems = checker.problems
    if root.tag != WEF_NS + "Subscription":
        return
    if root.findtext(WEF_NS + "SubscriptionType") != "SourceInitiated":
        problems.add(place, "SubscriptionType is not SourceInitiated")
    query = root.findtext(WEF_NS + "Query") or ""
    try:
        qlist = ET.fromstring(query.strip())
    except ET.ParseError as err:
        problems.add(place, f"the QueryList in <Query> is not XML: {err}")
        return
    selects = qlist.findall("Query/Select")
    if not selects:
        problems.add(place, "the QueryList has no Select")
    for select in selects:
        xpath = select.text or ""
        if select.get("Path") != "Application":
            problems.add(place, "a Select does not read the Application log")
        if "Provider[@Name='banwatch']" not in xpath:
            problems.add(place, "a Select does not filter on Provider[@Name='banwatch']")
        found = {int(n) for n in re.findall(r"EventID\s*(?:=|>=|<=|>|<)\s*(\d+)", xpath)}
        checker.known_ids(place, found)


def read_conf(place, path, problems):
    parser = configparser.ConfigParser(interpolation=None, strict=True,
                                       comment_prefixes=("#",), delimiters=("=",))
    parser.optionxform = str
    try:
        parser.read_string(path.read_text(encoding="utf-8"), source=str(place))
    except configparser.Error as err:
        problems.add(place, f"not a valid .conf file: {err}")
        return None
    return parser


def check_splunk_conf(place, path, problems):
    conf = read_conf(place, path, problems)
    if conf is None:
        return
    if path.name == "props.conf":
        if not conf.has_section("banwatch:events"):
            problems.add(place, "no [banwatch:events] stanza")
            return
        stanza = conf["banwatch:events"]
        if stanza.get("KV_MODE") != "json" and stanza.get("INDEXED_EXTRACTIONS") != "json":
            problems.add(place, "[banwatch:events] has neither KV_MODE nor "
                         "INDEXED_EXTRACTIONS json")
        if "@timestamp" not in stanza.get("TIME_PREFIX", "") + stanza.get(
                "TIMESTAMP_FIELDS", ""):
            problems.add(place, "[banwatch:events] does not take the time from @timestamp")
    if path.name == "inputs.conf":
        monitors = [s for s in conf.sections() if s.startswith("monitor://")]
        if not any(s.endswith("\\events.jsonl") and
                   conf[s].get("sourcetype") == "banwatch:events" for s in monitors):
            problems.add(place, "no monitor of events.jsonl with sourcetype banwatch:events")


def check_splunk_dashboard(place, root, checker):
    queries = root.findall(".//query")
    if not queries:
        checker.problems.add(place, "a Splunk dashboard without <query>")
    for index, query in enumerate(queries, 1):
        text = query.text or ""
        source = spl_source(text)
        if source is None:
            checker.problems.add(f"{place} query {index}", "cannot tell its source")
            continue
        checker.query(f"{place} query {index}", text, "spl", source)


def check_workbook(place, data, checker):
    problems = checker.problems
    if data.get("version") != "Notebook/1.0":
        problems.add(place, "workbook version is not Notebook/1.0")
    queries = [i for i in data.get("items", []) if i.get("type") == 3]
    if not queries:
        problems.add(place, "workbook has no KQL query item (type 3)")
    for item in queries:
        content = item.get("content", {})
        where = f"{place} item {item.get('name')}"
        if content.get("version") != "KqlItem/1.0":
            problems.add(where, "query item is not KqlItem/1.0")
        text = content.get("query", "")
        source = kql_source(text)
        if source is None:
            problems.add(where, "query reads neither Event nor banwatch_CL")
            continue
        checker.query(where, text, "kql", source)


def check_dcr(place, data, checker):
    flows = [r.get("properties", {}).get("dataFlows", []) for r in data.get("resources", [])]
    flows = [f for group in flows for f in group]
    if not flows:
        checker.problems.add(place, "no data collection rule dataFlows")
    tables = [r for r in data.get("resources", []) if r.get("type", "").endswith("/tables")]
    columns = {c["name"] for t in tables
               for c in t.get("properties", {}).get("schema", {}).get("columns", [])}
    for flow in flows:
        text = flow.get("transformKql", "")
        checker.query(f"{place} transformKql", text, "kql", "jsonl")
        project = text.split("| project", 1)[-1] if "| project" in text else ""
        for column in re.findall(r"(?:^|,)\s*(\w+)", project):
            if columns and column not in columns:
                checker.problems.add(place, f"transform writes column {column}, which the "
                                     "banwatch_CL table does not declare")


def check_ndjson(place, path, checker):
    problems = checker.problems
    objects = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            problems.add(f"{place}:{number}", f"not JSON: {err}")
            continue
        if "exportedCount" in obj:
            continue
        key = (obj.get("type"), obj.get("id"))
        if key in objects:
            problems.add(f"{place}:{number}", f"{key} appears twice")
        objects[key] = obj
    for (kind, ident), obj in objects.items():
        check_saved_object(f"{place} {kind} {ident}", obj, objects, checker)


def embedded_json(place, attrs, key, problems, default):
    try:
        return json.loads(attrs.get(key, default))
    except (json.JSONDecodeError, TypeError) as err:
        problems.add(place, f"{key} is not JSON: {err}")
        return None


def check_saved_object(place, obj, objects, checker):
    problems = checker.problems
    attrs = obj.get("attributes", {})
    for ref in obj.get("references", []):
        if (ref.get("type"), ref.get("id")) not in objects:
            problems.add(place, f"references {ref.get('type')} {ref.get('id')}, "
                         "which is not in the file")
    names = {r.get("name") for r in obj.get("references", [])}
    fields = set()
    if obj.get("type") == "index-pattern":
        fields.add(attrs.get("timeFieldName", ""))
    meta = attrs.get("kibanaSavedObjectMeta", {})
    source = embedded_json(place, meta, "searchSourceJSON", problems, "{}") or {}
    if source.get("indexRefName") and source["indexRefName"] not in names:
        problems.add(place, f"indexRefName {source['indexRefName']} has no reference")
    query = (source.get("query") or {}).get("query", "")
    if query:
        checker.query(f"{place} query", query, "kuery", "jsonl")
    if obj.get("type") == "visualization":
        state = embedded_json(place, attrs, "visState", problems, "{}") or {}
        fields |= {a.get("params", {}).get("field") for a in state.get("aggs", [])} - {None}
    if obj.get("type") == "search":
        fields |= set(attrs.get("columns", []))
    if obj.get("type") == "dashboard":
        panels = embedded_json(place, attrs, "panelsJSON", problems, "[]") or []
        for panel in panels:
            if panel.get("panelRefName") not in names:
                problems.add(place, f"panel {panel.get('panelIndex')} has no reference")
    checker.fields(place, set(), fields - {""})


ALERT_ROW = re.compile(r"^\|\s*([0-9][0-9 ,\-]*[0-9])\s*\|")


def check_alert_table(place, text, checker):
    in_table, ids = False, set()
    for line in text.splitlines():
        if re.match(r"^\|\s*Event ID\s*\|", line):
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            in_table = False
        match = ALERT_ROW.match(line) if in_table else None
        if not match:
            continue
        row = set()
        for part in match.group(1).split(","):
            low, _, high = part.strip().partition("-")
            row |= set(range(int(low), int(high or low) + 1))
        ids |= row
        checker.positions(place, row, percent_refs(line[match.end():]))
    if not ids:
        checker.problems.add(place, "no alert table (| Event ID | ...)")
    checker.known_ids(place, ids)


# ---------------------------------------------------------------- the walk

def check_file(path, rel, checker, seen_ids):
    problems = checker.problems
    suffix = path.suffix
    text = path.read_text(encoding="utf-8")
    if suffix == ".xml":
        try:
            root = ET.fromstring(text)
        except ET.ParseError as err:
            problems.add(rel, f"not XML: {err}")
            return
        check_wef(rel, root, checker)
        if root.tag in ("dashboard", "form"):
            check_splunk_dashboard(rel, root, checker)
    elif suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            problems.add(rel, f"not JSON: {err}")
            return
        if data.get("version") == "Notebook/1.0" or "items" in data:
            check_workbook(rel, data, checker)
        elif "resources" in data:
            check_dcr(rel, data, checker)
    elif suffix == ".ndjson":
        check_ndjson(rel, path, checker)
    elif suffix in (".yml", ".yaml"):
        try:
            docs = list(yaml.safe_load_all(text))
        except yaml.YAMLError as err:
            problems.add(rel, f"not YAML: {err}")
            return
        if "sigma" in path.parts:
            check_sigma_file(rel, docs, checker, seen_ids)
    elif suffix == ".conf":
        check_splunk_conf(rel, path, problems)
    elif suffix in (".spl", ".kql", ".esql"):
        check_query_file(path, rel, text, checker)
    elif suffix == ".md":
        if path.name == "deployment.md":
            check_alert_table(rel, text, checker)
    else:
        problems.add(rel, f"unknown kind of file ({suffix or 'no suffix'}): not checked")


def check_query_file(path, rel, text, checker):
    if not text.strip():
        checker.problems.add(rel, "empty query")
        return
    if path.suffix == ".spl":
        lang, source = "spl", spl_source(text)
    elif "elastic" in path.parts:
        lang, source = ("esql" if path.suffix == ".esql" else "kuery"), "jsonl"
    else:
        lang, source = "kql", kql_source(text)
    if source is None:
        checker.problems.add(rel, "cannot tell whether it reads the Event Log or the "
                             "JSON lines")
        return
    checker.query(rel, text, lang, source)


def run(root, events_doc, events, names_at_positions):
    problems = Problems()
    doc = EventsDoc(events_doc.read_text(encoding="utf-8"), str(events_doc))
    for line in doc.problems:
        problems.lines.append(line)
    emitted = load_sample(events, problems) if events else None
    if emitted is not None:
        for event_id in sorted(set(doc.names) - set(emitted)):
            problems.add(str(events), f"no record of Event ID {event_id}")
    checker = Checker(doc, emitted, names_at_positions, problems)
    seen_ids = set()
    files = sorted(p for p in (root / "docs" / "soc").rglob("*") if p.is_file())
    if not files:
        problems.add("docs/soc", "no files")
    for path in files:
        check_file(path, str(path.relative_to(root)), checker, seen_ids)
    return problems, len(files)



# ---------------------------------------------------------------- self-test

SELF_DOC = """# events
## Summary
| ID | name | severity | raised when |
|---|---|---|---|
| [110](#110-heartbeat) | `heartbeat` | information | x |
| [200](#200-new-product) | `new-product` | warning | x |
| [403](#403) | `containment-blocked` | warning | x |
## 1xx: lifecycle
### 110 heartbeat
```
host=%1%n
present=%2
```
## 2xx: findings
| param | field | meaning |
|---|---|---|
| 1 | `host` | a |
| 2 | `kind` | b |
| 3 | `tier` | c |
### 200 new-product
| param | field | example |
|---|---|---|
| 1 | `host` | ws |
## 4xx: containment
| param | field | meaning | example |
|---|---|---|---|
| 1 | `host` | a | b |
| 2 | `service` | a | b |
"""

SELF_SAMPLE = [
    {"@timestamp": "t", "event": {"code": "110"}, "host": {"name": "h"},
     "banwatch": {"verdict": {"present": "confirmed"}}},
    {"@timestamp": "t", "event": {"code": "200"}, "host": {"name": "h"},
     "banwatch": {"tier": "likely"}},
    {"@timestamp": "t", "event": {"code": "403"}, "host": {"name": "h"},
     "service": {"name": "AVP"}},
]

SIGMA_GOOD = """title: t
id: 6f1d2c4e-7d5b-4a51-9a3e-0c6c1c2f4b10
status: stable
description: d
references: [docs/events.md]
author: banwatch
date: 2026-11-30
tags: [detection.threat-hunting]
logsource: {product: windows, service: application}
detection:
  selection: {Provider_Name: banwatch, EventID: [200], param3: likely}
  condition: selection
fields: [param2]
falsepositives: [none]
level: high
"""

# (file under docs/soc, content, substring the problem must contain or None)
SELF_CASES = [
    ("sigma/good.yml", SIGMA_GOOD, None),
    ("sigma/nolevel.yml", SIGMA_GOOD.replace("level: high\n", "").replace("6f1d", "7f1d"),
     "lacks 'level'"),
    ("sigma/zdup.yml", SIGMA_GOOD, "is used by another rule too"),
    ("sigma/baduuid.yml", SIGMA_GOOD.replace("6f1d2c4e", "zz1d2c4e"), "is not a UUID"),
    ("sigma/unknownid.yml", SIGMA_GOOD.replace("[200]", "[207]").replace("6f1d", "8f1d"),
     "Event ID 207 is not one banwatch raises"),
    ("sigma/param.yml", SIGMA_GOOD.replace("param3", "param4").replace("6f1d", "9f1d"),
     "Event ID 200 has no %4"),
    ("sigma/provider.yml",
     SIGMA_GOOD.replace("Provider_Name: banwatch", "Provider_Name: other").replace(
         "6f1d", "af1d"), "Provider_Name is not banwatch"),
    ("sigma/cond.yml", SIGMA_GOOD.replace("condition: selection", "condition: sel2").replace(
        "6f1d", "bf1d"), "condition names sel2"),
    ("sigma/prose.yml", SIGMA_GOOD.replace("description: d", "description: 200 has %3 host.")
     .replace("6f1d", "cf1d"), "%3 is named host"),
    ("sigma/broken.yml", "a: [", "not YAML"),
    ("deployment.md",
     "| Event ID | what |\n|---|---|\n| 200 | `%3` kind |\n| 403 | `%2` service |\n",
     "%3 is named kind"),
    ("q/broken.xml", "<a>", "not XML"),
    ("q/broken.json", "{", "not JSON"),
    ("q/stray.txt", "x", "unknown kind of file"),
    ("splunk/queries/ok.spl",
     '``` c ```\nindex=x sourcetype="banwatch:events" event.code=200 | stats count BY '
     "banwatch.tier host.name", None),
    ("splunk/queries/field.spl",
     'index=x sourcetype="banwatch:events" event.code=110 | stats count BY banwatch.tier',
     "field banwatch.tier is not emitted"),
    ("splunk/queries/rex.spl",
     'index=x SourceName=banwatch EventCode=403 | rex field=Message "(?m)^tier=(?<t>.*)"',
     "Event ID 403 has no field tier"),
    ("splunk/queries/nosource.spl", "index=x | stats count", "cannot tell"),
    ("sentinel/queries/pos.kql",
     'Event\n| where Source == "banwatch" and EventID == 200\n'
     "| extend Params = parse_xml(ParameterXml).P.Param\n"
     "| extend bw_tier = tostring(Params[2]), kind = tostring(Params[2])", "is named kind"),
    ("sentinel/queries/range.kql",
     'Event\n| where EventID in (200, 403)\n| extend x = tostring(Params[2])',
     "Event ID 403 has no %3"),
    ("sentinel/queries/noid.kql", "Event\n| extend x = tostring(Params[0])",
     "selects no Event ID"),
    ("sentinel/queries/cl.kql",
     "banwatch_CL\n| where EventCode == 403\n| extend s = tostring(Doc.service.name), "
     "p = tostring(Doc.package.name)", "field package.name is not emitted"),
    ("elastic/queries/ok.esql",
     'FROM logs-banwatch.events-*\n| WHERE event.code == "110"\n'
     "| STATS c = COUNT(*) BY banwatch.verdict.present", None),
    ("elastic/queries/id.kql", 'event.code : ("200" or "999")', "Event ID 999"),
    ("kibana/d.ndjson",
     json.dumps({"type": "visualization", "id": "v", "attributes": {
         "visState": json.dumps({"aggs": [{"params": {"field": "banwatch.nope"}}]})},
         "references": [{"type": "index-pattern", "id": "missing", "name": "r"}]}),
     "field banwatch.nope"),
    ("kibana/e.ndjson",
     json.dumps({"type": "dashboard", "id": "d", "attributes": {}, "references": [
         {"type": "search", "id": "absent", "name": "panel_0"}]}), "which is not in the file"),
]


def self_test():
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        doc = EventsDoc(SELF_DOC, "self")
        expect = {110: {1: "host", 2: "present"}, 200: {1: "host", 2: "kind", 3: "tier"},
                  403: {1: "host", 2: "service"}}
        if doc.params != expect or doc.problems:
            failures.append(f"events doc parsed as {doc.params} {doc.problems}")
        (root / "docs").mkdir()
        (root / "docs" / "events.md").write_text(SELF_DOC, encoding="utf-8")
        sample = root / "sample.jsonl"
        sample.write_text("".join(json.dumps(r) + "\n" for r in SELF_SAMPLE), encoding="utf-8")
        for rel, content, _ in SELF_CASES:
            path = root / "docs" / "soc" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        problems, _ = run(root, root / "docs" / "events.md", sample, True)
        for rel, _, expected in SELF_CASES:
            mine = [p for p in problems.lines if p.startswith(f"docs/soc/{rel}")]
            if expected is None and mine:
                failures.append(f"{rel}: unexpected {mine}")
            if expected is not None and not any(expected in p for p in mine):
                failures.append(f"{rel}: expected a problem with '{expected}', got {mine}")
    for line in failures:
        print(f"self-test: {line}")
    if not failures:
        print(f"check.py self-test: {len(SELF_CASES)} cases behave")
    return 1 if failures else 0

SKIP = 77


def run_with_program(args):
    if not args.events_program:
        print("SKIP: no program writes a sample of banwatch's events (the dump_events "
              "target of tests/ecs is not in this build), so the JSON field names and the "
              "names of insertion-string positions are not checked")
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        sample = pathlib.Path(tmp) / "events.jsonl"
        command = args.emulator + [args.events_program, str(sample)]
        done = subprocess.run(command, check=False)
        if done.returncode != 0:
            print(f"check.py: {' '.join(command)} exited with {done.returncode}")
            return 1
        args.events_program = None
        args.events = sample
        return main_checks(args)


def main_checks(args):
    events_doc = args.events_doc or args.root / "docs" / "events.md"
    problems, count = run(args.root, events_doc, args.events, args.names_at_positions)
    for line in problems.lines:
        print(line)
    if problems.lines:
        print(f"check.py: {len(problems.lines)} problem(s) in docs/soc", file=sys.stderr)
        return 1
    what = "Event IDs, insertion strings" + (" and JSON fields" if args.events else "")
    print(f"check.py: {count} files of docs/soc well-formed; {what} are banwatch's")
    return 0


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=pathlib.Path, help="the repository")
    parser.add_argument("--events", type=pathlib.Path,
                        help="JSON-lines sample: one record of each Event ID as banwatch "
                        "writes it (without it, JSON field names are not checked)")
    parser.add_argument("--events-program", metavar="PROGRAM",
                        help="run PROGRAM (behind --emulator, if given) and use what it "
                        "writes (to the file named as its one argument) as --events; an empty PROGRAM skips "
                        "the check (exit status 77)")
    parser.add_argument("--emulator", action="append", default=[],
                        help="command word to run --events-program with (repeatable)")
    parser.add_argument("--events-doc", type=pathlib.Path,
                        help="the Event ID reference (default: ROOT/docs/events.md)")
    parser.add_argument("--names-at-positions", action="store_true",
                        help="also check that the name a query gives an insertion string "
                        "is the field docs/events.md puts at that position")
    parser.add_argument("--self-test", action="store_true",
                        help="check the checker on content with known faults")
    args = parser.parse_args(argv)
    if args.self_test:
        return self_test()
    if args.root is None:
        parser.error("--root is required")
    if args.events_program is not None:
        return run_with_program(args)
    return main_checks(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
