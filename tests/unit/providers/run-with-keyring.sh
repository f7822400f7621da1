#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a test inside its own D-Bus session with its own GNOME Keyring, so
# the Secret Service path is tested headless and never touches the
# developer's keyring. A non-empty password: with an empty one the daemon
# asks a (graphical) prompter to create the login keyring.
set -eu

dir=$(mktemp -d "${TMPDIR:-/tmp}/sero-keyring-XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir -m 0700 "$dir/run"

# The bus and the daemons it starts write chatter to stdout, which would
# corrupt the test's TAP: they get stderr, and the test alone gets the
# real stdout (fd 3).
status=0
XDG_DATA_HOME="$dir/data" XDG_RUNTIME_DIR="$dir/run" \
  dbus-run-session -- sh -c '
    printf sero-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$@" >&3 3>&-' sh "$@" 3>&1 >&2 || status=$?
exit "$status"
