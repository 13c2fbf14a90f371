// SPDX-License-Identifier: GPL-2.0-only
/*
 * Registers across checkpoint/restore (x86_64): the task loads patterns
 * into callee-saved general registers, the x87 control word, MXCSR and all
 * vector registers (zmm0-31 and k1-7 with AVX-512, else ymm0-15), then sits
 * in a nanosleep loop made of raw syscalls that touches none of them. After
 * the restore it stores them back and compares. Threads do the same with
 * patterns of their own.
 */
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "wl.h"

#define NTHREADS 3

struct frame {
	uint8_t vec[32 * 64 + 8 * 8] __attribute__((aligned(64)));
	uint64_t gpr[5];		/* rbx, r12-r15 */
	uint32_t mxcsr;
	uint16_t fcw;
};

static volatile int go_flag;
static const struct timespec tick = { 0, 5 * 1000 * 1000 };

#define LOAD_Z(n) "vmovdqu64 " #n "*64(%%r8), %%zmm" #n "\n"
#define STORE_Z(n) "vmovdqu64 %%zmm" #n ", " #n "*64(%%r9)\n"
#define LOAD_Y(n) "vmovdqu " #n "*32(%%r8), %%ymm" #n "\n"
#define STORE_Y(n) "vmovdqu %%ymm" #n ", " #n "*32(%%r9)\n"
#define LOAD_K(n) "kmovq 2048+" #n "*8(%%r8), %%k" #n "\n"
#define STORE_K(n) "kmovq %%k" #n ", 2048+" #n "*8(%%r9)\n"
#define R8(M, a, b, c, d, e, f, g, h) M(a) M(b) M(c) M(d) M(e) M(f) M(g) M(h)
#define ALL16(M) R8(M, 0, 1, 2, 3, 4, 5, 6, 7) R8(M, 8, 9, 10, 11, 12, 13, 14, 15)
#define HI16(M) R8(M, 16, 17, 18, 19, 20, 21, 22, 23) R8(M, 24, 25, 26, 27, 28, 29, 30, 31)
#define K7(M) M(1) M(2) M(3) M(4) M(5) M(6) M(7)

/* r8: in frame, r9: out frame, r10: &go_flag, rdx: &tick (none touched by syscall) */
#define SLEEP_LOOP							\
	"mov 0+%c[g](%%r8), %%rbx\n"					\
	"mov 8+%c[g](%%r8), %%r12\n"					\
	"mov 16+%c[g](%%r8), %%r13\n"					\
	"mov 24+%c[g](%%r8), %%r14\n"					\
	"mov 32+%c[g](%%r8), %%r15\n"					\
	"ldmxcsr %c[mx](%%r8)\n"					\
	"fldcw %c[fc](%%r8)\n"						\
	"1: mov $35, %%eax\n"						\
	"mov %%rdx, %%rdi\n"						\
	"xor %%esi, %%esi\n"						\
	"syscall\n"							\
	"cmpl $0, (%%r10)\n"						\
	"je 1b\n"							\
	"mov %%rbx, 0+%c[g](%%r9)\n"					\
	"mov %%r12, 8+%c[g](%%r9)\n"					\
	"mov %%r13, 16+%c[g](%%r9)\n"					\
	"mov %%r14, 24+%c[g](%%r9)\n"					\
	"mov %%r15, 32+%c[g](%%r9)\n"					\
	"stmxcsr %c[mx](%%r9)\n"					\
	"fnstcw %c[fc](%%r9)\n"

#define REGS_IN								\
	register const struct frame *r8 asm("r8") = in;			\
	register struct frame *r9 asm("r9") = out;			\
	register volatile int *r10 asm("r10") = &go_flag;		\
	register const struct timespec *rdx asm("rdx") = &tick

#define OPERANDS							\
	: "+r"(r8), "+r"(r9), "+r"(r10), "+r"(rdx)			\
	: [g] "i"(offsetof(struct frame, gpr)), [mx] "i"(offsetof(struct frame, mxcsr)), \
	  [fc] "i"(offsetof(struct frame, fcw))				\
	: "rax", "rbx", "rcx", "rsi", "rdi", "r11", "r12", "r13", "r14", "r15", "memory", \
	  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", \
	  "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

__attribute__((target("avx512f"))) static void run_zmm(const struct frame *in, struct frame *out)
{
	REGS_IN;

	asm volatile(ALL16(LOAD_Z) HI16(LOAD_Z) K7(LOAD_K) SLEEP_LOOP
		     ALL16(STORE_Z) HI16(STORE_Z) K7(STORE_K)
		     OPERANDS, "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22",
		     "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30",
		     "xmm31", "k1", "k2", "k3", "k4", "k5", "k6", "k7");
}

__attribute__((target("avx"))) static void run_ymm(const struct frame *in, struct frame *out)
{
	REGS_IN;

	asm volatile(ALL16(LOAD_Y) SLEEP_LOOP ALL16(STORE_Y) OPERANDS);
}

static bool zmm;

static void fill(struct frame *f, unsigned int seed)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < sizeof(f->vec); i++)
		f->vec[i] = (uint8_t)(i * 13 + seed * 101 + 7);
	if (!zmm)
		memset(f->vec + 16 * 32, 0, sizeof(f->vec) - 16 * 32);
	memset(f->vec + 32 * 64, 0, 8);	/* k0 is not loaded */
	for (int i = 0; i < 5; i++)
		f->gpr[i] = 0x1111111111111111ULL * (i + 1) + seed;
	f->mxcsr = 0x1f80 | (3 << 13);	/* all masked, round toward zero */
	f->fcw = 0x0f7f;		/* x87: all masked, round toward zero */
}

static void run(const struct frame *in, struct frame *out)
{
	if (zmm)
		run_zmm(in, out);
	else
		run_ymm(in, out);
}

static void check(const struct frame *in, const struct frame *out, const char *who)
{
	size_t n = zmm ? sizeof(in->vec) : 16 * 32;

	wl_check(!memcmp(in->vec, out->vec, n), "%s: vector registers", who);
	wl_check(!memcmp(in->gpr, out->gpr, sizeof(in->gpr)), "%s: rbx/r12-r15", who);
	wl_check(in->mxcsr == out->mxcsr, "%s: MXCSR %#x, want %#x", who, out->mxcsr, in->mxcsr);
	wl_check(in->fcw == out->fcw, "%s: x87 control word %#x, want %#x", who, out->fcw, in->fcw);
}

static struct frame tin[NTHREADS], tout[NTHREADS];

static void *thread_main(void *arg)
{
	long i = (long)arg;

	run(&tin[i], &tout[i]);
	return NULL;
}

static void on_go(int sig)
{
	(void)sig;
	go_flag = 1;
}

static void on_trap(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	static struct frame in, out;
	pthread_t th[NTHREADS];
	sigset_t set;
	char who[32];

	wl_init(argc, argv);
	signal(SIGUSR2, on_go);
	signal(SIGTRAP, on_trap);	/* the engine's breakpoints must leave it alone */
	zmm = __builtin_cpu_supports("avx512f");
	if (!__builtin_cpu_supports("avx")) {
		wl_fail("CPU without AVX: this test needs it");
		return wl_done();
	}
	fill(&in, 1);
	/* the signal to go on lands in the main thread only */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (long i = 0; i < NTHREADS; i++) {
		fill(&tin[i], 10 + i);
		pthread_create(&th[i], NULL, thread_main, (void *)i);
	}
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	wl_ready();
	run(&in, &out);
	check(&in, &out, "main thread");
	struct sigaction old;
	wl_check(!sigaction(SIGTRAP, NULL, &old) && old.sa_handler == on_trap,
		 "the SIGTRAP handler is kept");
	for (long i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		snprintf(who, sizeof(who), "thread %ld", i);
		check(&tin[i], &tout[i], who);
	}
	return wl_done();
}
