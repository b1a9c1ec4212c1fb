#!/usr/bin/env python3
"""check-admx.py - holds policies/banwatch.admx and en-US/banwatch.adml to
each other and to the Group Policy values the service reads.

Checks:
  - both files are well-formed XML in the PolicyDefinitions namespace; the
    ADMX's target prefix is "banwatch", its category "banwatch" exists and
    every policy is a machine policy under SOFTWARE\\Policies\\banwatch (the
    key of BW_GP_KEY_PATH in service/core/bw_gpo.h);
  - every $(string.X) and $(presentation.X) of the ADMX is in the ADML, every
    refId of a presentation names an element of its policy, every
    parentCategory and supportedOn ref is defined, and every string of the
    ADML is used;
  - the registry values the ADMX writes (name and type) are exactly the
    values of the service's one table, bw_gp_settings in
    service/core/bw_gpo.c (between "gp-settings-begin" and
    "gp-settings-end"), with the same types.

Usage: check-admx.py --root REPO [--self-test]
Exit 0 when all hold; 1 with one line per problem otherwise.
"""
import argparse
import os
import re
import sys
import tempfile
import xml.etree.ElementTree as ET

NS = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"
Q = "{%s}" % NS
REF = re.compile(r"^\$\((string|presentation)\.([A-Za-z0-9_.-]+)\)$")


def parse(path, problems):
    try:
        return ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        problems.append("%s: not well-formed XML: %s" % (path, e))
        return None


def c_table(path, problems):
    """{value name: REG_DWORD|REG_SZ} from bw_gp_settings, and the key."""
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as e:
        problems.append("%s: %s" % (path, e))
        return {}, None
    m = re.search(r"/\* gp-settings-begin \*/(.*?)/\* gp-settings-end \*/", text, re.S)
    if not m:
        problems.append("%s: no table between gp-settings-begin and gp-settings-end" % path)
        return {}, None
    values = {}
    for name, kind in re.findall(r'\{\s*"(\w+)"\s*,\s*BW_GP_REG_(DWORD|SZ)\b', m.group(1)):
        if name in values:
            problems.append("%s: value %s is in the table twice" % (path, name))
        values[name] = "REG_" + kind
    if not values:
        problems.append("%s: the table names no values" % path)
    header = os.path.join(os.path.dirname(path), "bw_gpo.h")
    key = None
    try:
        k = re.search(r'#define BW_GP_KEY_PATH\s+"([^"]+)"', open(header, encoding="utf-8").read())
        key = k.group(1).replace("\\\\", "\\") if k else None
    except OSError as e:
        problems.append("%s: %s" % (header, e))
    if not key:
        problems.append("%s: no BW_GP_KEY_PATH" % header)
    return values, key


def value_type(values_el):
    """REG_SZ or REG_DWORD for an <enabledValue>/<value> holding one value."""
    for child in values_el:
        if child.tag == Q + "string":
            return "REG_SZ"
        if child.tag == Q + "decimal":
            return "REG_DWORD"
        if child.tag == Q + "longDecimal":
            return "REG_QWORD"
    return None


def admx_values(pol, problems, where):
    """[(value name, type)] a policy writes."""
    out = []
    if pol.get("valueName"):
        kinds = {value_type(v) for tag in ("enabledValue", "disabledValue")
                 for v in pol.findall(Q + tag)}
        kinds.discard(None)
        if len(kinds) != 1:
            problems.append("%s: valueName %s needs enabledValue/disabledValue of one type"
                            % (where, pol.get("valueName")))
        else:
            out.append((pol.get("valueName"), kinds.pop()))
    elements = pol.find(Q + "elements")
    for el in (elements if elements is not None else []):
        name = el.get("valueName")
        tag = el.tag[len(Q):]
        if not name:
            problems.append("%s: element %s has no valueName" % (where, el.get("id")))
            continue
        if tag == "decimal":
            kind = "REG_SZ" if el.get("storeAsText") == "true" else "REG_DWORD"
        elif tag == "text":
            kind = "REG_EXPAND_SZ" if el.get("expandable") == "true" else "REG_SZ"
        elif tag == "boolean":
            kind = "REG_DWORD"
        elif tag == "enum":
            kinds = {value_type(v) for item in el.findall(Q + "item")
                     for v in item.findall(Q + "value")}
            kinds.discard(None)
            if len(kinds) != 1:
                problems.append("%s: enum %s must write one type" % (where, name))
                continue
            kind = kinds.pop()
        else:
            problems.append("%s: element <%s> is not one the service reads" % (where, tag))
            continue
        out.append((name, kind))
    return out


def refs_in(root):
    """Every $(string.X) / $(presentation.X) used in the ADMX, as (kind, id, where)."""
    found = []
    for el in root.iter():
        for attr, val in el.attrib.items():
            if "$(" in val:
                m = REF.match(val)
                if not m:
                    found.append(("bad", val, el.tag))
                else:
                    found.append((m.group(1), m.group(2), "%s@%s" % (el.tag[len(Q):], attr)))
    return found


def check(root_dir):
    problems = []
    admx_path = os.path.join(root_dir, "policies", "banwatch.admx")
    adml_path = os.path.join(root_dir, "policies", "en-US", "banwatch.adml")
    c_path = os.path.join(root_dir, "service", "core", "bw_gpo.c")
    admx = parse(admx_path, problems)
    adml = parse(adml_path, problems)
    table, key = c_table(c_path, problems)
    if admx is None or adml is None:
        return problems
    if admx.tag != Q + "policyDefinitions":
        problems.append("%s: the root is %s, not policyDefinitions in %s" % (admx_path, admx.tag, NS))
    if adml.tag != Q + "policyDefinitionResources":
        problems.append("%s: the root is %s, not policyDefinitionResources in %s"
                        % (adml_path, adml.tag, NS))
    target = admx.find(Q + "policyNamespaces/" + Q + "target")
    if target is None or target.get("prefix") != "banwatch" or not target.get("namespace"):
        problems.append("%s: policyNamespaces needs <target prefix=\"banwatch\" namespace=...>" % admx_path)

    strings = {s.get("id"): (s.text or "") for s in adml.iter(Q + "string")}
    presentations = {p.get("id"): p for p in adml.iter(Q + "presentation")}
    if adml.find(".//" + Q + "stringTable") is None or adml.find(".//" + Q + "presentationTable") is None:
        problems.append("%s: needs a stringTable and a presentationTable" % adml_path)

    used_strings = set()
    for kind, ident, where in refs_in(admx):
        if kind == "bad":
            problems.append("%s: malformed reference %s (%s)" % (admx_path, ident, where))
        elif kind == "string":
            used_strings.add(ident)
            if ident not in strings:
                problems.append("%s: $(string.%s) (%s) is not in %s" % (admx_path, ident, where, adml_path))
            elif not strings[ident].strip():
                problems.append("%s: string %s is empty" % (adml_path, ident))
        elif ident not in presentations:
            problems.append("%s: $(presentation.%s) (%s) is not in %s" % (admx_path, ident, where, adml_path))
    for ident in sorted(set(strings) - used_strings):
        problems.append("%s: string %s is not used by %s" % (adml_path, ident, admx_path))

    categories = {c.get("name") for c in admx.iter(Q + "category")}
    if "banwatch" not in categories:
        problems.append("%s: no category \"banwatch\"" % admx_path)
    supported = {d.get("name") for d in admx.iter(Q + "definition")}
    if not supported:
        problems.append("%s: no supportedOn definition" % admx_path)

    written = {}
    used_presentations = set()
    for pol in admx.iter(Q + "policy"):
        name = pol.get("name")
        where = "%s: policy %s" % (admx_path, name)
        if pol.get("class") != "Machine":
            problems.append("%s: class must be Machine (the service reads HKLM)" % where)
        if key and pol.get("key") != key:
            problems.append("%s: key %s, the service reads %s" % (where, pol.get("key"), key))
        for ref_tag, known, what in (("parentCategory", categories, "category"),
                                     ("supportedOn", supported, "supportedOn definition")):
            el = pol.find(Q + ref_tag)
            if el is None or el.get("ref") not in known:
                problems.append("%s: %s ref %s is not a defined %s"
                                % (where, ref_tag, None if el is None else el.get("ref"), what))
        for attr in ("displayName", "explainText"):
            if not pol.get(attr):
                problems.append("%s: no %s" % (where, attr))
        elements = pol.find(Q + "elements")
        ids = {el.get("id") for el in (elements if elements is not None else [])}
        pres = pol.get("presentation")
        if ids and not pres:
            problems.append("%s: has elements but no presentation" % where)
        if pres:
            m = REF.match(pres)
            p = presentations.get(m.group(2)) if m else None
            if p is not None:
                used_presentations.add(m.group(2))
                refs = {c.get("refId") for c in p if c.get("refId")}
                for r in sorted(refs - ids):
                    problems.append("%s: presentation refId %s is no element of the policy" % (where, r))
                for i in sorted(ids - refs):
                    problems.append("%s: element %s has no control in its presentation" % (where, i))
        for vname, vtype in admx_values(pol, problems, where):
            if vname in written:
                problems.append("%s: value %s is also written by policy %s" % (where, vname, written[vname][1]))
            written[vname] = (vtype, name)
    for ident in sorted(set(presentations) - used_presentations):
        problems.append("%s: presentation %s is not used by %s" % (adml_path, ident, admx_path))

    for vname in sorted(set(written) - set(table)):
        problems.append("%s: writes %s, which the service does not read (bw_gp_settings in %s)"
                        % (admx_path, vname, c_path))
    for vname in sorted(set(table) - set(written)):
        problems.append("%s: the service reads %s, which no policy of %s writes"
                        % (c_path, vname, admx_path))
    for vname in sorted(set(table) & set(written)):
        if table[vname] != written[vname][0]:
            problems.append("%s: %s is written as %s, the service reads %s"
                            % (admx_path, vname, written[vname][0], table[vname]))
    return problems


def self_test(root_dir):
    """The check finds what it is meant to: a copy of the repository's files
    with one fault at a time."""
    import shutil
    faults = [
        ("policies/banwatch.admx", 'valueName="ScanInterval"', 'valueName="ScanIntervall"',
         "ScanIntervall, which the service does not read"),
        ("policies/banwatch.admx", "$(string.Cutoff_Help)", "$(string.Cutoff_Hlp)",
         "$(string.Cutoff_Hlp)"),
        ("policies/banwatch.admx", '<decimal id="StaleAfterDays" valueName="StaleAfterDays"',
         '<text id="StaleAfterDays" valueName="StaleAfterDays"', "StaleAfterDays is written as REG_SZ"),
        ("policies/en-US/banwatch.adml", 'refId="PolicyFile"', 'refId="PolicyFil"',
         "refId PolicyFil"),
        ("policies/en-US/banwatch.adml", "</stringTable>", "</stringTabl>", "not well-formed"),
        ("service/core/bw_gpo.c", '{"JsonLines", BW_GP_REG_DWORD', '{"JsonLine", BW_GP_REG_DWORD',
         "writes JsonLines, which the service does not read"),
        ("policies/banwatch.admx", 'class="Machine" displayName="$(string.Cutoff)"',
         'class="User" displayName="$(string.Cutoff)"', "class must be Machine"),
    ]
    failed = 0
    if check(root_dir):
        print("self-test: the repository itself does not pass")
        return 1
    for rel, old, new, want in faults:
        with tempfile.TemporaryDirectory() as tmp:
            for f in ("policies/banwatch.admx", "policies/en-US/banwatch.adml",
                      "service/core/bw_gpo.c", "service/core/bw_gpo.h"):
                os.makedirs(os.path.dirname(os.path.join(tmp, f)), exist_ok=True)
                shutil.copy(os.path.join(root_dir, f), os.path.join(tmp, f))
            path = os.path.join(tmp, rel)
            text = open(path, encoding="utf-8").read()
            if old not in text:
                print("self-test: %s no longer holds %r" % (rel, old))
                failed += 1
                continue
            open(path, "w", encoding="utf-8").write(text.replace(old, new, 1))
            problems = check(tmp)
            if not any(want in p for p in problems):
                print("self-test: %s with %r -> %r: no problem mentioning %r (got %s)"
                      % (rel, old, new, want, problems))
                failed += 1
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        return self_test(args.root)
    problems = check(args.root)
    for p in problems:
        print(p)
    if not problems:
        print("banwatch.admx, banwatch.adml and bw_gp_settings agree")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
