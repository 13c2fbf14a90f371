// SPDX-License-Identifier: GPL-2.0-only
/*
 * The container's mount list (note section 9.3) as the engine's ns_mnt.c
 * writes it, mountpoints-1.img, for a restore that makes the container's
 * mount namespace: each VFSMOUNT of the NAMESPACE object (parents first)
 * with its device, mount point and type names. The first, at "/", is the
 * root (rebuilt from the restore's root source); proc, sysfs, devpts,
 * mqueue and tmpfs are mounted fresh, a tmpfs with the tar archive the dump
 * holds (gzipped by gzip into tmpfs-dev-DEV.tar.gz.img); a bind mount
 * (CPT_MNT_BIND) names its source path, found in the mount that holds it.
 * Mount ids are made from the order, devices from the id (binds share
 * their source's). Other file systems, external or delayed mounts, shared
 * or slave propagation and a second mount namespace are refused by name.
 */
#define LOG_PREFIX "ovz2img: "

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"
#include "log.h"
#include "mnt.pb-c.h"
#include "xlate.h"

#define MNT_NS_ID	1
#define MAX_MNTS	512
#define PATH_LEN	4096
#define CPT_OBJ_VFSMOUNT 1033
#define CPT_MNT_BIND	0x80000000U
#define CPT_MNT_EXT	0x40000000U
#define CPT_MNT_DELAYFS	0x20000000U
#define MAX_TAR		(256U << 20)

struct xmnt {
	uint64_t pos;
	uint8_t rec[56];
	char *name[4];		/* device, mount point, type, bind source */
	int nnames;
	uint64_t tar_pos;	/* of the tar bytes, 0 if none */
	uint32_t tar_len;
	int parent;		/* index, -1 for the root */
	int src;		/* a bind's source mount, -1 if none */
	uint32_t dev;
};

struct mnts {
	struct xmnt m[MAX_MNTS];
	int n;
};

static int mnt_child(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct xmnt *m = arg;
	uint8_t rec[24];
	int r;

	if (h->type != CPT_OBJ_NAME)
		return 0;
	if (h->content == CPT_CONTENT_DATA) {	/* cpt_obj_tar: a tmpfs's files */
		r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_NAME, "tmpfs tar", rec,
				 sizeof(rec), NULL);
		m->tar_len = get32(rec, 16);
		m->tar_pos = pos + h->hdrlen;
		if (!r && (m->tar_len > h->next - h->hdrlen || m->tar_len > MAX_TAR))
			r = log_err(-EPROTO, "tmpfs tar at offset %#" PRIx64 ": field cpt_len %u is past the record or over %u",
				    pos, m->tar_len, MAX_TAR);
		return r;
	}
	if (m->nnames == 4)
		return 0;
	m->name[m->nnames] = malloc(PATH_LEN);
	if (!m->name[m->nnames])
		return -ENOMEM;
	return xl_read_name(x, pos, pos + h->next, m->name[m->nnames++], PATH_LEN);
}

/* Is @p within the mount point @mp ("/" holds everything)? */
static bool within(const char *mp, const char *p)
{
	size_t n = strlen(mp);

	return !strcmp(mp, "/") || (!strncmp(mp, p, n) && (!p[n] || p[n] == '/'));
}

/* The earlier mount whose mount point holds @path most closely. */
static int holder(const struct mnts *s, int before, const char *path)
{
	int best = -1;

	for (int k = 0; k < before; k++)
		if (within(s->m[k].name[1], path) &&
		    (best < 0 || strlen(s->m[k].name[1]) > strlen(s->m[best].name[1])))
			best = k;
	return best;
}

static int by_pos(const struct mnts *s, uint64_t pos)
{
	for (int k = 0; k < s->n; k++)
		if (s->m[k].pos == pos)
			return k;
	return -1;
}

static int collect(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct mnts *s = arg;
	struct xmnt *m;
	int r;

	if (h->type != CPT_OBJ_VFSMOUNT)
		return 0;
	if (s->n == MAX_MNTS)
		return log_err(-E2BIG, "VFSMOUNT at offset %#" PRIx64 ": more than %d mounts", pos, MAX_MNTS);
	m = &s->m[s->n];
	memset(m, 0, sizeof(*m));
	m->pos = pos;
	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_VFSMOUNT, "VFSMOUNT", m->rec,
			 sizeof(m->rec), NULL);
	s->n++;		/* its names are freed with the rest */
	if (!r)
		r = xl_children(x, pos, h, mnt_child, m);
	if (!r && m->nnames < 3)
		r = log_err(-EPROTO, "VFSMOUNT at offset %#" PRIx64 ": %d names, want device, mount point and type",
			    pos, m->nnames);
	if (!r && m->name[1][0] != '/')
		r = log_err(-EPROTO, "VFSMOUNT at offset %#" PRIx64 ": mount point '%s' is not absolute",
			    pos, m->name[1]);
	return r;
}

/* Parent and bind source of mount @i; refusals by name. */
static int relate(struct xlate *x, struct mnts *s, int i)
{
	struct xmnt *m = &s->m[i];
	uint32_t fl = get32(m->rec, 16);
	uint64_t par = get64(m->rec, 32), bind = get64(m->rec, 24);
	bool rhel6 = x->f->hdr.version >= 0x800;

	m->dev = (uint32_t)(1000 + i) & 0xfffff;	/* NS_KDEV(0, 1000 + i) */
	m->src = -1;
	m->parent = !i ? -1 : rhel6 && par != CPT_NULL ? by_pos(s, par) : holder(s, i, m->name[1]);
	if (i && m->parent < 0)
		return log_err(-EPROTO, "VFSMOUNT at offset %#" PRIx64 ": mount '%s' has no parent in the dump",
			       m->pos, m->name[1]);
	if (!i && strcmp(m->name[1], "/"))
		return log_err(-EPROTO, "VFSMOUNT at offset %#" PRIx64 ": the first mount is '%s', not the root",
			       m->pos, m->name[1]);
	if (fl & (CPT_MNT_EXT | CPT_MNT_DELAYFS))
		return xl_unsupported(x, "the %s mount at '%s' (VFSMOUNT at offset %#" PRIx64 ")",
				      fl & CPT_MNT_EXT ? "external" : "delayed", m->name[1], m->pos) ?: 1;
	if (rhel6 && (get64(m->rec, 40) != CPT_NULL || get64(m->rec, 48) != CPT_NULL))
		return xl_unsupported(x, "the shared or slave mount at '%s' (VFSMOUNT at offset %#" PRIx64 ")",
				      m->name[1], m->pos) ?: 1;
	if (!(fl & CPT_MNT_BIND) || !i)
		return 0;
	if (m->nnames < 4)
		return log_err(-EPROTO, "VFSMOUNT at offset %#" PRIx64 ": bind mount '%s' without its source path",
			       m->pos, m->name[1]);
	m->src = rhel6 && bind != CPT_NULL && by_pos(s, bind) >= 0 &&
		 within(s->m[by_pos(s, bind)].name[1], m->name[3]) ? by_pos(s, bind) :
		 holder(s, i, m->name[3]);
	if (m->src < 0)
		return log_err(-EPROTO, "VFSMOUNT at offset %#" PRIx64 ": the source '%s' of bind mount '%s' is in no mount before it",
			       m->pos, m->name[3], m->name[1]);
	m->dev = s->m[m->src].dev;
	return 0;
}

static uint32_t fstype_of(const char *t)
{
	static const struct {
		const char *name;
		uint32_t type;
	} types[] = {
		{ "proc", FSTYPE__PROC }, { "sysfs", FSTYPE__SYSFS }, { "tmpfs", FSTYPE__TMPFS },
		{ "devpts", FSTYPE__DEVPTS }, { "mqueue", FSTYPE__MQUEUE }, { "simfs", FSTYPE__SIMFS },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(t, types[i].name))
			return types[i].type;
	return FSTYPE__UNSUPPORTED;
}

/* MNT_* flags of those kernels as MS_* flags. */
static uint32_t ms_flags(uint32_t mnt)
{
	return (mnt & 0x1 ? MS_NOSUID : 0) | (mnt & 0x2 ? MS_NODEV : 0) |
	       (mnt & 0x4 ? MS_NOEXEC : 0) | (mnt & 0x8 ? MS_NOATIME : 0) |
	       (mnt & 0x10 ? MS_NODIRATIME : 0) | (mnt & 0x20 ? MS_RELATIME : 0) |
	       (mnt & 0x40 ? MS_RDONLY : 0);
}

/* The tar of a tmpfs, gzipped by gzip(1) into tmpfs-dev-DEV.tar.gz.img. */
static int write_tar(struct xlate *x, const struct xmnt *m)
{
	_cleanup_free_ uint8_t *buf = malloc(m->tar_len ?: 1);
	char name[64];
	int p[2], out, st = 0, r;
	pid_t pid;

	snprintf(name, sizeof(name), "tmpfs-dev-%u.tar.gz.img", m->dev);
	if (!buf)
		return -ENOMEM;
	r = cpt_pread(x->f, m->tar_pos, buf, m->tar_len, "tmpfs tar");
	if (r < 0)
		return r;
	out = openat(x->dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0 || pipe2(p, O_CLOEXEC) < 0)
		return log_perr(-errno, "Failed to create '%s'", name);
	pid = fork();
	if (pid == 0) {
		dup2(p[0], 0);
		dup2(out, 1);
		execlp("gzip", "gzip", "-c", "-n", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	close(out);
	r = pid < 0 ? log_perr(-errno, "Failed to run gzip") :
	    write_full(p[1], buf, m->tar_len) < 0 ? log_perr(-errno, "Failed to gzip '%s'", name) : 0;
	close(p[1]);
	if (pid > 0 && (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)))
		r = r ?: log_err(-EIO, "Failed to gzip the tmpfs at '%s': gzip failed (status %#x)",
				 m->name[1], st);
	return r;
}

/* The mnt_entry of mount @i (root path in @root). */
static int write_entry(struct xlate *x, struct img *img, const struct mnts *s, int i,
		       const char *root)
{
	const struct xmnt *m = &s->m[i];
	MntEntry e = MNT_ENTRY__INIT;
	uint32_t t = fstype_of(m->name[2]);

	e.fstype = t;
	e.mnt_id = i + 1;
	e.root_dev = m->dev;
	e.parent_mnt_id = m->parent < 0 ? 0 : m->parent + 1;
	e.flags = ms_flags(get32(m->rec, 16));
	e.has_sb_flags = true;
	e.sb_flags = get32(m->rec, 20) & MS_RDONLY;
	e.root = (char *)root;
	e.mountpoint = m->name[1];
	e.source = m->name[0];
	e.options = t == FSTYPE__DEVPTS ? "newinstance,ptmxmode=0666,mode=620,gid=5" : "";
	e.fsname = m->name[2];
	if (i && m->src < 0 && t != FSTYPE__PROC && t != FSTYPE__SYSFS && t != FSTYPE__TMPFS &&
	    t != FSTYPE__DEVPTS && t != FSTYPE__MQUEUE)
		return xl_unsupported(x, "the %s mount at '%s' (VFSMOUNT at offset %#" PRIx64 ")",
				      m->name[2], m->name[1], m->pos) ?: 1;
	return img_write(img, &e) ?: m->src < 0 && t == FSTYPE__TMPFS && m->tar_pos ?
	       write_tar(x, m) : 0;
}

/* Root paths: "/" but for binds, whose root is their source's plus the rest. */
static int write_all(struct xlate *x, struct mnts *s, struct img *img)
{
	char **roots = calloc(s->n, sizeof(*roots));
	int r = 0;

	if (!roots)
		return -ENOMEM;
	for (int i = 0; !r && i < s->n; i++) {
		const struct xmnt *m = &s->m[i];

		r = relate(x, s, i);
		if (r)
			continue;	/* 1: left out with --force */
		if (m->src >= 0) {
			const char *rest = m->name[3] + (strcmp(s->m[m->src].name[1], "/") ?
							 strlen(s->m[m->src].name[1]) : 0);
			const char *base = roots[m->src] ? roots[m->src] : "/";

			r = asprintf(&roots[i], "%s%s%s", strcmp(base, "/") ? base : "",
				     *rest == '/' ? "" : "/", rest) < 0 ? -ENOMEM : 0;
		}
		r = r ?: write_entry(x, img, s, i, roots[i] ? roots[i] : "/");
		r = r > 0 ? 0 : r;
	}
	r = r > 0 ? 0 : r;
	for (int i = 0; i < s->n; i++)
		free(roots[i]);
	free(roots);
	return r;
}

static int one_ns(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	int *seen = arg;
	struct mnts *s;
	struct img *img;
	int r;

	if ((*seen)++)
		return xl_unsupported(x, "a second mount namespace (NAMESPACE at offset %#" PRIx64 ")",
				      pos);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	r = xl_children(x, pos, h, collect, s);
	img = r || !s->n ? NULL : img_open(x->dfd, IMG_MNTS, O_WRONLY, MNT_NS_ID);
	if (!r && s->n)
		r = img ? write_all(x, s, img) : -errno;
	if (img && r)
		img_abort(img);
	else if (img)
		r = img_close(img);
	for (int i = 0; i < s->n; i++)
		for (int k = 0; k < 4; k++)
			free(s->m[i].name[k]);
	free(s);
	return r;
}

int xl_write_mounts(struct xlate *x)
{
	const struct cpt_section *ns = xl_section(x, 10);
	int seen = 0, r = 0;

	for (uint64_t p = ns ? ns->pos + ns->hdrlen : 0; !r && ns && p < ns->pos + ns->len;) {
		struct cpt_obj_hdr h;

		r = cpt_read_obj(x->f, p, ns->pos + ns->len, CPT_OBJ_NAMESPACE, "in section NAMESPACE",
				 NULL, 0, &h) ?: one_ns(x, p, &h, &seen);
		p += h.next;
	}
	return r;
}
