// SPDX-License-Identifier: GPL-2.0-only
/*
 * Names of the cpt format's codes: versions (with the kernel generation that
 * writes each), architectures, sections and object types, from the tables of
 * ../shared/notes/ovz-cpt-format.md (2.2, 2.5, 3.2).
 */
#include <stddef.h>

#include "cpt.h"

/*
 * Every CPT_VERSION the note lists. Only the 2.6.18 (0x30x) and 2.6.32 (0x80x)
 * families have record layouts this reader knows; the others are named so
 * that a refusal can say what the file is.
 */
static const struct cpt_version_info versions[] = {
	{ 0x0000, "VERSION_8", "2.6.8", false },
	{ 0x0100, "VERSION_9", "2.6.9 (RHEL4)", false },
	{ 0x0101, "VERSION_9_1", "2.6.9 (RHEL4)", false },
	{ 0x0102, "VERSION_9_2", "2.6.9 (RHEL4)", false },
	{ 0x0200, "VERSION_16", "2.6.16", false },
	{ 0x0300, "VERSION_18", "2.6.18 (RHEL5)", true },
	{ 0x0301, "VERSION_18_1", "2.6.18 (RHEL5)", true },
	{ 0x0302, "VERSION_18_2", "2.6.18 (RHEL5)", true },
	{ 0x0303, "VERSION_18_3", "2.6.18 (RHEL5)", true },
	{ 0x0304, "VERSION_18_4", "2.6.18 (RHEL5)", true },
	{ 0x0400, "VERSION_20", "2.6.20", false },
	{ 0x0500, "VERSION_24", "2.6.24", false },
	{ 0x0600, "VERSION_26", "2.6.26", false },
	{ 0x0700, "VERSION_27", "2.6.27", false },
	{ 0x0703, "VERSION_27_3", "2.6.27", false },
	{ 0x0800, "VERSION_32", "2.6.32 (RHEL6)", true },
	{ 0x0801, "VERSION_32_1", "2.6.32 (RHEL6)", true },
	{ 0x0802, "VERSION_32_2", "2.6.32 (RHEL6)", true },
	{ 0x0803, "VERSION_32_3", "2.6.32 (RHEL6)", true },
};

const struct cpt_version_info *cpt_version_lookup(uint16_t value)
{
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (versions[i].value == value)
			return &versions[i];
	return NULL;
}

const char *cpt_arch_name(uint16_t arch)
{
	static const char *const names[] = { "i386", "x86_64", "ia64" };

	return arch < 3 ? names[arch] : NULL;
}

static const char *const sect_names[CPT_SECT_MAX] = {
	"ERROR", "VEINFO", "FILES", "TASKS", "MM", "FILES_STRUCT", "FS", "SIGHAND_STRUCT",
	"TTY", "SOCKET", "NAMESPACE", "SYSVSEM_UNDO", "INODE", "SYSV_SHM", "SYSV_SEM",
	"ORPHANS", "NET_DEVICE", "NET_IFADDR", "NET_ROUTE", "NET_IPTABLES", "NET_CONNTRACK",
	"NET_CONNTRACK_VE0", "UTSNAME", "TRAILER", "UBC", "SLM_SGREGS", "SLM_REGOBJS", "EPOLL",
	"VSYSCALL", "INOTIFY", "SYSV_MSG", "SNMP_STATS", "CGROUPS", "POSIX_TIMERS",
	"NET_IP6TABLES",
};

const char *cpt_section_name(uint32_t code)
{
	return code < CPT_SECT_MAX ? sect_names[code] : NULL;
}

static const char *const obj_a[] = {
	"TASK", "MM", "FS", "FILES", "FILE", "SIGHAND_STRUCT", "SIGNAL_STRUCT", "TTY", "SOCKET",
	"SYSVSEM_UNDO", "NAMESPACE", "SYSV_SHM", "INODE", "UBC", "SLM_SGREG", "SLM_REGOBJ",
	"SLM_MM", "VFSMOUNT_REF", "CGROUP", "CGROUPS", "POSIX_TIMER_LIST", "VFSMOUNT_MISSED_REF",
};

static const char *const obj_b[] = {
	"VMA", "FILEDESC", "SIGHANDLER", "SIGINFO", "LASTSIGINFO", "SYSV_SEM", "SKB", "FLOCK",
	"OPENREQ", "VFSMOUNT", "TRAILER", "SYSVSEM_UNDO_REC", "NET_DEVICE", "NET_IFADDR",
	"NET_ROUTE", "NET_CONNTRACK", "NET_CONNTRACK_EXPECT", "AIO_CONTEXT", "VEINFO", "EPOLL",
	"EPOLL_FILE", "SKFILTER", "SIGALTSTACK", "SOCK_MCADDR", "BIND_MNT", "SYSVMSG",
	"SYSVMSG_MSG", "MM_AUXV", "NET_IDEV_CNF",
};

static const char *const obj_c[] = {
	"X86_REGS", "X86_64_REGS", "PAGES", "COPYPAGES", "REMAPPAGES", "LAZYPAGES", "NAME",
	"BITS", "REF", "ITERPAGES", "ITERYOUNGPAGES", "VSYSCALL", "IA64_REGS", "INOTIFY",
	"INOTIFY_WATCH", "INOTIFY_EVENT", "TASK_AUX", "NET_TUNTAP", "NET_HWADDR", "NET_VETH",
	"NET_STATS", "NET_IPIP_TUNNEL", "TIMERFD", "EVENTFD", "NET_BR", "NET_BR_DEV",
	"MOUNT_DATA", "POSIX_TIMER", "SOCK_PACKET", "SOCK_PACKET_MC",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* "TASK" for 0, ... ; NULL for a code the note does not list. */
const char *cpt_obj_name(uint32_t type)
{
	if (type < N(obj_a))
		return obj_a[type];
	if (type >= 1024 && type - 1024 < N(obj_b))
		return obj_b[type - 1024];
	if (type >= 4096 && type - 4096 < N(obj_c))
		return obj_c[type - 4096];
	if (type == 0x01000000)
		return "NET_TAP_FILTER";
	return NULL;
}
