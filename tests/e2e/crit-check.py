# SPDX-License-Identifier: GPL-2.0-only
"""Image check of a real dump, for tests/e2e/crit-dump.t.

  crit-check.py facts ROOT FACTS.json
      Gather what /proc says about the tree under ROOT (run before the dump).
  crit-check.py check IMGDIR FACTS.json [PIPE_DATA]
      Decode every image in IMGDIR with CRIU's crit and compare the values
      with the facts. Prints one line per check: "PASS<TAB>what",
      "FAIL<TAB>what<TAB>why", or TODO-PASS/TODO-FAIL for checks of known
      engine bugs (see KNOWN); the .t turns them into TAP.
"""
import base64
import json
import os
import re
import stat
import struct
import subprocess
import sys

CRIT = os.environ.get("CRIT", "/usr/bin/crit")
PAGE = 4096
O_CLOEXEC = 0o2000000
F_GETPIPE_SZ = 1032
FIONREAD = 0x541B
# CRIU's vma status bits (criu/include/image.h)
VMA_REGULAR, VMA_VSYSCALL, VMA_VDSO, VMA_HEAP = 1, 1 << 2, 1 << 3, 1 << 5
VMA_FILE_PRIVATE, VMA_FILE_SHARED, VMA_ANON_PRIVATE = 1 << 6, 1 << 7, 1 << 9
VMA_VVAR = 1 << 12
MAP_SHARED, MAP_PRIVATE, MAP_ANONYMOUS = 1, 2, 0x20
PE_PRESENT = 1 << 2
# CRIU's task states (compel/include/uapi/task-state.h); a zombie is
# written as TASK_DEAD by CRIU's dump_one_zombie()
TASK_ALIVE, TASK_DEAD = 1, 2
NS = {"pid": "pid_ns_id", "net": "net_ns_id", "ipc": "ipc_ns_id", "uts": "uts_ns_id",
      "mnt": "mnt_ns_id", "user": "user_ns_id", "cgroup": "cgroup_ns_id",
      "time": "time_ns_id"}
# checks that fail because of engine bugs reported, not fixed, by this test's
# author; they show as TODO until the engine is fixed
KNOWN = {}


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


# ---------------------------------------------------------------- facts

def tree(pid):
    out = [pid]
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            kids = read("/proc/%d/task/%s/children" % (pid, tid)).split()
        except OSError:
            kids = []
        for k in kids:
            out += tree(int(k))
    return out


def status(path):
    st = {}
    for line in read(path).splitlines():
        k, _, v = line.partition(":")
        st[k] = v.strip()
    return st


def parse_stat(pid):
    s = read("/proc/%d/stat" % pid)
    f = s[s.rindex(")") + 2:].split()
    names = {"state": 0, "ppid": 1, "pgid": 2, "sid": 3, "start_code": 23, "end_code": 24,
             "start_stack": 25, "start_data": 42, "end_data": 43, "start_brk": 44,
             "arg_start": 45, "arg_end": 46, "env_start": 47, "env_end": 48, "exit_code": 49}
    return {k: (f[i] if k == "state" else int(f[i])) for k, i in names.items()}


def parse_maps(pid):
    vmas = []
    for line in read("/proc/%d/maps" % pid).splitlines():
        p = line.split(None, 5)
        s, e = (int(x, 16) for x in p[0].split("-"))
        vmas.append({"start": s, "end": e, "perms": p[1], "pgoff": int(p[2], 16),
                     "inode": int(p[4]), "path": p[5] if len(p) > 5 else ""})
    return vmas


def parse_limits(pid):
    lim = []
    for line in read("/proc/%d/limits" % pid).splitlines()[1:]:
        w = line[26:].split()
        lim.append([2**64 - 1 if x == "unlimited" else int(x) for x in w[:2]])
    return lim


def thread_facts(pid, tid):
    st = status("/proc/%d/task/%d/status" % (pid, tid))
    return {"comm": read("/proc/%d/task/%d/comm" % (pid, tid)).rstrip("\n"),
            "uid": [int(x) for x in st["Uid"].split()],
            "gid": [int(x) for x in st["Gid"].split()],
            "groups": [int(x) for x in st["Groups"].split()],
            "sigblk": int(st["SigBlk"], 16)}


def thread_sps(pid):
    """Stack pointers of the threads, from /proc/PID/task/TID/syscall (the
    threads of a workload sleep in a syscall; "running" gives none)."""
    sps = []
    for tid in os.listdir("/proc/%d/task" % pid):
        w = read("/proc/%d/task/%s/syscall" % (pid, tid)).split()
        if len(w) > 2:
            sps.append(int(w[-2], 16))
    return sps


def page_facts(pid, vmas):
    """Present pages of private VMAs that are not file pages (anon or CoW),
    with their content; thread stacks are left out: a thread between two
    sleeps writes them."""
    pages = {}
    sps = thread_sps(pid)
    with open("/proc/%d/pagemap" % pid, "rb") as pm, open("/proc/%d/mem" % pid, "rb") as mem:
        for v in vmas:
            if v["perms"][3] != "p" or v["path"] in ("[stack]", "[vvar]", "[vvar_vclock]",
                                                       "[vsyscall]", "[vdso]") \
                    or v["perms"][0] != "r" or any(v["start"] <= sp < v["end"] for sp in sps):
                continue
            n = (v["end"] - v["start"]) // PAGE
            pm.seek(v["start"] // PAGE * 8)
            ents = struct.unpack("<%dQ" % n, pm.read(8 * n))
            for i, e in enumerate(ents):
                if not e >> 63 & 1 or e >> 61 & 1:
                    continue
                a = v["start"] + i * PAGE
                mem.seek(a)
                data = mem.read(PAGE)
                if data.count(0) == PAGE:
                    continue	# zero pages may be left out of a dump
                pages[a] = base64.b64encode(data).decode()
    return pages


def fd_facts(pid):
    fds = {}
    for n in os.listdir("/proc/%d/fd" % pid):
        t = os.readlink("/proc/%d/fd/%s" % (pid, n))
        info = status("/proc/%d/fdinfo/%s" % (pid, n))
        f = {"target": t, "pos": int(info["pos"]), "flags": int(info["flags"], 8)}
        if t.startswith("pipe:"):
            # the same pipe, opened again through /proc: size and bytes queued
            fd = os.open("/proc/%d/fd/%s" % (pid, n), os.O_RDONLY | os.O_NONBLOCK)
            import fcntl
            f["pipe_size"] = fcntl.fcntl(fd, F_GETPIPE_SZ)
            buf = fcntl.ioctl(fd, FIONREAD, b"\0\0\0\0")
            f["pipe_bytes"] = struct.unpack("i", buf)[0]
            os.close(fd)
        elif t.startswith("/"):
            s = os.stat(t)
            f["mode"] = s.st_mode
            if stat.S_ISREG(s.st_mode):
                f["size"] = s.st_size
        fds[int(n)] = f
    return fds


def task_facts(pid):
    t = parse_stat(pid)
    t["comm"] = read("/proc/%d/comm" % pid).rstrip("\n")
    st = status("/proc/%d/status" % pid)
    t["sigign"], t["sigcgt"] = int(st["SigIgn"], 16), int(st["SigCgt"], 16)
    if t["state"] == "Z":
        return t
    t["umask"] = int(st["Umask"], 8)
    t["threads"] = {int(x): thread_facts(pid, int(x)) for x in os.listdir("/proc/%d/task" % pid)}
    t["maps"] = parse_maps(pid)
    t["cwd"] = os.readlink("/proc/%d/cwd" % pid)
    t["root"] = os.readlink("/proc/%d/root" % pid)
    t["exe"] = os.readlink("/proc/%d/exe" % pid)
    a = read("/proc/%d/auxv" % pid, "rb")
    t["auxv"] = list(struct.unpack("<%dQ" % (len(a) // 8), a))
    t["limits"] = parse_limits(pid)
    t["ns"] = {k: os.stat("/proc/%d/ns/%s" % (pid, k)).st_ino for k in NS}
    t["fds"] = fd_facts(pid)
    t["pages"] = page_facts(pid, t["maps"])
    return t


def facts(root, out):
    f = {"root": root, "tasks": {p: task_facts(p) for p in tree(root)}}
    with open(out, "w") as fp:
        json.dump(f, fp)


# ---------------------------------------------------------------- check

def mask(data, addr, areas):
    """@data (the page at @addr) with the bytes of @areas zeroed."""
    b = bytearray(data)
    for start, size in areas:
        lo, hi = max(start, addr), min(start + size, addr + PAGE)
        if lo < hi:
            b[lo - addr:hi - addr] = bytes(hi - lo)
    return bytes(b)


class Checker:
    def __init__(self, imgdir, facts, pipe_data):
        self.dir = imgdir
        self.f = facts
        self.tasks = {int(k): v for k, v in facts["tasks"].items()}
        self.live = {p: t for p, t in self.tasks.items() if t["state"] != "Z"}
        self.pipe_data = pipe_data
        self.imgs = {}

    def result(self, what, errs, known=None):
        known = known if known in KNOWN else None
        tag = "TODO-" if known else ""
        if errs:
            print("%sFAIL\t%s\t%s" % (tag, what, "; ".join(str(e) for e in errs[:4])))
        else:
            print("%sPASS\t%s" % (tag, what))
        if known:
            print("#\tknown engine bug: %s" % KNOWN[known])

    def img(self, name):
        if name not in self.imgs:
            self.imgs[name] = None
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                r = subprocess.run([CRIT, "decode", "-i", path], capture_output=True)
                if r.returncode == 0:
                    self.imgs[name] = json.loads(r.stdout)
        return self.imgs[name]

    def entries(self, name):
        d = self.img(name)
        return d["entries"] if d else []

    def decode_all(self):
        kinds = {}
        for name in sorted(os.listdir(self.dir)):
            kind = re.sub(r"(-\d+)?\.img$", "", name)
            kinds.setdefault(kind, []).append(name)
        for kind, names in sorted(kinds.items()):
            if kind == "pages":
                continue	# raw page data: checked with the pagemap
            if kind.startswith("vzcr-"):
                continue	# vzcr's own images: crit knows not their magic
            bad = [n for n in names if self.img(n) is None]
            self.result("%s: crit decodes all %d file(s)" % (kind, len(names)),
                        ["%s does not decode" % n for n in bad])
        return kinds

    def core(self, tid):
        e = self.entries("core-%d.img" % tid)
        return e[0] if e else {}

    def check_inventory(self):
        errs = []
        inv = (self.entries("inventory.img") or [{}])[0]
        ids = self.core(self.f["root"]).get("ids", {})
        if inv.get("img_version") != 2:
            errs.append("img_version %s" % inv.get("img_version"))
        if inv.get("fdinfo_per_id") is not True:
            errs.append("fdinfo_per_id not set")
        for k in ("vm_id", "files_id", "fs_id", "sighand_id"):
            if inv.get("root_ids", {}).get(k) != ids.get(k) or k not in ids:
                errs.append("root_ids.%s %s, root core %s" % (k, inv.get("root_ids", {}).get(k),
                                                              ids.get(k)))
        self.result("inventory: version, fdinfo_per_id, root_ids = root's ids", errs)

    def check_pstree(self):
        errs = []
        ents = {e["pid"]: e for e in self.entries("pstree.img")}
        if set(ents) != set(self.tasks):
            errs.append("pids %s, /proc %s" % (sorted(ents), sorted(self.tasks)))
        for p, t in self.tasks.items():
            e = ents.get(p, {})
            want = {"ppid": 0 if p == self.f["root"] else t["ppid"], "pgid": t["pgid"],
                    "sid": t["sid"]}
            for k, v in want.items():
                if e.get(k) != v:
                    errs.append("%d %s %s, /proc %s" % (p, k, e.get(k), v))
            if p in self.live and sorted(e.get("threads", [])) != sorted(map(int, t["threads"])):
                errs.append("%d threads %s, /proc %s" % (p, e.get("threads"),
                                                        sorted(t["threads"])))
        self.result("pstree: pids, ppid, pgid, sid, threads of %d tasks" % len(self.tasks), errs)

    def vma_of(self, pid, addr, want=""):
        for v in self.tasks[pid]["maps"]:
            if v["start"] <= addr < v["end"]:
                return all(c in v["perms"] for c in want)
        return False

    def check_thread(self, pid, tid, th, errs):
        c = self.core(tid)
        tc = c.get("thread_core", {})
        cr = tc.get("creds", {})
        if c.get("mtype") != "X86_64":
            errs.append("%d mtype %s" % (tid, c.get("mtype")))
        for i, k in enumerate(("uid", "euid", "suid", "fsuid")):
            if cr.get(k) != th["uid"][i]:
                errs.append("%d %s %s, /proc %s" % (tid, k, cr.get(k), th["uid"][i]))
        for i, k in enumerate(("gid", "egid", "sgid", "fsgid")):
            if cr.get(k) != th["gid"][i]:
                errs.append("%d %s %s, /proc %s" % (tid, k, cr.get(k), th["gid"][i]))
        if sorted(cr.get("groups", [])) != sorted(th["groups"]):
            errs.append("%d groups %s, /proc %s" % (tid, cr.get("groups"), th["groups"]))
        if tc.get("blk_sigset") != th["sigblk"]:
            errs.append("%d blk_sigset %#x, /proc %#x" % (tid, tc.get("blk_sigset", -1),
                                                         th["sigblk"]))
        if tc.get("comm") != th["comm"]:
            errs.append("%d thread comm %r, /proc %r" % (tid, tc.get("comm"), th["comm"]))
        regs = c.get("thread_info", {}).get("gpregs", {})
        if not self.vma_of(pid, regs.get("ip", 0), "x"):
            errs.append("%d ip %#x not in an executable VMA" % (tid, regs.get("ip", 0)))
        if not self.vma_of(pid, regs.get("sp", 0), "rw"):
            errs.append("%d sp %#x not in a writable VMA" % (tid, regs.get("sp", 0)))
        if not self.vma_of(pid, regs.get("fs_base", 0), "rw"):
            errs.append("%d fs_base %#x not in a writable VMA" % (tid, regs.get("fs_base", 0)))

    def check_sigactions(self, pid, t, sa, errs):
        if len(sa) != 62:
            errs.append("%d: %d sigactions, CRIU has 62 (no SIGKILL/SIGSTOP)" % (pid, len(sa)))
            return
        sigs = [s for s in range(1, 65) if s not in (9, 19)]
        for s, e in zip(sigs, sa):
            bit = 1 << (s - 1)
            want = "ign" if t["sigign"] & bit else "handler" if t["sigcgt"] & bit else "dfl"
            h = e.get("sigaction", 0)
            got = "dfl" if h == 0 else "ign" if h == 1 else "handler"
            if got != want:
                errs.append("%d sig %d: %s, /proc %s" % (pid, s, got, want))

    def check_core_task(self, pid, t, errs):
        c = self.core(pid)
        tc = c.get("tc", {})
        if tc.get("task_state") != TASK_ALIVE or tc.get("exit_code", 0) != 0:
            errs.append("%d state %s exit %s" % (pid, tc.get("task_state"), tc.get("exit_code")))
        if tc.get("comm") != t["comm"]:
            errs.append("%d comm %r, /proc %r" % (pid, tc.get("comm"), t["comm"]))
        if tc.get("blk_sigset") != t["threads"][str(pid)]["sigblk"]:
            errs.append("%d tc.blk_sigset %s" % (pid, tc.get("blk_sigset")))
        rl = [[r.get("cur"), r.get("max")] for r in tc.get("rlimits", {}).get("rlimits", [])]
        if rl != t["limits"]:
            errs.append("%d rlimits %s, /proc %s" % (pid, rl, t["limits"]))
        self.check_sigactions(pid, t, tc.get("sigactions", []), errs)
        for ns, k in NS.items():
            if c.get("ids", {}).get(k) != t["ns"][ns]:
                errs.append("%d %s %s, /proc %s" % (pid, k, c.get("ids", {}).get(k), t["ns"][ns]))

    def check_core(self):
        errs, zerrs = [], {"zombie task_state": [], "zombie comm": []}
        cores = {int(n[5:-4]) for n in os.listdir(self.dir) if re.match(r"core-\d+\.img$", n)}
        want = {int(x) for t in self.live.values() for x in t["threads"]}
        want |= {p for p, t in self.tasks.items() if t["state"] == "Z"}
        if cores != want:
            errs.append("core files for %s, /proc tasks %s" % (sorted(cores), sorted(want)))
        nthreads = 0
        for p, t in self.tasks.items():
            if t["state"] == "Z":
                tc = self.core(p).get("tc", {})
                if tc.get("exit_code") != t["exit_code"]:
                    errs.append("zombie %d exit_code %s, /proc %s" % (p, tc.get("exit_code"),
                                                                     t["exit_code"]))
                if tc.get("task_state") != TASK_DEAD:
                    zerrs["zombie task_state"].append("%d: %s" % (p, tc.get("task_state")))
                if tc.get("comm") != t["comm"]:
                    zerrs["zombie comm"].append("%d: %r, /proc %r" % (p, tc.get("comm"), t["comm"]))
                continue
            self.check_core_task(p, t, errs)
            for tid, th in t["threads"].items():
                self.check_thread(p, int(tid), th, errs)
                nthreads += 1
        self.result("core: comm, creds, blocked masks, rlimits, sigactions, ns ids, regs "
                    "of %d threads" % nthreads, errs)
        nz = sum(t["state"] == "Z" for t in self.tasks.values())
        if nz:
            self.result("core: %d zombie(s) written as TASK_DEAD" % nz,
                        zerrs["zombie task_state"], "zombie task_state")
            self.result("core: zombie comm", zerrs["zombie comm"], "zombie comm")

    def files(self):
        return {e["id"]: e for e in self.entries("files.img")}

    def reg_name(self, fid):
        e = self.files().get(fid, {})
        return e.get("reg", {}).get("name") if e.get("type") == "REG" else None

    def check_vma(self, v, m, errs, special):
        where = "%x-%x" % (v["start"], v["end"])
        prot = (1 if "r" in v["perms"] else 0) | (2 if "w" in v["perms"] else 0) | \
            (4 if "x" in v["perms"] else 0)
        if m.get("prot") != prot:
            errs.append("%s prot %s, /proc %s" % (where, m.get("prot"), v["perms"]))
        shared = v["perms"][3] == "s"
        fl, st = m.get("flags", 0), m.get("status", 0)
        if fl & (MAP_SHARED | MAP_PRIVATE) != (MAP_SHARED if shared else MAP_PRIVATE):
            errs.append("%s flags %#x, /proc %s" % (where, fl, v["perms"]))
        path = v["path"]
        if path in ("[vdso]", "[vvar]"):
            want = VMA_REGULAR | (VMA_VDSO if path == "[vdso]" else VMA_VVAR)
            if st & want != want:
                special.append("%s %s status %#x" % (where, path, st))
        elif path == "[vvar_vclock]":
            pass	# 6.13+: no CRIU status bit to compare with
        elif path == "[vsyscall]":
            if not st & VMA_VSYSCALL:
                errs.append("%s vsyscall status %#x" % (where, st))
        elif path.startswith("[") or not v["inode"]:
            want = VMA_REGULAR | VMA_ANON_PRIVATE | (VMA_HEAP if path == "[heap]" else 0)
            if st & want != want or not fl & MAP_ANONYMOUS:
                errs.append("%s %s anon: status %#x flags %#x" % (where, path, st, fl))
        else:
            want = VMA_REGULAR | (VMA_FILE_SHARED if shared else VMA_FILE_PRIVATE)
            if st & want != want or fl & MAP_ANONYMOUS:
                errs.append("%s file: status %#x flags %#x" % (where, st, fl))
            if self.reg_name(m.get("shmid")) != path:
                errs.append("%s file id %s is %r, /proc %r" % (where, m.get("shmid"),
                                                              self.reg_name(m.get("shmid")), path))
            if m.get("pgoff") != v["pgoff"]:
                errs.append("%s pgoff %s, /proc %s" % (where, m.get("pgoff"), v["pgoff"]))

    def check_mm(self):
        errs, special = [], []
        for p, t in self.live.items():
            mm = (self.entries("mm-%d.img" % self.core(p).get("ids", {}).get("vm_id", p))
                  or [{}])[0]
            for k in ("start_code", "end_code", "start_stack", "start_data", "end_data",
                      "start_brk", "arg_start", "arg_end", "env_start", "env_end"):
                if mm.get("mm_" + k) != t[k]:
                    errs.append("%d mm_%s %s, /proc %s" % (p, k, mm.get("mm_" + k), t[k]))
            if mm.get("mm_saved_auxv") != t["auxv"]:
                errs.append("%d auxv differs from /proc/PID/auxv" % p)
            if self.reg_name(mm.get("exe_file_id")) != t["exe"]:
                errs.append("%d exe %r, /proc %r" % (p, self.reg_name(mm.get("exe_file_id")),
                                                    t["exe"]))
            vmas = mm.get("vmas", [])
            got = [(v.get("start"), v.get("end")) for v in vmas]
            want = [(v["start"], v["end"]) for v in t["maps"]]
            if got != want:
                errs.append("%d VMAs %s, /proc %s" % (p, sorted(set(got) ^ set(want))[:4],
                                                     len(want)))
                continue
            for v, m in zip(t["maps"], vmas):
                self.check_vma(v, m, errs, special)
        self.result("mm: VMAs (start, end, prot, flags, status, file, pgoff), mm_* fields, "
                    "auxv, exe of %d tasks" % len(self.live), errs)
        self.result("mm: [vdso]/[vvar] status as CRIU's", special, "vdso/vvar status")

    def rseq_areas(self, pid, t):
        """The kernel writes the cpu ids of struct rseq whenever a thread
        migrates, sleeping or not: those bytes are no fact to compare."""
        out = []
        for tid in t["threads"]:
            r = self.core(int(tid)).get("thread_core", {}).get("rseq_entry", {})
            if r.get("rseq_abi_pointer"):
                out.append((r["rseq_abi_pointer"], r.get("rseq_abi_size", 32)))
        return out

    def check_pagemap(self):
        errs, npages = [], 0
        for p, t in self.live.items():
            pm = self.entries("pagemap-%d.img" % self.core(p).get("ids", {}).get("vm_id", p))
            if not pm or "pages_id" not in pm[0]:
                errs.append("%d: no pagemap head" % p)
                continue
            path = os.path.join(self.dir, "pages-%d.img" % pm[0]["pages_id"])
            size = os.path.getsize(path) if os.path.exists(path) else -1
            total, last, dumped = 0, 0, {}
            with open(path, "rb") if size >= 0 else open(os.devnull, "rb") as pages:
                for e in pm[1:]:
                    a, n = e.get("vaddr", 0), e.get("nr_pages", 0)
                    if a % PAGE or a < last or not n or not e.get("flags", 0) & PE_PRESENT:
                        errs.append("%d entry %x+%d flags %s" % (p, a, n, e.get("flags")))
                    last = a + n * PAGE
                    # an entry may span adjacent VMAs; each page must be in a private one
                    out = [x for x in range(a, last, PAGE) if not any(
                        v["start"] <= x < v["end"] and v["perms"][3] == "p" for v in t["maps"])]
                    if out:
                        errs.append("%d entry %x+%d: page %x not in a private VMA" %
                                    (p, a, n, out[0]))
                    for i in range(n):
                        dumped[a + i * PAGE] = pages.read(PAGE)
                    total += n
            if size != total * PAGE:
                errs.append("%d: %s is %d bytes, pagemap says %d pages" % (p, path, size, total))
            rseq = self.rseq_areas(p, t)
            for a, data in t["pages"].items():
                a = int(a)
                if a not in dumped:
                    errs.append("%d: present page %x not dumped" % (p, a))
                elif mask(dumped[a], a, rseq) != mask(base64.b64decode(data), a, rseq):
                    errs.append("%d: page %x differs from /proc/PID/mem" % (p, a))
            npages += len(t["pages"])
        self.result("pagemap: entries in private VMAs, pages-N.img size = 4096 * sum(nr_pages), "
                    "%d present pages dumped with their content" % npages, errs)

    def check_fdinfo(self):
        errs, files, n = [], self.files(), 0
        for p, t in self.live.items():
            fid = self.core(p).get("ids", {}).get("files_id", p)
            ents = {e.get("fd"): e for e in self.entries("fdinfo-%d.img" % fid)}
            if set(ents) != set(int(x) for x in t["fds"]):
                errs.append("%d fds %s, /proc %s" % (p, sorted(ents), sorted(t["fds"])))
            for fd, f in t["fds"].items():
                n += 1
                e = ents.get(int(fd), {})
                fe = files.get(e.get("id"), {})
                if e.get("flags") != (1 if f["flags"] & O_CLOEXEC else 0):
                    errs.append("%d fd %s: fd flags %s, /proc %o" % (p, fd, e.get("flags"),
                                                                  f["flags"]))
                m = re.match(r"pipe:\[(\d+)\]", f["target"])
                body = fe.get("pipe" if m else "reg", {})
                if e.get("type") != ("PIPE" if m else "REG") or fe.get("type") != e.get("type"):
                    errs.append("%d fd %s: type %s/%s for %s" % (p, fd, e.get("type"),
                                                                 fe.get("type"), f["target"]))
                    continue
                if body.get("flags") != f["flags"] & ~O_CLOEXEC:
                    errs.append("%d fd %s: flags %s, /proc %o" % (p, fd, body.get("flags"),
                                                              f["flags"]))
                if m and body.get("pipe_id") != int(m.group(1)):
                    errs.append("%d fd %s: pipe_id %s, /proc %s" % (p, fd, body.get("pipe_id"),
                                                                    m.group(1)))
                if not m:
                    for k in ("name", "pos", "mode", "size"):
                        want = f["target"] if k == "name" else f.get(k)
                        if want is not None and body.get(k) != want:
                            errs.append("%d fd %s: %s %s, /proc %s" % (p, fd, k, body.get(k),
                                                                        want))
        self.result("fdinfo+files: fd numbers, types, names, flags, pos, mode, size, pipe ids "
                    "of %d fds" % n, errs)

    def check_fs(self):
        errs = []
        for p, t in self.live.items():
            fs = (self.entries("fs-%d.img" % self.core(p).get("ids", {}).get("fs_id", p))
                  or [{}])[0]
            if fs.get("umask") != t["umask"]:
                errs.append("%d umask %s, /proc %o" % (p, fs.get("umask"), t["umask"]))
            for k in ("cwd", "root"):
                if self.reg_name(fs.get(k + "_id")) != t[k]:
                    errs.append("%d %s %r, /proc %r" % (p, k, self.reg_name(fs.get(k + "_id")),
                                                       t[k]))
        self.result("fs+files: umask, cwd, root of %d tasks" % len(self.live), errs)

    def check_files(self):
        errs, ids = [], [e.get("id") for e in self.entries("files.img")]
        if len(ids) != len(set(ids)) or not ids:
            errs.append("ids not unique or none: %d entries" % len(ids))
        for e in self.entries("files.img"):
            body = e.get(e.get("type", "").lower(), {})
            if body.get("id") != e.get("id"):
                errs.append("entry %s: inner id %s" % (e.get("id"), body.get("id")))
        self.result("files: %d entries, unique ids, inner ids match" % len(ids), errs)

    def check_pipes_data(self):
        errs, pipes = [], {}
        for t in self.live.values():
            for f in t["fds"].values():
                m = re.match(r"pipe:\[(\d+)\]", f["target"])
                if m:
                    pipes[int(m.group(1))] = f
        ents = {e.get("pipe_id"): e for e in self.entries("pipes-data.img")}
        for ino, f in pipes.items():
            e = ents.get(ino)
            if e is None:
                if f["pipe_bytes"]:
                    errs.append("pipe %d with %d bytes not in the image" % (ino, f["pipe_bytes"]))
                continue
            data = base64.b64decode(e.get("extra", ""))
            if e.get("bytes") != f["pipe_bytes"] or len(data) != f["pipe_bytes"]:
                errs.append("pipe %d: bytes %s, payload %d, /proc %d" % (ino, e.get("bytes"),
                                                                         len(data), f["pipe_bytes"]))
            if e.get("size") != f["pipe_size"]:
                errs.append("pipe %d: size %s, F_GETPIPE_SZ %d" % (ino, e.get("size"),
                                                                  f["pipe_size"]))
            if self.pipe_data and f["pipe_bytes"] and data != self.pipe_data.encode():
                errs.append("pipe %d: payload %r" % (ino, data))
        if set(ents) - set(pipes):
            errs.append("pipes %s are not the tree's" % sorted(set(ents) - set(pipes)))
        self.result("pipes-data: bytes, size, payload of %d pipes" % len(pipes), errs)

    def check_fifo_data(self):
        """Every fifo-data entry belongs to a FIFO of files.img, payload as long as said."""
        errs = []
        fifos = {e["fifo"]["pipe_id"] for e in self.files().values()
                 if e.get("type") == "FIFO" and "fifo" in e}
        ents = self.entries("fifo-data.img")
        for e in ents:
            data = base64.b64decode(e.get("extra", ""))
            if e.get("pipe_id") not in fifos:
                errs.append("fifo data for pipe %s, no such FIFO" % e.get("pipe_id"))
            if e.get("bytes") != len(data):
                errs.append("fifo %s: bytes %s, payload %d" % (e.get("pipe_id"), e.get("bytes"),
                                                               len(data)))
        self.result("fifo-data: %d entries, each a FIFO's, payloads whole" % len(ents), errs)


def varint(b, i):
    v = shift = 0
    while True:
        v |= (b[i] & 0x7f) << shift
        shift += 7
        i += 1
        if not b[i - 1] & 0x80:
            return v, i


def own_vdso():
    """This process's [vdso] bytes: the running kernel's vDSO."""
    with open("/proc/self/maps") as f:
        for line in f:
            if line.rstrip().endswith("[vdso]"):
                lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
                with open("/proc/self/mem", "rb") as m:
                    m.seek(lo)
                    return m.read(hi - lo)
    return b""


def check_vzcr_vdso(c):
    """vzcr-vdso-PID.img (vzcr's own; crit cannot decode it, engine/images/README):
    the task's [vdso] start and bytes, which are this kernel's vDSO."""
    errs, kernel = [], own_vdso()
    for p, t in c.live.items():
        name = "vzcr-vdso-%d.img" % p
        vd = [v for v in t["maps"] if v["path"] == "[vdso]"]
        with open(os.path.join(c.dir, name), "rb") as f:
            b = f.read()
        magic, vmagic, n = struct.unpack_from("<III", b)
        msg, i, start, text = b[12:12 + n], 0, None, None
        while i < len(msg):
            key, i = varint(msg, i)
            if key == 0x08:
                start, i = varint(msg, i)
            elif key == 0x12:
                ln, i = varint(msg, i)
                text, i = msg[i:i + ln], i + ln
            else:
                break
        if (magic, vmagic) != (0x54564319, 0x56434e44):
            errs.append("%s magics %#x %#x" % (name, magic, vmagic))
        elif not vd or start != vd[0]["start"] or len(text or b"") != vd[0]["end"] - start:
            errs.append("%s start %s, %d bytes; /proc %s" % (name, start, len(text or b""), vd))
        elif text != kernel:
            errs.append("%s: not this kernel's vDSO" % name)
    c.result("vzcr-vdso: each task's [vdso] start and bytes (this kernel's)", errs)


def check(imgdir, factfile, pipe_data):
    with open(factfile) as fp:
        c = Checker(imgdir, json.load(fp), pipe_data)
    kinds = c.decode_all()
    checks = {"inventory": c.check_inventory, "pstree": c.check_pstree, "core": c.check_core,
              "mm": c.check_mm, "pagemap": c.check_pagemap, "pages": None,
              "fdinfo": c.check_fdinfo, "fs": c.check_fs, "files": c.check_files,
              "pipes-data": c.check_pipes_data, "fifo-data": c.check_fifo_data,
              "vzcr-vdso": lambda: check_vzcr_vdso(c)}
    for kind in ("inventory", "pstree", "core", "mm", "pagemap", "fdinfo", "fs", "files",
                 "pipes-data", "fifo-data", "vzcr-vdso"):
        try:
            checks[kind]()
        except Exception as e:	# a missing or malformed field: a failure, not a crash
            print("FAIL\t%s: values\t%s: %r" % (kind, type(e).__name__, e))
    for kind in sorted(set(kinds) - set(checks)):
        print("FAIL\t%s: no value check for this image kind yet\t%s" %
              (kind, ", ".join(kinds[kind])))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "facts":
        facts(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) == 5 else None)
    else:
        sys.exit(__doc__)
