// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for engine/include/nsimg.h, driven by the tests/ns scripts:
 *
 *   nstool dump PID DIR [mnt|net|ipc|uts]...
 *	dump the namespaces of PID (all four by default) into DIR;
 *   nstool restore DIR [-r ROOT_SRC TARGET] [-n HOST_NETNS -v VETH...] [-k KINDS] -- CMD...
 *	in fresh namespaces made by the caller (unshare -m -n -i -u -p -f
 *	--propagation private): restore uts, ipc, net, mnt from DIR, then
 *	exec CMD (which checks from inside);
 *   nstool mkipc	make the SysV and POSIX ipc objects the tests check;
 *   nstool showipc	print every SysV object and the test's mqueues, with
 *			contents, in a stable text form (non-destructive);
 *   nstool mqnotify NAME	register for notification on mqueue NAME, then
 *			say "ready" and wait to be killed;
 *   nstool mkbad DIR CASE	write an image set with one malformed entry
 *			(malformed.t): mnt-order, mnt-path, uts-long,
 *			net-sysctl, mq-name, sem-nsems.
 */
#define LOG_PREFIX "nstool: "
#include <fcntl.h>
#include <signal.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "log.h"
#include "ipc-sem.pb-c.h"
#include "ipc-var.pb-c.h"
#include "mnt.pb-c.h"
#include "netdev.pb-c.h"
#include "nsimg.h"
#include "utsns.pb-c.h"
#include "vzcr-mqueue.pb-c.h"

static int usage(void)
{
	fprintf(stderr, "usage: nstool dump PID DIR [mnt|net|ipc|uts]...\n"
			"       nstool restore DIR [-r ROOT_SRC TARGET] [-n HOST_NETNS] [-v VETH]... [-k uts,ipc,net,mnt] -- CMD...\n"
			"       nstool mkipc | showipc | mqnotify NAME | mkbad DIR CASE\n");
	return 2;
}

static int cmd_dump(int argc, char **argv)
{
	static const char *const all[] = { "uts", "ipc", "net", "mnt" };
	int dfd, i, n, ret = 0;
	const char *k;
	pid_t pid;

	if (argc < 4)
		return usage();
	pid = atoi(argv[2]);
	dfd = img_dir_open(argv[3], true);
	if (dfd < 0)
		return 1;
	n = argc > 4 ? argc - 4 : 4;
	for (i = 0; ret == 0 && i < n; i++) {
		k = argc > 4 ? argv[4 + i] : all[i];
		if (!strcmp(k, "uts"))
			ret = ns_dump_uts(pid, dfd);
		else if (!strcmp(k, "ipc"))
			ret = ns_dump_ipc(pid, dfd);
		else if (!strcmp(k, "net"))
			ret = ns_dump_net(pid, dfd);
		else if (!strcmp(k, "mnt"))
			ret = ns_dump_mnt(pid, dfd);
		else
			return usage();
	}
	if (ret == 0)
		ret = img_dir_sync(dfd);
	if (ret < 0)	/* the summary, as vzcr prints it */
		fprintf(stderr, "nstool: dump failed: %s\n",
			log_first_error()[0] ? log_first_error() : strerror(-ret));
	return ret < 0 ? 1 : 0;
}

struct restore_args {
	const char *dir, *root_src, *target, *kinds;
	struct ns_net_opts net;
	char **cmd;
};

static int parse_restore(int argc, char **argv, struct restore_args *a)
{
	int i, nveth = 0;

	a->dir = argv[2];
	a->kinds = "uts,ipc,net,mnt";
	a->net.host_netns_fd = -1;
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			a->cmd = argv + i + 1;
			return argv[i + 1] ? 0 : -1;
		}
		if (!strcmp(argv[i], "-r") && i + 2 < argc) {
			a->root_src = argv[++i];
			a->target = argv[++i];
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			a->net.host_netns_fd = open(argv[++i], O_RDONLY | O_CLOEXEC);
			if (a->net.host_netns_fd < 0)
				return log_perr(-errno, "Failed to open '%s'", argv[i]);
		} else if (!strcmp(argv[i], "-v") && i + 1 < argc && nveth < NS_NET_MAX_VETH) {
			a->net.veth_host_name[nveth++] = argv[++i];
		} else if (!strcmp(argv[i], "-k") && i + 1 < argc) {
			a->kinds = argv[++i];
		} else {
			return -1;
		}
	}
	return -1;
}

static int cmd_restore(int argc, char **argv)
{
	struct restore_args a = { 0 };
	int dfd, ret = 0;

	if (argc < 5 || parse_restore(argc, argv, &a) < 0)
		return usage();
	dfd = img_dir_open(a.dir, false);
	if (dfd < 0)
		return 1;
	if (strstr(a.kinds, "uts"))
		ret = ns_restore_uts(dfd);
	if (ret == 0 && strstr(a.kinds, "ipc"))
		ret = ns_restore_ipc(dfd);
	if (ret == 0 && strstr(a.kinds, "net"))
		ret = ns_restore_net(dfd, &a.net);
	if (ret == 0 && strstr(a.kinds, "mnt") && a.target)
		ret = ns_restore_mnt(dfd, a.root_src, a.target);
	if (ret < 0) {
		fprintf(stderr, "nstool: restore failed: %s\n", strerror(-ret));
		return 1;
	}
	close(dfd);
	execvp(a.cmd[0], a.cmd);
	perror(a.cmd[0]);
	return 127;
}

/* The objects tests/ns/ipc.t checks: fixed keys, ids pushed off 0. */
static int mk_sysv(void)
{
	unsigned short vals[3] = { 7, 0, 32767 };
	struct { long type; char text[64]; } m;
	char *p;
	int id, i;

	/* ids the kernel would not pick by itself */
	if (system("echo 65541 >/proc/sys/kernel/shm_next_id") ||
	    (id = shmget(0x5eed0001, 12345, IPC_CREAT | 0640)) < 0)
		return perror("shmget"), 1;
	p = shmat(id, NULL, 0);
	for (i = 0; i < 12345; i++)
		p[i] = (char)(i * 7 + 1);
	shmdt(p);
	if ((id = shmget(IPC_PRIVATE, 4096 * 3, IPC_CREAT | 0600)) < 0)
		return perror("shmget private"), 1;
	p = shmat(id, NULL, 0);
	strcpy(p + 4096 * 2, "private segment, third page");
	shmdt(p);
	if (system("echo 98310 >/proc/sys/kernel/sem_next_id") ||
	    (id = semget(0x5eed0002, 3, IPC_CREAT | 0660)) < 0 ||
	    semctl(id, 0, SETALL, vals) < 0)
		return perror("semget"), 1;
	if (system("echo 32771 >/proc/sys/kernel/msg_next_id") ||
	    (id = msgget(0x5eed0003, IPC_CREAT | 0620)) < 0)
		return perror("msgget"), 1;
	for (i = 0; i < 4; i++) {
		m.type = i % 2 ? 9 : 3;
		snprintf(m.text, sizeof(m.text), "message %d of type %ld", i, m.type);
		if (msgsnd(id, &m, strlen(m.text) + i, 0) < 0)	/* +i: NULs in the text */
			return perror("msgsnd"), 1;
	}
	return 0;
}

static int mk_mqueue(void)
{
	struct mq_attr attr = { .mq_maxmsg = 6, .mq_msgsize = 100 };
	static const unsigned int prio[] = { 0, 5, 0, 9, 5 };
	char text[32];
	mqd_t q;
	int i;

	umask(0);
	q = mq_open("/nstest.q1", O_RDWR | O_CREAT | O_EXCL, 0640, &attr);
	if (q == (mqd_t)-1)
		return perror("mq_open q1"), 1;
	for (i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "mq message %d prio %u", i, prio[i]);
		if (mq_send(q, text, strlen(text), prio[i]) < 0)
			return perror("mq_send"), 1;
	}
	mq_close(q);
	attr.mq_maxmsg = 2, attr.mq_msgsize = 8;
	q = mq_open("/nstest.q2", O_RDWR | O_CREAT | O_EXCL, 0604, &attr);
	if (q == (mqd_t)-1 || fchown(q, 1234, 5678) < 0)
		return perror("mq_open q2"), 1;
	mq_close(q);
	return 0;
}

static void show_bytes(const unsigned char *p, size_t n)
{
	unsigned long h = 5381;
	size_t i;

	for (i = 0; i < n; i++)
		h = h * 33 + p[i];
	printf(" bytes=%zu hash=%lx", n, h);
}

static void show_perm(const char *kind, int id, const struct ipc_perm *p)
{
	printf("%s id=%d key=0x%x uid=%u gid=%u mode=%o", kind, id, (unsigned int)p->__key, p->uid,
	       p->gid, p->mode & 0777);
}

static void show_sysv(void)
{
	struct { long type; char text[8192]; } m;
	unsigned short vals[64];
	struct shmid_ds shm;
	struct semid_ds sem;
	struct msqid_ds msg;
	int idx, id;
	size_t i;
	ssize_t n;

	for (idx = 0; idx < 32768; idx++) {
		if ((id = shmctl(idx, SHM_STAT_ANY, &shm)) >= 0) {
			void *p = shmat(id, NULL, SHM_RDONLY);

			show_perm("shm", id, &shm.shm_perm);
			show_bytes(p, shm.shm_segsz);
			shmdt(p);
			printf("\n");
		}
		if ((id = semctl(idx, 0, SEM_STAT_ANY, &sem)) >= 0) {
			show_perm("sem", id, &sem.sem_perm);
			semctl(id, 0, GETALL, vals);
			for (i = 0; i < sem.sem_nsems && i < 64; i++)
				printf(" %u", vals[i]);
			printf("\n");
		}
		if ((id = msgctl(idx, MSG_STAT_ANY, &msg)) >= 0) {
			show_perm("msg", id, &msg.msg_perm);
			printf(" qnum=%lu qbytes=%lu\n", msg.msg_qnum, msg.msg_qbytes);
			for (i = 0; i < msg.msg_qnum; i++) {
				n = msgrcv(id, &m, sizeof(m.text), i, IPC_NOWAIT | MSG_COPY);
				printf("  type=%ld len=%zd text=%.*s\n", m.type, n, (int)(n > 0 ? n : 0),
				       m.text);
			}
		}
	}
}

/* Receive all and send back, as the dumper does; prints queue order. */
static void show_mqueue(const char *name)
{
	struct mq_attr a;
	char buf[64][128];
	unsigned int prio[64];
	ssize_t len[64];
	long i, n = 0;
	mqd_t q = mq_open(name, O_RDWR | O_NONBLOCK);

	if (q == (mqd_t)-1 || mq_getattr(q, &a) < 0) {
		printf("mqueue %s: missing\n", name);
		return;
	}
	printf("mqueue %s maxmsg=%ld msgsize=%ld curmsgs=%ld\n", name, a.mq_maxmsg, a.mq_msgsize,
	       a.mq_curmsgs);
	while (n < 64 && (len[n] = mq_receive(q, buf[n], sizeof(buf[n]), &prio[n])) >= 0)
		n++;
	for (i = 0; i < n; i++) {
		printf("  prio=%u text=%.*s\n", prio[i], (int)len[i], buf[i]);
		mq_send(q, buf[i], len[i], prio[i]);
	}
	mq_close(q);
}

static int mq_notify_wait(const char *name)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	mqd_t q = mq_open(name, O_RDONLY);

	if (q == (mqd_t)-1 || mq_notify(q, &ev) < 0)
		return perror(name), 1;
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

/* Two mounts: a root, then @child (its parent @parent); or a bad root. */
static int bad_mnt(int dfd, const char *root_mp, const char *child_mp, uint32_t parent)
{
	MntEntry e = MNT_ENTRY__INIT;
	struct img *img = img_open(dfd, IMG_MNTS, O_WRONLY, 7);
	int ret;

	if (!img)
		return 1;
	e.fstype = FSTYPE__AUTO, e.mnt_id = 10, e.root = "/", e.mountpoint = (char *)root_mp;
	e.source = "none", e.options = "", e.fsname = "ext4";
	ret = img_write(img, &e);
	e.fstype = FSTYPE__PROC, e.mnt_id = 11, e.parent_mnt_id = parent;
	e.mountpoint = (char *)child_mp, e.root_dev = 99, e.fsname = "proc";
	ret = ret ?: img_write(img, &e);
	return ret ?: img_close(img);
}

static int bad_ipc(int dfd, const char *what)
{
	uint32_t sem[4] = { 1, 2, 3, 4 };
	IpcVarEntry v = IPC_VAR_ENTRY__INIT;
	IpcSemEntry se = IPC_SEM_ENTRY__INIT;
	IpcDescEntry d = IPC_DESC_ENTRY__INIT;
	VzcrMqueueEntry q = VZCR_MQUEUE_ENTRY__INIT;
	struct img *img;
	int ret;

	v.n_sem_ctls = 4, v.sem_ctls = sem;
	v.msg_ctlmax = v.msg_ctlmnb = v.msg_ctlmni = 100, v.shm_ctlmax = v.shm_ctlall = 1 << 20;
	v.shm_ctlmni = 10, v.mq_queues_max = v.mq_msg_max = 10, v.mq_msgsize_max = 100;
	ret = img_write_single(dfd, IMG_IPC_VAR, 7, &v);
	if (ret == 0 && !strcmp(what, "mq-name")) {
		q.name = "a/b", q.mode = 0600, q.maxmsg = 1, q.msgsize = 8;
		ret = img_write_single(dfd, IMG_VZCR_MQUEUE, 7, &q);
	} else if (ret == 0) {
		se.desc = &d, se.nsems = 0;
		img = img_open(dfd, IMG_IPCNS_SEM, O_WRONLY, 7);
		ret = img ? img_write(img, &se) ?: img_close(img) : 1;
	}
	return ret;
}

static int cmd_mkbad(const char *dir, const char *what)
{
	int dfd = img_dir_open(dir, true);
	UtsnsEntry u = UTSNS_ENTRY__INIT;
	NetDeviceEntry nd = NET_DEVICE_ENTRY__INIT;
	NetnsEntry ns = NETNS_ENTRY__INIT;
	VzcrSysctlEntry sc = VZCR_SYSCTL_ENTRY__INIT, *scs[1] = { &sc };
	char longname[100];

	if (dfd < 0)
		return 1;
	if (!strcmp(what, "mnt-order"))
		return bad_mnt(dfd, "/", "/proc", 12) != 0;
	if (!strcmp(what, "mnt-path"))
		return bad_mnt(dfd, "/", "/../proc", 10) != 0;
	if (!strcmp(what, "uts-long")) {
		memset(longname, 'x', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		u.nodename = longname, u.domainname = "d";
		return img_write_single(dfd, IMG_UTSNS, 7, &u) != 0;
	}
	if (!strcmp(what, "net-sysctl")) {
		nd.type = ND_TYPE__LOOPBACK, nd.ifindex = 1, nd.mtu = 65536, nd.name = "lo";
		sc.path = "kernel/hostname", sc.value = "evil";
		ns.n_vzcr_sysctls = 1, ns.vzcr_sysctls = scs;
		return img_write_single(dfd, IMG_NETDEV, 7, &nd) ||
		       img_write_single(dfd, IMG_NETNS, 7, &ns);
	}
	if (!strcmp(what, "mq-name") || !strcmp(what, "sem-nsems"))
		return bad_ipc(dfd, what) != 0;
	return usage();
}

int main(int argc, char **argv)
{
	log_set_level(getenv("NSTOOL_DEBUG") ? LOG_DEBUG : LOG_WARN);
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "dump"))
		return cmd_dump(argc, argv);
	if (!strcmp(argv[1], "restore"))
		return cmd_restore(argc, argv);
	if (!strcmp(argv[1], "mkipc"))
		return mk_sysv() || mk_mqueue();
	if (!strcmp(argv[1], "mkbad") && argc == 4)
		return cmd_mkbad(argv[2], argv[3]);
	if (!strcmp(argv[1], "mqnotify") && argc == 3)
		return mq_notify_wait(argv[2]);
	if (!strcmp(argv[1], "showipc")) {
		show_sysv();
		show_mqueue("/nstest.q1");
		show_mqueue("/nstest.q2");
		return 0;
	}
	return usage();
}
