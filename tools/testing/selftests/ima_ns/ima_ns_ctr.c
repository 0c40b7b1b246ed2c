// SPDX-License-Identifier: GPL-2.0-only
/*
 * Containers for the IMA namespace selftests: see ima_ns_ctr.h.
 *
 * The creator forks the container, which unshares its user and mount
 * namespaces and waits; the creator writes its id maps, as a container
 * runtime does, and the container then serves requests until the test
 * closes its socket. A container that starts a nested one is that one's
 * creator. Each container kills and reaps the containers it started when
 * it stops, and dies with its creator (PR_SET_PDEATHSIG).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/keyctl.h>

#include "ima_ns_ctr.h"

/* The container's end of its request socket. */
#define CTR_SOCK_FD		3
#define CTR_MAX_CHILDREN	64
#define CTR_MAX_FDS		64
#define CTR_SECURITYFS		"/sys/kernel/security"
#define CTR_MAX_ARGS		32
#define CTR_RUN_OUTPUT		4096

const struct ima_ctr_ids ima_ctr_rootful = {
	.owner = IMA_CTR_KEEP_UID,
	.base = 0,
	.count = 65536,
};

enum ctr_op {
	CTR_MOUNT = 1,
	CTR_READ,
	CTR_WRITE,
	CTR_EXEC,
	CTR_OPEN,
	CTR_CLOSE,
	CTR_SPAWN,
	CTR_UMOUNT,
	CTR_PASS_FD,
	CTR_TAKE_FD,
	CTR_FD_READ,
	CTR_FD_WRITE,
	CTR_SETXATTR,
	CTR_REMOVEXATTR,
	CTR_RUN,
	CTR_NEW_SESSION,
	CTR_MKNOD,
	CTR_MPROTECT_EXEC,
	CTR_FD_IOCTL,
	CTR_REWRITE,
	CTR_OPEN_LOOP,
	CTR_MMAP_EXEC_MAPPED_SHARED,
};

/*
 * A request: this header, then path_len bytes of path and data_len bytes
 * of data; for CTR_TAKE_FD the test's descriptor as SCM_RIGHTS. A reply:
 * struct ctr_reply, then data_len bytes, and for CTR_SPAWN the new
 * container's socket, for CTR_PASS_FD the descriptor, as SCM_RIGHTS.
 */
struct ctr_request {
	__s32 op;
	__s32 uid;
	__s32 flags;
	__u32 mode;
	__u32 path_len;
	__u32 data_len;
};

struct ctr_reply {
	__s64 ret;
	__u32 data_len;
	__u32 has_fd;
};

/* State of a container process. */
static pid_t children[CTR_MAX_CHILDREN];
static int nr_children;
static int open_fds[CTR_MAX_FDS];
static int nr_open_fds;

static int send_all(int sock, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t ret;

	while (len) {
		ret = send(sock, p, len, MSG_NOSIGNAL);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		p += ret;
		len -= ret;
	}
	return 0;
}

/* Receive exactly @len bytes; an SCM_RIGHTS descriptor goes to *@fdp. */
static int recv_all(int sock, void *buf, size_t len, int *fdp)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr *cmsg;
	struct msghdr msg;
	struct iovec iov;
	char *p = buf;
	ssize_t ret;

	while (len) {
		iov.iov_base = p;
		iov.iov_len = len;
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		ret = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (ret == 0)
			return -EPIPE;
		for (cmsg = CMSG_FIRSTHDR(&msg); cmsg;
		     cmsg = CMSG_NXTHDR(&msg, cmsg)) {
			int fd;

			if (cmsg->cmsg_level != SOL_SOCKET ||
			    cmsg->cmsg_type != SCM_RIGHTS)
				continue;
			memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
			if (fdp && *fdp < 0)
				*fdp = fd;
			else
				close(fd);
		}
		p += ret;
		len -= ret;
	}
	return 0;
}

static int send_int(int sock, int val)
{
	return send_all(sock, &val, sizeof(val));
}

/* Receive a status the other side sends: its value, or why it is lost. */
static int recv_status(int sock)
{
	int val, ret;

	ret = recv_all(sock, &val, sizeof(val), NULL);
	return ret ? ret : val;
}

/* Send @buf, with @fd as SCM_RIGHTS if it is not negative. */
static int send_with_fd(int sock, const void *buf, size_t len, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	ssize_t sent;

	if (fd >= 0) {
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	do {
		sent = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (sent < 0 && errno == EINTR);
	if (sent < 0)
		return -errno;
	/* The descriptor went with the first byte: send the rest plainly. */
	return send_all(sock, (const char *)buf + sent, len - sent);
}

static int send_reply(int sock, long long ret, const void *data, size_t len,
		      int fd)
{
	struct ctr_reply rep = {
		.ret = ret, .data_len = len, .has_fd = fd >= 0,
	};
	int err;

	err = send_with_fd(sock, &rep, sizeof(rep), fd);
	if (err)
		return err;
	return len ? send_all(sock, data, len) : 0;
}

static int write_id_map(pid_t pid, const char *file,
			const struct ima_ctr_ids *ids)
{
	char path[64], map[64];
	int len;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	len = snprintf(map, sizeof(map), "0 %u %u\n", ids->base, ids->count);
	return write_file(path, map, len, 0, 0);
}

static void serve(int sock);

/*
 * Changing credentials makes a process undumpable, so that /proc/<pid>
 * belongs to host root, and clears its parent-death signal: restore both.
 */
static int keep_process_attrs(void)
{
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		return -errno;
	return 0;
}

/* In the new process: become the container, serve @sock, exit. */
static void ctr_child(int sock, const struct ima_ctr_ids *ids)
{
	int err = 0;

	/* Keep nothing of the creator's but the socket. */
	if (sock != CTR_SOCK_FD) {
		if (dup2(sock, CTR_SOCK_FD) < 0)
			_exit(1);
		close(sock);
	}
	close_range(CTR_SOCK_FD + 1, ~0U, 0);
	fcntl(CTR_SOCK_FD, F_SETFD, FD_CLOEXEC);
	sock = CTR_SOCK_FD;
	nr_children = 0;
	nr_open_fds = 0;

	if (ids->owner != IMA_CTR_KEEP_UID &&
	    (setgroups(0, NULL) ||
	     setresgid(ids->owner, ids->owner, ids->owner) ||
	     setresuid(ids->owner, ids->owner, ids->owner)))
		err = -errno;
	if (!err && unshare(CLONE_NEWUSER | CLONE_NEWNS))
		err = -errno;
	if (send_int(sock, err) || err)
		_exit(1);
	/* The creator writes the id maps. */
	if (recv_status(sock))
		_exit(1);
	if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
		err = -errno;
	/* Not allowed to all: then no supplementary group was mapped. */
	setgroups(0, NULL);
	if (!err && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		err = -errno;
	if (!err)
		err = keep_process_attrs();
	if (send_int(sock, err) || err)
		_exit(1);
	serve(sock);
	_exit(0);
}

/* Fork a container with @ids; its socket and pid go to @ctr. */
static int ctr_fork(struct ima_ctr *ctr, const struct ima_ctr_ids *ids)
{
	int sv[2], ret;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(sv[0]);
		close(sv[1]);
		return ret;
	}
	if (!pid) {
		close(sv[0]);
		ctr_child(sv[1], ids);
		_exit(0);
	}
	close(sv[1]);
	ret = recv_status(sv[0]);
	if (!ret)
		ret = write_id_map(pid, "uid_map", ids);
	if (!ret)
		ret = write_id_map(pid, "gid_map", ids);
	if (send_int(sv[0], ret) && !ret)
		ret = -EPIPE;
	if (!ret)
		ret = recv_status(sv[0]);
	if (ret) {
		close(sv[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return ret;
	}
	ctr->pid = pid;
	ctr->sock = sv[0];
	ctr->reap = true;
	return 0;
}

/*
 * Act as @uid (gid @uid too) of the container for one request; the saved
 * uid stays 0 so that as_root() can switch back. Real and effective ids
 * both change: IMA policy rules look at either.
 */
static int as_user(int uid)
{
	if (uid < 0)
		return 0;
	if (setresgid(uid, uid, 0))
		return -errno;
	if (setresuid(uid, uid, 0)) {
		int err = -errno;

		setresgid(0, 0, 0);
		return err;
	}
	return 0;
}

static void as_root(int uid)
{
	if (uid < 0)
		return;
	if (setresuid(0, 0, 0) || setresgid(0, 0, 0) || keep_process_attrs())
		_exit(1);
}

/* Keep @fd open for later requests. Return: @fd or a negative errno. */
static long long keep_fd(int fd)
{
	if (nr_open_fds == CTR_MAX_FDS) {
		close(fd);
		return -EMFILE;
	}
	open_fds[nr_open_fds++] = fd;
	return fd;
}

/* Return: the index of @fd in open_fds, or -1 if it was not kept. */
static int find_fd(int fd)
{
	int i;

	for (i = 0; i < nr_open_fds; i++)
		if (open_fds[i] == fd)
			return i;
	return -1;
}

static long long do_open(const char *path, int flags, mode_t mode)
{
	int fd;

	fd = open(path, flags | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	return keep_fd(fd);
}

static long long do_close(int fd)
{
	int i = find_fd(fd);

	if (i < 0)
		return -EBADF;
	open_fds[i] = open_fds[--nr_open_fds];
	return close(fd) ? -errno : 0;
}

/* Read a kept descriptor from offset 0 to the end. */
static long long do_fd_read(int fd, char **out)
{
	if (find_fd(fd) < 0)
		return -EBADF;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	return read_fd(fd, out);
}

/* One write() to a kept descriptor. */
static long long do_fd_write(int fd, const void *data, size_t len)
{
	ssize_t ret;

	if (find_fd(fd) < 0)
		return -EBADF;
	ret = write(fd, data, len);
	return ret < 0 ? -errno : ret;
}

/* data: the ioctl's number and argument, two __u64. */
static long long do_fd_ioctl(int fd, const void *data, size_t len)
{
	__u64 args[2];

	if (find_fd(fd) < 0)
		return -EBADF;
	if (len != sizeof(args))
		return -EINVAL;
	memcpy(args, data, sizeof(args));
	return ioctl(fd, (unsigned long)args[0], (unsigned long)args[1]) < 0 ?
	       -errno : 0;
}

/* data: the attribute's name, a NUL, then its value. */
static long long do_setxattr(const char *path, const char *data, size_t len)
{
	size_t name_len = strnlen(data, len);

	if (name_len == len)
		return -EINVAL;
	return setxattr(path, data, data + name_len + 1, len - name_len - 1,
			0) ? -errno : 0;
}

static long long do_exec(const char *path, const char *argv0)
{
	char *const argv[] = { (char *)argv0, NULL };

	return exec_status(path, argv);
}

/* data: the program and its arguments, each NUL terminated. */
static long long do_run(const char *data, size_t len, char **out)
{
	char *argv[CTR_MAX_ARGS + 1];
	size_t off;
	int argc;

	for (argc = 0, off = 0; off < len; argc++) {
		if (argc == CTR_MAX_ARGS)
			return -E2BIG;
		argv[argc] = (char *)data + off;
		off += strnlen(data + off, len - off) + 1;
	}
	if (!argc)
		return -EINVAL;
	argv[argc] = NULL;
	*out = malloc(CTR_RUN_OUTPUT);
	if (!*out)
		return -ENOMEM;
	return run_cmd(argv, *out, CTR_RUN_OUTPUT);
}

/* Map a file readable, then make the mapping executable. */
static long long do_mprotect_exec(const char *path)
{
	long page = sysconf(_SC_PAGESIZE);
	long long ret = 0;
	void *map;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	map = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		ret = -errno;
	else if (mprotect(map, page, PROT_READ | PROT_EXEC))
		ret = -errno;
	if (map != MAP_FAILED)
		munmap(map, page);
	close(fd);
	return ret;
}

/*
 * Append @data to a file through one O_RDWR descriptor and, if @map_exec,
 * map that descriptor executable before closing it.
 */
static long long do_rewrite(const char *path, const void *data, size_t len,
			    bool map_exec)
{
	long long ret = 0;
	struct stat st;
	void *map;
	ssize_t n;
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	n = pwrite(fd, data, len, st.st_size);
	if (n < 0 || (size_t)n != len) {
		ret = n < 0 ? -errno : -EIO;
		goto out;
	}
	if (!map_exec)
		goto out;
	map = mmap(NULL, st.st_size + len, PROT_READ | PROT_EXEC, MAP_PRIVATE,
		   fd, 0);
	if (map == MAP_FAILED)
		ret = -errno;
	else
		munmap(map, st.st_size + len);
out:
	close(fd);
	return ret;
}

/* Open and close a file @count times: the number of opens that worked. */
static long long do_open_loop(const char *path, int flags, unsigned int count)
{
	long long opened = 0;
	unsigned int i;
	int fd;

	for (i = 0; i < count; i++) {
		fd = open(path, flags | O_CLOEXEC);
		if (fd < 0)
			continue;
		opened++;
		close(fd);
	}
	return opened;
}

/*
 * Map a file shared and writable, then try @count times to map it
 * executable too: the number of executable mappings refused.
 */
static long long do_mmap_exec_mapped_shared(const char *path,
					    unsigned int count)
{
	long page = sysconf(_SC_PAGESIZE);
	long long refused = 0;
	void *shared, *map;
	unsigned int i;
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	shared = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (shared == MAP_FAILED) {
		refused = -errno;
		close(fd);
		return refused;
	}
	for (i = 0; i < count; i++) {
		map = mmap(NULL, page, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd,
			   0);
		if (map == MAP_FAILED)
			refused++;
		else
			munmap(map, page);
	}
	munmap(shared, page);
	close(fd);
	return refused;
}

/* Start a nested container; its socket is returned in *@fdp. */
static long long do_spawn(const void *data, size_t len, int *fdp)
{
	struct ima_ctr_ids ids;
	struct ima_ctr child;
	int ret;

	if (len != sizeof(ids))
		return -EINVAL;
	if (nr_children == CTR_MAX_CHILDREN)
		return -EAGAIN;
	memcpy(&ids, data, sizeof(ids));
	ret = ctr_fork(&child, &ids);
	if (ret)
		return ret;
	children[nr_children++] = child.pid;
	*fdp = child.sock;
	return child.pid;
}

static void serve(int sock)
{
	struct ctr_request req;
	char *path, *data, *out;
	int i, fd, in_fd;
	long long ret;
	ssize_t len;

	for (;;) {
		in_fd = -1;
		if (recv_all(sock, &req, sizeof(req), &in_fd))
			break;
		path = calloc(1, req.path_len + 1);
		data = calloc(1, req.data_len + 1);
		if (!path || !data ||
		    recv_all(sock, path, req.path_len, NULL) ||
		    recv_all(sock, data, req.data_len, NULL))
			break;
		out = NULL;
		len = 0;
		fd = -1;
		ret = as_user(req.uid);
		if (!ret) {
			switch (req.op) {
			case CTR_MOUNT:
				/* data: the filesystem type */
				ret = mount(data, path, data, 0, NULL) ?
				      -errno : 0;
				break;
			case CTR_UMOUNT:
				ret = umount(path) ? -errno : 0;
				break;
			case CTR_READ:
				ret = read_file(path, &out);
				len = ret > 0 ? ret : 0;
				break;
			case CTR_WRITE:
				ret = write_file(path, data, req.data_len,
						 req.flags, req.mode);
				break;
			case CTR_EXEC:
				ret = do_exec(path, data);
				break;
			case CTR_OPEN:
				ret = do_open(path, req.flags, req.mode);
				break;
			case CTR_CLOSE:
				ret = do_close(req.flags);
				break;
			case CTR_SPAWN:
				ret = do_spawn(data, req.data_len, &fd);
				break;
			case CTR_PASS_FD:
				fd = open(path, req.flags | O_CLOEXEC);
				ret = fd < 0 ? -errno : 0;
				break;
			case CTR_TAKE_FD:
				ret = in_fd < 0 ? -EBADMSG : keep_fd(in_fd);
				in_fd = -1;
				break;
			case CTR_FD_READ:
				ret = do_fd_read(req.flags, &out);
				len = ret > 0 ? ret : 0;
				break;
			case CTR_FD_WRITE:
				ret = do_fd_write(req.flags, data,
						  req.data_len);
				break;
			case CTR_SETXATTR:
				ret = do_setxattr(path, data, req.data_len);
				break;
			case CTR_REMOVEXATTR:
				/* data: the attribute's name */
				ret = removexattr(path, data) ? -errno : 0;
				break;
			case CTR_RUN:
				ret = do_run(data, req.data_len, &out);
				len = out ? strlen(out) : 0;
				break;
			case CTR_MKNOD:
				ret = mknod(path, S_IFREG | req.mode, 0) ?
				      -errno : 0;
				break;
			case CTR_MPROTECT_EXEC:
				ret = do_mprotect_exec(path);
				break;
			case CTR_NEW_SESSION:
				ret = syscall(__NR_keyctl,
					      KEYCTL_JOIN_SESSION_KEYRING, NULL);
				ret = ret < 0 ? -errno : 0;
				break;
			case CTR_FD_IOCTL:
				ret = do_fd_ioctl(req.flags, data,
						  req.data_len);
				break;
			case CTR_REWRITE:
				ret = do_rewrite(path, data, req.data_len,
						 req.flags);
				break;
			case CTR_OPEN_LOOP:
				ret = do_open_loop(path, req.flags, req.mode);
				break;
			case CTR_MMAP_EXEC_MAPPED_SHARED:
				ret = do_mmap_exec_mapped_shared(path,
								 req.mode);
				break;
			default:
				ret = -EOPNOTSUPP;
			}
			as_root(req.uid);
		}
		i = send_reply(sock, ret, out, len, fd);
		if (fd >= 0)
			close(fd);
		if (in_fd >= 0)
			close(in_fd);
		free(out);
		free(path);
		free(data);
		if (i)
			break;
	}
	/* Stopped: so are the containers this one started. */
	for (i = 0; i < nr_children; i++) {
		kill(children[i], SIGKILL);
		waitpid(children[i], NULL, 0);
	}
}

/*
 * Send a request, with @in_fd as SCM_RIGHTS if it is not negative; the
 * reply's data goes to *@out, its descriptor to *@fdp.
 */
static long long ctr_call_fd(struct ima_ctr *ctr, int op, int uid,
			     const char *path, const void *data,
			     size_t data_len, int flags, mode_t mode, int in_fd,
			     char **out, int *fdp)
{
	struct ctr_request req = {
		.op = op, .uid = uid, .flags = flags, .mode = mode,
		.path_len = path ? strlen(path) : 0, .data_len = data_len,
	};
	struct ctr_reply rep;
	char *buf;
	int ret;

	if (fdp)
		*fdp = -1;
	if (ctr->sock < 0)
		return -EPIPE;
	ret = send_with_fd(ctr->sock, &req, sizeof(req), in_fd);
	if (!ret && req.path_len)
		ret = send_all(ctr->sock, path, req.path_len);
	if (!ret && data_len)
		ret = send_all(ctr->sock, data, data_len);
	if (!ret)
		ret = recv_all(ctr->sock, &rep, sizeof(rep), fdp);
	if (ret)
		return ret;
	buf = malloc(rep.data_len + 1);
	if (!buf)
		return -ENOMEM;
	ret = recv_all(ctr->sock, buf, rep.data_len, NULL);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[rep.data_len] = '\0';
	if (out)
		*out = buf;
	else
		free(buf);
	return rep.ret;
}

static long long ctr_call(struct ima_ctr *ctr, int op, int uid,
			  const char *path, const void *data, size_t data_len,
			  int flags, mode_t mode, char **out, int *fdp)
{
	return ctr_call_fd(ctr, op, uid, path, data, data_len, flags, mode,
			   -1, out, fdp);
}

/**
 * ima_ctr_start() - start a container whose ids map to this process's
 * @ctr: set to the new container
 * @ids: its id maps, e.g. &ima_ctr_rootful
 *
 * Return: 0 or a negative errno.
 */
int ima_ctr_start(struct ima_ctr *ctr, const struct ima_ctr_ids *ids)
{
	ctr->sock = -1;
	return ctr_fork(ctr, ids);
}

/**
 * ima_ctr_spawn() - start a container nested in another
 * @parent: the creator of the new container
 * @child: set to the new container
 * @ids: its id maps, in terms of @parent's ids
 *
 * Return: 0 or a negative errno.
 */
int ima_ctr_spawn(struct ima_ctr *parent, struct ima_ctr *child,
		  const struct ima_ctr_ids *ids)
{
	long long ret;
	int fd;

	child->sock = -1;
	ret = ctr_call(parent, CTR_SPAWN, IMA_CTR_ROOT, NULL, ids,
		       sizeof(*ids), 0, 0, NULL, &fd);
	if (ret < 0) {
		if (fd >= 0)
			close(fd);
		return ret;
	}
	if (fd < 0)
		return -EBADMSG;
	child->pid = ret;
	child->sock = fd;
	child->reap = false;
	return 0;
}

/**
 * ima_ctr_stop() - stop a container and the ones nested in it
 * @ctr: container; stopping it twice is harmless
 *
 * A container started with ima_ctr_start() is waited for: once this
 * returns, it and its user namespace are gone (but for the nested
 * containers' processes, which die of SIGKILL at the same time).
 */
void ima_ctr_stop(struct ima_ctr *ctr)
{
	if (ctr->sock < 0)
		return;
	close(ctr->sock);
	ctr->sock = -1;
	if (ctr->reap)
		waitpid(ctr->pid, NULL, 0);
}

/**
 * ima_ctr_mount() - mount the container's securityfs instance
 * @ctr: container
 *
 * Mounting creates the container's IMA namespace, inactive.
 *
 * Return: 0 or a negative errno of mount(2).
 */
int ima_ctr_mount(struct ima_ctr *ctr)
{
	return ima_ctr_mount_fs(ctr, "securityfs", CTR_SECURITYFS);
}

/**
 * ima_ctr_mount_fs() - mount a filesystem in a container, as its root
 * @ctr: container
 * @fstype: filesystem type, also the source, e.g. "securityfs" or "tmpfs"
 * @path: existing directory, as the container sees it
 *
 * Return: 0 or a negative errno of mount(2).
 */
int ima_ctr_mount_fs(struct ima_ctr *ctr, const char *fstype,
		     const char *path)
{
	return ctr_call(ctr, CTR_MOUNT, IMA_CTR_ROOT, path, fstype,
			strlen(fstype), 0, 0, NULL, NULL);
}

/**
 * ima_ctr_umount() - unmount the topmost mount on @path in a container
 * @ctr: container
 * @path: mount point, as the container sees it
 *
 * Return: 0 or a negative errno of umount(2).
 */
int ima_ctr_umount(struct ima_ctr *ctr, const char *path)
{
	return ctr_call(ctr, CTR_UMOUNT, IMA_CTR_ROOT, path, NULL, 0, 0, 0,
			NULL, NULL);
}

/**
 * ima_ctr_read() - read a whole file in a container
 * @ctr: container
 * @uid: the container's uid to read as, or IMA_CTR_ROOT
 * @path: file, as the container sees it
 * @buf: set to a malloc()ed, NUL-terminated copy of the contents (if the
 *	 read succeeded)
 *
 * Return: number of bytes read, or a negative errno.
 */
ssize_t ima_ctr_read(struct ima_ctr *ctr, int uid, const char *path,
		     char **buf)
{
	char *out = NULL;
	long long ret;

	ret = ctr_call(ctr, CTR_READ, uid, path, NULL, 0, 0, 0, &out, NULL);
	if (ret < 0)
		free(out);
	else
		*buf = out;
	return ret;
}

/**
 * ima_ctr_write() - write_file() in a container
 * @ctr: container
 * @uid: the container's uid to write as, or IMA_CTR_ROOT
 * @path: file, as the container sees it
 * @buf: data
 * @len: size of @buf
 * @flags: extra open flags, as for write_file()
 * @mode: mode for O_CREAT
 *
 * Return: 0, or the negative errno of the first failing write or close.
 */
int ima_ctr_write(struct ima_ctr *ctr, int uid, const char *path,
		  const void *buf, size_t len, int flags, mode_t mode)
{
	return ctr_call(ctr, CTR_WRITE, uid, path, buf, len, flags, mode, NULL,
			NULL);
}

/**
 * ima_ctr_setxattr() - set an extended attribute in a container
 * @ctr: container
 * @uid: the container's uid to act as, or IMA_CTR_ROOT
 * @path: file
 * @name: attribute name, e.g. "security.ima"
 * @value: its value
 * @size: size of @value
 *
 * Return: 0, or the negative errno of setxattr().
 */
int ima_ctr_setxattr(struct ima_ctr *ctr, int uid, const char *path,
		     const char *name, const void *value, size_t size)
{
	size_t len = strlen(name) + 1 + size;
	char *data = malloc(len);
	int ret;

	if (!data)
		return -ENOMEM;
	memcpy(data, name, strlen(name) + 1);
	memcpy(data + strlen(name) + 1, value, size);
	ret = ctr_call(ctr, CTR_SETXATTR, uid, path, data, len, 0, 0, NULL,
		       NULL);
	free(data);
	return ret;
}

/* Remove an extended attribute in a container: 0 or -errno. */
int ima_ctr_removexattr(struct ima_ctr *ctr, int uid, const char *path,
			const char *name)
{
	return ctr_call(ctr, CTR_REMOVEXATTR, uid, path, name, strlen(name), 0,
			0, NULL, NULL);
}

/* Write a string to a file as the container's root, in one session. */
int ima_ctr_write_str(struct ima_ctr *ctr, const char *path, const char *str)
{
	return ima_ctr_write(ctr, IMA_CTR_ROOT, path, str, strlen(str), 0, 0);
}

/**
 * ima_ctr_exec() - execute a program in a container, as "true"
 * @ctr: container
 * @uid: the container's uid to execute as, or IMA_CTR_ROOT
 * @path: program
 *
 * Return: its exit status, or the negative errno of execve() or fork().
 */
int ima_ctr_exec(struct ima_ctr *ctr, int uid, const char *path)
{
	static const char argv0[] = "true";

	return ctr_call(ctr, CTR_EXEC, uid, path, argv0, sizeof(argv0) - 1, 0,
			0, NULL, NULL);
}

/**
 * ima_ctr_open() - open a file in a container and keep it open
 * @ctr: container
 * @uid: the container's uid to open as, or IMA_CTR_ROOT
 * @path: file
 * @flags: open flags
 *
 * Return: the descriptor in the container, for ima_ctr_close(),
 * ima_ctr_fd_read() and ima_ctr_fd_write(), or a negative errno.
 */
int ima_ctr_open(struct ima_ctr *ctr, int uid, const char *path, int flags)
{
	return ctr_call(ctr, CTR_OPEN, uid, path, NULL, 0, flags, 0644, NULL,
			NULL);
}

int ima_ctr_close(struct ima_ctr *ctr, int fd)
{
	return ctr_call(ctr, CTR_CLOSE, IMA_CTR_ROOT, NULL, NULL, 0, fd, 0,
			NULL, NULL);
}

/**
 * ima_ctr_pass_fd() - open a file in a container and get the descriptor
 * @ctr: container
 * @uid: the container's uid to open as, or IMA_CTR_ROOT
 * @path: file, as the container sees it
 * @flags: open flags
 *
 * The container opens @path and passes the descriptor over its socket
 * (SCM_RIGHTS), keeping no copy: the caller holds the only one.
 *
 * Return: a descriptor of the calling process, or a negative errno.
 */
int ima_ctr_pass_fd(struct ima_ctr *ctr, int uid, const char *path,
		    int flags)
{
	long long ret;
	int fd;

	ret = ctr_call(ctr, CTR_PASS_FD, uid, path, NULL, 0, flags, 0, NULL,
		       &fd);
	if (ret < 0 || fd < 0) {
		if (fd >= 0)
			close(fd);
		return ret < 0 ? ret : -EBADMSG;
	}
	return fd;
}

/**
 * ima_ctr_take_fd() - pass a descriptor of the caller to a container
 * @ctr: container
 * @fd: descriptor, sent as SCM_RIGHTS; the caller keeps its own
 *
 * Return: the descriptor in the container, for ima_ctr_fd_read(),
 * ima_ctr_fd_write() and ima_ctr_close(), or a negative errno.
 */
int ima_ctr_take_fd(struct ima_ctr *ctr, int fd)
{
	return ctr_call_fd(ctr, CTR_TAKE_FD, IMA_CTR_ROOT, NULL, NULL, 0, 0, 0,
			   fd, NULL, NULL);
}

/**
 * ima_ctr_fd_read() - read a container's descriptor from offset 0 to EOF
 * @ctr: container
 * @fd: descriptor from ima_ctr_open() or ima_ctr_take_fd()
 * @buf: set to a malloc()ed, NUL-terminated copy of the contents (if the
 *	 read succeeded)
 *
 * Return: number of bytes read, or a negative errno.
 */
ssize_t ima_ctr_fd_read(struct ima_ctr *ctr, int fd, char **buf)
{
	char *out = NULL;
	long long ret;

	ret = ctr_call(ctr, CTR_FD_READ, IMA_CTR_ROOT, NULL, NULL, 0, fd, 0,
		       &out, NULL);
	if (ret < 0)
		free(out);
	else
		*buf = out;
	return ret;
}

/**
 * ima_ctr_fd_write() - one write() to a container's descriptor
 * @ctr: container
 * @fd: descriptor from ima_ctr_open() or ima_ctr_take_fd()
 * @buf: data
 * @len: size of @buf
 *
 * Return: bytes written, or a negative errno.
 */
ssize_t ima_ctr_fd_write(struct ima_ctr *ctr, int fd, const void *buf,
			 size_t len)
{
	return ctr_call(ctr, CTR_FD_WRITE, IMA_CTR_ROOT, NULL, buf, len, fd, 0,
			NULL, NULL);
}

/**
 * ima_ctr_mknod() - create an empty regular file with mknod(2)
 * @ctr: container
 * @uid: the container's uid to create it as, or IMA_CTR_ROOT
 * @path: file, as the container sees it
 * @mode: its permissions
 *
 * Return: 0 or a negative errno.
 */
int ima_ctr_mknod(struct ima_ctr *ctr, int uid, const char *path, mode_t mode)
{
	return ctr_call(ctr, CTR_MKNOD, uid, path, NULL, 0, 0, mode, NULL,
			NULL);
}

/**
 * ima_ctr_mprotect_exec() - make a file's read-only mapping executable
 * @ctr: container
 * @uid: the container's uid to act as, or IMA_CTR_ROOT
 * @path: file, as the container sees it
 *
 * Return: 0, or the negative errno of open(), mmap() or mprotect().
 */
int ima_ctr_mprotect_exec(struct ima_ctr *ctr, int uid, const char *path)
{
	return ctr_call(ctr, CTR_MPROTECT_EXEC, uid, path, NULL, 0, 0, 0, NULL,
			NULL);
}

/**
 * ima_ctr_rewrite() - append to a file through one descriptor in a container
 * @ctr: container
 * @uid: the container's uid to act as, or IMA_CTR_ROOT
 * @path: file, as the container sees it
 * @data: bytes to append
 * @len: size of @data
 * @map_exec: also mmap() the descriptor PROT_READ | PROT_EXEC, MAP_PRIVATE,
 *	      after the write and before the close
 *
 * Return: 0, or the negative errno of open(), pwrite() or mmap().
 */
int ima_ctr_rewrite(struct ima_ctr *ctr, int uid, const char *path,
		    const void *data, size_t len, bool map_exec)
{
	return ctr_call(ctr, CTR_REWRITE, uid, path, data, len, map_exec, 0,
			NULL, NULL);
}

/**
 * ima_ctr_open_loop() - open and close a file many times in a container
 * @ctr: container
 * @uid: the container's uid to act as, or IMA_CTR_ROOT
 * @path: file, as the container sees it
 * @flags: open flags, e.g. O_RDONLY | O_DIRECT
 * @count: number of opens, as fast as the container can
 *
 * Return: the number of opens that succeeded, or a negative errno.
 */
int ima_ctr_open_loop(struct ima_ctr *ctr, int uid, const char *path,
		      int flags, unsigned int count)
{
	return ctr_call(ctr, CTR_OPEN_LOOP, uid, path, NULL, 0, flags, count,
			NULL, NULL);
}

/**
 * ima_ctr_mmap_exec_mapped_shared() - map executable a file mapped writable
 * @ctr: container
 * @uid: the container's uid to act as, or IMA_CTR_ROOT
 * @path: file, as the container sees it
 * @count: number of attempts
 *
 * The container opens @path O_RDWR and maps it shared and writable, then
 * maps the same descriptor PROT_READ | PROT_EXEC @count times.
 *
 * Return: the number of executable mappings refused, or the negative errno
 * of the open() or of the writable mmap().
 */
int ima_ctr_mmap_exec_mapped_shared(struct ima_ctr *ctr, int uid,
				    const char *path, unsigned int count)
{
	return ctr_call(ctr, CTR_MMAP_EXEC_MAPPED_SHARED, uid, path, NULL, 0, 0,
			count, NULL, NULL);
}

/**
 * ima_ctr_run() - run a program from $PATH in a container
 * @ctr: container
 * @uid: the container's uid to run as, or IMA_CTR_ROOT
 * @argv: program and arguments, NULL terminated
 * @out: set to a malloc()ed copy of its stdout and stderr (may be NULL)
 *
 * The program runs in a child of the container's process, with its
 * session keyring.
 *
 * Return: its exit status as run_cmd() gives it, or a negative errno.
 */
int ima_ctr_run(struct ima_ctr *ctr, int uid, char *const argv[], char **out)
{
	size_t len = 0, n;
	char *data = NULL, *more;
	long long ret;
	int i;

	for (i = 0; argv[i]; i++) {
		n = strlen(argv[i]) + 1;
		more = realloc(data, len + n);
		if (!more) {
			free(data);
			return -ENOMEM;
		}
		data = more;
		memcpy(data + len, argv[i], n);
		len += n;
	}
	ret = ctr_call(ctr, CTR_RUN, uid, NULL, data, len, 0, 0, out, NULL);
	free(data);
	return ret;
}

/**
 * ima_ctr_new_session() - give a container a new session keyring
 * @ctr: container
 *
 * Its process, and what it runs from then on, search a new, empty,
 * anonymous session keyring: keyrings added with "keyctl ... @s" are its
 * own.
 *
 * Return: 0 or a negative errno.
 */
int ima_ctr_new_session(struct ima_ctr *ctr)
{
	return ctr_call(ctr, CTR_NEW_SESSION, IMA_CTR_ROOT, NULL, NULL, 0, 0,
			0, NULL, NULL);
}

/**
 * ima_ctr_fd_ioctl() - an ioctl without output on a container's descriptor
 * @ctr: container
 * @uid: the container's uid to issue it as, or IMA_CTR_ROOT
 * @fd: descriptor from ima_ctr_open() or ima_ctr_take_fd()
 * @request: the ioctl's number
 * @arg: its argument, passed as is
 *
 * Return: 0, or the negative errno of ioctl().
 */
int ima_ctr_fd_ioctl(struct ima_ctr *ctr, int uid, int fd,
		     unsigned long request, unsigned long arg)
{
	__u64 args[2] = { request, arg };

	return ctr_call(ctr, CTR_FD_IOCTL, uid, NULL, args, sizeof(args), fd,
			0, NULL, NULL);
}

/**
 * ima_ctr_activate() - mount securityfs and activate the IMA namespace
 * @ctr: container
 * @hash: hash algorithm to write first, or NULL for the default
 * @template: template to write first, or NULL for the default
 *
 * Return: 0, or the negative errno of the first step that failed.
 */
int ima_ctr_activate(struct ima_ctr *ctr, const char *hash,
		     const char *template)
{
	int ret;

	ret = ima_ctr_mount(ctr);
	if (!ret && hash)
		ret = ima_ctr_write_str(ctr, IMA_NS_HASH, hash);
	if (!ret && template)
		ret = ima_ctr_write_str(ctr, IMA_NS_TEMPLATE, template);
	if (!ret)
		ret = ima_ctr_write_str(ctr, IMA_NS_ACTIVE, "1");
	return ret;
}

/* Parse a decimal u64 followed by a newline, as ns_id shows it. */
static int parse_u64(const char *buf, __u64 *val)
{
	char *end;

	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || end == buf || *buf == '-' || strcmp(end, "\n"))
		return -EINVAL;
	return 0;
}

/**
 * ima_ctr_ns_id() - read the id of a container's IMA namespace
 * @ctr: container whose namespace is active
 * @id: set to the id
 *
 * Return: 0, a negative errno, or -EINVAL if ns_id is not "<decimal>\n".
 */
int ima_ctr_ns_id(struct ima_ctr *ctr, __u64 *id)
{
	char *buf;
	ssize_t ret;

	ret = ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_NS_ID, &buf);
	if (ret < 0)
		return ret;
	ret = parse_u64(buf, id);
	free(buf);
	return ret;
}

/**
 * ima_ctr_list() - read and parse a container's binary_runtime_measurements
 * @ctr: container whose namespace is active
 * @list: filled in; release with ima_list_free()
 *
 * Return: 0 or a negative errno.
 */
int ima_ctr_list(struct ima_ctr *ctr, struct ima_list *list)
{
	ssize_t len;
	char *buf;

	memset(list, 0, sizeof(*list));
	len = ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_BINARY_LIST, &buf);
	if (len < 0)
		return len;
	return ima_list_from_buf(list, buf, len, SHA1_DIGEST_SIZE);
}

/* Write rules to a container's policy in one session, as its root. */
int ima_ctr_policy_write(struct ima_ctr *ctr, const char *text)
{
	return ima_ctr_write_str(ctr, IMA_POLICY, text);
}

/**
 * ima_ctr_path() - a path in the container's mount namespace, for host root
 * @ctr: container
 * @path: absolute path inside
 * @buf: set to /proc/<pid>/root<path>
 * @size: size of @buf
 *
 * Return: 0 or -ENAMETOOLONG.
 */
int ima_ctr_path(const struct ima_ctr *ctr, const char *path, char *buf,
		 size_t size)
{
	int len = snprintf(buf, size, "/proc/%d/root%s", ctr->pid, path);

	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

/**
 * ima_host_ns_path() - a file of the host's view of a namespace
 * @id: namespace id
 * @file: file name in ima/namespaces/<id>/, or NULL for the directory
 * @buf: set to the path
 * @size: size of @buf
 *
 * Return: 0 or -ENAMETOOLONG.
 */
int ima_host_ns_path(__u64 id, const char *file, char *buf, size_t size)
{
	int len = snprintf(buf, size, IMA_HOST_NS_DIR "/%llu%s%s",
			   (unsigned long long)id, file ? "/" : "",
			   file ? file : "");

	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

/**
 * ima_ctr_enter() - become a container's root in the calling process
 * @ctr: container
 * @mntns: also enter its mount namespace
 *
 * For a child of the test, forked to act in the container directly rather
 * than through requests: it joins the container's user namespace (and
 * mount namespace) and takes its uid and gid 0, with the full capabilities
 * of its root there and none outside. The caller must be single-threaded
 * and privileged over the container's user namespace (host root).
 *
 * Return: 0 or a negative errno.
 */
int ima_ctr_enter(const struct ima_ctr *ctr, bool mntns)
{
	char path[64];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", ctr->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWUSER))
		ret = -errno;
	close(fd);
	if (!ret && mntns) {
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", ctr->pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (setns(fd, CLONE_NEWNS))
			ret = -errno;
		close(fd);
	}
	if (!ret && (setresgid(0, 0, 0) || setresuid(0, 0, 0)))
		ret = -errno;
	/* Not allowed to all: then no supplementary group was mapped. */
	if (!ret)
		setgroups(0, NULL);
	return ret;
}

/**
 * ima_in_mntns() - run a function in a child that entered a mount namespace
 * @pid: a process of the mount namespace, e.g. a container's
 * @fn: what to run there, with the caller's credentials
 * @arg: its argument
 *
 * Return: what @fn returned, or a negative errno if it could not run.
 */
int ima_in_mntns(pid_t pid, int (*fn)(void *arg), void *arg)
{
	int pipefd[2], ret, status, fd;
	char mnt[64];
	pid_t child;

	snprintf(mnt, sizeof(mnt), "/proc/%d/ns/mnt", pid);
	if (pipe(pipefd))
		return -errno;
	child = fork();
	if (child < 0) {
		ret = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return ret;
	}
	if (!child) {
		close(pipefd[0]);
		fd = open(mnt, O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWNS))
			ret = -errno;
		else
			ret = fn(arg);
		_exit(write(pipefd[1], &ret, sizeof(ret)) != sizeof(ret));
	}
	close(pipefd[1]);
	if (read(pipefd[0], &ret, sizeof(ret)) != sizeof(ret))
		ret = -ECHILD;
	close(pipefd[0]);
	waitpid(child, &status, 0);
	return ret;
}

/**
 * ima_ns_missing() - why IMA namespaces cannot be tested here, if so
 *
 * Return: NULL when the caller is root, the host's IMA securityfs files
 * exist and the kernel has IMA namespaces; else the reason to skip.
 */
const char *ima_ns_missing(void)
{
	if (geteuid())
		return "must run as root";
	if (ima_securityfs_ready())
		return "no IMA securityfs files (CONFIG_IMA, CONFIG_SECURITYFS)";
	if (access(IMA_NS_SYSCTL, F_OK))
		return "no IMA namespaces (CONFIG_IMA_NS)";
	return NULL;
}
