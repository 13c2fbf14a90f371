// SPDX-License-Identifier: GPL-2.0-only
/*
 * The uts namespace: host name and domain name, in utsns-ID.img. Read by a
 * helper inside the target's uts namespace (uname() answers for the
 * caller's namespace only).
 */
#define LOG_PREFIX "ns-uts: "
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "image.h"
#include "log.h"
#include "nsimg.h"
#include "ns_util.h"
#include "utsns.pb-c.h"

struct uts_dump {
	int dfd;
	uint32_t id;
};

static int uts_dump_inside(void *arg)
{
	const struct uts_dump *d = arg;
	UtsnsEntry e = UTSNS_ENTRY__INIT;
	struct utsname u;

	if (uname(&u) < 0)
		return log_perr(-errno, "Failed to read the uts names");
	e.nodename = u.nodename;
	e.domainname = u.domainname;
	return img_write_single(d->dfd, IMG_UTSNS, d->id, &e);
}

int ns_dump_uts(pid_t pid, int dfd)
{
	struct uts_dump d = { .dfd = dfd };
	int ret = ns_id(pid, "uts", &d.id);

	return ret ?: ns_run_in(pid, CLONE_NEWUTS, uts_dump_inside, &d);
}

int ns_restore_uts(int dfd)
{
	UtsnsEntry *e = NULL;
	uint32_t id;
	int ret;

	ret = ns_need_image(dfd, "utsns-", &id) ?:
	      img_read_single(dfd, IMG_UTSNS, id, (void **)&e);
	if (ret < 0)
		return ret;
	if (strlen(e->nodename) >= sizeof(((struct utsname *)0)->nodename) ||
	    strlen(e->domainname) >= sizeof(((struct utsname *)0)->domainname))
		ret = log_err(-EINVAL, "Failed to restore utsns-%u.img: nodename or domainname over 64 bytes",
			      id);
	else if (sethostname(e->nodename, strlen(e->nodename)) < 0)
		ret = log_perr(-errno, "Failed to set the host name '%s'", e->nodename);
	else if (setdomainname(e->domainname, strlen(e->domainname)) < 0)
		ret = log_perr(-errno, "Failed to set the domain name '%s'", e->domainname);
	img_free_entry(e);
	return ret;
}
