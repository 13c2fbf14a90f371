/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Image files in CRIU's on-disk format.
 *
 * A file is: [u32 IMG_COMMON or IMG_SERVICE] u32 TYPE_MAGIC, then entries,
 * each a u32 length followed by that many bytes of a packed protobuf
 * message. All u32s are little-endian (CRIU writes host order; the two
 * agree on x86). inventory.img has only its type magic. Some images carry
 * a head entry of another message first (pagemap: PagemapHead, then
 * PagemapEntry...). Raw payloads (pipe data, pages-N.img) are read and
 * written with img_{read,write}_raw(). engine/images/README lists the set.
 *
 * An image opened for writing goes to a hidden temporary name and appears
 * under its real name only in img_close(); img_abort() throws it away. A
 * reader refuses, naming the file, the entry and the offset: a wrong magic,
 * a truncated entry, a length over IMG_ENTRY_MAX, an unknown image type and
 * a message protobuf-c cannot decode.
 *
 * Errors: -EPROTO wrong or unknown magic, -EIO truncated file, -EFBIG
 * oversized length, -EBADMSG undecodable message, -EINVAL misuse (wrong
 * message type, missing required field, entries on a raw image, reading a
 * written image), else the errno of the failed syscall. Every failure is
 * logged once, by this module.
 */
#ifndef VZCR_IMAGE_H
#define VZCR_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <protobuf-c/protobuf-c.h>

#define IMG_COMMON_MAGIC	0x54564319U
#define IMG_SERVICE_MAGIC	0x55105940U
/* No single entry of ours comes near this; bigger lengths mean corruption. */
#define IMG_ENTRY_MAX		(64U << 20)

/* task_core_entry.task_state, as CRIU writes it (a zombie is "dead") */
#define TASK_STATE_ALIVE	1
#define TASK_STATE_DEAD		2
#define TASK_STATE_STOPPED	3

enum img_type {
	IMG_INVENTORY,		/* inventory.img */
	IMG_PSTREE,		/* pstree.img */
	IMG_CORE,		/* core-TID.img */
	IMG_IDS,		/* ids-PID.img (old sets; now core_entry.ids) */
	IMG_MM,			/* mm-ID.img */
	IMG_PAGEMAP,		/* pagemap-ID.img: PagemapHead, PagemapEntry... */
	IMG_PAGES,		/* pages-ID.img: raw pages, no magic */
	IMG_FDINFO,		/* fdinfo-ID.img */
	IMG_FILES,		/* files.img */
	IMG_FS,			/* fs-PID.img */
	IMG_CREDS,		/* creds-PID.img (old sets; now in core) */
	IMG_SIGACT,		/* sigacts-PID.img (old sets; now in core) */
	IMG_UTSNS,		/* utsns-ID.img */
	IMG_REG_FILES,		/* reg-files.img (old sets; now in files.img) */
	IMG_PIPES,		/* pipes.img (old sets; now in files.img) */
	IMG_PIPES_DATA,		/* pipes-data.img: PipeDataEntry + its bytes, ... */
	IMG_RLIMIT,		/* rlimit-PID.img (old sets; now in core) */
	IMG_ITIMERS,		/* itimers-PID.img (old sets; now in core) */
	IMG_POSIX_TIMERS,	/* posix-timers-PID.img (old sets; now in core) */
	IMG_STATS_DUMP,		/* stats-dump: IMG_SERVICE, StatsEntry */
	IMG_STATS_RESTORE,	/* stats-restore: the same magic and message */
	IMG_GHOST_FILE,		/* ghost-file-ID.img (ID in hex): head, chunk + bytes... */
	IMG_REMAP_FPATH,	/* remap-fpath.img: RemapFilePathEntry... */
	IMG_FIFO_DATA,		/* fifo-data.img: PipeDataEntry + its bytes, ... */
	IMG_SHMEM_PAGEMAP,	/* pagemap-shmem-SHMID.img: as pagemap, vaddr = offset */
	IMG_VZCR_VMA_NAMES,	/* vzcr-vma-names-PID.img: vzcr's own, not CRIU's */
	IMG_VZCR_GUARDS,	/* vzcr-guards-PID.img: vzcr's own, pagemap_entry... */
	IMG_SECCOMP,		/* seccomp.img: one SeccompEntry with every filter */
	IMG_SK_QUEUES,		/* sk-queues.img: SkPacketEntry + its bytes, ... */
	IMG_TCP_STREAM,		/* tcp-stream-INO.img (INO in hex): TcpStreamEntry + inq + outq */
	IMG_MNTS,		/* mountpoints-NSID.img: MntEntry, parents first */
	IMG_TMPFS_DEV,		/* tmpfs-dev-DEV.tar.gz.img: raw, a gzipped tar */
	IMG_NETDEV,		/* netdev-NSID.img: NetDeviceEntry, one a link */
	IMG_NETNS,		/* netns-NSID.img: one NetnsEntry */
	IMG_IFADDR,		/* ifaddr-NSID.img: raw, `ip addr save` */
	IMG_ROUTE,		/* route-NSID.img: raw, `ip -4 route save` */
	IMG_ROUTE6,		/* route6-NSID.img: raw, `ip -6 route save` */
	IMG_NFTABLES,		/* nftables-NSID.img: raw, `nft list ruleset` */
	IMG_IPC_VAR,		/* ipcns-var-NSID.img: one IpcVarEntry */
	IMG_IPCNS_SHM,		/* ipcns-shm-NSID.img: IpcShmEntry + contents, ... */
	IMG_IPCNS_SEM,		/* ipcns-sem-NSID.img: IpcSemEntry + values, ... */
	IMG_IPCNS_MSG,		/* ipcns-msg-NSID.img: IpcMsgEntry + messages, ... */
	IMG_VZCR_MQUEUE,	/* vzcr-mqueue-NSID.img: vzcr's own, one a queue */
	IMG_VZCR_CT,		/* vzcr-ct.img: vzcr's own, the CT a set belongs to */
	IMG_VZCR_VDSO,		/* vzcr-vdso-PID.img: vzcr's own, the dumped vDSO's bytes */
	IMG_MEMFD_INODE,	/* memfd.img: MemfdInodeEntry, one a memfd inode */
	IMG_TTY_INFO,		/* tty-info.img: TtyInfoEntry, one a tty */
	IMG_TTY_DATA,		/* tty-data.img: TtyDataEntry, one a pty with queued output */
	IMG_VZCR_SYSV_SHM,	/* vzcr-sysv-shm-SHMID.img: vzcr's own, IpcShmEntry + contents */
	IMG_NR,
};

/* Which first-magic an image has. */
enum img_kind {
	IMG_KIND_COMMON,
	IMG_KIND_SERVICE,
	IMG_KIND_BARE,		/* only the type magic (inventory) */
	IMG_KIND_RAW,		/* no magic, no entries (pages) */
};

struct img_desc {
	enum img_type type;
	const char *name;	/* short name, as crit shows it: "PSTREE" */
	const char *fname;	/* file name; "%u" where an id goes */
	uint32_t magic;
	enum img_kind kind;
	const ProtobufCMessageDescriptor *head_pb;	/* first entry, or NULL */
	const ProtobufCMessageDescriptor *pb;		/* every (other) entry */
	/* bytes of raw payload that follow an entry (pipe data), or NULL */
	size_t (*payload)(const void *msg);
};

const struct img_desc *img_desc_get(enum img_type type);
/*
 * Look up by type magic (the second u32 of most files); NULL if unknown.
 * stats-dump and stats-restore share a magic: this gives IMG_STATS_DUMP.
 */
const struct img_desc *img_desc_by_magic(uint32_t magic);

struct img;

/*
 * Open @type in the directory @dfd, for reading (O_RDONLY) or writing
 * (O_WRONLY: created under a temporary name, see img_close()). @id fills the
 * "%u" of per-task or per-object names and is ignored otherwise. A reader
 * checks the magics here. Returns NULL with errno set, after logging why.
 * A writer keeps its own dup of @dfd; the caller may close @dfd at once.
 */
struct img *img_open(int dfd, enum img_type type, int flags, unsigned int id);
/*
 * Open any image file by path for reading; its type comes from its magic
 * (raw images have none and cannot be opened this way). Works on pipes too.
 */
struct img *img_open_path(const char *path);

const struct img_desc *img_get_desc(const struct img *img);
/* Path as given for messages: "DIR/pstree.img" or the file path. */
const char *img_path(const struct img *img);

/*
 * Append one entry. @msg must be a message of the image's type (the head
 * type for the first entry of images that have one). 0 or -errno.
 */
int img_write(struct img *img, const void *msg);
/*
 * Read the next entry. Returns 1 and a message in *ret_msg (free with
 * img_free_entry()), 0 at the clean end of the file, or -errno (-EIO for a
 * truncated file, -EFBIG for an oversized length, -EBADMSG for a message
 * that does not decode).
 */
int img_read(struct img *img, void **ret_msg);
/* Descriptor of the entry img_read() would return next. */
const ProtobufCMessageDescriptor *img_next_pb(const struct img *img);
void img_free_entry(void *msg);

/* Raw bytes around entries (payloads that follow an entry). 0 or -errno. */
int img_write_raw(struct img *img, const void *buf, size_t len);
/* Exactly @len bytes or -EIO (truncated). */
int img_read_raw(struct img *img, void *buf, size_t len);
/*
 * Skip the raw payload that follows @msg (just read), for readers that do
 * not want it; the payload's size goes to *ret_len. 0 or -errno.
 */
int img_skip_payload(struct img *img, const void *msg, size_t *ret_len);
/*
 * The file itself, for splice/pread on raw images (pages). Entry images are
 * read ahead through a buffer, so there the fd's offset is not the image's.
 */
int img_fd(const struct img *img);

/*
 * Finish an image. For a written image: close and rename the temporary
 * file to its real name; 0 or -errno (the temporary is removed on failure).
 * Nothing is synced: whoever completes an image set calls img_dir_sync().
 * For a read image: close. Frees @img in every case; accepts NULL.
 */
int img_close(struct img *img);
/* Make every image of the directory's filesystem and the directory durable. */
int img_dir_sync(int dfd);
/* Drop an image; a written one leaves no file behind. Accepts NULL. */
void img_abort(struct img *img);

/* Images of one entry: write one and commit; read exactly one. 0 or -errno. */
int img_write_single(int dfd, enum img_type type, unsigned int id, const void *msg);
int img_read_single(int dfd, enum img_type type, unsigned int id, void **ret_msg);
/* Does the image exist (complete, under its real name)? */
bool img_exists(int dfd, enum img_type type, unsigned int id);

/*
 * Open (and with @create make, with its parents, mode 0700) an image
 * directory; returns an O_CLOEXEC fd or -errno.
 */
int img_dir_open(const char *path, bool create);

#endif /* VZCR_IMAGE_H */
