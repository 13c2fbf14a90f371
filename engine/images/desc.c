// SPDX-License-Identifier: GPL-2.0-only
/*
 * The table of image types: file name, magic, kind and message of each, as
 * CRIU's image-desc.c and magic.h have them, so that crit and CRIU read what
 * vzcr writes.
 */
#include <stddef.h>

#include "cleanup.h"
#include "image.h"

#include "core.pb-c.h"
#include "creds.pb-c.h"
#include "fdinfo.pb-c.h"
#include "fs.pb-c.h"
#include "ghost-file.pb-c.h"
#include "inventory.pb-c.h"
#include "ipc-msg.pb-c.h"
#include "ipc-sem.pb-c.h"
#include "ipc-shm.pb-c.h"
#include "ipc-var.pb-c.h"
#include "memfd.pb-c.h"
#include "mm.pb-c.h"
#include "mnt.pb-c.h"
#include "netdev.pb-c.h"
#include "pagemap.pb-c.h"
#include "pipe-data.pb-c.h"
#include "pipe.pb-c.h"
#include "pstree.pb-c.h"
#include "regfile.pb-c.h"
#include "remap-file-path.pb-c.h"
#include "rlimit.pb-c.h"
#include "sa.pb-c.h"
#include "seccomp.pb-c.h"
#include "sk-packet.pb-c.h"
#include "tcp-stream.pb-c.h"
#include "stats.pb-c.h"
#include "timer.pb-c.h"
#include "tty.pb-c.h"
#include "utsns.pb-c.h"
#include "vzcr-vma-name.pb-c.h"
#include "vzcr-mqueue.pb-c.h"
#include "vzcr-ct.pb-c.h"
#include "vzcr-vdso.pb-c.h"

/* Type magics, as CRIU's criu/include/magic.h defines them. */
#define SECCOMP_MAGIC		0x64413049U
#define INVENTORY_MAGIC		0x58313116U
#define PSTREE_MAGIC		0x50273030U
#define CORE_MAGIC		0x55053847U
#define IDS_MAGIC		0x54432030U
#define MM_MAGIC		0x57492820U
#define PAGEMAP_MAGIC		0x56084025U
#define FDINFO_MAGIC		0x56213732U
#define FILES_MAGIC		0x56303138U
#define FS_MAGIC		0x51403912U
#define CREDS_MAGIC		0x54023547U
#define SIGACT_MAGIC		0x55344201U
#define UTSNS_MAGIC		0x54473203U
#define REG_FILES_MAGIC		0x50363636U
#define PIPES_MAGIC		0x56513555U
#define PIPES_DATA_MAGIC	0x56453709U
#define RLIMIT_MAGIC		0x57113925U
#define ITIMERS_MAGIC		0x57464056U
#define POSIX_TIMERS_MAGIC	0x52603957U
#define STATS_MAGIC		0x57093306U
#define GHOST_FILE_MAGIC	0x52583605U
#define REMAP_FPATH_MAGIC	0x59133954U
#define FIFO_DATA_MAGIC		0x59333054U
#define SK_QUEUES_MAGIC		0x56264026U
#define TCP_STREAM_MAGIC	0x51465506U
#define MEMFD_INODE_MAGIC	0x48453499U
#define TTY_INFO_MAGIC		0x59453036U
#define TTY_DATA_MAGIC		0x59413026U
#define RAW_MAGIC		0U	/* pages: no magic at all */
#define MNTS_MAGIC		0x55563928U
#define NETDEV_MAGIC		0x57373951U
#define NETNS_MAGIC		0x55933752U
#define IPC_VAR_MAGIC		0x53115007U
#define IPCNS_SHM_MAGIC		0x46283044U
#define IPCNS_SEM_MAGIC		0x59573019U
#define IPCNS_MSG_MAGIC		0x55453737U
/* vzcr's own images; checked against magic.h not to collide */
#define VZCR_VMA_NAMES_MAGIC	0x56434e31U
#define VZCR_GUARDS_MAGIC	0x56434e32U
#define VZCR_MQUEUE_MAGIC	0x56434e51U
#define VZCR_CT_MAGIC		0x56434e41U
#define VZCR_VDSO_MAGIC		0x56434e44U
#define VZCR_SYSV_SHM_MAGIC	0x56434e53U

#define D(_type, _name, _fname, _magic, _kind, _head, _pb)	\
	[_type] = {						\
		.type = _type,					\
		.name = _name,					\
		.fname = _fname,				\
		.magic = _magic,				\
		.kind = IMG_KIND_##_kind,			\
		.head_pb = _head,				\
		.pb = _pb,					\
	}

static size_t pipe_data_payload(const void *msg)
{
	return ((const PipeDataEntry *)msg)->bytes;
}

/* a segment's contents, padded to a multiple of 4 bytes */
static size_t ipc_shm_payload(const void *msg)
{
	return (((const IpcShmEntry *)msg)->size + 3) & ~(uint64_t)3;
}

/* a set's u16 values, padded to a multiple of 8 bytes */
static size_t ipc_sem_payload(const void *msg)
{
	return ((((const IpcSemEntry *)msg)->nsems * 2ULL) + 7) & ~7ULL;
}

/* ghost chunks are followed by their bytes; a head without chunks by all */
static size_t ghost_payload(const void *msg)
{
	const ProtobufCMessage *m = msg;
	const GhostFileEntry *g = msg;

	if (m->descriptor == &ghost_chunk_entry__descriptor)
		return ((const GhostChunkEntry *)msg)->len;
	return g->chunks ? 0 : g->size;
}

/* a queued packet's bytes; a TCP stream's receive then send queue */
static size_t sk_queue_payload(const void *msg)
{
	return ((const SkPacketEntry *)msg)->length;
}

static size_t tcp_stream_payload(const void *msg)
{
	const TcpStreamEntry *t = msg;

	return (size_t)t->inq_len + t->outq_len;
}

static const struct img_desc descs[IMG_NR] = {
	D(IMG_INVENTORY, "INVENTORY", "inventory.img", INVENTORY_MAGIC, BARE,
	  NULL, &inventory_entry__descriptor),
	D(IMG_PSTREE, "PSTREE", "pstree.img", PSTREE_MAGIC, COMMON,
	  NULL, &pstree_entry__descriptor),
	D(IMG_CORE, "CORE", "core-%u.img", CORE_MAGIC, COMMON,
	  NULL, &core_entry__descriptor),
	D(IMG_IDS, "IDS", "ids-%u.img", IDS_MAGIC, COMMON,
	  NULL, &task_kobj_ids_entry__descriptor),
	D(IMG_MM, "MM", "mm-%u.img", MM_MAGIC, COMMON,
	  NULL, &mm_entry__descriptor),
	D(IMG_PAGEMAP, "PAGEMAP", "pagemap-%u.img", PAGEMAP_MAGIC, COMMON,
	  &pagemap_head__descriptor, &pagemap_entry__descriptor),
	D(IMG_PAGES, "PAGES", "pages-%u.img", RAW_MAGIC, RAW,
	  NULL, NULL),
	D(IMG_FDINFO, "FDINFO", "fdinfo-%u.img", FDINFO_MAGIC, COMMON,
	  NULL, &fdinfo_entry__descriptor),
	D(IMG_FILES, "FILES", "files.img", FILES_MAGIC, COMMON,
	  NULL, &file_entry__descriptor),
	D(IMG_FS, "FS", "fs-%u.img", FS_MAGIC, COMMON,
	  NULL, &fs_entry__descriptor),
	D(IMG_CREDS, "CREDS", "creds-%u.img", CREDS_MAGIC, COMMON,
	  NULL, &creds_entry__descriptor),
	D(IMG_SIGACT, "SIGACT", "sigacts-%u.img", SIGACT_MAGIC, COMMON,
	  NULL, &sa_entry__descriptor),
	D(IMG_UTSNS, "UTSNS", "utsns-%u.img", UTSNS_MAGIC, COMMON,
	  NULL, &utsns_entry__descriptor),
	D(IMG_REG_FILES, "REG_FILES", "reg-files.img", REG_FILES_MAGIC, COMMON,
	  NULL, &reg_file_entry__descriptor),
	D(IMG_PIPES, "PIPES", "pipes.img", PIPES_MAGIC, COMMON,
	  NULL, &pipe_entry__descriptor),
	[IMG_PIPES_DATA] = {
		.type = IMG_PIPES_DATA,
		.name = "PIPES_DATA",
		.fname = "pipes-data.img",
		.magic = PIPES_DATA_MAGIC,
		.kind = IMG_KIND_COMMON,
		.pb = &pipe_data_entry__descriptor,
		.payload = pipe_data_payload,
	},
	D(IMG_RLIMIT, "RLIMIT", "rlimit-%u.img", RLIMIT_MAGIC, COMMON,
	  NULL, &rlimit_entry__descriptor),
	D(IMG_ITIMERS, "ITIMERS", "itimers-%u.img", ITIMERS_MAGIC, COMMON,
	  NULL, &itimer_entry__descriptor),
	D(IMG_POSIX_TIMERS, "POSIX_TIMERS", "posix-timers-%u.img", POSIX_TIMERS_MAGIC, COMMON,
	  NULL, &posix_timer_entry__descriptor),
	/* CRIU names these two "stats-%s" with "dump" and "restore", no .img */
	D(IMG_STATS_DUMP, "STATS", "stats-dump", STATS_MAGIC, SERVICE,
	  NULL, &stats_entry__descriptor),
	D(IMG_STATS_RESTORE, "STATS", "stats-restore", STATS_MAGIC, SERVICE,
	  NULL, &stats_entry__descriptor),
	[IMG_GHOST_FILE] = {
		.type = IMG_GHOST_FILE,
		.name = "GHOST_FILE",
		.fname = "ghost-file-%x.img",
		.magic = GHOST_FILE_MAGIC,
		.kind = IMG_KIND_COMMON,
		.head_pb = &ghost_file_entry__descriptor,
		.pb = &ghost_chunk_entry__descriptor,
		.payload = ghost_payload,
	},
	D(IMG_REMAP_FPATH, "REMAP_FPATH", "remap-fpath.img", REMAP_FPATH_MAGIC, COMMON,
	  NULL, &remap_file_path_entry__descriptor),
	[IMG_FIFO_DATA] = {
		.type = IMG_FIFO_DATA,
		.name = "FIFO_DATA",
		.fname = "fifo-data.img",
		.magic = FIFO_DATA_MAGIC,
		.kind = IMG_KIND_COMMON,
		.pb = &pipe_data_entry__descriptor,
		.payload = pipe_data_payload,
	},
	/* shared memory contents, once per object: CRIU's name and magic */
	D(IMG_SHMEM_PAGEMAP, "PAGEMAP", "pagemap-shmem-%u.img", PAGEMAP_MAGIC, COMMON,
	  &pagemap_head__descriptor, &pagemap_entry__descriptor),
	/* vzcr's own: a magic not in CRIU's magic.h (crit cannot decode it) */
	D(IMG_VZCR_VMA_NAMES, "VZCR_VMA_NAMES", "vzcr-vma-names-%u.img", VZCR_VMA_NAMES_MAGIC,
	  COMMON, NULL, &vzcr_vma_name_entry__descriptor),
	D(IMG_VZCR_GUARDS, "VZCR_GUARDS", "vzcr-guards-%u.img", VZCR_GUARDS_MAGIC, COMMON,
	  NULL, &pagemap_entry__descriptor),
	D(IMG_SECCOMP, "SECCOMP", "seccomp.img", SECCOMP_MAGIC, COMMON, NULL,
	  &seccomp_entry__descriptor),
	[IMG_SK_QUEUES] = {
		.type = IMG_SK_QUEUES,
		.name = "SK_QUEUES",
		.fname = "sk-queues.img",
		.magic = SK_QUEUES_MAGIC,
		.kind = IMG_KIND_COMMON,
		.pb = &sk_packet_entry__descriptor,
		.payload = sk_queue_payload,
	},
	[IMG_TCP_STREAM] = {
		.type = IMG_TCP_STREAM,
		.name = "TCP_STREAM",
		.fname = "tcp-stream-%x.img",
		.magic = TCP_STREAM_MAGIC,
		.kind = IMG_KIND_COMMON,
		.pb = &tcp_stream_entry__descriptor,
		.payload = tcp_stream_payload,
	},
	/* namespaces (engine/ns_*.c); the id is the namespace's inode number */
	D(IMG_MNTS, "MNTS", "mountpoints-%u.img", MNTS_MAGIC, COMMON, NULL,
	  &mnt_entry__descriptor),
	D(IMG_TMPFS_DEV, "TMPFS_DEV", "tmpfs-dev-%u.tar.gz.img", RAW_MAGIC, RAW, NULL, NULL),
	D(IMG_NETDEV, "NETDEV", "netdev-%u.img", NETDEV_MAGIC, COMMON, NULL,
	  &net_device_entry__descriptor),
	D(IMG_NETNS, "NETNS", "netns-%u.img", NETNS_MAGIC, COMMON, NULL,
	  &netns_entry__descriptor),
	D(IMG_IFADDR, "IFADDR", "ifaddr-%u.img", RAW_MAGIC, RAW, NULL, NULL),
	D(IMG_ROUTE, "ROUTE", "route-%u.img", RAW_MAGIC, RAW, NULL, NULL),
	D(IMG_ROUTE6, "ROUTE6", "route6-%u.img", RAW_MAGIC, RAW, NULL, NULL),
	D(IMG_NFTABLES, "NFTABLES", "nftables-%u.img", RAW_MAGIC, RAW, NULL, NULL),
	D(IMG_IPC_VAR, "IPC_VAR", "ipcns-var-%u.img", IPC_VAR_MAGIC, COMMON, NULL,
	  &ipc_var_entry__descriptor),
	[IMG_IPCNS_SHM] = {
		.type = IMG_IPCNS_SHM,
		.name = "IPCNS_SHM",
		.fname = "ipcns-shm-%u.img",
		.magic = IPCNS_SHM_MAGIC,
		.kind = IMG_KIND_COMMON,
		.pb = &ipc_shm_entry__descriptor,
		.payload = ipc_shm_payload,
	},
	[IMG_IPCNS_SEM] = {
		.type = IMG_IPCNS_SEM,
		.name = "IPCNS_SEM",
		.fname = "ipcns-sem-%u.img",
		.magic = IPCNS_SEM_MAGIC,
		.kind = IMG_KIND_COMMON,
		.pb = &ipc_sem_entry__descriptor,
		.payload = ipc_sem_payload,
	},
	/* each entry is followed by its messages, read by ns_ipc_msg.c */
	D(IMG_IPCNS_MSG, "IPCNS_MSG", "ipcns-msg-%u.img", IPCNS_MSG_MAGIC, COMMON, NULL,
	  &ipc_msg_entry__descriptor),
	D(IMG_VZCR_MQUEUE, "VZCR_MQUEUE", "vzcr-mqueue-%u.img", VZCR_MQUEUE_MAGIC, COMMON, NULL,
	  &vzcr_mqueue_entry__descriptor),
	D(IMG_VZCR_CT, "VZCR_CT", "vzcr-ct.img", VZCR_CT_MAGIC, COMMON, NULL,
	  &vzcr_ct_entry__descriptor),
	D(IMG_VZCR_VDSO, "VZCR_VDSO", "vzcr-vdso-%u.img", VZCR_VDSO_MAGIC, COMMON, NULL,
	  &vzcr_vdso_entry__descriptor),
	D(IMG_MEMFD_INODE, "MEMFD_INODE", "memfd.img", MEMFD_INODE_MAGIC, COMMON, NULL,
	  &memfd_inode_entry__descriptor),
	D(IMG_TTY_INFO, "TTY_INFO", "tty-info.img", TTY_INFO_MAGIC, COMMON, NULL,
	  &tty_info_entry__descriptor),
	D(IMG_TTY_DATA, "TTY_DATA", "tty-data.img", TTY_DATA_MAGIC, COMMON, NULL,
	  &tty_data_entry__descriptor),
	/* a SysV shm segment of the host's ipc ns a dumped tree had attached */
	[IMG_VZCR_SYSV_SHM] = {
		.type = IMG_VZCR_SYSV_SHM,
		.name = "VZCR_SYSV_SHM",
		.fname = "vzcr-sysv-shm-%u.img",
		.magic = VZCR_SYSV_SHM_MAGIC,
		.kind = IMG_KIND_COMMON,
		.pb = &ipc_shm_entry__descriptor,
		.payload = ipc_shm_payload,
	},
};

const struct img_desc *img_desc_get(enum img_type type)
{
	if ((unsigned int)type >= IMG_NR || !descs[type].name)
		return NULL;
	return &descs[type];
}

/* Linear: 21 types, and it runs once per image opened by path. */
const struct img_desc *img_desc_by_magic(uint32_t magic)
{
	size_t i;

	if (magic == RAW_MAGIC)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(descs); i++)
		if (descs[i].name && descs[i].magic == magic)
			return &descs[i];
	return NULL;
}
