// SPDX-License-Identifier: GPL-2.0-only
/*
 * SysV IPC of the host's ipc namespace across checkpoint/restore:
 * - segment A (a key of its own): the parent attaches it read-write at a
 *   fixed address, the child read-only; after the restore the parent's
 *   writes to A show in the child's read-only view;
 * - segment B: read-write in both; the child answers through it;
 * - segment C: removed (IPC_RMID) while attached by both: must be back,
 *   still removed, shared and with its contents;
 * - a semaphore set and a message queue the tree uses by id: not the tree's
 *   (they outlive it), they must simply still be there, untouched.
 * The ids go to DIR/ipc ("A B C SEM MSG") for the test to clean up.
 * Only header words change after the restore, with a nonce: the original
 * of a --leave-running dump and its restored copy may share A and B.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wl.h"

#define PG		4096UL
#define SEG_PAGES	8
#define SEG_LEN		(SEG_PAGES * PG - 100)	/* not a page multiple */
#define FIXED_AT	((void *)0x3a5a00000000UL)
#define HDR		64			/* header words: not patterned */

struct hdr {
	volatile uint64_t go, ack, data;
};

static void pattern(char *p, size_t len, unsigned int seed)
{
	for (size_t i = HDR; i < len; i++)
		p[i] = (char)(i * 7 + seed);
}

static bool has_pattern(const char *p, size_t len, unsigned int seed)
{
	for (size_t i = HDR; i < len; i++)
		if (p[i] != (char)(i * 7 + seed))
			return false;
	return true;
}

/* /proc/self/maps shows @addr with permissions @perms. */
static bool mapped_as(const void *addr, const char *perms)
{
	char line[512], want[64];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want)) && strstr(line, "/SYSV"))
			found = !strncmp(strchr(line, ' ') + 1, perms, 4);
	if (f)
		fclose(f);
	return found;
}

/* Bounded (20 s) wait until @cond holds. */
#define AWAIT(cond)							\
	({								\
		int _n = 0;						\
		while (!(cond) && _n++ < 20000)				\
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL); \
		(cond);							\
	})

static int child(int a, struct hdr *b, struct hdr *c)
{
	const struct hdr *ra = shmat(a, NULL, SHM_RDONLY);
	int bad = 0;

	if (ra == (void *)-1)
		return 10;
	/* go != ack: the parent of this run has written a new nonce */
	while (ra->go == 0 || ra->go == b->ack)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	bad |= !has_pattern((const char *)ra, SEG_LEN, 1) << 0;
	bad |= !mapped_as(ra, "r--s") << 1;
	bad |= !has_pattern((const char *)c, SEG_LEN, 3) << 2;
	b->data = ra->go * 3;
	c->data = ra->go * 5;
	b->ack = ra->go;
	return bad;
}

static void check_ipc(int sem, int msg)
{
	struct msqid_ds mq;

	wl_check(semctl(sem, 0, GETVAL) == 5, "the semaphore keeps its value (%d)",
		 semctl(sem, 0, GETVAL));
	wl_check(msgctl(msg, IPC_STAT, &mq) == 0 && mq.msg_qnum == 1,
		 "the message queue keeps its message");
}

int main(int argc, char **argv)
{
	wl_init(argc, argv);
	key_t key = 0x7a5e0000 | (getpid() & 0xffff);
	int a = shmget(key, SEG_LEN, IPC_CREAT | IPC_EXCL | 0640);
	int b = shmget(IPC_PRIVATE, SEG_LEN, IPC_CREAT | 0600);
	int c = shmget(IPC_PRIVATE, SEG_LEN, IPC_CREAT | 0600);
	int sem = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	int msg = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	struct { long type; char text[8]; } m = { 1, "hello" };
	struct hdr *pa, *pb, *pc;
	struct shmid_ds ds;
	char path[4096];
	uint64_t nonce;
	int st;
	FILE *f;

	if (!wl_check(a >= 0 && b >= 0 && c >= 0 && sem >= 0 && msg >= 0, "SysV objects made"))
		return wl_done();
	snprintf(path, sizeof(path), "%s/ipc", wl_dir());
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%d %d %d %d %d\n", a, b, c, sem, msg);
		fclose(f);
	}
	pa = shmat(a, FIXED_AT, 0);
	pb = shmat(b, NULL, 0);
	pc = shmat(c, NULL, 0);
	if (!wl_check(pa == FIXED_AT && pb != (void *)-1 && pc != (void *)-1, "segments attached") ||
	    !wl_check(semctl(sem, 0, SETVAL, 5) == 0 && msgsnd(msg, &m, sizeof(m.text), 0) == 0,
		      "semaphore and message set"))
		return wl_done();
	pattern((char *)pa, SEG_LEN, 1);
	pattern((char *)pb, SEG_LEN, 2);
	pattern((char *)pc, SEG_LEN, 3);
	shmctl(c, IPC_RMID, NULL);	/* removed, attached by both */
	pid_t kid = fork();

	if (kid == 0)
		_exit(child(a, pb, pc));
	wl_ready();
	wl_wait();

	nonce = (uint64_t)getpid() << 32 | (uint64_t)time(NULL) << 8 | 1;
	if (nonce == pa->go)	/* a new one for each run */
		nonce += 2;
	wl_check(mapped_as(pa, "rw-s"), "A is read-write at its fixed address");
	wl_check(has_pattern((char *)pa, SEG_LEN, 1), "contents of A");
	wl_check(has_pattern((char *)pb, SEG_LEN, 2), "contents of B");
	wl_check(has_pattern((char *)pc, SEG_LEN, 3), "contents of C (removed)");
	wl_check(shmctl(a, IPC_STAT, &ds) == 0 && ds.shm_perm.__key == key &&
			 (ds.shm_perm.mode & 0777) == 0640 && ds.shm_segsz == SEG_LEN,
		 "A has its id, key, mode and size");
	wl_check(shmctl(c, IPC_STAT, &ds) == 0 && (ds.shm_perm.mode & SHM_DEST),
		 "C is still removed");
	check_ipc(sem, msg);
	pa->go = nonce;
	wl_check(AWAIT(pb->ack == nonce), "the child sees a write to A in its read-only view");
	wl_check(pb->data == nonce * 3, "a write of the child to B is seen by the parent");
	wl_check(pc->data == nonce * 5, "a write of the child to C is seen by the parent");
	wl_check(waitpid(kid, &st, 0) == kid && WIFEXITED(st) && !WEXITSTATUS(st),
		 "the child's checks (status %#x)", st);
	return wl_done();
}
