#!/usr/bin/env python3
"""The ccx command-line tool against the emulator.

Run by `make test-cli` with CCX pointing at the built tool and the
CLOUDCONNEXA_* variables at an emulator started with --control and
--no-rate-limit. Prints "N passed, N failed" like the C tests.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

CCX = os.environ["CCX"]
SECRET = os.environ["CLOUDCONNEXA_CLIENT_SECRET"]
passed = 0
failed = 0


def check(condition, what, result=None):
    global passed, failed
    if condition:
        passed += 1
        return
    failed += 1
    print(f"check failed: {what}", file=sys.stderr)
    if result is not None:
        print(f"  exit {result.returncode}\n  stdout: {result.stdout[:500]!r}"
              f"\n  stderr: {result.stderr[:500]!r}", file=sys.stderr)


def ccx(*args, stdin=None, env=None):
    full_env = dict(os.environ)
    full_env.pop("CCX_LOG", None)
    full_env.update(env or {})
    return subprocess.run([CCX, *args], input=stdin, capture_output=True,
                          text=True, env=full_env, timeout=60)


def emulator_fault(fault):
    """Queues a fault through the emulator's control endpoint."""
    url = os.environ["CLOUDCONNEXA_API_URL"] + "/_emulator/faults"
    request = urllib.request.Request(
        url, data=json.dumps(fault).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as reply:
        return reply.status


def test_help_and_usage():
    r = ccx("--help")
    check(r.returncode == 0 and "exit codes:" in r.stdout
          and "networks" in r.stdout and "settings" in r.stdout,
          "--help prints the resources and the exit codes", r)
    r = ccx("networks", "--help")
    check(r.returncode == 0 and "ccx networks create --json" in r.stdout,
          "networks --help lists its verbs", r)
    r = ccx("devices", "--help")
    check(r.returncode == 0
          and "ccx devices profile ID --user ID --region ID" in r.stdout,
          "devices --help shows the parent and region options", r)
    r = ccx("--version")
    check(r.returncode == 0 and r.stdout.startswith("ccx 0."), "--version", r)

    bad = [
        (),
        ("nothing", "list"),
        ("networks", "frob"),
        ("networks", "get"),
        ("networks", "create"),
        ("networks", "list", "--bogus"),
        ("networks", "list", "--page", "x"),
        ("networks", "get", "a", "b"),
        ("network-routes", "create", "--json", "-"),
        ("networks", "list", "--network", "n1"),
        ("settings", "set", "wpc/topology"),
        ("vpn-regions", "list", "--page", "0"),
        ("token", "extra"),
    ]
    for args in bad:
        r = ccx(*args, stdin="{}")
        check(r.returncode == 2 and r.stdout == ""
              and ("usage" in r.stderr or "ccx: " in r.stderr),
              f"bad usage {args} exits 2 with a message on stderr", r)
    r = ccx()
    check("usage: ccx <resource> <verb>" in r.stderr,
          "no arguments prints the usage", r)

    r = ccx("networks", "list", "--bogus")
    check(r.returncode == 2 and "unknown option --bogus" in r.stderr
          and "needs a value" not in r.stderr,
          "an unknown last option is unknown, not missing a value", r)
    r = ccx("networks", "list", "--page")
    check(r.returncode == 2 and "--page needs a value" in r.stderr,
          "a known option without its value needs a value", r)
    r = ccx("settings", "set", "wpc/topology")
    check(r.returncode == 2
          and "settings set needs a VALUE or --json" in r.stderr
          and "not both" not in r.stderr,
          "settings set without VALUE or --json says it needs one", r)
    r = ccx("settings", "set", "wpc/topology", "x", "--json", "-",
            stdin="{}")
    check(r.returncode == 2 and "not both" in r.stderr,
          "settings set with VALUE and --json says not both", r)


def test_pretty_printer_is_linear():
    """A deeply nested reply prints quickly; indentation stops growing."""
    depth = 100000
    deep = "[" * depth + "1" + "]" * depth
    start = time.monotonic()
    r = ccx("--pretty-stdin", stdin=deep)
    elapsed = time.monotonic() - start
    check(r.returncode == 0 and elapsed < 10
          and "".join(r.stdout.split()) == deep
          and len(r.stdout) < 100 * len(deep),
          f"a {depth}-deep array prints in {elapsed:.1f} s, tokens intact",
          r)
    r = ccx("--pretty-stdin", stdin='{"a":[1,{"b":{}}],"c":[]}')
    check(r.returncode == 0 and r.stdout ==
          '{\n  "a": [\n    1,\n    {\n      "b": {}\n    }\n  ],\n'
          '  "c": []\n}\n', "shallow JSON is indented two spaces a level", r)


def test_networks_round_trip():
    r = ccx("networks", "list")
    check(r.returncode == 0, "networks list", r)
    before = json.loads(r.stdout)
    check(isinstance(before, list) and len(before) > 0,
          "networks list gives every seeded network as an array", r)

    r = ccx("networks", "list", "--page", "0", "--size", "1")
    page = json.loads(r.stdout) if r.returncode == 0 else {}
    check(len(page.get("content", [])) == 1
          and page.get("totalElements") == len(before),
          "--page/--size gives one page envelope", r)

    # Characters the re-indenter must leave alone inside strings.
    tricky = 'a, b: {c} [d] "e" \\ \u00e9 \u2603'
    body = json.dumps({
        "name": "cli-net", "description": tricky, "egress": False,
        "internetAccess": "SPLIT_TUNNEL_ON",
        "connectors": [{"name": "cli-c1", "vpnRegionId": "us-east-1"}],
    })
    r = ccx("networks", "create", "--json", "-", stdin=body)
    check(r.returncode == 0, "networks create --json - reads stdin", r)
    created = json.loads(r.stdout) if r.returncode == 0 else {}
    ident = created.get("id", "missing")
    check(created.get("description") == tricky,
          "strings pass through the pretty-printer unchanged", r)
    check("\n  \"name\": \"cli-net\",\n" in r.stdout,
          "output is indented by two spaces", r)

    r = ccx("networks", "get", ident)
    check(r.returncode == 0 and json.loads(r.stdout)["name"] == "cli-net",
          "networks get the new network", r)

    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        json.dump({"name": "cli-net-2", "description": "renamed",
                   "egress": False, "internetAccess": "SPLIT_TUNNEL_ON"}, f)
        f.flush()
        r = ccx("networks", "update", ident, "--json", f.name)
    check(r.returncode == 0 and json.loads(r.stdout)["name"] == "cli-net-2",
          "networks update --json FILE", r)
    r = ccx("networks", "update", ident, "--json", "/nonexistent/x.json")
    check(r.returncode == 2 and "cannot open" in r.stderr,
          "an unreadable --json file is a usage error", r)
    r = ccx("networks", "create", "--json", "-", stdin='{"name":')
    check(r.returncode == 2 and "not valid JSON" in r.stderr,
          "malformed JSON input exits 2", r)

    r = ccx("networks", "delete", ident)
    check(r.returncode == 0 and r.stdout == "", "networks delete", r)
    r = ccx("networks", "get", ident)
    check(r.returncode == 5 and "HTTP 404" in r.stderr
          and "not found" in r.stderr and r.stdout == "",
          "a missing network exits 5 with the API's message", r)
    r = ccx("networks", "delete", ident)
    check(r.returncode == 5, "deleting it again exits 5", r)


def test_children_and_actions():
    networks = json.loads(ccx("networks", "list").stdout)
    network = networks[0]["id"]
    r = ccx("network-routes", "list", "--network", network)
    check(r.returncode == 0 and isinstance(json.loads(r.stdout), list),
          "network-routes list --network", r)
    r = ccx("network-routes", "create", "--network", network, "--json", "-",
            stdin='{"value":"10.9.0.0/24","description":"cli"}')
    check(r.returncode == 0 and json.loads(r.stdout)["subnet"]
          == "10.9.0.0/24", "network-routes create --network", r)
    r = ccx("dns-log", "enable")
    check(r.returncode == 0 and r.stdout == "", "an action without a body",
          r)
    r = ccx("dns-log", "get")
    check(r.returncode == 0 and r.stdout.strip() == "true",
          "dns-log get after enable", r)


def test_settings():
    r = ccx("settings", "get", "wpc/topology")
    check(r.returncode == 0 and r.stdout.strip().startswith('"'),
          "settings get of a text setting gives a JSON string", r)
    r = ccx("settings", "set", "wpc/topology", '"CUSTOM"')
    check(r.returncode == 0, "settings set NAME VALUE", r)
    r = ccx("settings", "get", "wpc/topology")
    check(r.stdout.strip() == '"CUSTOM"', "the new value reads back", r)
    r = ccx("settings", "set", "user/device-allowance", "--json", "-",
            stdin="7")
    check(r.returncode == 0, "settings set NAME --json -", r)
    r = ccx("settings", "get", "user/device-allowance")
    check(r.stdout.strip() == "7", "the integer reads back", r)
    r = ccx("settings", "set", "wpc/topology", '"SIDEWAYS"')
    check(r.returncode == 2 and "FULL_MESH" in r.stderr,
          "a value outside the allowed set exits 2 and names them", r)
    r = ccx("settings", "get", "no/such-setting")
    check(r.returncode == 2 and "unknown setting" in r.stderr,
          "an unknown setting exits 2", r)


def test_token_and_failures():
    r = ccx("token")
    check(r.returncode == 0, "token", r)
    shown = json.loads(r.stdout) if r.returncode == 0 else {}
    check(shown.get("expiresAt", "").endswith("Z")
          and 0 < shown.get("expiresInSeconds", 0) <= 43200,
          "token shows when it expires", r)
    check(SECRET not in r.stdout + r.stderr
          and "access_token" not in r.stdout, "token never shows it", r)

    r = ccx("networks", "list", env={"CLOUDCONNEXA_CLIENT_SECRET": "wrong"})
    check(r.returncode == 4 and "HTTP 401" in r.stderr
          and "wrong" not in r.stderr, "refused credentials exit 4", r)
    env = {"CLOUDCONNEXA_API_URL": "", "CLOUDCONNEXA_BASE_URL": ""}
    r = ccx("networks", "list", env=env)
    check(r.returncode == 3 and "CLOUDCONNEXA_API_URL" in r.stderr,
          "missing configuration exits 3", r)


def test_progress_and_errors():
    emulator_fault({"method": "GET", "path_prefix": "/api/v1/hosts",
                    "times": 1, "kind": "status", "status": 429,
                    "headers": {"Retry-After": "1"}, "body": ""})
    r = ccx("hosts", "list", "--progress")
    check(r.returncode == 0
          and "ccx: GET /api/v1/hosts?page=0&size=1000: rate limited (429)"
          in r.stderr and "retry 1 of 3 in 1000 ms" in r.stderr,
          "--progress reports the wait on stderr", r)
    check(json.loads(r.stdout) is not None, "and the list still comes", r)

    emulator_fault({"method": "GET", "path_prefix": "/api/v1/users",
                    "times": 1, "kind": "status", "status": 429,
                    "headers": {"Retry-After": "1"}, "body": ""})
    r = ccx("users", "list")
    check(r.returncode == 0 and r.stderr == "",
          "no progress lines without --progress when stderr is no tty", r)

    emulator_fault({"method": "POST", "path_prefix": "/api/v1/user-groups",
                    "times": 1, "kind": "status", "status": 409,
                    "body": '{"errorMessage":"Group exists"}'})
    r = ccx("user-groups", "create", "--json", "-", stdin='{"name":"g"}')
    check(r.returncode == 6 and "Group exists" in r.stderr
          and "HTTP 409" in r.stderr, "409 exits 6 with the API's text", r)
    emulator_fault({"method": "POST", "path_prefix": "/api/v1/user-groups",
                    "times": 1, "kind": "status", "status": 409,
                    "body": json.dumps({"errorMessage":
                                        "Group\r\nexists\x1b[2J\tnow"})})
    r = ccx("user-groups", "create", "--json", "-", stdin='{"name":"g"}')
    check(r.returncode == 6 and r.stderr.count("\n") == 1
          and r.stderr.endswith("\n") and "\r" not in r.stderr
          and "\x1b" not in r.stderr
          and "Group\\r\\nexists\\u{1b}[2J\\tnow" in r.stderr
          and "HTTP 409" in r.stderr,
          "a server message with CR/LF stays one line on stderr, escaped", r)
    emulator_fault({"method": "GET", "path_prefix": "/api/v1/hosts",
                    "times": 4, "kind": "status", "status": 500,
                    "body": ""})
    r = ccx("hosts", "list")
    check(r.returncode == 9 and "HTTP 500" in r.stderr,
          "5xx after the retries exits 9", r)


def main():
    test_help_and_usage()
    test_pretty_printer_is_linear()
    test_networks_round_trip()
    test_children_and_actions()
    test_settings()
    test_token_and_failures()
    test_progress_and_errors()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
