#!/usr/bin/env python3
"""Runs the libcloudconnexa benchmarks against local emulators and writes
BENCHMARKS.md.

    bench/run.py --bin DIR --lib DIR --emulator PATH --out FILE [--smoke]

Every server is an emulator this script starts on 127.0.0.1 and stops
again. --smoke runs each harness once with tiny sizes and only checks that
it ran and printed its result line; it never judges timings.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

# The emulator's default limit, as the real API documents it.
BURST = 20
REPLENISH_SECS = 15.0
TIME_SCALE = 100.0
# The library refreshes a token a tenth of its lifetime before expiry.
REFRESH_FRACTION = 0.9

LOOPBACK_ONLY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Emulator:
    """One emulator process; its variables go into the harness's env."""

    def __init__(self, path, flags, commands):
        self.flags = flags
        commands.append("ccx-emulator " + " ".join(flags))
        self.proc = subprocess.Popen(
            [path, *flags],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.proc.stdout.readline().split()
        self.env = dict(os.environ)
        for assignment in line:
            name, _, value = assignment.partition("=")
            self.env[name] = value
        if "CLOUDCONNEXA_API_URL" not in self.env:
            self.stop()
            raise RuntimeError("emulator did not print its URL")
        self.url = self.env["CLOUDCONNEXA_API_URL"]

    def control(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + "/_emulator/" + path, data=data, method=method
        )
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with LOOPBACK_ONLY.open(request, timeout=10) as reply:
            text = reply.read()
        return json.loads(text) if text else None

    def stats(self):
        return self.control("GET", "stats")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Bench:
    def __init__(self, args):
        self.args = args
        self.commands = []
        self.sections = []
        self.verdicts = []
        self.ccx = os.path.join(args.bin, "ccxbench")
        self.curl = os.path.join(args.bin, "curlbench")
        self.startup = os.path.join(args.bin, "startup")

    def emulator(self, *flags):
        return Emulator(self.args.emulator, list(flags), self.commands)

    def run(self, argv, env=None, record=True):
        """Runs a harness; returns its RESULT line's fields."""
        if record:
            self.commands.append(" ".join(
                [os.path.basename(argv[0]), *argv[1:]]))
        done = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(argv)} exited {done.returncode}: "
                f"{done.stderr.strip()}"
            )
        for line in done.stdout.splitlines():
            if line.startswith("RESULT "):
                fields = dict(
                    part.split("=", 1) for part in line.split()[2:]
                )
                return {k: float(v) for k, v in fields.items()}
        raise RuntimeError(f"{' '.join(argv)} printed no RESULT line")

    def verdict(self, name, met, detail):
        self.verdicts.append((name, met, detail))

    def section(self, title, lines):
        self.sections.append((title, lines))

    # 1. Cost per request against libcurl.
    def per_request(self):
        n, reps = (20, 1) if self.args.smoke else (3000, 7)
        lib, curl = [], []
        with self.emulator("--no-rate-limit") as emu:
            for rep in range(reps):
                record = rep == 0
                # Alternate, so that drift on a shared machine hits both.
                lib.append(self.run([self.ccx, "get", str(n)], emu.env,
                                    record))
                curl.append(self.run([self.curl, str(n)], emu.env, record))
        med = {
            (who, key): statistics.median(r[key] for r in runs)
            for who, runs in (("lib", lib), ("curl", curl))
            for key in ("cpu_ns_per_req", "wall_ns_per_req")
        }
        cpu_ratio = med["lib", "cpu_ns_per_req"] / med["curl",
                                                      "cpu_ns_per_req"]
        wall_ratio = med["lib", "wall_ns_per_req"] / med["curl",
                                                         "wall_ns_per_req"]
        failures = sum(r["failures"] for r in lib + curl)
        self.section("1. Cost per request (ccx_networks_get vs libcurl)", [
            f"{n} sequential GETs of one network per run, {reps} runs of "
            "each, alternating; emulator without rate limit. CPU is the "
            "client process's user+sys (getrusage), not the emulator's.",
            "",
            "| client | CPU µs/request (median) | wall µs/request (median) "
            "| CPU runs (µs) |",
            "|---|---|---|---|",
            self.row_cpu("libcloudconnexa", lib, med, "lib"),
            self.row_cpu("libcurl, one easy handle", curl, med, "curl"),
            "",
            f"CPU ratio library/libcurl: **{cpu_ratio:.2f}x**; wall ratio: "
            f"{wall_ratio:.2f}x; failed requests: {failures:.0f}.",
        ])
        self.verdict("CPU per request ≤ 1.2x libcurl", cpu_ratio <= 1.2,
                     f"{cpu_ratio:.2f}x")

    @staticmethod
    def row_cpu(name, runs, med, who):
        each = ", ".join(f"{r['cpu_ns_per_req'] / 1000:.0f}" for r in runs)
        return (f"| {name} | {med[who, 'cpu_ns_per_req'] / 1000:.1f} | "
                f"{med[who, 'wall_ns_per_req'] / 1000:.1f} | {each} |")

    # 2. Eight threads sharing one client, 20 ms per request.
    def threads(self):
        n, reps = (3, 1) if self.args.smoke else (60, 3)
        one, eight = [], []
        with self.emulator("--no-rate-limit", "--control") as emu:
            # The emulator has no global latency flag; a delay fault that
            # lasts for 4e9 requests is one.
            emu.control("POST", "faults", {
                "kind": "delay", "ms": 20, "times": 4_000_000_000,
                "path_prefix": "/api/v1/networks",
            })
            for rep in range(reps):
                record = rep == 0
                one.append(self.run([self.ccx, "threads", "1", str(n)],
                                    emu.env, record))
                eight.append(self.run([self.ccx, "threads", "8", str(n)],
                                      emu.env, record))
        m1 = statistics.median(r["req_per_s"] for r in one)
        m8 = statistics.median(r["req_per_s"] for r in eight)
        failures = sum(r["failures"] for r in one + eight)
        ratio = m8 / m1
        self.section("2. Threads (one client, 20 ms added per request)", [
            f"Each thread makes {n} ccx_networks_get calls; {reps} runs. "
            "The latency is an emulator delay fault on /api/v1/networks "
            "that never runs out.",
            "",
            "| threads | requests/s (median) | runs |",
            "|---|---|---|",
            "| 1 | {:.1f} | {} |".format(m1, ", ".join(
                f"{r['req_per_s']:.1f}" for r in one)),
            "| 8 | {:.1f} | {} |".format(m8, ", ".join(
                f"{r['req_per_s']:.1f}" for r in eight)),
            "",
            f"Scaling: **{ratio:.2f}x** the single-thread throughput; "
            f"failed calls: {failures:.0f}.",
        ])
        self.verdict("8 threads ≥ 6x one thread", ratio >= 6,
                     f"{ratio:.2f}x")

    # 3. Token refresh under 64 threads.
    def refresh(self):
        threads, ms = (8, 1500) if self.args.smoke else (64, 10_000)
        ttl = 1.0
        with self.emulator("--no-rate-limit", "--control",
                           "--token-ttl", "1") as emu:
            r = self.run([self.ccx, "refresh", str(threads), str(ms)],
                         emu.env)
            stats = emu.stats()
        tokens = stats["token_requests"]
        # Requests other than tokens; more than the calls made means some
        # call was answered 401 and retried with a fresh token.
        api_requests = stats["requests"] - tokens
        # The harness makes one list and one get before the threads start.
        extra = api_requests - (r["calls"] + 2)
        interval = ttl * REFRESH_FRACTION
        refreshes = int(r["wall_s"] // interval)
        expected = refreshes + 1
        met = tokens <= expected and r["failures"] == 0 and extra == 0
        self.section("3. Token refresh under load", [
            f"{threads} threads share one client for {ms / 1000:.1f} s "
            f"against tokens that live {ttl:.0f} s (emulator --token-ttl 1); "
            "the library refreshes at 90 % of the lifetime, every "
            f"{interval:.1f} s, so {r['wall_s']:.2f} s hold {refreshes} "
            "refreshes.",
            "",
            "| calls | failed calls | token requests | expected (refreshes "
            "+ 1) | API requests beyond the calls (401 retries) |",
            "|---|---|---|---|---|",
            f"| {r['calls']:.0f} | {r['failures']:.0f} | {tokens} | "
            f"{expected} | {extra:.0f} |",
        ])
        self.verdict(
            "token requests = expiries + 1, no call fails", met,
            f"{tokens} token requests for {refreshes} refreshes, "
            f"{r['failures']:.0f} failed calls")

    # 4. Listing 10,000 users, with and without the rate limit.
    def listing(self):
        users, reps = (2500, 1) if self.args.smoke else (10_000, 3)
        scale = 1000.0 if self.args.smoke else TIME_SCALE
        rows, worst_ratio, surfaced = [], 0.0, 0
        for limited in (False, True):
            for size in (1000, 100):
                runs = []
                for rep in range(reps):
                    flags = ["--extra-users", str(users), "--control"]
                    flags += (["--time-scale", f"{scale:g}"] if limited
                              else ["--no-rate-limit"])
                    # A fresh emulator each run: a full token bucket.
                    with self.emulator(*flags) as emu:
                        r = self.run([self.ccx, "list", str(size)], emu.env,
                                     rep == 0)
                        r["stats"] = emu.stats()
                    runs.append(r)
                surfaced += sum(r["status"] != 0 for r in runs)
                wall = statistics.median(r["wall_s"] for r in runs)
                requests = runs[0]["stats"]["requests"]
                limited_429 = max(r["stats"]["rate_limited"] for r in runs)
                row = (f"| {size} | {'on' if limited else 'off'} | "
                       f"{runs[0]['items']:.0f} | {requests} | "
                       f"{limited_429} | {wall:.3f} |")
                if limited:
                    minimum = (max(0, requests - BURST) * REPLENISH_SECS
                               / scale)
                    if minimum > 0:
                        ratio = wall / minimum
                        worst_ratio = max(worst_ratio, ratio)
                        tail = f" {minimum:.3f} | **{ratio:.2f}** |"
                    else:
                        tail = " 0 (within the burst) | – |"
                    row += f" {wall * scale:.1f} |" + tail
                else:
                    row += " – | – | – |"
                rows.append(row)
        self.section("4. Listing users (ccx_users_list)", [
            f"The emulator holds {users} generated users plus its seed. "
            f"Rate limit on: the default {BURST} burst, 1 per "
            f"{REPLENISH_SECS:g} s, time-scaled {scale:g}x (--time-scale). "
            "Requests and 429s are the emulator's counts (token request "
            "included: it draws on the same bucket). The minimum is "
            "max(0, requests − burst) × 15 s / time scale.",
            "",
            "| page size | rate limit | items | requests | 429s | time (s, "
            "median) | scaled back (s) | minimum (s) | time / minimum |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
        ])
        self.verdict("no 429 surfaced to the caller", surfaced == 0,
                     f"{surfaced} failed listings")
        self.verdict("rate-limited time ≤ 1.1x the minimum",
                     worst_ratio <= 1.1, f"worst {worst_ratio:.2f}x")

    # 5. Peak memory while listing 100,000 users.
    def memory(self):
        users, reps = (2000, 1) if self.args.smoke else (100_000, 3)
        with self.emulator("--no-rate-limit", "--extra-users",
                           str(users)) as emu:
            mem = [self.run([self.ccx, "mem"], emu.env, rep == 0)
                   for rep in range(reps)]
            base = [self.run([self.ccx, "baseline"], emu.env, rep == 0)
                    for rep in range(reps)]
        rss = statistics.median(r["maxrss_kb"] for r in mem) * 1024
        base_rss = statistics.median(r["maxrss_kb"] for r in base) * 1024
        size = mem[0]["bytes"]
        raw, net = rss / size, (rss - base_rss) / size
        self.section("5. Peak memory listing users", [
            f"{mem[0]['items']:.0f} users, page size 1000; peak RSS is VmHWM "
            f"from /proc/self/status (ru_maxrss would include the driver's "
            f"own peak, which Linux carries across execve), {reps} runs. "
            "Baseline: a process that only creates a client.",
            "",
            "| JSON returned | peak RSS | baseline RSS | raw ratio | "
            "net ratio |",
            "|---|---|---|---|---|",
            f"| {mib(size)} | {mib(rss)} | {mib(base_rss)} | {raw:.2f}x | "
            f"**{net:.2f}x** |",
        ])
        self.verdict("peak RSS (net) ≤ 3x the JSON", net <= 3,
                     f"{net:.2f}x net, {raw:.2f}x raw")

    # 6. Library size and start-up.
    def size_and_startup(self):
        runs = 5 if self.args.smoke else 101
        so = os.path.join(self.args.lib, "libcloudconnexa.so")
        with tempfile.TemporaryDirectory() as tmp:
            stripped = os.path.join(tmp, "libcloudconnexa.so")
            shutil.copyfile(so, stripped)
            subprocess.run(["strip", stripped], check=True)
            stripped_size = os.path.getsize(stripped)
        self.commands.append(f"strip (a copy of) {so}")
        # Since the library reads SSL_CERT_FILE in ccx_client_new, its
        # cost depends on that variable: measure with and without it.
        plain = {k: v for k, v in os.environ.items() if k != "SSL_CERT_FILE"}
        envs = [("environment as given", None)]
        if "SSL_CERT_FILE" in os.environ:
            envs = [("SSL_CERT_FILE unset", plain),
                    (f"SSL_CERT_FILE={os.environ['SSL_CERT_FILE']}", None)]
        rows = []
        for label, env in envs:
            results, process_ms = [], []
            for rep in range(runs):
                started = time.perf_counter()
                results.append(self.run([self.startup, so], env, rep == 0))
                process_ms.append((time.perf_counter() - started) * 1000)

            def med(key):
                return statistics.median(r[key] for r in results)

            rows.append(
                f"| {label} | {med('dlopen_us'):.0f} | "
                f"{med('client_new_us'):.0f} | {med('total_us'):.0f} | "
                f"{statistics.median(process_ms):.1f} |")

        self.section("6. Size and start-up", [
            f"The .so as built: {mib(os.path.getsize(so))}; stripped "
            f"(a copy, `strip`): **{mib(stripped_size)}**.",
            "",
            "| environment | dlopen (µs) | ccx_client_new (µs) | both (µs) "
            "| whole process (ms) |",
            "|---|---|---|---|---|",
            *rows,
            "",
            f"Medians of {runs} fresh processes (dlopen with RTLD_NOW). "
            "With SSL_CERT_FILE set, ccx_client_new reads and parses that "
            "PEM bundle (src/transport.rs `ca_pem_from_environment`, then "
            "`build_agent`) in every new client.",
        ])

    def write(self, path, started):
        met = sum(1 for _, ok, _ in self.verdicts if ok)
        out = [
            "# Benchmarks",
            "",
            "Written by `make bench` (bench/run.py); do not edit by hand. "
            "Everything runs on loopback against the bundled emulator "
            "(release build), one benchmark at a time.",
            "",
            "## Machine",
            "",
            *[f"- {k}: {v}" for k, v in machine().items()],
            f"- date: {started:%Y-%m-%d %H:%M UTC}",
            f"- duration: {time.time() - started.timestamp():.0f} s",
            "",
            f"## Targets ({met} of {len(self.verdicts)} met)",
            "",
            "| target | result | met |",
            "|---|---|---|",
            *[f"| {name} | {detail} | {'met' if ok else '**not met**'} |"
              for name, ok, detail in self.verdicts],
            "",
        ]
        for title, lines in self.sections:
            out += [f"## {title}", "", *lines, ""]
        out += ["## Analysis", ""]
        missed = [name for name, ok, _ in self.verdicts if not ok]
        if not missed:
            out += ["Every target was met in this run.", ""]
        for name in missed:
            out += [f"**{name}: not met.** " + " ".join(
                FINDINGS.get(name, ["No analysis recorded for this target; "
                                    "profile it (see bench/README.md)."])),
                    ""]
        out += [" ".join(NOISE), ""]
        out += ["Seen while profiling, though no target is missed: " +
                " ".join(OBSERVED), ""]
        out += ["## Commands", "", "```", *dedupe(self.commands), "```", ""]
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(out))


# Why a target is missed, from profiling the release build; printed next
# to the numbers only while that target is missed. Revisit these when the
# code they name changes. The finding below was fixed on 2026-12-04 (the
# caching resolver in src/resolver.rs) and is kept in case it comes back.
FINDINGS = {
    "CPU per request ≤ 1.2x libcurl": [
        "Every request creates and joins one OS thread. ureq 3 resolves the",
        "host before it looks in its connection pool, and whenever a request",
        "carries a timeout it resolves in a new thread (ureq 3.5",
        "`DefaultResolver::resolve` → `resolve_async`, `thread::spawn`);",
        "src/transport.rs `Transport::send` sets `timeout_global` on every",
        "request, so this happens even for an IP literal on a pooled",
        "keep-alive connection. `strace -f -c` over `ccxbench get 1000`:",
        "1003 `clone3`, 1004 `set_robust_list`/`rseq`, 4013",
        "`rt_sigprocmask`, ~2000 `futex`; `perf record` puts the scheduler",
        "(`finish_task_switch`, `wake_up_new_task`, futex waits) and page",
        "zeroing for the new stacks (`clear_page_erms`) on top, while the",
        "library's own code (`Transport::send`, `Client::call`) is a few",
        "per cent. Against the real API the host is a name, so each request",
        "also runs a `getaddrinfo` (possibly a DNS query) although the",
        "connection is reused. A fix belongs in src/transport.rs: a",
        "`ureq::unversioned::resolver::Resolver` that answers IP literals",
        "directly and caches names for their lifetime, or timeouts that",
        "do not cover resolution (`timeout_connect` and the per-phase",
        "send/receive timeouts instead of `timeout_global`). Measured on",
        "this machine (2026-12-04) with a scratch copy of the library",
        "whose only change was `timeout_global(None)`: 54–66 µs CPU per",
        "request against libcurl's 62–64 µs and the unchanged library's",
        "95–145 µs, i.e. the thread is the whole gap.",
    ],
}

# Found with strace while profiling; no target covers it. Fixed since:
# src/transport.rs keeps up to 32 idle connections per host.
OBSERVED = [
    "with 8 threads on one client, ureq's default of 3 idle connections",
    "per host made 1600 calls open 186 TCP connections (2026-12-04);",
    "src/transport.rs now keeps up to 32, and every thread reuses its",
    "connection. Against the real API each new connection is a TLS",
    "handshake.",
]

# Said once, whatever the results.
NOISE = [
    "The machine is shared (2 cores, other builds running), so single runs",
    "vary by tens of per cent; the tables give every run next to the",
    "median. The emulator serves each connection on its own thread, which",
    "costs wall time on both sides of the per-request comparison but no",
    "client CPU.",
]


def dedupe(items):
    seen, out = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def mib(n):
    return f"{n / (1 << 20):.2f} MiB"


def machine():
    info = {"nproc": os.cpu_count()}
    try:
        info["nproc"] = subprocess.run(
            ["nproc"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        models = [l.split(":", 1)[1].strip() for l in f
                  if l.startswith("model name")]
    info["CPU"] = models[0] if models else platform.processor()
    with open("/proc/meminfo", encoding="utf-8") as f:
        total = next(l.split()[1] for l in f if l.startswith("MemTotal"))
    info["memory"] = f"{int(total) / (1 << 20):.1f} GiB"
    info["kernel"] = platform.release()
    return info


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="harness directory")
    parser.add_argument("--lib", required=True, help="libcloudconnexa.so dir")
    parser.add_argument("--emulator", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--only", help="comma-separated benchmark names")
    args = parser.parse_args()

    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost,::1"
    started = datetime.datetime.now(datetime.timezone.utc)
    bench = Bench(args)
    steps = {
        "per_request": bench.per_request,
        "threads": bench.threads,
        "refresh": bench.refresh,
        "listing": bench.listing,
        "memory": bench.memory,
        "size": bench.size_and_startup,
    }
    chosen = args.only.split(",") if args.only else list(steps)
    for name in chosen:
        t = time.time()
        steps[name]()
        print(f"bench: {name} done in {time.time() - t:.1f} s",
              file=sys.stderr)
    bench.write(args.out, started)
    for name, ok, detail in bench.verdicts:
        mark = "met    " if ok else "NOT MET"
        if args.smoke:
            mark = "(smoke, sizes too small to judge)"
        print(f"bench: {mark} {name}: {detail}")
    print(f"bench: wrote {args.out}")


if __name__ == "__main__":
    main()
