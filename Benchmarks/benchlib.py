"""Shared pieces of the benchmark scripts: where things go, waiting for a quiet machine,
timing a command with wait4, writing one workload for every runner, and tables.

Nothing here reaches outside the repository: the scripts need python3, gcc, and the
peers they compare against (xargs, GNU parallel, GNU make, ninja).
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def _default_home():
    """A tmpfs (/dev/shm) when there is one with room for W4-2G's 2 GB of logs, else TMPDIR.

    On ext4, creating a file soon after many were deleted is slow: the inode allocator
    skips inodes freed in the last minute or more (`recently_deleted`, reading each
    one's deletion time), and the benchmarks delete and recreate thousands of logs a
    minute. `perf` put 40% of all the CPU of a W1 run there, for every runner alike:
    noise that drowned the runners' own differences. tmpfs has no such cost."""
    try:
        with open("/proc/mounts") as f:
            tmpfs = any(line.split()[1] == "/dev/shm" and line.split()[2] == "tmpfs" for line in f)
        st = os.statvfs("/dev/shm")
        if tmpfs and os.access("/dev/shm", os.W_OK) and st.f_bavail * st.f_frsize > 6e9:
            return "/dev/shm/batchrun-benchmarks"
    except OSError:
        pass
    return os.path.join(os.environ.get("TMPDIR", "/tmp"), "batchrun-benchmarks")


BENCH_HOME = os.environ.get("BENCH_HOME") or _default_home()

QUIET_LOAD = float(os.environ.get("QUIET_LOAD", "2.5"))
QUIET_CHECK = float(os.environ.get("QUIET_CHECK", "15"))
QUIET_MAX = float(os.environ.get("QUIET_MAX", "600"))
# Once a wait has given up (the machine stayed busy for QUIET_MAX), later waits of the
# same script give up after this long, until one finds the machine quiet again: a
# machine busy for ten minutes rarely quietens in the next ten, and every run's load is
# in the results either way.
QUIET_MAX_AFTER_GIVING_UP = float(os.environ.get("QUIET_MAX_AFTER_GIVING_UP", "15"))

_gave_up = False
load_notes = []  # (what, load) for every wait that gave up


def tables(parts, load_suffix=""):
    """The printed parts of a report, then, if any wait for a quiet machine gave up, a
    line saying how many."""
    if load_notes:
        loads = [load for _, load in load_notes]
        parts = parts + [f"{len(loads)} of the waits for a quiet machine gave up (1-minute load "
                         f"{min(loads):.2f} to {max(loads):.2f}){load_suffix}."]
    return "\n\n".join(parts)


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def load1():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def wait_quiet(what=""):
    """Waits until the 1-minute load average is below QUIET_LOAD; returns the load then
    (or when it gave up)."""
    global _gave_up
    limit = QUIET_MAX_AFTER_GIVING_UP if _gave_up else QUIET_MAX
    start = time.monotonic()
    load = load1()
    announced = False
    while load >= QUIET_LOAD:
        if time.monotonic() - start >= limit:
            _gave_up = True
            load_notes.append((what, load))
            log(f"  (load {load:.2f} still >= {QUIET_LOAD} after {limit:.0f} s: measuring {what} anyway)")
            return load
        if not announced:
            log(f"  (waiting for load < {QUIET_LOAD}: now {load:.2f})")
            announced = True
        time.sleep(QUIET_CHECK)
        load = load1()
    _gave_up = False
    return load


def measure(argv, cwd=None, stdin=None, stdout=None, env=None):
    """Runs argv to its end under Benchmarks/measure.c: wall time (monotonic clock), CPU
    (user+sys of the process and every descendant it waited for) and peak RSS, both from
    wait4's rusage.

    ru_maxrss is the largest of the process's and its waited-for descendants' peaks; for
    batchrun that is its own (its jobs, sh, true, head, tr, sleep, are far smaller)."""
    result_file = os.path.join(BENCH_HOME, "measure.out")
    stdin_fd = os.open(stdin or "/dev/null", os.O_RDONLY)
    out_fd = os.open(stdout or "/dev/null", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    old_cwd = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        pid = os.posix_spawn(
            measure_binary(), ["measure", result_file] + list(argv), env if env is not None else os.environ,
            file_actions=[(os.POSIX_SPAWN_DUP2, stdin_fd, 0), (os.POSIX_SPAWN_DUP2, out_fd, 1),
                          (os.POSIX_SPAWN_DUP2, out_fd, 2)])
        os.waitpid(pid, 0)
    finally:
        os.chdir(old_cwd)
        os.close(stdin_fd)
        os.close(out_fd)
    with open(result_file) as f:
        wall_ns, user_us, sys_us, maxrss_kb, code = (int(x) for x in f.read().split())
    os.unlink(result_file)
    return dict(wall=wall_ns / 1e9, user=user_us / 1e6, sys=sys_us / 1e6, cpu=(user_us + sys_us) / 1e6,
                maxrss_kb=maxrss_kb, rc=code)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def batchrun_binary(path=None):
    """The release batchrun: $BATCHRUN, else .build/release/batchrun of this repository."""
    path = path or os.environ.get("BATCHRUN")
    if not path:
        bin_dir = subprocess.run(
            ["swift", "build", "-c", "release", "--show-bin-path"], cwd=REPO, check=True,
            capture_output=True, text=True).stdout.strip()
        path = os.path.join(bin_dir, "batchrun")
    if not os.access(path, os.X_OK):
        sys.exit(f"no batchrun at {path}: run `swift build -c release` in {REPO} first")
    return os.path.abspath(path)


def c_binary(name):
    """Compiles Benchmarks/NAME.c into BENCH_HOME/bin when it is missing or older."""
    source = os.path.join(HERE, name + ".c")
    binary = os.path.join(BENCH_HOME, "bin", name)
    if not os.path.exists(binary) or os.path.getmtime(binary) < os.path.getmtime(source):
        os.makedirs(os.path.dirname(binary), exist_ok=True)
        subprocess.run(["gcc", "-O2", "-Wall", "-o", binary, source], check=True)
    return binary


def spawnpool_binary():
    return c_binary("spawnpool")


def measure_binary():
    return c_binary("measure")


def require(*tools):
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        sys.exit("missing: " + " ".join(missing) + " (apt-get install -y parallel ninja-build)")


def machine():
    def cpu_model():
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
        return "?"
    def filesystem(path):
        best = ("?", "")
        with open("/proc/mounts") as f:
            for line in f:
                _, mount, kind = line.split()[:3]
                if (path + "/").startswith(mount.rstrip("/") + "/") and len(mount) >= len(best[1]):
                    best = (kind, mount)
        return best[0]
    os.makedirs(BENCH_HOME, exist_ok=True)
    return dict(date=time.strftime("%Y-%m-%d %H:%M %Z"), nproc=os.cpu_count(),
                cpu=cpu_model(), kernel=os.uname().release, load=open("/proc/loadavg").read().strip(),
                files=f"{BENCH_HOME} ({filesystem(BENCH_HOME)})")


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


# ---------------------------------------------------------------------------------------
# Workloads: one job list, written once per runner's format. Every peer runs the same
# shell text per job, "exec >logs/ID.log 2>&1; CMD", with /bin/sh -c; batchrun gets the
# bare CMD and writes logs/ID.log itself.

def peer_line(job_id, command):
    return f"exec >logs/{job_id}.log 2>&1; {command}"


def write_workload(directory, jobs, peers=True):
    """jobs: [(id, command, [needed ids])] in manifest order. Writes manifest.yaml and,
    with peers, cmds.txt (xargs, parallel: no needs), spawn.txt, Makefile, build.ninja."""
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "manifest.yaml"), "w") as f:
        f.write("version: 1\njobs:\n")
        for job_id, command, needs in jobs:
            f.write(f"  {job_id}:\n    run: {json.dumps(command)}\n")
            if needs:
                f.write(f"    needs: [{', '.join(needs)}]\n")
    if not peers:
        return
    dag = any(needs for _, _, needs in jobs)
    number = {job_id: i + 1 for i, (job_id, _, _) in enumerate(jobs)}
    for _, command, _ in jobs:
        assert "\n" not in command
    if not dag:
        with open(os.path.join(directory, "cmds.txt"), "w") as f:
            for job_id, command, _ in jobs:
                f.write(peer_line(job_id, command) + "\n")
    with open(os.path.join(directory, "spawn.txt"), "w") as f:
        for job_id, command, needs in jobs:
            field = ",".join(str(number[n]) for n in needs) or "-"
            f.write(f"{field}\t{peer_line(job_id, command)}\n")
    with open(os.path.join(directory, "Makefile"), "w") as f:
        f.write("SHELL := /bin/sh\n.SUFFIXES:\n")
        f.write("all: " + " ".join(job_id for job_id, _, _ in jobs) + "\n")
        f.write(".PHONY: all " + " ".join(job_id for job_id, _, _ in jobs) + "\n")
        for job_id, command, needs in jobs:
            f.write(f"{job_id}: {' '.join(needs)}\n\t@{peer_line(job_id, command).replace('$', '$$')}\n")
    with open(os.path.join(directory, "build.ninja"), "w") as f:
        # Outputs are never created, so every edge runs on every build; a need is an input.
        f.write("rule sh\n  command = $line\n")
        for job_id, command, needs in jobs:
            f.write(f"build {job_id}: sh {' '.join(needs)}\n")
            f.write(f"  line = {peer_line(job_id, command).replace('$', '$$')}\n")


def layered(layers, width, command, prefix="j"):
    """A DAG of `layers` layers of `width` jobs, each needing the whole previous layer."""
    jobs = []
    for layer in range(layers):
        for i in range(width):
            needs = [f"{prefix}{layer - 1}_{k}" for k in range(width)] if layer else []
            jobs.append((f"{prefix}{layer}_{i}", command, needs))
    return jobs


def independent(count, command, prefix="j"):
    return [(f"{prefix}{i}", command, []) for i in range(1, count + 1)]


# ---------------------------------------------------------------------------------------
# Runners. Each returns (argv, stdin) to run in the workload directory; logs go to
# <dir>/logs (peers) or <state>/runs/<id>/logs (batchrun).

PEERS = ["spawnpool", "xargs", "parallel", "make", "ninja"]
NO_DEPS = {"xargs", "parallel"}


def runner_command(runner, directory, concurrency, batchrun=None, state=None):
    j = str(concurrency)
    if runner == "spawnpool":
        return [spawnpool_binary(), "-j", j, "spawn.txt"], None
    if runner == "xargs":
        return ["xargs", "-d", "\\n", "-n", "1", "-P", j, "/bin/sh", "-c"], "cmds.txt"
    if runner == "parallel":
        return ["parallel", "--will-cite", "-j", j, "--tmpdir", os.path.join(BENCH_HOME, "tmp")], "cmds.txt"
    if runner == "make":
        return ["make", "-r", "-R", "-s", "-j", j, "-f", "Makefile"], None
    if runner == "ninja":
        return ["ninja", "--quiet", "-j", j, "-f", "build.ninja"], None
    if runner == "batchrun":
        return [batchrun, "run", "manifest.yaml", "-j", j, "--output", "quiet", "--state-dir", state], None
    raise ValueError(runner)


def peer_environment():
    env = dict(os.environ)
    env["PARALLEL_SHELL"] = "/bin/sh"  # parallel runs each line with sh, like the others
    env["PARALLEL_HOME"] = os.path.join(BENCH_HOME, "parallel-home")
    os.makedirs(env["PARALLEL_HOME"], exist_ok=True)
    os.makedirs(os.path.join(BENCH_HOME, "tmp"), exist_ok=True)
    return env


def prepare(runner, directory):
    """Clears what the previous run left: the logs, ninja's log, batchrun's state dir.
    Returns the state dir for batchrun (fresh, empty)."""
    fresh_dir(os.path.join(directory, "logs"))
    for name in (".ninja_log", ".ninja_deps"):
        try:
            os.unlink(os.path.join(directory, name))
        except FileNotFoundError:
            pass
    return fresh_dir(os.path.join(directory, "state"))


def log_dir(runner, directory):
    if runner != "batchrun":
        return os.path.join(directory, "logs")
    runs = os.path.join(directory, "state", "runs")
    found = sorted(os.listdir(runs)) if os.path.isdir(runs) else []
    return os.path.join(runs, found[-1], "logs") if found else None


def check_logs(runner, directory, count, size=None):
    """'ok' when there is one log per job (and each is `size` bytes), else what is wrong."""
    logs = log_dir(runner, directory)
    names = os.listdir(logs) if logs and os.path.isdir(logs) else []
    if len(names) != count:
        return f"BAD: {len(names)} logs for {count} jobs"
    if size is not None:
        wrong = sum(1 for n in names if os.path.getsize(os.path.join(logs, n)) != size)
        if wrong:
            return f"BAD: {wrong} logs not {size} bytes"
    return "ok"


def run_once(runner, directory, concurrency, count, batchrun=None, size=None, what=""):
    """One timed run of a runner on a workload, after waiting for a quiet machine."""
    state = prepare(runner, directory)
    argv, stdin = runner_command(runner, directory, concurrency, batchrun, state)
    load = wait_quiet(what or f"{runner} in {directory}")
    result = measure(argv, cwd=directory, stdin=stdin and os.path.join(directory, stdin),
                     stdout=os.path.join(directory, "runner.out"), env=peer_environment())
    result["load"] = load
    result["check"] = "FAILED (exit %d)" % result["rc"] if result["rc"] != 0 else check_logs(
        runner, directory, count, size)
    if result["check"] != "ok":
        with open(os.path.join(directory, "runner.out"), errors="replace") as f:
            log(f"  {runner}: {result['check']}\n" + f.read()[-2000:])
    return result


def table(header, rows):
    """A Markdown table."""
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    def line(cells):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [line(r) for r in rows])


def fmt(value, digits=0, suffix=""):
    if value is None:
        return "n/a"
    return f"{value:.{digits}f}{suffix}"


def save(name, data):
    """Keeps raw results as JSON in BENCH_HOME/results/NAME-STAMP.json; returns the path."""
    directory = os.path.join(BENCH_HOME, "results")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json")
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
    return path
