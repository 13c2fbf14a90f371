// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the cpt reader and the translation: every input
 * goes through cpt_open_fd (header, trailer, section and object walks,
 * index, tasks, references) and, when the reader takes it, through
 * xlate_dump --force into a scratch directory that is emptied after each
 * run. Built and run only by `make fuzz-cpt` (clang), seeded with every
 * file mkcpt writes (tests/convert/corpus); never by make check.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpt.h"
#include "log.h"
#include "xlate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Empty @dir: the set written, or a temporary one left by a crash. */
static void wipe(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	char path[512];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, "..")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) < 0) {
			wipe(path);
			rmdir(path);
		}
	}
	if (d)
		closedir(d);
}

static char dir[64];

static void drop_dir(void)
{
	wipe(dir);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[96];
	static FILE *null;
	struct cpt_file *f;
	int fd;

	if (!null) {
		null = fopen("/dev/null", "w");
		log_set_fd(fileno(null));
		snprintf(dir, sizeof(dir), "/tmp/fuzz-cpt.%d", getpid());
		mkdir(dir, 0700);
		atexit(drop_dir);
		snprintf(out, sizeof(out), "%s/out", dir);
	}
	fd = memfd_create("cpt", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	if (cpt_open_fd(fd, &f) < 0) {
		close(fd);
		return 0;
	}
	xlate_dump(f, out, true, false, null, NULL);
	cpt_close(f);	/* closes fd */
	wipe(dir);
	return 0;
}
