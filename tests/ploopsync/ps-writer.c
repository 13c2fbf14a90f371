// SPDX-License-Identifier: GPL-2.0-only
/*
 * ps-writer IMAGE STOPFILE: keeps writing random bytes at random offsets
 * (unaligned, 1 byte to 8 KiB, every 8th write zeros) inside IMAGE without
 * changing its size, about a thousand writes a second, until SIGTERM; then
 * creates STOPFILE and exits. The tests' freeze command sends SIGTERM and
 * waits for STOPFILE.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	static unsigned char buf[8192];
	struct timespec pause = { 0, 1000000 };
	uint64_t s = (uint64_t)getpid() * 2654435761u + (uint64_t)time(NULL), off, len, n = 0;
	struct stat st;
	int fd;

	if (argc != 3)
		return 2;
	signal(SIGTERM, on_term);
	fd = open(argv[1], O_WRONLY);
	if (fd < 0 || fstat(fd, &st) || st.st_size < (off_t)sizeof(buf))
		return 1;
	while (!stop) {
		len = rnd(&s) % sizeof(buf) + 1;
		off = rnd(&s) % ((uint64_t)st.st_size - len + 1);
		for (size_t i = 0; i < len; i++)
			buf[i] = (n % 8 == 0) ? 0 : (unsigned char)rnd(&s);
		if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len)
			return 1;
		n++;
		nanosleep(&pause, NULL);
	}
	close(fd);
	fd = open(argv[2], O_WRONLY | O_CREAT, 0600);
	printf("%llu writes\n", (unsigned long long)n);
	return fd < 0;
}
