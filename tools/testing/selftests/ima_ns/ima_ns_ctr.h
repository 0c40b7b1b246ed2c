/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Containers for the IMA namespace selftests.
 *
 * A container is a process in user and mount namespaces of its own that
 * serves requests from the test over a socket: mount securityfs (or
 * another filesystem) and unmount, read, write, open, map and execute
 * files, pass descriptors to and from the test, issue ioctls on them, and
 * start a nested container.
 * Requests run as the container's root or as another of its uids, so that
 * every check stays in the test process, where kselftest_harness.h reports
 * it.
 *
 * Inside, securityfs is mounted on /sys/kernel/security, so IMA_DIR names
 * the container's instance there. Host root reaches the same instance
 * through /proc/<pid>/root (ima_ctr_path()).
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure, so that tests can ASSERT_EQ(0, ...) on them.
 */
#ifndef IMA_NS_CTR_H
#define IMA_NS_CTR_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <sys/types.h>

#include "ima_ns_util.h"

/* Files of an IMA namespace's securityfs instance (paths inside). */
#define IMA_NS_ACTIVE		IMA_DIR "/active"
#define IMA_NS_HASH		IMA_DIR "/hash"
#define IMA_NS_TEMPLATE		IMA_DIR "/template_name"
#define IMA_NS_KEYRING		IMA_DIR "/keyring"
#define IMA_NS_APPRAISE		IMA_DIR "/appraise"
#define IMA_NS_ID		IMA_DIR "/ns_id"
#define IMA_VIOLATIONS		IMA_DIR "/violations"
/* Host view of the active namespaces. */
#define IMA_HOST_NS_DIR		IMA_DIR "/namespaces"
/* Exists when the kernel has CONFIG_IMA_NS. */
#define IMA_NS_SYSCTL		"/proc/sys/user/max_ima_namespaces"

/* ima_ctr_ids.owner: stay root before unshare(CLONE_NEWUSER). */
#define IMA_CTR_KEEP_UID	((uid_t)-1)
/* uid argument of requests: act as the container's root. */
#define IMA_CTR_ROOT		(-1)

/**
 * struct ima_ctr_ids - who a container's ids are outside of it
 * @owner: uid (and gid) the creator switches to before creating the user
 *	   namespace, i.e. its owner, or IMA_CTR_KEEP_UID
 * @base: first id of the creator's namespace that ids 0.. map to
 * @count: number of ids mapped
 */
struct ima_ctr_ids {
	uid_t owner;
	uid_t base;
	unsigned int count;
};

/* Root and uids 0..65535 are the creator's: a rootful runtime. */
extern const struct ima_ctr_ids ima_ctr_rootful;

/**
 * struct ima_ctr - a container serving requests
 * @pid: its pid
 * @sock: the test's end of its request socket, -1 once stopped
 * @reap: the calling process is its parent and waits for it
 */
struct ima_ctr {
	pid_t pid;
	int sock;
	bool reap;
};

int ima_ctr_start(struct ima_ctr *ctr, const struct ima_ctr_ids *ids);
int ima_ctr_spawn(struct ima_ctr *parent, struct ima_ctr *child,
		  const struct ima_ctr_ids *ids);
void ima_ctr_stop(struct ima_ctr *ctr);

int ima_ctr_mount(struct ima_ctr *ctr);
int ima_ctr_mount_fs(struct ima_ctr *ctr, const char *fstype,
		     const char *path);
int ima_ctr_umount(struct ima_ctr *ctr, const char *path);
ssize_t ima_ctr_read(struct ima_ctr *ctr, int uid, const char *path,
		     char **buf);
int ima_ctr_write(struct ima_ctr *ctr, int uid, const char *path,
		  const void *buf, size_t len, int flags, mode_t mode);
int ima_ctr_write_str(struct ima_ctr *ctr, const char *path, const char *str);
int ima_ctr_exec(struct ima_ctr *ctr, int uid, const char *path);
int ima_ctr_open(struct ima_ctr *ctr, int uid, const char *path, int flags);
int ima_ctr_close(struct ima_ctr *ctr, int fd);
int ima_ctr_setxattr(struct ima_ctr *ctr, int uid, const char *path,
		     const char *name, const void *value, size_t size);
int ima_ctr_removexattr(struct ima_ctr *ctr, int uid, const char *path,
			const char *name);
int ima_ctr_pass_fd(struct ima_ctr *ctr, int uid, const char *path,
		    int flags);
int ima_ctr_take_fd(struct ima_ctr *ctr, int fd);
ssize_t ima_ctr_fd_read(struct ima_ctr *ctr, int fd, char **buf);
ssize_t ima_ctr_fd_write(struct ima_ctr *ctr, int fd, const void *buf,
			 size_t len);
int ima_ctr_fd_ioctl(struct ima_ctr *ctr, int uid, int fd,
		     unsigned long request, unsigned long arg);

int ima_ctr_mknod(struct ima_ctr *ctr, int uid, const char *path, mode_t mode);
int ima_ctr_mprotect_exec(struct ima_ctr *ctr, int uid, const char *path);
int ima_ctr_rewrite(struct ima_ctr *ctr, int uid, const char *path,
		    const void *data, size_t len, bool map_exec);
int ima_ctr_open_loop(struct ima_ctr *ctr, int uid, const char *path,
		      int flags, unsigned int count);
int ima_ctr_mmap_exec_mapped_shared(struct ima_ctr *ctr, int uid,
				    const char *path, unsigned int count);
int ima_ctr_run(struct ima_ctr *ctr, int uid, char *const argv[], char **out);
int ima_ctr_new_session(struct ima_ctr *ctr);

int ima_ctr_activate(struct ima_ctr *ctr, const char *hash,
		     const char *template);
int ima_ctr_ns_id(struct ima_ctr *ctr, __u64 *id);
int ima_ctr_list(struct ima_ctr *ctr, struct ima_list *list);
int ima_ctr_policy_write(struct ima_ctr *ctr, const char *text);
int ima_ctr_path(const struct ima_ctr *ctr, const char *path, char *buf,
		 size_t size);

int ima_ctr_enter(const struct ima_ctr *ctr, bool mntns);
int ima_in_mntns(pid_t pid, int (*fn)(void *arg), void *arg);
const char *ima_ns_missing(void);
int ima_host_ns_path(__u64 id, const char *file, char *buf, size_t size);

#endif /* IMA_NS_CTR_H */
