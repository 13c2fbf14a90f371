#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Checks the image set ovz2img wrote for mkcpt's synthetic dump (GEN: rhel6,
# rhel5 or rhel6-grown) value by value, from `vzcr image show --json` and the
# raw pages images; prints one "ok"/"not ok" line per check (TAP body).
import base64
import json
import sys

j = json.load(open(sys.argv[1]))
d, gen = sys.argv[2], sys.argv[3]
img = {i["file"]: i.get("entries") for i in j["images"]}
n = 0


def check(cond, what):
    global n
    n += 1
    print("%s %d - %s: %s" % ("ok" if cond else "not ok", n, gen, what))


def one(name):
    return (img.get(name) or [{}])[0]


rhel6 = gen != "rhel5"
check([(p["pid"], p["ppid"], p["pgid"], p["sid"], p["threads"]) for p in img["pstree.img"]] ==
      [(1, 0, 1, 1, [1]), (42, 1, 42, 42, [42, 43])], "pstree: pids, parents, groups, threads")
c1, c42, c43 = one("core-1.img"), one("core-42.img"), one("core-43.img")
g = c1["thread_info"]["gpregs"]
check((g["cs"], g["ss"], g["ip"], g["ax"], g["orig_ax"], g["sp"]) ==
      (0x33, 0x2b, 0x400100, 230, 2**64 - 1, 0x601ff0) and
      (g["di"], g["si"], g["dx"], g["r10"]) == (1, 0, 0x601800, 0x601800),
      "init registers: selectors decoded, its nanosleep re-issued as clock_nanosleep")
g43 = c43["thread_info"]["gpregs"]
check((g43["ip"], g43["ax"], g43["orig_ax"]) == (0x400100, 219, 2**64 - 1),
      "thread 43: no restart block, folded to restart_syscall")
fp = c1["thread_info"]["fpregs"]
check((fp["cwd"], fp["mxcsr"], fp["xmm_space"][:4], fp["xsave"]["xstate_bv"]) ==
      (0x37f, 0x1fa0, [0x11111111] * 4, 3), "fxsave: control word, MXCSR, xmm0, x87|SSE valid")
check("tc" not in c43 and "tc" in c42, "threads: a core each, task state with the leader only")
g42 = c42["thread_info"]["gpregs"]
check((g42["ip"], g42["ax"], g42["di"], g42["si"], g42["dx"]) ==
      ((0x400100, 7, 0x601000, 2, 1500) if rhel6 else (0x400100, 219, 0, 0, 0)),
      "sshd in poll: re-issued with the 1500 ms left (RHEL6), folded (2.6.18)")
tc = c1["tc"]
check((tc["task_state"], tc["comm"]) == (1, "init"), "init: alive, comm")
t = tc["timers"]
check((t["real"]["vsec"], t["real"]["isec"]) == (3, 1), "ITIMER_REAL: 3 s left, every 1 s")
want_posix = [(3, 1, 40, 2, 2, 0, 5, 250, 0x99)] if rhel6 else []
check([(p["it_id"], p["clock_id"], p["si_signo"], p["overrun"], p["isec"], p["insec"], p["vsec"],
        p["vnsec"], p["sival_ptr"]) for p in t.get("posix", [])] == want_posix,
      "POSIX timers: id, clock, signal, overrun, interval, value (none on 2.6.18)")
rl = tc["rlimits"]["rlimits"]
check(len(rl) == 16 and (rl[7]["cur"], rl[7]["max"]) == (1024, 4096) and rl[0]["cur"] == 2**64 - 1,
      "rlimits from SIGNAL_STRUCT, CPT_NULL as infinity")
sa = tc["sigactions"]
check(len(sa) == 62 and (sa[8]["sigaction"], sa[8]["restorer"], sa[8]["flags"], sa[8]["mask"]) ==
      (0x400200, 0x400300, 0x04000004, 1) and sa[1]["sigaction"] == 1,
      "sigactions: SIGUSR1 handler, restorer, flags, mask; SIGINT ignored")
sigs = [s["siginfo"] for s in tc.get("signals_s", {}).get("signals", [])]
check(len(sigs) == (2 if rhel6 else 1),
      "shared queue: SIGTERM, and the pending timer signal on RHEL6 (%d)" % len(sigs))
th42 = c42["thread_core"]
check((th42["blk_sigset"], th42["creds"]["uid"], th42["creds"]["fsgid"]) == (1 << 9, 74, 74),
      "sshd: blocked mask, credentials")
check(len(th42.get("signals_p", {}).get("signals", [])) == 1, "sshd: its private SIGUSR1 queued")
bnd = th42["creds"]["cap_bnd"]
check(bnd == ([0xffffffff, 1] if gen != "rhel5" else [0xffffffff, 0xffffffff]),
      "bounding set (all on 2.6.18, which kept none)")
mm1, mm42 = one("mm-1.img"), one("mm-42.img")
v = mm1["vmas"]
check([(x["start"], x["end"], x["prot"], x["status"]) for x in v] ==
      [(0x400000, 0x401000, 5, 0x41), (0x600000, 0x602000, 3, 0x201 | 0x20),
       (0x700000, 0x702000, 3, 0x101), (0x7ffea000, 0x7ffee000, 1, 0x1001), (0x7ffee000, 0x7fff0000, 1, 0x100001),
       (0x7fff0000, 0x7fff2000, 5, 0x9)],
      "VMAs: exe file (private), anonymous heap, shared anonymous, [vvar], [vvar_vclock], [vdso]")
shm1 = [x for x in mm1["vmas"] if x["status"] & 0x100]
shm42 = [x for x in mm42["vmas"] if x["status"] & 0x100]
check(len(shm1) == len(shm42) == 1 and shm1[0]["shmid"] == shm42[0]["shmid"] == 1 and
      shm1[0]["flags"] == 0x21, "shared anonymous memory: one object for both processes")
pms = img["pagemap-shmem-1.img"]
check([(e["vaddr"], e["nr_pages"]) for e in pms[1:]] == [(4096, 1)] and
      open(d + "/pages-%d.img" % pms[0]["pages_id"], "rb").read() == b"S" * 4096,
      "shared memory contents at their object offsets")
files = {f["id"]: f for f in img["files.img"]}
check(files[mm1["exe_file_id"]]["reg"]["name"] == "/bin/sh", "exe file: the VM_EXECUTABLE mapping")
check(mm1.get("mm_saved_auxv", []) == ([6, 4096, 0, 0] if rhel6 else []),
      "auxv from MM_AUXV (RHEL6 only)")
pm1 = [(e["vaddr"], e["nr_pages"]) for e in img["pagemap-1.img"][1:]]
pm42 = [(e["vaddr"], e["nr_pages"]) for e in img["pagemap-42.img"][1:]]
check(pm1 == [(0x600000, 2)] and pm42 == [(0x600000, 1), (0x601000, 1)], "pagemaps")
p1 = open(d + "/pages-1.img", "rb").read()
p42 = open(d + "/pages-42.img", "rb").read()
ts = (2).to_bytes(8, "little") + (500000000).to_bytes(8, "little")
check(p1 == b"A" * 4096 + b"B" * 0x800 + ts + b"B" * (0x800 - 16),
      "pages of init, with the 2.5 s left of its sleep at rmtp")
check(p42 == b"C" * 4096 + b"B" * 4096, "pages of sshd: its own, and COPYPAGES from init's MM")
fd = {e["fd"]: e for e in img["fdinfo-1.img"]}
check(sorted(fd) == [0, 3, 4, 7, 9, 10, 12, 13, 14, 15, 16, 17] and fd[0]["id"] == fd[7]["id"] and fd[3]["flags"] == 1,
      "fds: a dup shares its file, close-on-exec kept")
r0 = files[fd[0]["id"]]["reg"]
check((r0["name"], r0["pos"]) == ("/etc/hostname", 3), "regular file: path and offset")
pr, pw = files[fd[3]["id"]], files[fd[4]["id"]]
check(pr["type"] == "PIPE" and pr["pipe"]["pipe_id"] == pw["pipe"]["pipe_id"] == 777 and
      pw["pipe"]["flags"] == 0o4001, "pipe: both ends one pipe, flags")
check(img["pipes-data.img"] == [{"pipe_id": 777, "bytes": 6}] and
      open(d + "/pipes-data.img", "rb").read().endswith(b"queued"), "pipe data")
fs = one("fs-1.img")
check((files[fs["root_id"]]["reg"]["name"], files[fs["cwd_id"]]["reg"]["name"], fs["umask"]) ==
      ("/", "/tmp", 0o22), "root, cwd, umask")
check(one("utsns-1.img")["nodename"] == "ct101.example.org", "uts nodename")
gone = files[fd[9]["id"]]["reg"]
check((gone["name"], gone["pos"], files[fd[10]["id"]]["reg"]["name"]) == ("/tmp/gone", 5, "/tmp/new"),
      "deleted files: the path without its mark, and the surviving link's path")
check([(r["orig_id"], r["remap_id"], r["remap_type"]) for r in img["remap-fpath.img"]] ==
      [(fd[9]["id"], 1, "GHOST")], "remap-fpath: the unlinked file is ghost 1")
gh = img["ghost-file-1.img"]
check((gh[0]["mode"], gh[0]["size"], gh[0]["uid"], gh[0]["mtim"]["tv_sec"]) ==
      (0o100600, 4100, 74, 1600000000) and
      [(c["off"], c["len"]) for c in gh[1:]] == [(0, 4096), (4096, 4096)],
      "ghost: mode, size, owner, mtime, its two chunks")
raw = open(d + "/ghost-file-1.img", "rb").read()
check(raw.count(b"G" * 4096) == 1 and raw.count(b"H" * 4096) == 1, "ghost: the chunks' bytes")
ff = files[fd[12]["id"]]
check(fd[12]["type"] == "FIFO" and ff["type"] == "FIFO" and ff["fifo"]["pipe_id"] == 1111 and
      files[ff["fifo"]["regf_id"]]["reg"]["name"] == "/tmp/fifo" and
      files[ff["fifo"]["regf_id"]]["reg"]["flags"] == 0o4002, "named FIFO: its path and flags")
check(img["fifo-data.img"] == [{"pipe_id": 1111, "bytes": 5}] and
      open(d + "/fifo-data.img", "rb").read().endswith(b"fifo!"), "named FIFO: its data")
us = [files[fd[k]["id"]] for k in (13, 14, 15, 16)]
check(all(fd[k]["type"] == "UNIXSK" for k in (13, 14, 15, 16)) and
      all(u["type"] == "UNIXSK" for u in us), "unix sockets: fds and files of type UNIXSK")
u = [x["usk"] for x in us]
check((u[0]["peer"], u[1]["peer"], u[0]["type"], u[0]["state"]) ==
      (u[1]["ino"], u[0]["ino"], 1, 1) and u[0]["ino"] != u[1]["ino"],
      "unix stream pair: each the other's peer, connected")
check(u[1].get("shutdown") == "WRITE" and "shutdown" not in u[0], "unix pair: one end shut for writing")
check((u[2]["type"], u[2]["peer"], base64.b64decode(u[2]["name"])) == (2, 0, b"\0ovz-dgram"),
      "unix datagram: abstract name, no peer")
check((u[3]["state"], u[3]["backlog"], base64.b64decode(u[3]["name"])) == (10, 5, b"\0ovz-listen"),
      "unix listener: state, backlog, name")
o = u[0]["opts"]
check((o["so_sndbuf"], o["so_rcvbuf"], o["so_snd_tmo_sec"], o["so_snd_tmo_usec"], o["so_rcv_tmo_sec"],
       o["so_priority"], o["so_buf_lock"]) == (32768, 65536, 2, 500000, 0, 6, 1),
      "socket options: buffers, timeouts from jiffies, priority, locks")
q = img["sk-queues.img"]
check([(e["id_for"], e["length"], [s["rights"] for s in e["scm"]]) for e in q] ==
      [(us[0]["id"], 6, []), (us[0]["id"], 5, []), (us[1]["id"], 2, [[fd[0]["id"]]]),
       (us[2]["id"], 6, [])], "sk-queues: each message for its socket, a file passed in SCM_RIGHTS")
raw = open(d + "/sk-queues.img", "rb").read()
check(raw.find(b"hello ") < raw.find(b"world") < raw.find(b"fd") < raw.find(b"dgram1") and
      b"h" * 8 not in raw, "sk-queues: the bytes, without the headroom")
tf = files[fd[17]["id"]]
t = tf.get("isk", {})
check(fd[17]["type"] == "INETSK" and tf["type"] == "INETSK" and
      (t["family"], t["type"], t["proto"], t["state"], t["src_port"], t["dst_port"],
       t["src_addr"], t["dst_addr"]) == (2, 1, 6, 1, 40000, 8080, [0x0100007f], [0x0200007f]),
      "TCP: family, protocol, state, addresses and ports")
ts = img.get("tcp-stream-%x.img" % t["ino"], [{}])[0]
check((ts.get("inq_len"), ts.get("inq_seq"), ts.get("outq_len"), ts.get("outq_seq"),
       ts.get("unsq_len")) == (5, 1005, 7, 5007, 4),
      "TCP stream: queues end at rcv_nxt and write_seq, 4 bytes never sent")
check((ts["opt_mask"], ts["snd_wscale"], ts["rcv_wscale"], ts["mss_clamp"], ts["timestamp"],
       ts["nodelay"], ts["cork"]) == (7, 7, 6, 1460, 123456, True, False),
      "TCP stream: options, scales, MSS, timestamp, nodelay")
check((ts["snd_wl1"], ts["snd_wnd"], ts["max_window"], ts["rcv_wnd"], ts["rcv_wup"]) ==
      (1001, 65535, 65536, 43690, 1005), "TCP stream: the window")
raw = open(d + "/tcp-stream-%x.img" % t["ino"], "rb").read()
check(raw.endswith(b"abcdeWXYZ123") and b"late" not in raw,
      "TCP stream: receive then write queue bytes, no headroom, no out-of-order segment")
