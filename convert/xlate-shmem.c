// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared anonymous memory (note section 5.1): a MAP_SHARED|MAP_ANONYMOUS
 * mapping (or one of /dev/zero) points at a FILE named "/dev/zero
 * (deleted)" whose INODE object holds the object's contents as PAGES
 * blocks with byte offsets in the object, zero pages left out. Each object
 * becomes one pagemap-shmem-SHMID.img (offsets as vaddr) plus its pages
 * image, once however many mappings share it; the VMAs name it by SHMID,
 * so that restore maps one object wherever the old tasks shared it.
 */
#define LOG_PREFIX "ovz2img: "

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "pagemap.pb-c.h"
#include "xlate.h"

#define PE_PRESENT		(1U << 2)
#define SHM_PAGES_ID_BASE	(1U << 30)	/* above any pid: pages-PID.img stay apart */
#define MAX_SHM_OBJECTS		4096

struct shm_out {
	struct img *pm;
	int fd;
	uint64_t last_end;
};

static int shm_block(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct shm_out *o = arg;
	PagemapEntry pe = PAGEMAP_ENTRY__INIT;
	uint8_t rec[32];
	uint64_t s, e, in;
	int r;

	if (h->type != CPT_OBJ_PAGES)
		return h->type == CPT_OBJ_NAME ? 0 :
		       log_err(-EOPNOTSUPP, "shared memory INODE: a %s at offset %#" PRIx64 ": its pages are not in the dump",
			       cpt_obj_name(h->type), pos);
	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_PAGES, "shared memory PAGES", rec,
			 sizeof(rec), NULL);
	if (r < 0)
		return r;
	s = get64(rec, 16);
	e = get64(rec, 24);
	if (h->content != CPT_CONTENT_DATA || s >= e || (s | e) % XL_PAGE || s < o->last_end ||
	    h->next - h->hdrlen != e - s || (e - s) / XL_PAGE > UINT32_MAX)
		return log_err(-EPROTO, "shared memory PAGES at offset %#" PRIx64 ": offsets %#" PRIx64 "-%#" PRIx64 " not rising pages, or %" PRIu64 " bytes of data",
			       pos, s, e, h->next - h->hdrlen);
	pe.vaddr = s;
	pe.nr_pages = (uint32_t)((e - s) / XL_PAGE);
	pe.has_flags = true;
	pe.flags = PE_PRESENT;
	r = img_write(o->pm, &pe);
	for (in = pos + h->hdrlen; !r && in < pos + h->next;) {
		ssize_t n = copy_file_range(x->f->fd, (loff_t *)&in, o->fd, NULL,
					    pos + h->next - in, 0);

		if (n <= 0)
			r = log_perr(n < 0 ? -errno : -EIO, "Failed to copy shared memory pages at offset %#" PRIx64,
				     in);
	}
	o->last_end = e;
	x->page_bytes += e - s;
	return r;
}

/* pagemap-shmem-@shmid.img and its pages from the INODE at @ino. */
static int write_object(struct xlate *x, uint64_t ino, uint32_t shmid)
{
	PagemapHead ph = PAGEMAP_HEAD__INIT;
	struct shm_out o = { img_open(x->dfd, IMG_SHMEM_PAGEMAP, O_WRONLY, shmid), -1, 0 };
	struct cpt_obj_hdr h;
	char name[64];
	int r;

	if (!o.pm)
		return -errno;
	ph.pages_id = SHM_PAGES_ID_BASE + shmid;
	snprintf(name, sizeof(name), "pages-%u.img", ph.pages_id);
	o.fd = openat(x->dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	r = o.fd < 0 ? log_perr(-errno, "Failed to create '%s'", name) : img_write(o.pm, &ph);
	if (!r)
		r = cpt_read_obj(x->f, ino, x->f->size, CPT_OBJ_INODE, "INODE", NULL, 0, &h) ?:
		    xl_children(x, ino, &h, shm_block, &o);
	if (o.fd >= 0 && close(o.fd) < 0 && !r)
		r = log_perr(-errno, "Failed to write '%s'", name);
	if (r) {
		img_abort(o.pm);
		return r;
	}
	return img_close(o.pm);
}

int xl_shmem_id(struct xlate *x, uint64_t file, uint64_t ino, uint32_t *ret_id)
{
	uint64_t *n;
	int r;

	for (size_t i = 0; i < x->nshm; i++)
		if (x->shm[i] == ino) {
			*ret_id = (uint32_t)i + 1;
			return 0;
		}
	if (x->nshm == MAX_SHM_OBJECTS)
		return log_err(-E2BIG, "INODE at offset %#" PRIx64 ": more than %d shared memory objects",
			       ino, MAX_SHM_OBJECTS);
	r = cpt_resolve(x->f, ino, CPT_OBJ_INODE, file, "cpt_inode of shared memory");
	if (r <= 0)
		return r ?: log_err(-EPROTO, "FILE at offset %#" PRIx64 ": shared memory without an INODE (its contents)",
				    file);
	n = realloc(x->shm, (x->nshm + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	x->shm = n;
	x->shm[x->nshm++] = ino;
	*ret_id = (uint32_t)x->nshm;
	return write_object(x, ino, *ret_id);
}
