#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Print each non-static function the overlay adds without kernel-doc.

    kernel-doc-coverage.py KTREE FILE...

FILE is a C file of the prepared tree KTREE (tag "base" is the pristine
kernel). A function is added when the base's version of FILE does not
define it; a base function whose signature the overlay changes keeps
the comment style of its file. KUnit files (*_test.c) are left out.
scripts/kernel-doc only checks the comments that exist: this finds the
ones that do not.
"""

import re
import subprocess
import sys

# A definition starts at column 0: [type] name(..., not static.
DEFINITION = re.compile(r'^(?!static\b|typedef\b|extern\b)'
                        r'(?:[A-Za-z_][\w \t*]*?[ \t*])?'
                        r'([A-Za-z_]\w*)\(')


def definitions(lines):
    """Yield (index, name) of each function defined at file scope."""
    for i, line in enumerate(lines):
        match = DEFINITION.match(line)
        if not match or line.startswith(('#', '{', '}')):
            continue
        # The body's brace opens at column 0 before any statement ends.
        for following in lines[i:i + 10]:
            if ';' in following:
                break
            if following.startswith('{'):
                yield i, match.group(1)
                break


def documented(lines, index, name):
    """Whether a /** comment naming the function ends just above it."""
    above = index - 1
    # A return type on a line of its own: "struct foo *\nname(...)".
    if above >= 0 and not lines[above].rstrip().endswith('*/') and \
            lines[above] and not lines[above].startswith((' ', '\t', '}')):
        above -= 1
    if above < 0 or not lines[above].rstrip().endswith('*/'):
        return False
    start = above
    while start >= 0 and not lines[start].startswith('/*'):
        start -= 1
    if start < 0 or not lines[start].startswith('/**'):
        return False
    return re.search(r'\b%s\b' % re.escape(name),
                     '\n'.join(lines[start:above + 1])) is not None


def base_names(ktree, path):
    """Names of the functions the base's version of path defines."""
    show = subprocess.run(['git', '-C', ktree, 'show', 'base:' + path],
                          capture_output=True, text=True, check=False)
    if show.returncode:
        return set()
    return {name for _, name in definitions(show.stdout.split('\n'))}


def main():
    """Report, and fail on, every undocumented added function."""
    if len(sys.argv) < 2:
        sys.exit('usage: kernel-doc-coverage.py KTREE FILE...')
    ktree, paths = sys.argv[1], sys.argv[2:]
    missing = 0
    for path in paths:
        if not path.endswith('.c') or path.endswith('_test.c'):
            continue
        with open('%s/%s' % (ktree, path), encoding='utf-8') as source:
            lines = source.read().split('\n')
        known = base_names(ktree, path)
        for index, name in definitions(lines):
            if name in known or documented(lines, index, name):
                continue
            print('%s:%d: %s() has no kernel-doc comment' %
                  (path, index + 1, name))
            missing += 1
    sys.exit(1 if missing else 0)


if __name__ == '__main__':
    main()
