#!/usr/bin/env python3
"""Runs the benchmark suite (called by bench/run, which builds first).

For each server in turn — Cognate, moto, cognito-local, cognitox — starts it
on loopback, times its start and reads its idle RSS, sets up and seeds a
pool, runs the same workloads with cognate-bench, and stops it. Measures the
machine's ceilings in the same run, and writes bench/results/latest.md,
results.json and one SVG chart per workload. Peers are installed into
bench/.cache (git-ignored) on first use and reused afterwards.
"""

import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
OUT = ROOT / "bench" / "results"
BENCH = ROOT / "target" / "release" / "cognate-bench"
COGNATE = ROOT / "target" / "release" / "cognate"


def env_int(name, default):
    return int(os.environ.get(name, default))


USERS = env_int("BENCH_USERS", 100_000)
USERS_BIG = env_int("BENCH_USERS_BIG", 1_000_000)  # Cognate alone; 0 skips
# Peers seeded over the API (moto, which creates about a hundred users a
# second and has no storage to write to; cognitox, in memory) get a smaller
# pool, to keep the run within its time: that favours them in ListUsers.
API_USERS = env_int("BENCH_API_SEED_USERS", min(USERS, 5_000))
CONNECTIONS = env_int("BENCH_CONNECTIONS", 16)
DURATION = env_int("BENCH_DURATION", 3)
WARMUP = env_int("BENCH_WARMUP", 1)
ROUNDS = env_int("BENCH_ROUNDS", 3)
LIMIT_SECONDS = env_int("BENCH_LIMIT_SECONDS", 2)
SERVERS = os.environ.get("BENCH_SERVERS", "cognate,moto,cognito-local,cognitox").split(",")

COMMON = ["refresh", "password-sign-in", "get-user", "sign-up-confirm", "admin-create-user", "list-users-prefix"]
COGNATE_ONLY = ["srp-sign-in", "token-refresh", "hosted-sign-in-page", "jwks", "password-sign-in-pre-token",
                "identity-credentials", "email-otp-sign-in", "rotating-refresh", "federated-sign-in"]
TITLES = {
    "refresh": "InitiateAuth REFRESH_TOKEN_AUTH",
    "password-sign-in": "AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH",
    "get-user": "GetUser (access token)",
    "sign-up-confirm": "SignUp + AdminConfirmSignUp (pairs)",
    "admin-create-user": "AdminCreateUser",
    "list-users-prefix": "ListUsers email ^= prefix",
    "list-users-prefix-big": "ListUsers email ^= prefix, big pool (Cognate alone)",
    "srp-sign-in": "USER_SRP_AUTH sign-in (Cognate only)",
    "token-refresh": "/oauth2/token refresh grant (Cognate only)",
    "hosted-sign-in-page": "GET hosted sign-in page (Cognate only)",
    "jwks": "GET JWKS document (Cognate only)",
    "password-sign-in-pre-token": "AdminInitiateAuth with a PreTokenGeneration V2_0 function at a local Invoke server (Cognate only)",
    "identity-credentials": "GetId + GetCredentialsForIdentity, built-in STS (pairs; Cognate only)",
    "email-otp-sign-in": "USER_AUTH EMAIL_OTP: InitiateAuth, the code from the outbox, RespondToAuthChallenge (pairs; Cognate only)",
    "rotating-refresh": "GetTokensFromRefreshToken with RefreshTokenRotation (Cognate only)",
    "federated-sign-in": "Hosted-UI sign-in through an upstream OIDC provider (a second pool of the same server): 5 browser requests and the token request (Cognate only)",
}
KEY_ID, SECRET = "AKIABENCHMARK0000000", "bench-secret-access-key"
# One load generator on loopback is one address hammering a few users:
# Cognate's rate limits (which would stop it at once) are off.
COGNATE_ENV = {
    "COGNATE_RATE_LIMIT_AUTH_PER_IP": "0",
    "COGNATE_RATE_LIMIT_CODES_PER_IP": "0",
    "COGNATE_RATE_LIMIT_RECOVERY_PER_IP": "0",
    "COGNATE_RATE_LIMIT_PER_USER": "0",
    "COGNATE_RATE_LIMIT_MESSAGES_PER_USER_PER_HOUR": "0",
    "COGNATE_ADMIN_ACCESS_KEY_ID": KEY_ID,
    "COGNATE_ADMIN_SECRET_ACCESS_KEY": SECRET,
    "COGNATE_LOG_LEVEL": "warn",
}


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- peers


def timed_install(name, marker, steps):
    """Runs the install steps once; returns (seconds, cached)."""
    if marker.exists():
        return 0.0, True
    log(f"installing {name} into {CACHE} (first run only)...")
    t = time.monotonic()
    for cmd, cwd in steps:
        subprocess.run(["nice", "-n", "10", *cmd], cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    seconds = time.monotonic() - t
    (CACHE / f"{name}.install-seconds").write_text(f"{seconds:.0f}\n")
    log(f"{name} installed in {seconds:.0f} s")
    return seconds, False


def install_peers():
    CACHE.mkdir(parents=True, exist_ok=True)
    installs = {}
    if "moto" in SERVERS:
        venv = CACHE / "moto"
        installs["moto"] = timed_install("moto", venv / "bin" / "moto_server", [
            ([sys.executable, "-m", "venv", str(venv)], CACHE),
            ([str(venv / "bin" / "pip"), "install", "-q", "moto[server]"], CACHE),
        ])
    if "cognito-local" in SERVERS:
        d = CACHE / "cognito-local"
        d.mkdir(exist_ok=True)
        if not (d / "package.json").exists():
            (d / "package.json").write_text('{"private": true}\n')
        installs["cognito-local"] = timed_install(
            "cognito-local", d / "node_modules" / "cognito-local" / "lib" / "bin" / "start.js",
            [(["npm", "install", "--no-audit", "--no-fund", "cognito-local"], d)])
    if "cognitox" in SERVERS:
        root = CACHE / "cognitox"
        installs["cognitox"] = timed_install("cognitox", root / "bin" / "cognitox", [
            (["cargo", "install", "cognitox", "--locked", "--ignore-rust-version", "--root", str(root)], ROOT),
        ])
    return installs


def version_of(server):
    try:
        if server == "cognate":
            return subprocess.run([str(COGNATE), "--version"], capture_output=True, text=True).stdout.strip()
        if server == "moto":
            out = subprocess.run([str(CACHE / "moto" / "bin" / "pip"), "show", "moto"], capture_output=True, text=True).stdout
            return "moto " + next(l.split()[1] for l in out.splitlines() if l.startswith("Version"))
        if server == "cognito-local":
            pkg = CACHE / "cognito-local" / "node_modules" / "cognito-local" / "package.json"
            return "cognito-local " + json.loads(pkg.read_text())["version"]
        if server == "cognitox":
            out = subprocess.run([str(CACHE / "cognitox" / "bin" / "cognitox"), "--version"], capture_output=True, text=True).stdout
            return "cognitox " + out.replace("Version:", "").strip()
    except Exception:  # a version string is decoration, never a failure
        pass
    return server


# ---------------------------------------------------------------- servers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(server, port, work):
    """(command, health path, extra environment) of a server."""
    if server == "cognate":
        env = {**COGNATE_ENV, "COGNATE_LAMBDA_ENDPOINT": f"http://127.0.0.1:{LAMBDA_PORT}"}
        return ([str(COGNATE), "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", str(work / "data")], "/health", env)
    if server == "moto":
        return ([str(CACHE / "moto" / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], None, {})
    if server == "cognito-local":
        start = CACHE / "cognito-local" / "node_modules" / "cognito-local" / "lib" / "bin" / "start.js"
        return (["node", str(start)], "/health", {"HOST": "127.0.0.1", "PORT": str(port)})
    if server == "cognitox":
        # cognitox has no listen-address option: it binds 0.0.0.0 (all
        # requests still go over loopback).
        return ([str(CACHE / "cognitox" / "bin" / "cognitox"), "--port", str(port), "--storage-mode", "memory", "--log-level", "warn"], "/health", {})
    raise ValueError(server)


# The local Lambda Invoke server of the PreTokenGeneration workload
# (`cognate-bench lambda`), started beside Cognate.
LAMBDA_PORT = free_port()


def start_lambda():
    """Starts `cognate-bench lambda` on LAMBDA_PORT; its process."""
    p = subprocess.Popen([str(BENCH), "lambda", "--listen", f"127.0.0.1:{LAMBDA_PORT}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", LAMBDA_PORT)) == 0:
                return p
        time.sleep(0.05)
    p.kill()
    raise RuntimeError("the local Invoke server did not start")


def bench(url, *args, env=None, check=True):
    cmd = [str(BENCH), "--url", url, "--access-key-id", KEY_ID, "--secret-access-key", SECRET, *args]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if check and out.returncode != 0:
        raise RuntimeError(f"cognate-bench {args[0]} failed: {out.stderr.strip()[-2000:]}")
    return out


def rss_mib(pid, field="VmRSS"):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def start(server, work, cwd, port=None):
    port = port or free_port()
    cmd, health, extra = server_command(server, port, work)
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, **extra}
    if server == "cognito-local":
        # Cognito's default: the username is a name, not an email (cognito-
        # local's own default makes pools with UsernameAttributes=[email]).
        (cwd / ".cognito").mkdir(exist_ok=True)
        (cwd / ".cognito" / "config.json").write_text('{"UserPoolDefaults": {"UsernameAttributes": []}}\n')
    args = ["launch", "--log", str(work / f"{server}.log")]
    if health:
        args += ["--health-path", health]
    out = subprocess.run([str(BENCH), "--url", url, "--access-key-id", KEY_ID, "--secret-access-key", SECRET,
                          *args, "--", *cmd], capture_output=True, text=True, env=env, cwd=cwd)
    if out.returncode != 0:
        raise RuntimeError(f"{server} did not start: {out.stderr.strip()} {(work / f'{server}.log').read_text()[-2000:]}")
    started = json.loads(out.stdout)
    time.sleep(1)  # idle: after start, before any load
    started["idle_rss_mib"] = rss_mib(started["pid"])
    started["url"] = url
    return started


def stop(pid):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        if not Path(f"/proc/{pid}").exists() or "State:\tZ" in Path(f"/proc/{pid}/status").read_text():
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def seed_cognito_local(cwd, pool_id, n):
    """Adds user{i} to cognito-local's pool file, copies of the set-up user."""
    t = time.monotonic()
    path = cwd / ".cognito" / "db" / f"{pool_id}.json"
    db = json.loads(path.read_text())
    users = db["Users"]
    template = users["bench-user"]
    for i in range(n):
        name = f"user{i}"
        u = json.loads(json.dumps(template))
        u["Username"] = name
        u["RefreshTokens"] = []
        u["Attributes"] = [{"Name": "sub", "Value": str(uuid.uuid4())}, {"Name": "email", "Value": f"{name}@bench.example"}]
        users[name] = u
    path.write_text(json.dumps(db))
    return time.monotonic() - t


def run_workload(url, setup, workload, pid):
    log(f"  {workload}...")
    out = bench(url, "run", "--setup", str(setup), "--workload", workload, "--connections", str(CONNECTIONS),
                "--duration", str(DURATION), "--warmup", str(WARMUP), "--rounds", str(ROUNDS), "--pid", str(pid),
                check=False)
    lines = [l for l in out.stdout.splitlines() if l.strip()]
    if out.returncode != 0 or not lines:
        return {"workload": workload, "failed": out.stderr.strip()[-500:] or f"exit {out.returncode}"}
    return json.loads(lines[-1])


def bench_server(server, work):
    log(f"{server}: starting")
    cwd = work / server
    cwd.mkdir()
    result = {"server": server, "version": version_of(server), "workloads": {}}
    lam = start_lambda() if server == "cognate" else None
    s = start(server, work, cwd)
    result.update(start_ms=s["api_ms"], health_ms=s.get("health_ms"), idle_rss_mib=s["idle_rss_mib"])
    log(f"{server}: answered in {s['api_ms']:.1f} ms, idle RSS {s['idle_rss_mib']:.1f} MiB")
    pid, url = s["pid"], s["url"]
    setup = work / f"{server}-setup.json"
    try:
        if server == "cognate":
            bench(url, "setup", "--users", "0", "--pre-token", "--user-auth", "--data-dir", str(work / "data"),
                  "--out", str(setup))
            seeded = json.loads(bench(url, "seed-sqlite", "--setup", str(setup), "--data-dir", str(work / "data"),
                                      "--to", str(USERS)).stdout)
            result["seed"] = {"users": USERS, "seconds": seeded["seconds"], "how": "written to its SQLite file with cognate-core"}
        elif server == "cognito-local":
            # It rewrites its whole JSON file on every write, so seeding over
            # the API grows quadratic: the users go into that file while it
            # is stopped, then it starts again on it.
            bench(url, "setup", "--users", "0", "--out", str(setup))
            stop(pid)
            seconds = seed_cognito_local(cwd, json.loads(setup.read_text())["pool_id"], USERS)
            s = start(server, work, cwd, port=int(url.rsplit(":", 1)[1]))
            pid = s["pid"]
            result["seed"] = {"users": USERS, "seconds": seconds, "how": "written to its JSON file while stopped"}
        else:
            n = API_USERS
            bench(url, "setup", "--users", str(n), "--out", str(setup))
            result["seed"] = {"users": n, "seconds": json.loads(setup.read_text())["seed_seconds"], "how": "AdminCreateUser over the API, 8 connections"}
        log(f"{server}: seeded {result['seed']['users']} users in {result['seed']['seconds']:.1f} s")
        for w in COMMON + (COGNATE_ONLY if server == "cognate" else []):
            result["workloads"][w] = run_workload(url, setup, w, pid)
        if server == "cognate" and USERS_BIG > USERS:
            seeded = json.loads(bench(url, "seed-sqlite", "--setup", str(setup), "--data-dir", str(work / "data"),
                                      "--from", str(USERS), "--to", str(USERS_BIG)).stdout)
            result["seed_big"] = {"users": USERS_BIG, "seconds": seeded["seconds"]}
            log(f"{server}: seeded up to {USERS_BIG} users in {seeded['seconds']:.1f} s more")
            r = run_workload(url, setup, "list-users-prefix", pid)
            r["workload"] = "list-users-prefix-big"
            result["workloads"]["list-users-prefix-big"] = r
        result["peak_rss_mib"] = rss_mib(pid, "VmHWM")
    finally:
        stop(pid)
        if lam:
            lam.terminate()
            lam.wait()
    if server == "cognate":
        # A restart on the data directory just used: the common case.
        s = start(server, work, cwd)
        result.update(restart_ms=s["api_ms"], restart_health_ms=s.get("health_ms"), restart_idle_rss_mib=s["idle_rss_mib"])
        log(f"{server}: restarted in {s['api_ms']:.1f} ms, idle RSS {s['idle_rss_mib']:.1f} MiB")
        stop(s["pid"])
    return result


# ---------------------------------------------------------------- report


def fmt(v, digits=0):
    if v is None:
        return ""
    return f"{v:,.{digits}f}"


def cell(r):
    if r is None:
        return "—"
    if r.get("not_supported"):
        return "not supported"
    if r.get("failed"):
        return "failed"
    return fmt(r["median_rps"])


def rps(r):
    if r and not r.get("not_supported") and not r.get("failed"):
        return r["median_rps"]
    return None


def limits_ceilings(limits):
    """Per workload: (ceiling req/s of the whole machine, what it counts,
    CPU seconds of one core per request by that count)."""
    by = {l["name"]: l for l in limits["limits"]}
    sig = 1 / by["rs256_sign"]["all_cores"]
    mod = 1 / by["modexp_3072"]["all_cores"]
    sig1 = 1 / by["rs256_sign"]["per_core"]
    mod1 = 1 / by["modexp_3072"]["per_core"]
    # Seconds of the whole machine per request, from the costs.
    return {
        "refresh": (1 / (2 * sig), "2 RS256 signatures", 2 * sig1),
        "token-refresh": (1 / (2 * sig), "2 RS256 signatures", 2 * sig1),
        "password-sign-in": (1 / (mod + 2 * sig), "1 modexp + 2 signatures", mod1 + 2 * sig1),
        "srp-sign-in": (1 / (3 * mod + 2 * sig), "3 modexps + 2 signatures", 3 * mod1 + 2 * sig1),
    }


def svg_chart(path, title, bars):
    """A horizontal bar chart of req/s; bars: [(label, value or None, note)]."""
    w, left, bar_h, gap, top = 640, 130, 26, 10, 44
    h = top + len(bars) * (bar_h + gap) + 20
    top_value = max([v for _, v, _ in bars if v] or [1])
    colors = {"Cognate": "#2563eb"}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="13">',
             f'<rect width="{w}" height="{h}" fill="#ffffff"/>',
             f'<text x="12" y="24" font-size="15" font-weight="bold">{esc(title)} — requests/s (median)</text>']
    for i, (label, value, note) in enumerate(bars):
        y = top + i * (bar_h + gap)
        parts.append(f'<text x="{left - 8}" y="{y + 18}" text-anchor="end">{esc(label)}</text>')
        if value:
            bw = max(1, (w - left - 110) * value / top_value)
            parts.append(f'<rect x="{left}" y="{y}" width="{bw:.1f}" height="{bar_h}" fill="{colors.get(label, "#9ca3af")}"/>')
            parts.append(f'<text x="{left + bw + 6:.1f}" y="{y + 18}">{value:,.0f}</text>')
        else:
            parts.append(f'<text x="{left + 4}" y="{y + 18}" fill="#6b7280">{esc(note)}</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n")


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


NAMES = {"cognate": "Cognate", "moto": "moto", "cognito-local": "cognito-local", "cognitox": "cognitox"}


def report(results, limits, installs, total_s):
    servers = [r["server"] for r in results]
    by = {r["server"]: r for r in results}
    cog = by.get("cognate", {"workloads": {}})
    ceilings = limits_ceilings(limits)
    L = ["# Cognate benchmark", "",
         f"Machine: {os.cpu_count()} cores, {platform.machine()}, {platform.system()} {platform.release()}. "
         f"Every server ran alone, one after another, on loopback; the load generator (`cognate-bench`) shares the cores. "
         f"{CONNECTIONS} connections; per workload a probe request, {WARMUP} s warm-up, then {ROUNDS} rounds of {DURATION} s: "
         f"median req/s and its spread (slowest–fastest round), median p50/p99, server CPU seconds per 1,000 requests (utime+stime from /proc), "
         f"server peak RSS (VmHWM) at the end of the workload. A round waits 1 s past its end for answers in flight; requests "
         f"still unanswered then are dropped from it and counted as unanswered. Whole run: {total_s / 60:.1f} min.", ""]
    L += ["## Servers", "", "| server | version | start to first API answer ms | start to /health ms | idle RSS MiB | pool seeded | peak RSS MiB |", "|---|---|---|---|---|---|---|"]
    for r in results:
        seed = r.get("seed", {})
        L.append(f"| {NAMES[r['server']]} | {r['version']} | {fmt(r.get('start_ms'), 1)} | {fmt(r.get('health_ms'), 1)} | "
                 f"{fmt(r.get('idle_rss_mib'), 1)} | {fmt(seed.get('users'))} users in {fmt(seed.get('seconds'), 1)} s ({seed.get('how', '')}) | {fmt(r.get('peak_rss_mib'), 1)} |")
    if "restart_ms" in cog:
        L += ["", f"Cognate restarted on the data directory it had just used ({fmt(cog.get('seed_big', cog.get('seed', {})).get('users'))} users): "
              f"first API answer after {cog['restart_ms']:.1f} ms, /health after {fmt(cog.get('restart_health_ms'), 1)} ms, idle RSS {fmt(cog.get('restart_idle_rss_mib'), 1)} MiB."]
    if "seed_big" in cog:
        L += ["", f"For the big-pool ListUsers, Cognate's pool grew to {cog['seed_big']['users']:,} users in {cog['seed_big']['seconds']:.1f} s more "
              "(written to its SQLite file with cognate-core, the server running)."]
    L += ["", "Seeded users are `user{i}` with email `user{i}@bench.example`; the ListUsers filter is `email ^= \"user{1000..9999}\"`, Limit 60."]
    inst = [f"{k} {v[0]:.0f} s" for k, v in installs.items() if not v[1]]
    if inst:
        L += ["", "Peers installed in this run: " + ", ".join(inst) + "."]

    L += ["", "## The machine's ceilings", "", f"Measured in this run by `cognate-bench limits` ({limits['cores']} cores; one thread, then one thread per core at once).", "",
          "| operation | per core /s | all cores /s |", "|---|---|---|"]
    for l in limits["limits"]:
        L.append(f"| {l['what']} | {fmt(l['per_core'])} | {fmt(l['all_cores'])} |")
    L += ["", "| Cognate workload | cost | ceiling req/s | Cognate req/s | fraction | server CPU ms/req | cost ÷ server CPU |",
          "|---|---|---|---|---|---|---|"]
    for w, (ceil, cost, cost_s) in ceilings.items():
        r = cog["workloads"].get(w)
        v = rps(r)
        cpu = (r or {}).get("cpu_seconds_per_1000")
        L.append(f"| {w} | {cost} | {fmt(ceil)} | {fmt(v)} | {'' if v is None else f'{v / ceil:.0%}'} | "
                 f"{fmt(cpu, 3)} | {'' if not cpu else f'{cost_s * 1000 / cpu:.0%}'} |")
    L += ["", "Cognate's password check uses a fixed-base table for g^x, cheaper than the generic modexp the ceiling counts; "
          "the load generator's own work (SRP client math, TLS-free HTTP) runs on the same two cores. "
          "The last column sets the load generator aside: the counted operations' CPU time on one core against the "
          "server's own CPU time per request (100% would mean the server does nothing else). Where it is well above "
          "the fraction, the load generator's share of the two cores is what the fraction misses."]

    L += ["", "## Workloads"]
    for w in COMMON + COGNATE_ONLY + ["list-users-prefix-big"]:
        rows = {s: by[s]["workloads"].get(w) for s in servers}
        if all(v is None for v in rows.values()):
            continue
        L += ["", f"### {TITLES[w]}", "", f"![{w}]({w}.svg)", "",
              "| | " + " | ".join(NAMES[s] for s in servers) + " |", "|---" * (len(servers) + 1) + "|"]

        def line(label, f):
            L.append(f"| {label} | " + " | ".join(f(rows[s]) if rows[s] and not rows[s].get('not_supported') and not rows[s].get('failed') else cell(rows[s]) for s in servers) + " |")

        line("req/s (median)", lambda r: fmt(r["median_rps"]))
        line("spread", lambda r: f"{fmt(r['min_rps'])}–{fmt(r['max_rps'])}")
        line("p50 ms", lambda r: fmt(r["median_p50_ms"], 2))
        line("p99 ms", lambda r: fmt(r["median_p99_ms"], 2))
        line("CPU s / 1000 req", lambda r: fmt(r.get("cpu_seconds_per_1000"), 3))
        line("peak RSS MiB", lambda r: fmt(r.get("peak_rss_mib"), 1))
        line("errors", lambda r: str(sum(x["errors"] for x in r["rounds"])))
        line("unanswered at round end", lambda r: str(sum(x.get("unfinished", 0) for x in r["rounds"])))
        base = rps(rows.get("cognate"))
        if base and len(servers) > 1:
            L.append("| Cognate / peer | " + " | ".join(
                "" if s == "cognate" else (f"{base / rps(rows[s]):.1f}×" if rps(rows[s]) else "—") for s in servers) + " |")
        notes = [f"{NAMES[s]}: {rows[s].get('not_supported') or rows[s].get('failed')}" for s in servers
                 if rows[s] and (rows[s].get("not_supported") or rows[s].get("failed"))]
        for n in notes:
            L.append("")
            L.append(f"- {esc(n)}")
        svg_chart(OUT / f"{w}.svg", TITLES[w], [(NAMES[s], rps(rows[s]), "not supported" if rows[s] and rows[s].get("not_supported") else ("failed" if rows[s] and rows[s].get("failed") else "not run")) for s in servers])

    L += pre_token_overhead(by.get("cognate"))
    L += ["", "## Targets (issue 7)", ""] + targets(by, ceilings, cog)
    return "\n".join(L) + "\n"


def pre_token_overhead(cognate):
    """What one PreTokenGeneration invocation adds to a sign-in: the same
    sign-in with and without the function, medians of the same run."""
    if not cognate:
        return []
    w = cognate["workloads"]
    plain, hooked = w.get("password-sign-in"), w.get("password-sign-in-pre-token")
    if not rps(plain) or not rps(hooked):
        return []
    return ["", "### PreTokenGeneration overhead per invocation", "",
            "AdminInitiateAuth in a pool with a V2_0 function at a local Invoke server, against the same sign-in "
            "without one, in the same run (16 connections, so latencies include queueing):", "",
            "| | without | with | added |", "|---|---|---|---|",
            f"| p50 ms | {fmt(plain['median_p50_ms'], 2)} | {fmt(hooked['median_p50_ms'], 2)} | "
            f"{fmt(hooked['median_p50_ms'] - plain['median_p50_ms'], 2)} |",
            f"| p99 ms | {fmt(plain['median_p99_ms'], 2)} | {fmt(hooked['median_p99_ms'], 2)} | "
            f"{fmt(hooked['median_p99_ms'] - plain['median_p99_ms'], 2)} |",
            f"| req/s | {fmt(rps(plain))} | {fmt(rps(hooked))} | {(rps(hooked) / rps(plain) - 1) * 100:+.0f}% |"]


def targets(by, ceilings, cog):
    def v(server, w):
        return rps(by.get(server, {"workloads": {}})["workloads"].get(w))

    def met(ok):
        return "**met**" if ok else "**missed**"

    out = []
    for w, floor in [("refresh", 0.8), ("password-sign-in", 0.7), ("srp-sign-in", 0.7)]:
        c = v("cognate", w)
        if c:
            frac = c / ceilings[w][0]
            out.append(f"- {w}: ≥ {floor:.0%} of its ceiling — {frac:.0%} ({c:,.0f} of {ceilings[w][0]:,.0f} req/s): {met(frac >= floor)}"
                       + ("" if frac >= floor else f", short by {floor * ceilings[w][0] - c:,.0f} req/s") + ".")
    for w, peers_x, x_cognitox in [("refresh", 10, 2), ("password-sign-in", None, 2), ("get-user", 10, 1), ("list-users-prefix", 10, 1)]:
        c = v("cognate", w)
        if not c:
            continue
        for peer, factor in [("moto", peers_x), ("cognito-local", peers_x), ("cognitox", x_cognitox)]:
            p = v(peer, w)
            if factor is None or peer not in by:
                continue
            if p is None:
                out.append(f"- {w}: ≥ {factor}× {peer} — {peer} could not run it (not supported or failed).")
                continue
            ratio = c / p
            want = "ahead of" if factor == 1 else f"≥ {factor}×"
            ok = ratio > 1 if factor == 1 else ratio >= factor
            out.append(f"- {w}: {want} {peer} — {ratio:.1f}×: {met(ok)}.")
    big = cog["workloads"].get("list-users-prefix-big")
    if big and rps(big):
        out.append(f"- ListUsers prefix p99 < 10 ms at {cog['seed_big']['users']:,} users on SQLite — {big['median_p99_ms']:.2f} ms: {met(big['median_p99_ms'] < 10)}.")
    if "idle_rss_mib" in cog:
        r = cog["idle_rss_mib"]
        out.append(f"- Idle RSS ≤ 10 MiB — {r:.1f} MiB after a first start, {fmt(cog.get('restart_idle_rss_mib'), 1)} MiB after a restart: {met(r <= 10)}"
                   + ("" if r <= 10 else f", over by {r - 10:.1f} MiB") + ".")
        s = cog["start_ms"]
        out.append(f"- Start to first answered API call ≤ 25 ms with SQLite — {s:.1f} ms on a new data directory, {fmt(cog.get('restart_ms'), 1)} ms on an existing one: {met(s <= 25)}"
                   + ("" if s <= 25 else f", over by {s - 25:.1f} ms") + ".")
    return out


def summary(results, total_s):
    """The README's table: req/s per server, Cognate's p99, ratios."""
    by = {r["server"]: r for r in results}
    servers = [r["server"] for r in results]
    cog = by.get("cognate", {"workloads": {}})
    L = ["| workload | " + " | ".join(f"{NAMES[s]} req/s" for s in servers) + " | Cognate p99 ms |", "|---" * (len(servers) + 2) + "|"]
    for w in COMMON + COGNATE_ONLY + ["list-users-prefix-big"]:
        rows = {s: by[s]["workloads"].get(w) for s in servers}
        if all(v is None for v in rows.values()):
            continue
        base = rps(rows.get("cognate"))
        cells = []
        for s in servers:
            c = cell(rows[s])
            if s != "cognate" and base and rps(rows[s]):
                c += f" ({base / rps(rows[s]):.0f}× less)" if base >= rps(rows[s]) else f" ({rps(rows[s]) / base:.1f}× more)"
            cells.append(c)
        c = rows.get("cognate")
        L.append(f"| {TITLES[w]} | " + " | ".join(cells) + f" | {fmt(c['median_p99_ms'], 1) if rps(c) else ''} |")
    L += ["", "| server | start to first API answer | idle RSS | users seeded |", "|---|---|---|---|"]
    for r in results:
        L.append(f"| {NAMES[r['server']]} | {fmt(r.get('start_ms'), 1)} ms | {fmt(r.get('idle_rss_mib'), 1)} MiB | {fmt(r.get('seed', {}).get('users'))} |")
    L += ["", f"Whole run: {total_s / 60:.1f} min; {CONNECTIONS} connections, {ROUNDS} rounds of {DURATION} s after {WARMUP} s of warm-up. "
          "Ratios in brackets are Cognate against that server. Details, the machine's ceilings and the targets: "
          "[bench/results/latest.md](bench/results/latest.md)."]
    return "\n".join(L) + "\n"


def update_readme(text):
    """Replaces the table between the README's bench markers."""
    readme = ROOT / "README.md"
    body = readme.read_text()
    begin, end = "<!-- bench:begin -->\n", "<!-- bench:end -->"
    if begin in body and end in body:
        head, rest = body.split(begin, 1)
        readme.write_text(head + begin + text + rest[rest.index(end):])


def write_report(results, limits, installs, total):
    """Writes latest.md (and the charts) and returns its text."""
    md = report(results, limits, installs, total)
    for r in results:
        if r.get("error"):
            md += f"\n{NAMES[r['server']]} could not be measured: {esc(r['error'])}\n"
    (OUT / "latest.md").write_text(md)
    return md


def report_only():
    """Writes the report again from results.json (after a change to the
    report itself); the README is left as it is."""
    data = json.loads((OUT / "results.json").read_text())
    print(write_report(data["servers"], data["limits"], data["installs"], data["seconds"]))


def main():
    if sys.argv[1:] == ["--report-only"]:
        return report_only()
    t0 = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)
    installs = install_peers()
    log("measuring the machine's ceilings...")
    limits = json.loads(bench("http://127.0.0.1:9", "limits", "--seconds", str(LIMIT_SECONDS)).stdout)
    results = []
    with tempfile.TemporaryDirectory(prefix="cognate-bench-") as tmp:
        for server in SERVERS:
            work = Path(tmp)
            try:
                results.append(bench_server(server, work))
            except Exception as e:  # a peer that cannot start is a line of the report
                log(f"{server}: {e}")
                results.append({"server": server, "version": version_of(server), "error": str(e)[-500:], "workloads": {}})
            for p in work.iterdir():
                if p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)
    total = time.monotonic() - t0
    (OUT / "results.json").write_text(json.dumps({"limits": limits, "servers": results, "installs": installs, "seconds": total}, indent=1) + "\n")
    md = write_report(results, limits, installs, total)
    # Only a run with the default settings speaks for the README.
    if not any(k.startswith("BENCH_") for k in os.environ):
        update_readme(summary(results, total))
    else:
        log("BENCH_* settings given: README.md left as it is")
    print(md)


if __name__ == "__main__":
    main()
