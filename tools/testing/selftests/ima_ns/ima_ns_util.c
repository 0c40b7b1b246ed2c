// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers shared by the IMA namespace selftests.
 */

#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/keyctl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ima_ns_util.h"

/* SHA-256 (FIPS 180-4), enough to check digests without extra libraries. */
static const __u32 sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static __u32 ror32(__u32 x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_block(__u32 s[8], const __u8 *p)
{
	__u32 w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (__u32)p[4 * i] << 24 | (__u32)p[4 * i + 1] << 16 |
		       (__u32)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = w[i - 16] + w[i - 7] +
		       (ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^
			(w[i - 15] >> 3)) +
		       (ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^
			(w[i - 2] >> 10));

	a = s[0]; b = s[1]; c = s[2]; d = s[3];
	e = s[4]; f = s[5]; g = s[6]; h = s[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) +
		     ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
		t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	s[0] += a; s[1] += b; s[2] += c; s[3] += d;
	s[4] += e; s[5] += f; s[6] += g; s[7] += h;
}

void sha256_init(struct sha256_ctx *ctx)
{
	static const __u32 iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(ctx->state, iv, sizeof(iv));
	ctx->count = 0;
}

void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len)
{
	const __u8 *p = data;
	size_t fill = ctx->count % 64;

	ctx->count += len;
	if (fill) {
		size_t n = len < 64 - fill ? len : 64 - fill;

		memcpy(ctx->buf + fill, p, n);
		p += n;
		len -= n;
		if (fill + n < 64)
			return;
		sha256_block(ctx->state, ctx->buf);
	}
	for (; len >= 64; p += 64, len -= 64)
		sha256_block(ctx->state, p);
	memcpy(ctx->buf, p, len);
}

void sha256_final(struct sha256_ctx *ctx, __u8 out[SHA256_DIGEST_SIZE])
{
	static const __u8 zeroes[64];
	const __u8 pad = 0x80;
	__u64 bits = ctx->count * 8;
	__u8 len[8];
	int i;

	sha256_update(ctx, &pad, 1);
	sha256_update(ctx, zeroes, (120 - ctx->count % 64) % 64);
	for (i = 0; i < 8; i++)
		len[i] = bits >> (56 - 8 * i);
	sha256_update(ctx, len, sizeof(len));
	for (i = 0; i < 8; i++) {
		out[4 * i] = ctx->state[i] >> 24;
		out[4 * i + 1] = ctx->state[i] >> 16;
		out[4 * i + 2] = ctx->state[i] >> 8;
		out[4 * i + 3] = ctx->state[i];
	}
}

void sha256(const void *data, size_t len, __u8 out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, data, len);
	sha256_final(&ctx, out);
}

int sha256_file(const char *path, __u8 out[SHA256_DIGEST_SIZE])
{
	char *buf;
	ssize_t len = read_file(path, &buf);

	if (len < 0)
		return len;
	sha256(buf, len, out);
	free(buf);
	return 0;
}

void bin2hex(char *hex, const __u8 *bin, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		hex[2 * i] = digits[bin[i] >> 4];
		hex[2 * i + 1] = digits[bin[i] & 0xf];
	}
	hex[2 * len] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/**
 * hex2bin() - decode exactly @len bytes of hexadecimal
 * @bin: output buffer of @len bytes
 * @hex: input, 2 * @len hex digits (more characters may follow)
 * @len: number of bytes to decode
 *
 * Return: 0, or -EINVAL if @hex is too short or not hexadecimal.
 */
int hex2bin(__u8 *bin, const char *hex, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		int hi = hexval(hex[2 * i]);
		int lo = hi < 0 ? -1 : hexval(hex[2 * i + 1]);

		if (lo < 0)
			return -EINVAL;
		bin[i] = hi << 4 | lo;
	}
	return 0;
}

/**
 * read_fd() - read a descriptor from its current offset to the end
 * @fd: descriptor to read
 * @buf: set to a malloc()ed, NUL-terminated copy of what was read
 *
 * Return: number of bytes read, or a negative errno.
 */
ssize_t read_fd(int fd, char **buf)
{
	size_t size = 4096, len = 0;
	char *data = NULL, *tmp;
	ssize_t ret;

	for (;;) {
		if (!data || len + 1 >= size) {
			size = data ? size * 2 : size;
			tmp = realloc(data, size);
			if (!tmp) {
				free(data);
				return -ENOMEM;
			}
			data = tmp;
		}
		ret = read(fd, data + len, size - len - 1);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			ret = -errno;
			free(data);
			return ret;
		}
		if (ret == 0)
			break;
		len += ret;
	}
	data[len] = '\0';
	*buf = data;
	return len;
}

/**
 * read_file() - read a whole file (regular, securityfs or sysfs)
 * @path: file to read
 * @buf: set to a malloc()ed, NUL-terminated copy of the contents
 *
 * Return: number of bytes read, or a negative errno.
 */
ssize_t read_file(const char *path, char **buf)
{
	ssize_t ret;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = read_fd(fd, buf);
	close(fd);
	return ret;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t ret;

	while (len) {
		ret = write(fd, p, len);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (ret == 0)
			return -EIO;
		p += ret;
		len -= ret;
	}
	return 0;
}

/**
 * write_file() - open @path for writing and write all of @buf
 * @path: file to write
 * @buf: data
 * @len: size of @buf
 * @flags: extra open flags (O_CREAT, O_TRUNC, O_APPEND, ...)
 * @mode: mode for O_CREAT, applied exactly (not masked by the umask)
 *
 * A short write() is continued with the remaining bytes: the IMA policy
 * file consumes one rule per write() call.
 *
 * Return: 0 or a negative errno (of the first failing write or close).
 */
int write_file(const char *path, const void *buf, size_t len, int flags,
	       mode_t mode)
{
	int fd, ret;

	fd = open(path, O_WRONLY | O_CLOEXEC | flags, mode);
	if (fd < 0)
		return -errno;
	ret = (flags & O_CREAT) && fchmod(fd, mode) ? -errno : 0;
	if (!ret)
		ret = write_all(fd, buf, len);
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int copy_file(const char *src, const char *dst, mode_t mode)
{
	char *buf;
	ssize_t len;
	int ret;

	len = read_file(src, &buf);
	if (len < 0)
		return len;
	ret = write_file(dst, buf, len, O_CREAT | O_TRUNC, mode);
	free(buf);
	return ret;
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	return remove(path);
}

/**
 * remove_tree() - remove a directory and everything below it
 * @path: directory (or file)
 *
 * Mounts below @path are not crossed.
 *
 * Return: 0 or the negative errno of the first entry that stayed.
 */
int remove_tree(const char *path)
{
	if (nftw(path, remove_entry, 8, FTW_DEPTH | FTW_PHYS | FTW_MOUNT))
		return -errno;
	return 0;
}

int read_u64_file(const char *path, __u64 *val)
{
	char *buf, *end;
	ssize_t len;

	len = read_file(path, &buf);
	if (len < 0)
		return len;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end != '\n' && *end != '\0')) {
		free(buf);
		return -EINVAL;
	}
	free(buf);
	return 0;
}

/**
 * find_cmd() - look a program up in $PATH
 * @name: program name
 * @path: set to the program's full path
 * @size: size of @path
 *
 * Return: 0, or -ENOENT if no executable of that name is in $PATH.
 */
int find_cmd(const char *name, char *path, size_t size)
{
	const char *env = getenv("PATH");
	const char *dir, *end;
	int len;

	if (!env || !*env)
		env = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (dir = env; *dir; dir = *end ? end + 1 : end) {
		end = strchrnul(dir, ':');
		len = snprintf(path, size, "%.*s/%s", (int)(end - dir), dir,
			       name);
		if (len > 0 && (size_t)len < size && !access(path, X_OK))
			return 0;
	}
	return -ENOENT;
}

bool have_cmd(const char *name)
{
	char path[PATH_MAX];

	return !find_cmd(name, path, sizeof(path));
}

/**
 * run_cmd() - run a program from $PATH and capture its output
 * @argv: program and arguments, NULL terminated
 * @out: receives stdout and stderr, NUL terminated (may be NULL)
 * @size: size of @out
 *
 * Return: the exit status (127 if it could not be executed, 128 + signal
 * if killed) or a negative errno if it could not be started.
 */
int run_cmd(char *const argv[], char *out, size_t size)
{
	size_t len = 0;
	char sink[256];
	int pipefd[2], status;
	ssize_t ret;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		if (out && len + 1 < size)
			ret = read(pipefd[0], out + len, size - len - 1);
		else
			ret = read(pipefd[0], sink, sizeof(sink));
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			break;
		if (out && len + 1 < size)
			len += ret;
	}
	if (out && size)
		out[len] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/**
 * exec_status() - execute a file and tell whether execve() succeeded
 * @path: file to execute
 * @argv: arguments, NULL terminated
 *
 * Return: the exit status of the program, or the negative errno with which
 * execve() failed (e.g. -EACCES when IMA appraisal denies it).
 */
int exec_status(const char *path, char *const argv[])
{
	int pipefd[2], status, err = 0;
	ssize_t ret;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (pid == 0) {
		close(pipefd[0]);
		execv(path, argv);
		err = errno;
		if (write(pipefd[1], &err, sizeof(err)) != sizeof(err))
			_exit(126);
		_exit(127);
	}
	close(pipefd[1]);
	do {
		ret = read(pipefd[0], &err, sizeof(err));
	} while (ret < 0 && errno == EINTR);
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (ret == sizeof(err))
		return -err;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/**
 * send_fd() - pass a file descriptor over a unix socket
 * @sock: connected AF_UNIX socket
 * @fd: descriptor to pass (with one byte of data)
 *
 * Return: 0 or a negative errno.
 */
int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {};
	char byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

/**
 * recv_fd() - receive a file descriptor sent with send_fd()
 * @sock: connected AF_UNIX socket
 *
 * Return: the descriptor, or a negative errno.
 */
int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {};
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	ssize_t ret;
	int fd;

	ret = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (ret < 0)
		return -errno;
	if (ret != 1)
		return -EPIPE;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/**
 * ima_securityfs_ready() - make sure the host IMA securityfs files exist
 *
 * Mounts securityfs on /sys/kernel/security if the init system did not.
 *
 * Return: 0, or -ENOENT if IMA has no securityfs interface.
 */
int ima_securityfs_ready(void)
{
	if (!access(IMA_ASCII_LIST, F_OK))
		return 0;
	mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL);
	return access(IMA_ASCII_LIST, F_OK) ? -ENOENT : 0;
}

static int mkdir_p(char *path, mode_t mode)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, mode) && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(path, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

/**
 * ima_scratch_dir() - the directory tests create measured files in
 * @path: set to the canonical path of $IMA_NS_SCRATCH (or the default),
 *	  created if missing
 * @size: size of @path
 *
 * The canonical path is the one IMA records in the measurement list.
 *
 * Return: 0 or a negative errno.
 */
int ima_scratch_dir(char *path, size_t size)
{
	const char *env = getenv(IMA_SCRATCH_ENV);
	char dir[PATH_MAX], real[PATH_MAX];
	int ret;

	if (!env || !*env)
		env = IMA_SCRATCH_DEFAULT;
	if (snprintf(dir, sizeof(dir), "%s", env) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	ret = mkdir_p(dir, 0755);
	if (ret)
		return ret;
	if (!realpath(dir, real))
		return -errno;
	if (snprintf(path, size, "%s", real) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

/**
 * ima_scratch_is_measurable() - check that IMA measures files in @path
 * @path: directory
 *
 * Return: 0, or -EOPNOTSUPP if @path is on a filesystem that IMA policies
 * exclude (tmpfs, ramfs, i.e. an initramfs).
 */
int ima_scratch_is_measurable(const char *path)
{
	struct statfs sfs;

	if (statfs(path, &sfs))
		return -errno;
	if (sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC)
		return -EOPNOTSUPP;
	return 0;
}

/**
 * ima_scratch_unusable() - why test programs cannot run from @path
 * @path: directory
 *
 * Return: NULL if IMA measures files in @path and they may be executed,
 * else the reason to skip the test.
 */
const char *ima_scratch_unusable(const char *path)
{
	struct statvfs svfs;

	if (ima_scratch_is_measurable(path))
		return "on tmpfs/ramfs: set " IMA_SCRATCH_ENV;
	if (statvfs(path, &svfs))
		return "not a directory we can statvfs";
	if (svfs.f_flag & ST_NOEXEC)
		return "mounted noexec";
	return NULL;
}

/**
 * find_true() - a "true" program for tests to copy and execute
 * @path: set to its real path; PATH_MAX bytes
 *
 * Return: 0, or -ENOENT if there is none.
 */
int find_true(char *path)
{
	char found[PATH_MAX];

	if (find_cmd("true", found, sizeof(found)) || !realpath(found, path))
		return -ENOENT;
	return 0;
}

/**
 * ima_stress_param() - a size of a stress test
 * @key: its name in $IMA_NS_STRESS, e.g. "rounds"
 * @quick: the value when $IMA_NS_STRESS does not set @key
 *
 * Return: the value of "@key=<n>" in the comma-separated $IMA_NS_STRESS
 * if it is a positive number, else @quick.
 */
long ima_stress_param(const char *key, long quick)
{
	const char *env = getenv(IMA_STRESS_ENV), *p;
	size_t len = strlen(key);
	char *end;
	long val;

	for (p = env; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		if (strncmp(p, key, len) || p[len] != '=')
			continue;
		errno = 0;
		val = strtol(p + len + 1, &end, 10);
		if (!errno && end != p + len + 1 && val > 0 &&
		    (*end == ',' || !*end))
			return val;
	}
	return quick;
}

static __u32 get_le32(const __u8 *p)
{
	__u32 v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static int ima_list_parse(struct ima_list *list, __u32 digest_len)
{
	size_t off = 0, alloc = 0;
	struct ima_entry *e, *tmp;
	__u32 len;

	while (off < list->len) {
		if (list->count == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			tmp = realloc(list->entries, alloc * sizeof(*tmp));
			if (!tmp)
				return -ENOMEM;
			list->entries = tmp;
		}
		e = &list->entries[list->count];
		if (list->len - off < 8 + digest_len)
			return -EBADMSG;
		e->pcr = get_le32(list->buf + off);
		e->digest = list->buf + off + 4;
		e->digest_len = digest_len;
		off += 4 + digest_len;
		len = get_le32(list->buf + off);
		off += 4;
		if (len >= sizeof(e->template) || list->len - off < len)
			return -EBADMSG;
		memcpy(e->template, list->buf + off, len);
		e->template[len] = '\0';
		off += len;
		/* The "ima" template has no data length: not supported. */
		if (!strcmp(e->template, "ima"))
			return -EOPNOTSUPP;
		if (list->len - off < 4)
			return -EBADMSG;
		len = get_le32(list->buf + off);
		off += 4;
		if (list->len - off < len)
			return -EBADMSG;
		e->data = list->buf + off;
		e->data_len = len;
		off += len;
		list->count++;
	}
	return 0;
}

/**
 * ima_list_read() - read and parse a binary measurement list
 * @path: binary_runtime_measurements or one of its per-algorithm variants
 * @digest_len: size of the template digests in that list
 * @list: filled in; release with ima_list_free()
 *
 * Return: 0, or a negative errno (-EBADMSG if the list is malformed).
 */
int ima_list_read(const char *path, __u32 digest_len, struct ima_list *list)
{
	ssize_t len;
	char *buf;

	memset(list, 0, sizeof(*list));
	len = read_file(path, &buf);
	if (len < 0)
		return len;
	return ima_list_from_buf(list, buf, len, digest_len);
}

/**
 * ima_list_from_buf() - parse a binary measurement list read elsewhere
 * @list: filled in; release with ima_list_free()
 * @buf: malloc()ed list, owned by @list from now on (freed on error)
 * @len: size of @buf
 * @digest_len: size of the template digests in that list
 *
 * Return: 0, or a negative errno (-EBADMSG if the list is malformed).
 */
int ima_list_from_buf(struct ima_list *list, char *buf, size_t len,
		      __u32 digest_len)
{
	int ret;

	memset(list, 0, sizeof(*list));
	list->buf = (__u8 *)buf;
	list->len = len;
	ret = ima_list_parse(list, digest_len);
	if (ret)
		ima_list_free(list);
	return ret;
}

void ima_list_free(struct ima_list *list)
{
	free(list->buf);
	free(list->entries);
	memset(list, 0, sizeof(*list));
}

/**
 * ima_entry_field() - get one field of a record's template data
 * @e: record
 * @idx: field index (0 is d-ng in ima-ng)
 * @field: set to the field data
 * @len: set to its size
 *
 * Return: 0, -ENOENT if there are fewer fields, -EBADMSG if malformed.
 */
int ima_entry_field(const struct ima_entry *e, unsigned int idx,
		    const __u8 **field, __u32 *len)
{
	__u32 off = 0, flen;

	for (;;) {
		if (off == e->data_len)
			return -ENOENT;
		if (e->data_len - off < 4)
			return -EBADMSG;
		flen = get_le32(e->data + off);
		off += 4;
		if (e->data_len - off < flen)
			return -EBADMSG;
		if (!idx--) {
			*field = e->data + off;
			*len = flen;
			return 0;
		}
		off += flen;
	}
}

/**
 * ima_entry_ng() - decode the d-ng and n-ng fields of a record
 * @e: record of template ima-ng, ima-sig or another d-ng|n-ng|... template
 * @ng: filled in, pointing into the list
 *
 * Return: 0, or -EBADMSG if the fields are malformed.
 */
int ima_entry_ng(const struct ima_entry *e, struct ima_ng *ng)
{
	const __u8 *f, *sep;
	__u32 len;
	int ret;

	ret = ima_entry_field(e, 0, &f, &len);
	if (ret)
		return ret == -ENOENT ? -EBADMSG : ret;
	/* "<algo>:\0<digest>" */
	sep = memchr(f, ':', len);
	if (!sep || (size_t)(sep - f) >= sizeof(ng->algo) ||
	    len < (__u32)(sep - f) + 2 || sep[1] != '\0')
		return -EBADMSG;
	memcpy(ng->algo, f, sep - f);
	ng->algo[sep - f] = '\0';
	ng->digest = sep + 2;
	ng->digest_len = len - (sep - f) - 2;

	ret = ima_entry_field(e, 1, &f, &len);
	if (ret)
		return ret == -ENOENT ? -EBADMSG : ret;
	/* "<name>\0" */
	if (!len || f[len - 1] != '\0' || memchr(f, '\0', len) != f + len - 1)
		return -EBADMSG;
	ng->name = (const char *)f;
	return 0;
}

/**
 * ima_list_find() - find the next record for a file name
 * @list: parsed list
 * @from: index to start at
 * @name: file name (absolute path) to look for
 * @ng: if not NULL, receives the decoded fields of the record found
 *
 * Return: index of the record, or -ENOENT.
 */
ssize_t ima_list_find(const struct ima_list *list, size_t from,
		      const char *name, struct ima_ng *ng)
{
	struct ima_ng tmp;
	size_t i;

	for (i = from; i < list->count; i++) {
		if (ima_entry_ng(&list->entries[i], &tmp))
			continue;
		if (strcmp(tmp.name, name))
			continue;
		if (ng)
			*ng = tmp;
		return i;
	}
	return -ENOENT;
}

/**
 * ima_list_count_violations() - count the violations recorded for a file
 * @list: parsed list
 * @name: file name, as the records give it
 *
 * Return: the number of records for @name whose file digest is all zeroes.
 */
int ima_list_count_violations(const struct ima_list *list, const char *name)
{
	struct ima_ng ng;
	ssize_t idx = -1;
	__u32 i;
	int n = 0;

	while ((idx = ima_list_find(list, idx + 1, name, &ng)) >= 0) {
		for (i = 0; i < ng.digest_len && !ng.digest[i]; i++)
			;
		n += i == ng.digest_len;
	}
	return n;
}

size_t ima_ascii_count_lines(const char *buf, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += buf[i] == '\n';
	return n;
}

/*
 * The rules of ima_policy=tcb. The first write to the host policy replaces
 * the boot policy: tests that write rules write these first, so that the
 * host keeps measuring what it measured at boot.
 */
const char *const ima_tcb_rules[] = {
	"dont_measure fsmagic=0x9fa0",		/* PROC_SUPER_MAGIC */
	"dont_measure fsmagic=0x62656572",	/* SYSFS_MAGIC */
	"dont_measure fsmagic=0x64626720",	/* DEBUGFS_MAGIC */
	"dont_measure fsmagic=0x1021994",	/* TMPFS_MAGIC */
	"dont_measure fsmagic=0x1cd1",		/* DEVPTS_SUPER_MAGIC */
	"dont_measure fsmagic=0x42494e4d",	/* BINFMTFS_MAGIC */
	"dont_measure fsmagic=0x73636673",	/* SECURITYFS_MAGIC */
	"dont_measure fsmagic=0xf97cff8c",	/* SELINUX_MAGIC */
	"dont_measure fsmagic=0x43415d53",	/* SMACK_MAGIC */
	"dont_measure fsmagic=0x27e0eb",	/* CGROUP_SUPER_MAGIC */
	"dont_measure fsmagic=0x63677270",	/* CGROUP2_SUPER_MAGIC */
	"dont_measure fsmagic=0x6e736673",	/* NSFS_MAGIC */
	"dont_measure fsmagic=0xde5e81e4",	/* EFIVARFS_MAGIC */
	"measure func=MMAP_CHECK mask=MAY_EXEC",
	"measure func=BPRM_CHECK mask=MAY_EXEC",
	"measure func=FILE_CHECK mask=^MAY_READ euid=0",
	"measure func=FILE_CHECK mask=^MAY_READ uid=0",
	"measure func=MODULE_CHECK",
	"measure func=FIRMWARE_CHECK",
	"measure func=POLICY_CHECK",
	NULL
};

static size_t rules_text_len(const char *const *rules)
{
	size_t len = 0;

	for (; rules && *rules; rules++)
		len += strlen(*rules) + 2;
	return len;
}

static char *rules_text_append(char *p, const char *const *rules)
{
	size_t len;

	for (; rules && *rules; rules++) {
		len = strlen(*rules);
		memcpy(p, *rules, len);
		p += len;
		*p++ = ' ';
		*p++ = '\n';
	}
	return p;
}

/**
 * ima_policy_text() - policy text for rules, as the policy file shows them
 * @base: rules to write first (e.g. ima_tcb_rules), or NULL
 * @rules: more rules, or NULL
 *
 * The policy file shows each rule with a space before the newline; text in
 * that format reads back byte for byte.
 *
 * Return: malloc()ed, NUL-terminated text, or NULL if out of memory.
 */
char *ima_policy_text(const char *const *base, const char *const *rules)
{
	char *text, *end;

	text = malloc(rules_text_len(base) + rules_text_len(rules) + 1);
	if (!text)
		return NULL;
	end = rules_text_append(text, base);
	end = rules_text_append(end, rules);
	*end = '\0';
	return text;
}

/**
 * ima_policy_write() - write policy text to the host policy in one session
 * @text: rules, one per line
 *
 * Return: 0, or the negative errno of the first rejected write.
 */
int ima_policy_write(const char *text)
{
	return write_file(IMA_POLICY, text, strlen(text), 0, 0);
}

/**
 * ima_policy_has_rule() - check whether the policy shows a rule
 * @rule: rule in read-back format, without the trailing space and newline
 *
 * Return: 1 if a line of the policy is @rule, 0 if none, or a negative
 * errno (-EACCES without CONFIG_IMA_READ_POLICY).
 */
int ima_policy_has_rule(const char *rule)
{
	size_t len = strlen(rule);
	char *buf, *line, *next;
	int found = 0;
	ssize_t ret;

	ret = read_file(IMA_POLICY, &buf);
	if (ret < 0)
		return ret;
	for (line = buf; *line && !found; line = next) {
		next = strchrnul(line, '\n');
		found = (size_t)(next - line) == len + 1 && line[len] == ' ' &&
			!strncmp(line, rule, len);
		if (*next)
			next++;
	}
	free(buf);
	return found;
}

/**
 * ima_policy_add_rule() - make the host policy hold a rule, once
 * @rule: rule in read-back format, without the trailing space and newline
 *
 * A first write replaces the boot policy: the ima_policy=tcb rules are
 * written along with @rule.
 *
 * Return: 0 if the policy holds @rule, or a negative errno (-EACCES
 * without CONFIG_IMA_READ_POLICY).
 */
int ima_policy_add_rule(const char *rule)
{
	const char *const rules[] = { rule, NULL };
	char *text;
	int ret;

	ret = ima_policy_has_rule(rule);
	if (ret)
		return ret < 0 ? ret : 0;
	text = ima_policy_text(ima_tcb_rules, rules);
	if (!text)
		return -ENOMEM;
	ret = ima_policy_write(text);
	free(text);
	return ret;
}

/**
 * ima_test_key() - create (once) the RSA key and certificate tests sign with
 * @dir: directory that keeps them between tests
 * @priv: set to the PEM private key path
 * @cert: set to the DER certificate path
 * @size: size of @priv and @cert
 *
 * Needs openssl. The certificate has the subjectKeyIdentifier that evmctl
 * and the kernel use as key id.
 *
 * Return: 0 or a negative errno (-EIO if openssl failed).
 */
int ima_test_key(const char *dir, char *priv, char *cert, size_t size)
{
	char tmp_priv[PATH_MAX], tmp_cert[PATH_MAX];
	char *const argv[] = {
		"openssl", "req", "-config", "/dev/null", "-x509",
		"-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "36500",
		"-subj", "/CN=ima_ns kselftest",
		"-addext", "subjectKeyIdentifier=hash",
		"-addext", "keyUsage=critical,digitalSignature",
		"-keyout", tmp_priv, "-outform", "DER", "-out", tmp_cert, NULL
	};

	if (snprintf(priv, size, "%s/ima-test-key.pem", dir) >= (int)size ||
	    snprintf(cert, size, "%s/ima-test-cert.der", dir) >= (int)size)
		return -ENAMETOOLONG;
	if (!access(priv, R_OK) && !access(cert, R_OK))
		return 0;
	snprintf(tmp_priv, sizeof(tmp_priv), "%s.%d", priv, getpid());
	snprintf(tmp_cert, sizeof(tmp_cert), "%s.%d", cert, getpid());
	if (run_cmd(argv, NULL, 0)) {
		unlink(tmp_priv);
		unlink(tmp_cert);
		return -EIO;
	}
	if (rename(tmp_priv, priv) || rename(tmp_cert, cert))
		return -errno;
	return 0;
}

/**
 * ima_keyring_add_cert() - load a certificate into the _ima keyring
 * @cert_der: DER X.509 certificate
 *
 * Without CONFIG_INTEGRITY_TRUSTED_KEYRING, IMA verifies signatures with
 * the keyring named "_ima" that request_key() finds in the keyrings of the
 * first process that needs it, and keeps it. Reuse the one this process
 * finds (it is the one IMA found or will find), else create it in the user
 * keyring.
 *
 * Return: the key serial number, or a negative errno.
 */
int ima_keyring_add_cert(const char *cert_der)
{
	long ring, key;
	ssize_t len;
	char *der;

	ring = syscall(__NR_request_key, "keyring", "_ima", NULL, 0);
	if (ring < 0 && errno != ENOKEY)
		return -errno;
	if (ring < 0)
		ring = syscall(__NR_add_key, "keyring", "_ima", NULL, 0,
			       KEY_SPEC_USER_KEYRING);
	if (ring < 0)
		return -errno;

	len = read_file(cert_der, &der);
	if (len < 0)
		return len;
	key = syscall(__NR_add_key, "asymmetric", "", der, len, ring);
	free(der);
	return key < 0 ? -errno : key;
}

/* CLOCK_MONOTONIC in milliseconds. */
long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/**
 * ima_vtpm_bind() - bind a vTPM to the IMA namespace of a user namespace
 * @server_fd: the server side of a vTPM proxy
 * @user_ns_fd: the user namespace, e.g. open("/proc/PID/ns/user")
 * @timeout_ms: how long to retry while the chip is not registered yet
 *
 * Issues VTPM_PROXY_IOC_BIND_IMA_NS from the calling process, which runs
 * the emulator outside that user namespace, retried on EAGAIN.
 *
 * Return: 0 or the negative errno of the ioctl.
 */
int ima_vtpm_bind(int server_fd, int user_ns_fd, long timeout_ms)
{
	struct vtpm_proxy_ima_ns arg = { .user_ns_fd = user_ns_fd };
	long deadline = now_ms() + timeout_ms;
	int ret;

	for (;;) {
		ret = ioctl(server_fd, VTPM_PROXY_IOC_BIND_IMA_NS, &arg) ?
		      -errno : 0;
		if (ret != -EAGAIN || now_ms() > deadline)
			return ret;
		sleep_ms(100);
	}
}
