#!/bin/sh
# check-includes.sh [--root DIR] - fail (exit 1) when the quoted #include
# lines of backend/, wizard/, screens/, lab/ and app/ form a cycle or go in
# a direction the layering does not allow; print the offending chain.
# Prints "include check: N files, no cycle" when all is well.
#
# Allowed directions between folders (a folder may always use itself):
#   app/            -> screens/, wizard/, backend/   (the program's main)
#   screens/        -> wizard/, backend/
#   wizard/         -> backend/
#   lab/            -> backend/core (its PKI and protocol code are its own:
#                      it checks the client, so it must not share its logic)
#   backend/stages/ -> backend/core, sys, pki, adcs, mgmt, windows
#   backend/adcs/, mgmt/ -> backend/pki, sys, core
#   backend/pki/, windows/ -> backend/sys, core
#   backend/sys/    -> backend/core
#   backend/core/   -> nothing
# Files: a header and the .c files that define what it declares are one
# unit; no chain of includes may lead from a unit back to itself (e.g. a
# router whose header the screens it calls include again).
#
# Includes resolve like the compiler's: the including file's folder, then
# the Makefile's -I folders ("core/x.h" is backend/core/x.h).  --root runs
# the check on another tree (tests/data/include-cycle/ holds trees that
# must fail).
exec python3 - "$0" "$@" <<'PYTHON'
import os, re, sys

FOLDERS = ["backend", "wizard", "screens", "lab", "app"]
BACKEND = ["backend/core", "backend/sys", "backend/pki", "backend/adcs",
           "backend/mgmt", "backend/windows", "backend/stages"]
ALLOWED = {
    "app": ["screens", "wizard"] + BACKEND,
    "screens": ["wizard"] + BACKEND,
    "wizard": BACKEND,
    "lab": ["backend/core"],
    "backend/stages": ["backend/core", "backend/sys", "backend/pki",
                       "backend/adcs", "backend/mgmt", "backend/windows"],
    "backend/adcs": ["backend/pki", "backend/sys", "backend/core"],
    "backend/mgmt": ["backend/pki", "backend/sys", "backend/core"],
    "backend/pki": ["backend/sys", "backend/core"],
    "backend/windows": ["backend/sys", "backend/core"],
    "backend/sys": ["backend/core"],
    "backend/core": [],
}
def usage():
    sys.stderr.write("usage: check-includes.sh [--root DIR]\n")
    sys.exit(2)

args = sys.argv[2:]
root = os.path.normpath(os.path.join(os.path.dirname(sys.argv[1]), ".."))
while args:
    if args[0] == "--root" and len(args) > 1:
        root = args[1]
        args = args[2:]
    else:
        usage()
root = os.path.abspath(root)

def include_dirs():
    """The Makefile's relative -I folders, else the product folders."""
    mk = os.path.join(root, "Makefile")
    dirs = []
    if os.path.exists(mk):
        for d in re.findall(r"-I([A-Za-z][\w./-]*)", open(mk).read()):
            if d not in dirs:
                dirs.append(d)
    return dirs or [f for f in FOLDERS if os.path.isdir(os.path.join(root, f))]

def sources():
    out = []
    for top in FOLDERS:
        for d, subdirs, files in os.walk(os.path.join(root, top)):
            subdirs.sort()
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(d, f), root))
    return out

def folder(path):
    parts = path.split(os.sep)
    if parts[0] == "backend" and len(parts) > 2:
        return "backend/" + parts[1]
    return parts[0]

def strip(text):
    """Comments, string and character literals, preprocessor lines out."""
    text = re.sub(r"\\\n", " ", text)
    text = re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                  lambda m: " " if m.group(0)[0] == "/" else '""', text,
                  flags=re.S)
    return re.sub(r"^[ \t]*#[^\n]*", "", text, flags=re.M)

def statements(text):
    """Top-level statements; a function body ends its definition."""
    out, cur, depth, i = [], [], 0, 0
    while i < len(text):
        c = text[i]
        if c == "{":
            head = "".join(cur)
            if depth == 0 and re.search(r"\)\s*$", head) and "=" not in head:
                out.append(("def", head))
                cur = []
                depth, i = 1, i + 1
                while i < len(text) and depth:
                    depth += {"{": 1, "}": -1}.get(text[i], 0)
                    i += 1
                continue
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == ";" and depth == 0:
            out.append(("decl", "".join(cur)))
            cur = []
            i += 1
            continue
        elif depth == 0:
            cur.append(c)
        i += 1
    return out

IDENT = r"[A-Za-z_]\w*"

def called(st):
    """The names before a "(" outside parentheses: the function a
    prototype or definition names (macro calls in capitals are passed)."""
    out, depth = [], 0
    for m in re.finditer(r"(" + IDENT + r")?\s*([()])", st):
        if m.group(2) == "(":
            name = m.group(1)
            if depth == 0 and name and name != "__attribute__" and \
                    not re.fullmatch(r"[A-Z0-9_]+", name):
                out.append(name)
            depth += 1
        else:
            depth = max(depth - 1, 0)
    return out

def names(path, want_defs):
    """Names a header declares, or a .c file defines (not static)."""
    found = set()
    for kind, st in statements(strip(open(os.path.join(root, path)).read())):
        st = " ".join(st.split())
        if not st or st.startswith(("typedef", "static")):
            continue
        if want_defs:
            if kind == "def":
                found.update(called(st)[:1])
            else:
                m = re.search(r"(" + IDENT + r")\s*(?:\[[^\]]*\])?\s*=", st)
                if m:
                    found.add(m.group(1))
        elif kind == "decl":
            if "(" in st:
                found.update(called(st)[:1])
            elif st.startswith("extern"):
                for part in st.split(","):
                    m = re.search(r"(" + IDENT + r")\s*(?:\[[^\]]*\])?\s*$", part)
                    if m:
                        found.add(m.group(1))
    return found

INC = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"]+)"', re.M)

def resolve(path, name, idirs):
    for d in [os.path.dirname(path)] + idirs:
        cand = os.path.normpath(os.path.join(d, name))
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None

def cycle_in(nodes, edges):
    """One cycle (list of nodes, first repeated last) or None."""
    state = {}
    for start in sorted(nodes):
        if state.get(start):
            continue
        stack, path = [(start, iter(sorted(edges.get(start, ()))))], [start]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, iter(sorted(edges.get(nxt, ())))))
                path.append(nxt)
    return None

files = sources()
idirs = include_dirs()
problems = []
incs = {}
for f in files:
    incs[f] = []
    for name in INC.findall(open(os.path.join(root, f)).read()):
        target = resolve(f, name, idirs)
        if target is None:
            problems.append('%s: cannot find "%s"' % (f, name))
        elif target in files:
            incs[f].append(target)

# -- folders: every edge in an allowed direction, no cycle ----------------
fedges = {}
for f in files:
    for t in incs[f]:
        a, b = folder(f), folder(t)
        if a == b:
            continue
        if a in ALLOWED and b not in ALLOWED[a]:
            ok = [x for x in ALLOWED[a] if x not in BACKEND]
            ok += ["backend"] if set(BACKEND) <= set(ALLOWED[a]) else \
                [x for x in ALLOWED[a] if x in BACKEND]
            problems.append("%s includes %s: %s/ may include only %s" %
                            (f, t, a, ", ".join(x + "/" for x in ok)
                             or "itself"))
        fedges.setdefault(a, set()).add(b)
cyc = cycle_in(set(fedges) | {b for s in fedges.values() for b in s}, fedges)
if cyc:
    problems.append("include cycle between folders: " + " -> ".join(cyc))

# -- files: a header and the .c files that define it are one unit ---------
unit = {f: f for f in files}
def find(x):
    while unit[x] != x:
        unit[x] = unit[unit[x]]
        x = unit[x]
    return x
declared = {h: names(h, False) for h in files if h.endswith(".h")}
for c in (f for f in files if f.endswith(".c")):
    defs = names(c, True)
    for h in incs[c]:
        if h.endswith(".h") and declared.get(h, set()) & defs:
            unit[find(c)] = find(h)
why, uedges = {}, {}
for f in files:
    for t in incs[f]:
        a, b = find(f), find(t)
        if a != b:
            uedges.setdefault(a, set()).add(b)
            why.setdefault((a, b), "%s includes %s" % (f, t))
cyc = cycle_in(set(unit.values()), uedges)
if cyc:
    members = {}
    for f in files:
        members.setdefault(find(f), []).append(f)
    steps = ["%s (%s)" % (why[(a, b)], ", ".join(
        m for m in members[b] if m.endswith(".c")) or "header only")
        for a, b in zip(cyc, cyc[1:])]
    problems.append("include cycle between files: " + "; ".join(steps))

if os.environ.get("INCLUDE_CHECK_UNITS"):
    for u in sorted(set(unit.values())):
        print("unit %s: %s -> %s" % (u, " ".join(f for f in files if find(f) == u),
                                    " ".join(sorted(uedges.get(u, ())))))
for p in problems:
    print("include check: " + p)
if problems:
    print("include check: %d files, %d problem%s" %
          (len(files), len(problems), "" if len(problems) == 1 else "s"))
    sys.exit(1)
print("include check: %d files, no cycle" % len(files))
PYTHON
