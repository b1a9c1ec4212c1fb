#!/usr/bin/env python3
"""House style: no assignment inside the condition of an if or a while.

Scans the C sources under a root (service/ by default: every *.c and *.h),
with comments and string and character literals blanked out, finds the
parenthesised condition of every `if`, `else if`, `while` and
`do ... while` (balanced parentheses, across lines) and reports each line
of a condition that holds an assignment operator: `=` or a compound one
(`+=`, `<<=`, ...), never `==`, `!=`, `<=`, `>=`. The header of a `for`
is not a condition and is not checked. An `if` in a macro's body is
checked like any other.

  no-assign-in-cond.py [--root DIR] [--allow FILE]...
      Prints `path:line: assignment inside a condition` for each one and
      exits 1, else prints a one-line summary and exits 0. --allow FILE
      (a path under the root, such as win/main.c; repeatable) leaves that
      file's sites unreported; the summary counts them.
  no-assign-in-cond.py --self-test
      Checks the scanner on embedded snippets that must be caught and
      snippets that must pass; exits 1 if one is misclassified.
"""

import argparse
import contextlib
import io
import os
import re
import sys
import tempfile

# C punctuators that contain '=', longest first (maximal munch); the
# assignments among them are reported, the comparisons are not.
ASSIGNMENTS = {"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="}
OPERATORS = sorted(ASSIGNMENTS | {"==", "!=", "<=", ">=", "<<", ">>", "->",
                                  "++", "--", "&&", "||"},
                   key=len, reverse=True)

KEYWORD = re.compile(r"\b(if|while|for)\b")


def strip(text):
    """Blanks comments and string and character literals (keeping the
    quotes and every newline, so offsets and line numbers still hold)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif text.startswith("//", i):
            j = i
            while j < n and text[j] != "\n":
                if text[j] == "\\" and j + 1 < n and text[j + 1] == "\n":
                    j += 1  # a backslash-newline continues the comment
                j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            body = re.sub(r"[^\n]", " ", text[i + 1:j - 1])
            out.append(c + body + (text[j - 1] if j - 1 > i else ""))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def conditions(code):
    """Yields (start, end) of the text inside the parentheses of each
    if/while condition."""
    for m in KEYWORD.finditer(code):
        if m.group(1) == "for":
            continue
        i = m.end()
        while i < len(code) and code[i].isspace():
            i += 1
        if i >= len(code) or code[i] != "(":
            continue
        depth, j = 0, i
        while j < len(code):
            if code[j] == "(":
                depth += 1
            elif code[j] == ")":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        yield i + 1, j


def assignments(code, start, end):
    """Yields the offset of each assignment operator in code[start:end]."""
    i = start
    while i < end:
        for op in OPERATORS:
            if code.startswith(op, i) and i + len(op) <= end:
                if op in ASSIGNMENTS:
                    yield i
                i += len(op)
                break
        else:
            i += 1


def scan(text):
    """Returns (number of conditions, sorted lines with an assignment)."""
    code = strip(text)
    count, lines = 0, set()
    for start, end in conditions(code):
        count += 1
        for pos in assignments(code, start, end):
            lines.add(code.count("\n", 0, pos) + 1)
    return count, sorted(lines)


def sources(root):
    for top, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if name.endswith((".c", ".h")):
                path = os.path.join(top, name)
                yield path, os.path.relpath(path, root).replace(os.sep, "/")


def check(root, allow):
    allow = {a.replace(os.sep, "/").strip("/") for a in allow}
    files = conds = 0
    found, allowed, seen = [], {}, set()
    for path, rel in sources(root):
        with open(path, encoding="utf-8", errors="replace") as f:
            count, lines = scan(f.read())
        files += 1
        conds += count
        if rel in allow:
            seen.add(rel)
            if lines:
                allowed[rel] = len(lines)
            continue
        found += [(path, line) for line in lines]
    for path, line in found:
        print(f"{path}:{line}: assignment inside a condition")
    for rel in sorted(allow - seen):
        print(f"note: --allow {rel}: no such file under {root}")
    for rel in sorted(seen - set(allowed)):
        print(f"note: --allow {rel}: no assignment inside a condition left; drop the --allow")
    extra = ""
    if allowed:
        extra = "; allowed for now: " + ", ".join(
            f"{rel} ({n})" for rel, n in sorted(allowed.items()))
    if found:
        print(f"no-assign-in-cond: {len(found)} assignment(s) inside a condition "
              f"in {len({p for p, _ in found})} file(s){extra}")
        return 1
    print(f"no-assign-in-cond: {files} files, {conds} conditions, "
          f"no assignment inside a condition{extra}")
    return 0


# Snippets for --self-test: each must be caught (BAD) or pass (GOOD).
BAD = [
    "if ((e = f()) != BW_OK) return e;",
    "while ((rc = step(s)) == SQLITE_ROW) n++;",
    "if (!(p = strdup(x))) return NULL;",
    "} else if ((g = name_any(a, b)) >= 0) {",
    "if (x && (err = g()) != BW_OK) return err;",
    "if ((e = f()) || (e = g())) return e;",
    "if (a &&\n    (e = f(a,\n           b)) != 0)\n  return e;",
    "if(x=1) y();",
    "do { n++; } while ((c = next()) != EOF);",
    "if (n += 1) y();",
    "while (mask <<= 1) n++;",
    "if (v >>= 2) y();",
    "if (a |= b) y();",
    "if (f(a, (b = c))) y();",
    "#define ONE(x) if ((x = 1)) y()",
    "if (s[0] == '=' && (p = s + 1)) y();",
]
GOOD = [
    "if (a == b) y();",
    "if (a != b && c <= d || e >= f) y();",
    "while ((a << 2) == b && c >> 1) n++;",
    "if (p->n == 0) y();",
    "if (strcmp(s, \"a = b\") == 0) y();",
    "if (c == '=' || c == '\\'') y();",
    "puts(\"if (a = b)\");",
    "for (i = 0; i < n; i += 2) y();",
    "for (p = s; (c = *p) != 0; p++) y();",
    "/* if (a = b) */ x = 1;",
    "// while (x = y)\nx = 1;",
    "#if A == B\n#endif",
    "#if defined(X) && X == 1\n#endif",
    "e = f();\nif (e != BW_OK) return e;",
    "notif (a = b); whiley (c = d);",
    "x = (a == b) ? 1 : 2;",
    "if (a)\n  b = c;",
    "while (n-- > 0) y();",
]


def self_test():
    bad = 0
    for snippet in BAD:
        _, lines = scan(snippet)
        if not lines:
            print(f"self-test: not caught: {snippet!r}")
            bad += 1
    for snippet in GOOD:
        _, lines = scan(snippet)
        if lines:
            print(f"self-test: wrongly reported (line {lines[0]}): {snippet!r}")
            bad += 1
    # A multi-line condition is reported at the line of its assignment.
    _, lines = scan("if (a &&\n    (e = f()) != 0)\n  return e;")
    if lines != [2]:
        print(f"self-test: multi-line condition reported at {lines}, want [2]")
        bad += 1
    # A tree: a site fails the check, unless its file is allowed.
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "win"))
        with open(os.path.join(root, "win", "bad.c"), "w") as f:
            f.write("void f(void)\n{\n    if ((e = g()) != 0)\n        h();\n}\n")
        with open(os.path.join(root, "good.h"), "w") as f:
            f.write("#define OK(e) ((e) == 0)\n")
        for allow, want in (([], 1), (["win/bad.c"], 0)):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                rc = check(root, allow)
            text = out.getvalue()
            if rc != want or (want and "bad.c:3: assignment inside a condition" not in text):
                print(f"self-test: tree with --allow {allow}: exit {rc}, want {want}:")
                print(text, end="")
                bad += 1
    total = len(BAD) + len(GOOD) + 3
    print(f"no-assign-in-cond self-test: {total - bad} of {total} checks passed")
    return 1 if bad else 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Reports assignments inside if/while conditions.")
    ap.add_argument("--root", default=os.path.join(here, "..", "..", "service"),
                    help="directory scanned for *.c and *.h (default: service/)")
    ap.add_argument("--allow", action="append", default=[], metavar="FILE",
                    help="a file under the root whose sites are not reported (repeatable)")
    ap.add_argument("--self-test", action="store_true",
                    help="check the scanner on embedded snippets")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    if not os.path.isdir(args.root):
        print(f"no-assign-in-cond: {args.root}: not a directory", file=sys.stderr)
        return 2
    return check(os.path.normpath(args.root), args.allow)


if __name__ == "__main__":
    sys.exit(main())
