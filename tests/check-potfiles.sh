#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every file with translatable strings must be listed in po/POTFILES.in, or
# its strings silently never reach translators.
set -eu
root=$1
cd "$root"
missing=0
for f in $(git ls-files 'src/*.c' 'src/*.ui' 'data/*.in' 'data/*.xml' 2>/dev/null || find src data -name '*.c' -o -name '*.ui' -o -name '*.in' -o -name '*.xml'); do
  if grep -qE '(_\(|N_\(|translatable="yes")' "$f" 2>/dev/null || case "$f" in *.desktop.in.in|*.metainfo.xml.in.in|*.gschema.xml) true;; *) false;; esac; then
    grep -qxF "$f" po/POTFILES.in || { echo "not in po/POTFILES.in: $f"; missing=1; }
  fi
done
exit $missing
