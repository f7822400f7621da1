#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in for Apple's /usr/local/bin/container, for tests on Linux.

It keeps its state in $FAKE_CONTAINER_STATE/state.json and appends every
invocation to calls.log there (one JSON array of arguments a line). It
answers with the JSON shapes and error texts of the real CLI as the
reference (§2) describes them. Knobs in the state file, all optional:

  system_running       false: every verb but `system` fails with the XPC
                       "Connection invalid" error until `system start`
  system_start_fails   `system start` fails
  status_error         `system status` fails with this unexplained text
  containers           {id: {status, labels, mounts: [[src, dst, opts]],
                       image, published}}
  fail_start           ids whose `start` fails
  ghosts               ids whose config.json is gone: inspect and delete
                       fail with the ghost errors until their storage
                       folder ($SERO_APPLE_CONTAINER_STORAGE/<id>) is
                       removed and the system restarted
  reserved             stale names: inspect says "not found", run says
                       "already exists", until a delete
  appear_on_run        {id: container or {"ghost": true}}: someone takes
                       the name just before our `run` ("already exists")
  run_error            `run` fails with this text
  images               names `image list` shows (default sero-node)

Provisioning (`exec -i ID sh -s`) is recorded as the container's
"provision" instead of being run. Any other exec runs the command here on
the host, with the --env variables and /workspace mapped to its source,
so exit codes, output and timeouts behave as they would.
"""
import json
import os
import subprocess
import sys

state_dir = os.environ["FAKE_CONTAINER_STATE"]
state_path = os.path.join(state_dir, "state.json")
storage = os.environ.get("SERO_APPLE_CONTAINER_STORAGE", os.path.join(state_dir, "storage"))

XPC_ERROR = 'Error: interrupted: "XPC connection error: Connection invalid"'


def load():
    try:
        with open(state_path) as f:
            state = json.load(f)
    except FileNotFoundError:
        state = {}
    state.setdefault("system_running", True)
    state.setdefault("containers", {})
    for key in ("fail_start", "ghosts", "reserved"):
        state.setdefault(key, [])
    state.setdefault("appear_on_run", {})
    state.setdefault("images", ["sero-node"])
    return state


def save(state):
    with open(state_path + ".tmp", "w") as f:
        json.dump(state, f, indent=2)
    os.replace(state_path + ".tmp", state_path)


def fail(message, code=1):
    sys.stderr.write(message + "\n")
    sys.exit(code)


def inspect_document(cid, c):
    running = c["status"] == "running"
    configuration = {
        "id": cid,
        "labels": c.get("labels", {}),
        "mounts": [{"source": m[0], "destination": m[1], "options": m[2:] if len(m) > 2 else []}
                   for m in c.get("mounts", [])],
        "image": {"reference": c.get("image", "sero-node:latest")},
        "resources": {"cpus": 2, "memoryInBytes": 1073741824},
    }
    if c.get("published"):
        configuration["publishedPorts"] = c["published"]
    document = {"status": c["status"], "configuration": configuration,
                "networks": [{"ipv4Address": "192.168.64.7/24"}] if running else []}
    if running:
        # Seconds since 2001-01-01, as Foundation encodes a Date.
        document["startedDate"] = 760000000.5
    return document


def parse_volume(spec):
    parts = spec.split(":")
    return parts


args = sys.argv[1:]
with open(os.path.join(state_dir, "calls.log"), "a") as log:
    log.write(json.dumps(args) + "\n")

state = load()
verb = args[0] if args else ""

if verb == "--help":
    print("USAGE: container <subcommand>")
    sys.exit(0)

if verb == "system":
    sub = args[1]
    if sub == "status":
        if state.get("status_error"):
            fail(state["status_error"])
        if state["system_running"]:
            print("apiserver is running")
            sys.exit(0)
        print("apiserver is not running and not registered with launchd")
        sys.exit(1)
    if sub == "start":
        if state.get("system_start_fails"):
            fail("Error: failed to bootstrap the apiserver: launchd refused the service")
        if not state["system_running"]:
            # A restart re-reads storage: ghosts whose folder is gone vanish.
            state["ghosts"] = [g for g in state["ghosts"] if os.path.isdir(os.path.join(storage, g))]
            for c in state["containers"].values():
                c["status"] = "stopped"
        state["system_running"] = True
        save(state)
        sys.exit(0)
    if sub == "stop":
        state["system_running"] = False
        save(state)
        sys.exit(0)
    fail("Error: unknown system command " + sub)

if not state["system_running"]:
    fail(XPC_ERROR)

containers = state["containers"]


def ghost_inspect_error(cid):
    return ('Error: internalError: "failed to read the configuration of ' + cid +
            ': The file \u201cconfig.json\u201d couldn\u2019t be opened because there is no such file."')


if verb == "inspect":
    cid = args[1]
    if cid in state["ghosts"]:
        fail(ghost_inspect_error(cid))
    if cid not in containers:
        fail("Error: notFound: \"container " + cid + " not found\"")
    print(json.dumps([inspect_document(cid, containers[cid])]))
    sys.exit(0)

if verb == "run":
    cid = args[args.index("--name") + 1]
    if cid in state["appear_on_run"]:
        other = state["appear_on_run"].pop(cid)
        if other.get("ghost"):
            state["ghosts"].append(cid)
            os.makedirs(os.path.join(storage, cid), exist_ok=True)
        else:
            containers[cid] = other
        save(state)
    if cid in containers or cid in state["ghosts"] or cid in state["reserved"]:
        fail("Error: exists: \"container with id " + cid + " already exists\"")
    if state.get("run_error"):
        fail(state["run_error"])
    labels, mounts = {}, []
    i = 1
    while i < len(args) and args[i].startswith("-"):
        flag = args[i]
        if flag in ("-d", "--ssh", "--detach"):
            i += 1
            continue
        value = args[i + 1]
        if flag == "--label":
            k, _, v = value.partition("=")
            labels[k] = v
        elif flag == "--volume":
            mounts.append(parse_volume(value))
        i += 2
    image = args[i]
    containers[cid] = {"status": "running", "labels": labels, "mounts": mounts, "image": image}
    save(state)
    print(cid)
    sys.exit(0)

if verb == "start":
    cid = args[1]
    if cid in state["fail_start"]:
        fail("Error: internalError: \"failed to bootstrap container " + cid + ": vmnet error\"")
    if cid not in containers:
        fail("Error: notFound: \"container " + cid + " not found\"")
    containers[cid]["status"] = "running"
    save(state)
    sys.exit(0)

if verb == "stop":
    if args[1] in containers:
        containers[args[1]]["status"] = "stopped"
        save(state)
    sys.exit(0)

if verb == "delete":
    cid = args[-1]
    if cid in state["ghosts"]:
        fail("Error: internalError: \"failed to delete container " + cid +
             ": config.json: No such file or directory\"")
    if cid in state["reserved"]:
        state["reserved"].remove(cid)
        save(state)
        sys.exit(0)
    if cid not in containers:
        fail("Error: notFound: \"container " + cid + " not found\"")
    del containers[cid]
    save(state)
    print(cid)
    sys.exit(0)

if verb == "list":
    print(json.dumps([{"configuration": {"id": k}, "status": v["status"]} for k, v in containers.items()]))
    sys.exit(0)

if verb == "image":
    print("NAME                      TAG     DIGEST")
    for name in state["images"]:
        print(name.ljust(26) + "latest  0123456789ab")
    sys.exit(0)

if verb == "exec":
    # exec [-i] [-t] [-it] [-w DIR] [--env K=V]... ID CMD...
    env = dict(os.environ)
    cwd = None
    i = 1
    while i < len(args) and args[i].startswith("-"):
        if args[i] in ("-w", "--workdir"):
            cwd = args[i + 1]
            i += 2
        elif args[i] in ("--env", "-e"):
            k, _, v = args[i + 1].partition("=")
            env[k] = v
            i += 2
        else:
            i += 1
    cid, command = args[i], args[i + 1:]
    if cid not in containers or containers[cid]["status"] != "running":
        fail("Error: invalidState: \"container " + cid + " is not running\"")
    if command == ["sh", "-s"]:
        containers[cid]["provision"] = sys.stdin.read()
        save(state)
        sys.exit(0)
    host_cwd = None
    for m in containers[cid].get("mounts", []):
        if cwd and m[1] == cwd:
            host_cwd = m[0]
    sys.exit(subprocess.call(command, env=env, cwd=host_cwd))

fail("Error: unknown command " + verb)
