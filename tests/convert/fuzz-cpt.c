// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the cpt reader: every input goes through cpt_open_fd
 * (header, trailer, section and object walks, index, tasks, references).
 * Built and run only by `make fuzz-cpt` (clang), seeded with every file mkcpt
 * writes (tests/convert/corpus); never by make check.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpt.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int devnull = -1;
	struct cpt_file *f;
	int fd;

	if (devnull < 0) {
		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
		log_set_fd(devnull);
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
	cpt_close(f);	/* closes fd */
	return 0;
}
