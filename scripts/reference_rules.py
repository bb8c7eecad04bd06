"""reference_rules: where reference/ keeps each rule of the contract.

A rule is kept by a function when a comment that names it (R<n>) is inside
the function's body or ends just above its definition; a comment anywhere
else (a file's header, above a struct) keeps nothing.  scripts/docs and
scripts/catalogue both read the tree through this module, so they name
the same functions.

As a program: "reference_rules.py DIR" prints one line per rule and
function, "R<n> FILE FUNCTION LINE", LINE being the definition's.
"""
import glob
import os
import re
import sys

FUNC_DEF = re.compile(r'^(?:static\s+)?[a-z_][\w\s\*]*?\b(\w+)\(([^;]*)$')
RULE_REF = re.compile(r'\bR(\d+)\b')


def reference_functions(directory):
    """rule -> sorted [(file, function)]: a comment naming the rule that is
    inside a function, or ends just above its definition."""
    return {r: sorted({(f, fn) for f, fn, _ in v})
            for r, v in reference_places(directory).items()}


def reference_places(directory):
    """rule -> sorted [(file, function, line of its definition)]."""
    found = {}
    for path in sorted(glob.glob(os.path.join(directory, '*.c'))):
        with open(path, encoding='utf-8') as f:
            lines = f.read().split('\n')
        depth, func, start, pending = 0, None, 0, set()
        in_comment = False
        for i, line in enumerate(lines):
            text = line
            comment_line = in_comment or '/*' in line
            if comment_line:
                refs = {int(r) for r in RULE_REF.findall(line)}
                if depth > 0 and func:
                    for r in refs:
                        found.setdefault(r, set()).add((os.path.basename(path), func, start))
                else:
                    pending |= refs
                in_comment = '*/' not in line or line.rfind('/*') > line.rfind('*/')
                text = line.split('/*')[0] if '/*' in line else ''
            if depth == 0:
                m = FUNC_DEF.match(line)
                if m and '(' in line:
                    func, start = m.group(1), i + 1
                    for r in pending:
                        found.setdefault(r, set()).add((os.path.basename(path), func, start))
                    pending = set()
                elif not comment_line:
                    # Anything between a comment and a definition (a blank
                    # line, an #include, a declaration) ends the comment's
                    # claim: a file's header keeps no function.
                    pending = set()
            depth += text.count('{') - text.count('}')
            if depth == 0 and '}' in text:
                func = None
    return {r: sorted(v) for r, v in found.items()}


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: reference_rules.py DIR')
    for rule, places in sorted(reference_places(sys.argv[1]).items()):
        for path, func, line in places:
            print('R%d %s %s %d' % (rule, path, func, line))
