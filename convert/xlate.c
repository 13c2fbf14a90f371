// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovz2img's translation driver: checks what the dump holds against what
 * vzcr restore can bring back (plain process trees: container-level state
 * is refused by name, or skipped and listed with --force), then writes the
 * image set into a temporary directory beside OUTDIR: per process its
 * cores, memory and files, then pstree.img, utsns, and inventory.img last
 * after a sync; the directory is renamed to OUTDIR only when all of it is
 * there. On any failure the temporary directory is removed.
 */
#define LOG_PREFIX "ovz2img: "

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "inventory.pb-c.h"
#include "log.h"
#include "pstree.pb-c.h"
#include "utsns.pb-c.h"
#include "xlate-sock.h"
#include "xlate.h"

#define CRTOOLS_IMAGES_V1_1	2
#define TASK_EXIT_ZOMBIE	16
#define XL_MAX_TASKS		(1U << 16)

int xl_unsupported(struct xlate *x, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	char **n;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *p = buf; *p; p++)	/* names from the dump: no control bytes in logs */
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (!x->force)
		return log_err(-EOPNOTSUPP, "Failed to translate %s: vzcr restore cannot bring it back (--force skips it)",
			       buf);
	pr_warn("Skipping %s (--force), ignoring", buf);
	n = realloc(x->skipped, (x->nskipped + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	x->skipped = n;
	x->skipped[x->nskipped] = strdup(buf);
	if (!x->skipped[x->nskipped])
		return -ENOMEM;
	x->nskipped++;
	return 0;
}

int xl_read_name(struct xlate *x, uint64_t pos, uint64_t end, char *buf, size_t size)
{
	struct cpt_obj_hdr h;
	uint64_t len;
	int r;

	r = cpt_read_obj(x->f, pos, end, CPT_OBJ_NAME, "name", NULL, 0, &h);
	if (r < 0)
		return r;
	len = h.next - h.hdrlen;
	if (len >= size)
		return log_err(-EPROTO, "NAME at offset %#" PRIx64 ": %" PRIu64 " bytes, more than %zu",
			       pos, len, size - 1);
	r = cpt_pread(x->f, pos + h.hdrlen, buf, len, "NAME payload");
	if (r < 0)
		return r;
	buf[len] = '\0';	/* the payload holds its NUL and padding */
	return 0;
}

int xl_children(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h,
		int (*fn)(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg),
		void *arg)
{
	uint64_t end = pos + h->next;

	if (h->content != CPT_CONTENT_ARRAY)
		return 0;
	for (uint64_t p = pos + h->hdrlen; p < end;) {
		struct cpt_obj_hdr ch;
		int r;

		r = cpt_read_obj(x->f, p, end, UINT32_MAX, "child", NULL, 0, &ch);
		if (r < 0)
			return r;
		r = fn(x, p, &ch, arg);
		if (r < 0)
			return r;
		p += ch.next;
	}
	return 0;
}

const struct cpt_section *xl_section(struct xlate *x, uint32_t code)
{
	for (size_t i = 0; i < x->f->nsects; i++)
		if (x->f->sects[i].code == code)
			return &x->f->sects[i];
	return NULL;
}

/* Container-level sections the engine cannot restore into a plain tree. */
static const struct {
	uint32_t code;
	const char *what;
} unsupported_sects[] = {
	{ 11, "SysV semaphore undo lists (SYSVSEM_UNDO section)" },
	{ 13, "SysV shared memory (SYSV_SHM section)" },
	{ 15, "orphaned TCP sockets (ORPHANS section)" },
	{ 19, "iptables rules (NET_IPTABLES section)" },
	{ 20, "conntrack entries (NET_CONNTRACK section)" },
	{ 27, "epoll instances (EPOLL section)" },
	{ 29, "inotify instances (INOTIFY section)" },
	{ 32, "cgroups (CGROUPS section)" },
	{ 34, "ip6tables rules (NET_IP6TABLES section)" },
};

static int check_sections(struct xlate *x)
{
	int r = 0;

	for (size_t i = 0; i < sizeof(unsupported_sects) / sizeof(unsupported_sects[0]); i++) {
		const struct cpt_section *s = xl_section(x, unsupported_sects[i].code);

		if (!s || !s->nobjs)
			continue;
		r = xl_unsupported(x, "%" PRIu64 " %s", s->nobjs, unsupported_sects[i].what);
		if (r < 0)
			return r;
	}
	return xl_sock_check(x);
}

static const struct xl_task *find_proc(const struct xl_task *t, size_t n, uint32_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].pid == pid && t[i].tgid == pid)
			return &t[i];
	return NULL;
}

static int load_tasks(struct xlate *x, struct xl_task **ret, size_t *ret_n)
{
	struct xl_task *t;
	size_t n = x->f->ntasks;

	if (!n)
		return log_err(-EINVAL, "Failed to translate: the dump holds no tasks");
	if (n > XL_MAX_TASKS)
		return log_err(-E2BIG, "Failed to translate: %zu tasks, more than %u", n, XL_MAX_TASKS);
	t = calloc(n, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct cpt_task *ct = &x->f->tasks[i];
		int r = cpt_read_obj(x->f, ct->pos, x->f->size, CPT_OBJ_TASK, "TASK", t[i].rec,
				     sizeof(t[i].rec), &t[i].h);

		if (r < 0) {
			free(t);
			return r;
		}
		t[i].pos = ct->pos;
		t[i].pid = ct->pid;
		t[i].tgid = ct->tgid;
		t[i].leader = ct->leader;
		if (x->f->hdr.arch != 1 || !ct->is64) {
			free(t);
			return log_err(-EOPNOTSUPP, "Failed to translate task %u (%s) at offset %#" PRIx64 ": a 32-bit (i386) task, only x86_64 tasks are supported",
				       ct->pid, ct->comm, ct->pos);
		}
	}
	for (size_t i = 0; i < n; i++)	/* a thread without its leader would be lost */
		if (t[i].pid != t[i].tgid && !find_proc(t, n, t[i].tgid)) {
			int r = log_err(-EPROTO, "TASK at offset %#" PRIx64 ": thread %u of thread group %u, whose leader is not in the dump",
					t[i].pos, t[i].pid, t[i].tgid);

			free(t);
			return r;
		}
	*ret = t;
	*ret_n = n;
	return 0;
}

/* pstree entry of process @p: its threads, leader first. */
static int pstree_entry(const struct xl_task *all, size_t n, const struct xl_task *p,
			uint32_t ppid, PstreeEntry *pe)
{
	size_t k = 1;

	pstree_entry__init(pe);
	pe->pid = p->pid;
	pe->ppid = ppid;
	pe->pgid = get32(p->rec, 192);
	pe->sid = get32(p->rec, 196);
	pe->threads = calloc(n, sizeof(*pe->threads));
	if (!pe->threads)
		return -ENOMEM;
	pe->threads[0] = p->pid;
	for (size_t i = 0; i < n; i++)
		if (all[i].tgid == p->pid && all[i].pid != p->pid)
			pe->threads[k++] = all[i].pid;
	pe->n_threads = k;
	return 0;
}

/*
 * Processes in an order where each parent comes first (restore needs it);
 * the first is the root. A parent missing from the dump is an error but
 * for the root.
 */
static int write_tree(struct xlate *x, const struct xl_task *all, size_t n)
{
	struct img *img = img_open(x->dfd, IMG_PSTREE, O_WRONLY, 0);
	_cleanup_free_ bool *done = calloc(n, sizeof(bool));
	size_t emitted = 0, nproc = 0;
	int r = 0;

	if (!img || !done) {
		img_abort(img);
		return img ? -ENOMEM : -errno;
	}
	for (size_t i = 0; i < n; i++)
		nproc += all[i].pid == all[i].tgid;
	while (!r && emitted < nproc) {
		size_t before = emitted;

		for (size_t i = 0; !r && i < n; i++) {
			const struct xl_task *p = &all[i];
			uint32_t ppid = get32(p->rec, 188);
			const struct xl_task *par = find_proc(all, n, ppid);
			PstreeEntry pe;

			if (done[i] || p->pid != p->tgid)
				continue;
			if (par && !done[par - all])
				continue;
			if (!par && emitted)
				r = log_err(-EINVAL, "Failed to translate task %u: its parent %u (cpt_rppid of TASK at offset %#" PRIx64 ") is not in the dump",
					    p->pid, ppid, p->pos);
			if (r)
				break;
			r = pstree_entry(all, n, p, par ? ppid : 0, &pe);
			if (!r)
				r = img_write(img, &pe);
			free(pe.threads);
			if (!r)
				r = xl_write_cores(x, p, all, n) ?: xl_write_mm(x, p) ?:
				    xl_write_files(x, p);
			done[i] = true;
			emitted++;
		}
		if (!r && emitted == before)
			r = log_err(-EINVAL, "Failed to translate: the parent links of the tasks form a loop");
	}
	if (r) {
		img_abort(img);
		return r;
	}
	return img_close(img);
}

static int write_uts(struct xlate *x)
{
	UtsnsEntry u = UTSNS_ENTRY__INIT;

	u.nodename = x->f->utsname[0];
	u.domainname = x->f->utsname[1];
	return img_write_single(x->dfd, IMG_UTSNS, 1, &u);
}

static int write_inventory(struct xlate *x, uint32_t root)
{
	InventoryEntry inv = INVENTORY_ENTRY__INIT;
	TaskKobjIdsEntry ids = TASK_KOBJ_IDS_ENTRY__INIT;

	ids.vm_id = ids.files_id = ids.fs_id = ids.sighand_id = root;
	ids.has_uts_ns_id = true;
	ids.uts_ns_id = 1;
	ids.has_ipc_ns_id = true;
	ids.ipc_ns_id = 1;
	ids.has_mnt_ns_id = true;
	ids.mnt_ns_id = 1;
	ids.has_net_ns_id = true;
	ids.net_ns_id = 1;
	inv.img_version = CRTOOLS_IMAGES_V1_1;
	inv.has_fdinfo_per_id = inv.fdinfo_per_id = true;
	inv.root_ids = &ids;
	inv.has_lsmtype = true;
	inv.lsmtype = LSMTYPE__NO_LSM;
	return img_write_single(x->dfd, IMG_INVENTORY, 0, &inv);
}

static int translate(struct xlate *x)
{
	_cleanup_free_ struct xl_task *all = NULL;
	size_t n;
	int r;

	r = check_sections(x) ?: load_tasks(x, &all, &n);
	if (r)
		return r;
	r = xl_files_begin(x) ?: write_tree(x, all, n);
	r = xl_files_end(x) ?: r;	/* closes what begin opened, whatever happened */
	if (!r)
		r = write_uts(x) ?: xl_write_ipc(x) ?: xl_write_mounts(x) ?:
		    xl_write_net(x) ?: img_dir_sync(x->dfd);
	if (!r && x->ctid)
		r = xl_write_ct(x, x->ctid);
	if (!r)	/* last: its presence marks a complete set */
		r = write_inventory(x, all[0].tgid) ?: img_dir_sync(x->dfd);
	return r;
}

static void remove_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	rmdir(path);
}

/* OUTDIR must be absent or an empty directory (rename replaces that). */
static int check_outdir(const char *outdir)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int n = 0;

	if (stat(outdir, &st) < 0)
		return errno == ENOENT ? 0 : log_perr(-errno, "Failed to stat '%s'", outdir);
	if (!S_ISDIR(st.st_mode))
		return log_err(-EEXIST, "Failed to write images to '%s': it exists and is not a directory",
			       outdir);
	d = opendir(outdir);
	if (!d)
		return log_perr(-errno, "Failed to open '%s'", outdir);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	if (n)
		return log_err(-ENOTEMPTY, "Failed to write images to '%s': the directory is not empty",
			       outdir);
	return 0;
}

/* @s as a JSON string: bytes outside printable ASCII as \u00XX. */
static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void report(const struct xlate *x, const char *outdir, bool json, FILE *out)
{
	if (!json) {
		fprintf(out, "wrote %s: %zu tasks, %" PRIu64 " bytes of pages\n", outdir,
			x->f->ntasks, x->page_bytes);
		for (size_t i = 0; i < x->nskipped; i++)
			fprintf(out, "skipped: %s\n", x->skipped[i]);
		return;
	}
	fprintf(out, "{\"outdir\": ");
	json_str(out, outdir);
	fprintf(out, ", \"tasks\": %zu, \"page_bytes\": %" PRIu64 ", \"skipped\": [",
		x->f->ntasks, x->page_bytes);
	for (size_t i = 0; i < x->nskipped; i++) {
		fputs(i ? ", " : "", out);
		json_str(out, x->skipped[i]);
	}
	fprintf(out, "]}\n");
}

int xlate_dump(struct cpt_file *f, const char *outdir, bool force, bool json, FILE *out,
	       const char *vdso_file, const char *ctid)
{
	struct xlate x = { .f = f, .force = force, .dfd = -1, .next_id = 1, .ctid = ctid };
	_cleanup_free_ char *copy = strdup(outdir), *copy2 = strdup(outdir), *tmp = NULL;
	int r;

	if (!copy || !copy2 || asprintf(&tmp, "%s/.%s.ovz2img-XXXXXX", dirname(copy),
					basename(copy2)) < 0)
		return -ENOMEM;
	r = check_outdir(outdir);
	if (r)
		return r;
	if (!mkdtemp(tmp))
		return log_perr(-errno, "Failed to create a temporary directory beside '%s'", outdir);
	x.vdso_file = vdso_file;
	x.dfd = img_dir_open(tmp, false);
	r = x.dfd < 0 ? x.dfd : translate(&x);
	if (!r && rename(tmp, outdir) < 0)
		r = log_perr(-errno, "Failed to rename '%s' to '%s'", tmp, outdir);
	if (r)
		remove_dir(tmp);
	else
		report(&x, outdir, json, out);
	if (x.dfd >= 0)
		close(x.dfd);
	for (size_t i = 0; i < x.nskipped; i++)
		free(x.skipped[i]);
	free(x.skipped);
	free(x.files);
	free(x.shm);
	free(x.ghosts);
	free(x.pokes);
	free(x.vdso);
	return r;
}
