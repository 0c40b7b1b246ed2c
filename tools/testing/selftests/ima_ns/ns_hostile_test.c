// SPDX-License-Identifier: GPL-2.0-only
/*
 * A hostile root inside a user namespace: it may not read or write the
 * host's IMA files or another namespace's, whatever its uid 0 is on the
 * host; it may not flood the kernel log with policy writes; over-long and
 * binary policy writes, and policy files that are FIFOs or huge, are
 * refused cleanly; and a policy fuzzer (grammar-aware mutations and raw
 * bytes, written by the namespace's root) finds that every refused write
 * leaves the policy byte-identical, every accepted one only appends, and
 * the policy read back always parses to itself again.
 *
 * "make stress" sets IMA_NS_STRESS (key: fuzz) for the long fuzzer run.
 *
 * Needs root and a kernel with CONFIG_IMA_NS; skips otherwise.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ima_ns_ctr.h"

#define SHIFT_BASE	100000
#define SHIFT_COUNT	65536
/* A fuzzed namespace is replaced when its policy has grown this much. */
#define FUZZ_MAX_LINES	48
#define FUZZ_MAX_WRITE	2048
/* A fuzzing child that makes no write for this long is stuck. */
#define FUZZ_STALL_SECS	60

static const struct ima_ctr_ids shifted = {
	.owner = IMA_CTR_KEEP_UID, .base = SHIFT_BASE, .count = SHIFT_COUNT,
};

static int start_active(struct ima_ctr *ctr, const struct ima_ctr_ids *ids)
{
	int ret = ima_ctr_start(ctr, ids);

	if (ret)
		return ret;
	ret = ima_ctr_activate(ctr, NULL, NULL);
	if (ret)
		ima_ctr_stop(ctr);
	return ret;
}

FIXTURE(hostile) {
	struct ima_ctr ctr, victim;
	__u64 victim_id;
};

FIXTURE_VARIANT(hostile) {
	const struct ima_ctr_ids *ids;
};

/* Its uid 0 is the host's: file modes alone would let it in. */
FIXTURE_VARIANT_ADD(hostile, rootful) { .ids = &ima_ctr_rootful };
FIXTURE_VARIANT_ADD(hostile, shifted) { .ids = &shifted };

FIXTURE_SETUP(hostile)
{
	const char *reason = ima_ns_missing();

	self->ctr.sock = -1;
	self->victim.sock = -1;
	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, start_active(&self->victim, &ima_ctr_rootful));
	ASSERT_EQ(0, ima_ctr_policy_write(&self->victim,
					  "measure func=FILE_CHECK\n"));
	ASSERT_EQ(0, ima_ctr_ns_id(&self->victim, &self->victim_id));
	/* Not mounted yet: it sees the host's instance the host mounted. */
	ASSERT_EQ(0, ima_ctr_start(&self->ctr, variant->ids));
}

FIXTURE_TEARDOWN(hostile)
{
	ima_ctr_stop(&self->ctr);
	ima_ctr_stop(&self->victim);
}

/* Opening @path in the container must fail with EACCES or EPERM. */
static void expect_denied(struct __test_metadata *_metadata,
			  struct ima_ctr *ctr, const char *path, int flags)
{
	int fd = ima_ctr_open(ctr, IMA_CTR_ROOT, path, flags);

	if (fd >= 0)
		ima_ctr_close(ctr, fd);
	EXPECT_TRUE(fd == -EACCES || fd == -EPERM) {
		TH_LOG("container root opened %s (flags %#x): %d", path, flags,
		       fd);
	}
}

TEST_F(hostile, host_files)
{
	static const char *const readable[] = {
		IMA_ASCII_LIST, IMA_BINARY_LIST, IMA_COUNT, IMA_POLICY,
		IMA_DIR "/violations", IMA_BINARY_LIST_SHA256,
	};
	static const char rule[] = "dont_measure fsmagic=0x68737475\n";
	char *before, *after;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(readable); i++)
		expect_denied(_metadata, &self->ctr, readable[i], O_RDONLY);
	ASSERT_LE(0, read_file(IMA_POLICY, &before));
	expect_denied(_metadata, &self->ctr, IMA_POLICY, O_WRONLY);
	EXPECT_NE(0, ima_ctr_write(&self->ctr, IMA_CTR_ROOT, IMA_POLICY, rule,
				   strlen(rule), 0, 0));
	ASSERT_LE(0, read_file(IMA_POLICY, &after));
	EXPECT_STREQ(before, after);
	free(before);
	free(after);
}

TEST_F(hostile, other_namespace_files)
{
	static const char *const files[] = {
		"ascii_runtime_measurements", "binary_runtime_measurements",
		"runtime_measurements_count", "violations", "policy",
	};
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		ASSERT_EQ(0, ima_host_ns_path(self->victim_id, files[i], path,
					      sizeof(path)));
		expect_denied(_metadata, &self->ctr, path, O_RDONLY);
		/*
		 * A rootful container is the same uid as its sibling, which
		 * it may ptrace: its /proc/<pid>/root is no boundary then.
		 */
		if (variant->ids == &ima_ctr_rootful)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/root%s/%s",
			 self->victim.pid, IMA_DIR, files[i]);
		expect_denied(_metadata, &self->ctr, path, O_RDONLY);
	}
	snprintf(path, sizeof(path), "/proc/%d/root%s", self->victim.pid,
		 IMA_POLICY);
	if (variant->ids != &ima_ctr_rootful)
		expect_denied(_metadata, &self->ctr, path, O_WRONLY);
}

/* Read the records the kernel logs from now on, without blocking. */
static int kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int kmsg_count(int fd)
{
	char rec[8192];
	int n = 0;
	ssize_t len;

	for (;;) {
		len = read(fd, rec, sizeof(rec));
		if (len < 0 && errno == EPIPE)
			continue;	/* overwritten: still records */
		if (len <= 0)
			return n;
		n++;
	}
}

/*
 * One policy write session in the calling process: 0 or -errno. The
 * kernel takes a rule per write(), so write until all is taken.
 */
static int policy_session(const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t ret;
	int fd, err = 0;

	fd = open(IMA_POLICY, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len) {
		ret = write(fd, p, len);
		if (ret <= 0) {
			err = ret ? -errno : -ENODATA;
			break;
		}
		if ((size_t)ret > len) {
			err = -EOVERFLOW;	/* took more than it was given */
			break;
		}
		p += ret;
		len -= ret;
	}
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/*
 * Over-long and binary writes are refused (or, for bytes after a NUL,
 * ignored) and the policy stays as it was.
 */
TEST_F_TIMEOUT(hostile, garbage_policy_writes, 120)
{
	static const char nul_rule[] = "measure func=BOGUS\n\0measure\n";
	char *before, *after, *big;
	size_t i, size = 1 << 20;

	ASSERT_EQ(0, ima_ctr_activate(&self->ctr, NULL, NULL));
	ASSERT_EQ(0, ima_ctr_policy_write(&self->ctr,
					  "measure func=BPRM_CHECK\n"));
	ASSERT_LE(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_POLICY,
				  &before));
	big = malloc(size);
	ASSERT_NE(NULL, big);
	/* One line of a megabyte. */
	memset(big, 'a', size);
	EXPECT_GT(0, ima_ctr_write(&self->ctr, IMA_CTR_ROOT, IMA_POLICY, big,
				   size, 0, 0));
	/* A rule with a megabyte of options. */
	memcpy(big, "measure ", 8);
	for (i = 8; i + 10 < size; i += 9)
		memcpy(big + i, "fowner=1 ", 9);
	big[size - 1] = '\n';
	EXPECT_GT(0, ima_ctr_write(&self->ctr, IMA_CTR_ROOT, IMA_POLICY, big,
				   size, 0, 0));
	/* Every byte value. */
	for (i = 0; i < size; i++)
		big[i] = (char)(i * 131 + 7);
	EXPECT_GT(0, ima_ctr_write(&self->ctr, IMA_CTR_ROOT, IMA_POLICY, big,
				   4000, 0, 0));
	EXPECT_GT(0, ima_ctr_write(&self->ctr, IMA_CTR_ROOT, IMA_POLICY,
				   nul_rule, sizeof(nul_rule), 0, 0));
	free(big);
	ASSERT_LE(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_POLICY,
				  &after));
	EXPECT_STREQ(before, after);
	free(before);
	free(after);
}

/*
 * A policy file named by its path is opened without blocking and, in a
 * namespace, read only up to IMA_NS_MAX_RULES pages: a FIFO (which would
 * park the writer in its open) and a huge file are refused at once, and
 * the policy stays as it was.
 */
TEST_F_TIMEOUT(hostile, policy_path_fifo_or_huge, 120)
{
	char dir[PATH_MAX], fifo[PATH_MAX + 16], huge[PATH_MAX + 16];
	char line[PATH_MAX + 32], *before, *after;
	int fd;

	ASSERT_EQ(0, ima_scratch_dir(dir, sizeof(dir)));
	snprintf(fifo, sizeof(fifo), "%s/policy-fifo", dir);
	snprintf(huge, sizeof(huge), "%s/policy-huge", dir);
	unlink(fifo);
	ASSERT_EQ(0, mkfifo(fifo, 0644));
	fd = open(huge, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	/* Sparse: 8 MiB the kernel would otherwise allocate and parse. */
	ASSERT_EQ(0, ftruncate(fd, 8 << 20));
	close(fd);
	ASSERT_EQ(0, ima_ctr_activate(&self->ctr, NULL, NULL));
	ASSERT_EQ(0, ima_ctr_policy_write(&self->ctr,
					  "measure func=BPRM_CHECK\n"));
	ASSERT_LE(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_POLICY,
				  &before));
	snprintf(line, sizeof(line), "%s\n", fifo);
	EXPECT_EQ(-EINVAL, ima_ctr_write(&self->ctr, IMA_CTR_ROOT, IMA_POLICY,
					 line, strlen(line), 0, 0));
	snprintf(line, sizeof(line), "%s\n", huge);
	EXPECT_EQ(-EFBIG, ima_ctr_write(&self->ctr, IMA_CTR_ROOT, IMA_POLICY,
					line, strlen(line), 0, 0));
	ASSERT_LE(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_POLICY,
				  &after));
	EXPECT_STREQ(before, after);
	free(before);
	free(after);
	unlink(fifo);
	unlink(huge);
}

/*
 * The fuzzed namespaces belong to a root that is not the host's: a
 * host-root namespace may audit, and logs every rule it is given.
 */
FIXTURE(fuzz) {
	struct ima_ctr ctr;
};

FIXTURE_SETUP(fuzz)
{
	const char *reason = ima_ns_missing();

	self->ctr.sock = -1;
	if (reason)
		SKIP(return, "%s", reason);
}

FIXTURE_TEARDOWN(fuzz)
{
	ima_ctr_stop(&self->ctr);
}

/*
 * Thousands of policy writes, mostly refused, each of a kind the kernel has a
 * message for, print no more than the rate limits allow: a rate-limited
 * message gets 10 through per 5 s, and these touch five of them.
 */
TEST_F_TIMEOUT(fuzz, no_log_flood, 300)
{
	static const char *const bad[] = {
		"audit func=BPRM_CHECK\n", "measure func=MODULE_CHECK\n",
		"dont_measure obj_user=nobody_u\n", "dont_measure subj_role=x\n",
		"appraise func=BPRM_CHECK appraise_algos=nope\n",
		"appraise func=BPRM_CHECK appraise_algos=sha1,x\n",
		"appraise func=BPRM_CHECK appraise_algos=md4\n",
		"measure func=BOGUS\n",
	};
	int fd, i, records, refused = 0, bound;
	struct timespec t0, t1;

	ASSERT_EQ(0, start_active(&self->ctr, &shifted));
	fd = kmsg_open_at_end();
	ASSERT_LE(0, fd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 2000; i++)
		refused += ima_ctr_policy_write(&self->ctr,
						bad[i % ARRAY_SIZE(bad)]) < 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	records = kmsg_count(fd);
	close(fd);
	bound = ((t1.tv_sec - t0.tv_sec) / 5 + 2) * 10 * 5;
	/*
	 * Rules on LSM labels no LSM defines are accepted, as on the host
	 * once it has a policy: an LSM policy may define them later.
	 */
	EXPECT_EQ(2000 - 2000 / ARRAY_SIZE(bad) * 2, refused);
	EXPECT_GE(bound, records) {
		TH_LOG("%d refused writes in %lds logged %d records", refused,
		       (long)(t1.tv_sec - t0.tv_sec), records);
	}
	printf("# stress: no_log_flood: %d refused writes in %lds, %d log records (at most %d)\n",
	       refused, (long)(t1.tv_sec - t0.tv_sec), records, bound);
}

/* ---- the policy fuzzer ---------------------------------------------- */

static const char *const actions[] = {
	"measure", "dont_measure", "appraise", "dont_appraise", "audit",
	"hash", "dont_hash", "measur", "MEASURE", "dont_", "", "measure=1",
	NULL
};

static const char *const funcs[] = {
	"FILE_CHECK", "MMAP_CHECK", "MMAP_CHECK_REQPROT", "BPRM_CHECK",
	"CREDS_CHECK", "POLICY_CHECK", "KEY_CHECK", "SETXATTR_CHECK",
	"MODULE_CHECK", "FIRMWARE_CHECK", "KEXEC_KERNEL_CHECK",
	"KEXEC_INITRAMFS_CHECK", "CRITICAL_DATA", "PATH_CHECK", "FILE_MMAP",
	"file_check", "", "FILE_CHECKX",
	NULL
};

static const char *const masks[] = {
	"MAY_READ", "MAY_WRITE", "MAY_EXEC", "MAY_APPEND", "^MAY_READ",
	"^MAY_EXEC", "MAY_", "may_read", "",
	NULL
};

static const char *const templates[] = {
	"ima", "ima-ng", "ima-sig", "ima-buf", "ima-ns", "ima-modsig",
	"evm-sig", "d-ng|n-ng", "nope",
	NULL
};

static const char *const words[] = {
	"imasig", "imasig|modsig", "sigv3", "modsig", "check_blacklist",
	"sha256", "sha1,sha256", "md5", "verity", "_ima", ".ima|_ima",
	"selinux", "system_u", "0", "-1", "18446744073709551616",
	"4294967295", "0x", "0xffffffffffffffff", "\"x\"", "a=b", "=",
	NULL
};

static unsigned long long rnd_state;

static unsigned int rnd(unsigned int n)
{
	rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return n ? (unsigned int)(rnd_state >> 33) % n : 0;
}

/* A random element of a NULL-terminated array. */
static const char *pick(const char *const *a)
{
	unsigned int n = 0;

	while (a[n])
		n++;
	return a[rnd(n)];
}

static size_t add(char *buf, size_t len, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (len >= size)
		return len;
	va_start(ap, fmt);
	n = vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
	return n < 0 ? len : (len + n < size ? len + n : size - 1);
}

static size_t add_number(char *buf, size_t len, size_t size)
{
	switch (rnd(4)) {
	case 0:
		return add(buf, len, size, "%u", rnd(70000));
	case 1:
		return add(buf, len, size, "%s", pick(words));
	case 2:
		return add(buf, len, size, "%d", -(int)rnd(5));
	default:
		return add(buf, len, size, "%u", rnd(10));
	}
}

/* One rule from the grammar, with a random number of conditions. */
static size_t gen_rule(char *buf, size_t len, size_t size)
{
	static const char *const ids[] = {
		"uid", "euid", "gid", "egid", "fowner", "fgroup", NULL
	};
	static const char *const lsm[] = {
		"obj_user", "obj_role", "obj_type", "subj_user", "subj_role",
		"subj_type", NULL
	};
	static const char *const ops[] = { "=", "<", ">", "", NULL };
	unsigned int i, n = rnd(5);

	len = add(buf, len, size, "%s", pick(actions));
	for (i = 0; i < n; i++) {
		len = add(buf, len, size, " ");
		switch (rnd(14)) {
		case 0: case 1: case 2:
			len = add(buf, len, size, "func=%s", pick(funcs));
			break;
		case 3:
			len = add(buf, len, size, "mask=%s", pick(masks));
			break;
		case 4:
			len = add(buf, len, size, "fsmagic=0x%x", rnd(1u << 31));
			break;
		case 5:
			len = add(buf, len, size, "%s%s", pick(ids), pick(ops));
			len = add_number(buf, len, size);
			break;
		case 6:
			len = add(buf, len, size, "fsuuid=%08x-%04x-%04x-%04x-%012x",
				  rnd(~0u), rnd(65536), rnd(65536), rnd(65536),
				  rnd(~0u));
			break;
		case 7:
			len = add(buf, len, size, "pcr=");
			len = add_number(buf, len, size);
			break;
		case 8:
			len = add(buf, len, size, "template=%s", pick(templates));
			break;
		case 9:
			len = add(buf, len, size, "appraise_type=%s", pick(words));
			break;
		case 10:
			len = add(buf, len, size, "%s=%s",
				  rnd(2) ? "appraise_algos" : "appraise_flag",
				  pick(words));
			break;
		case 11:
			len = add(buf, len, size, "%s=%s", pick(lsm), pick(words));
			break;
		case 12:
			len = add(buf, len, size, "%s",
				  rnd(2) ? "permit_directio" : "digest_type=verity");
			break;
		default:
			len = add(buf, len, size, "%s=%s",
				  rnd(2) ? "fsname" : "keyrings", pick(words));
		}
	}
	return len;
}

/* Damage a rule a little: the mutations a careless or hostile writer makes. */
static size_t mutate(char *buf, size_t len, size_t size)
{
	unsigned int i, n = rnd(3);
	size_t pos;

	for (i = 0; i < n && len; i++) {
		pos = rnd(len);
		switch (rnd(5)) {
		case 0:		/* drop a byte */
			memmove(buf + pos, buf + pos + 1, len - pos - 1);
			len--;
			break;
		case 1:		/* any byte */
			buf[pos] = (char)rnd(256);
			break;
		case 2:		/* repeat the rest */
			if (len + (len - pos) < size) {
				memcpy(buf + len, buf + pos, len - pos);
				len += len - pos;
			}
			break;
		case 3:		/* cut */
			len = pos;
			break;
		default:	/* a blank where there was none */
			buf[pos] = rnd(2) ? '\t' : ' ';
		}
	}
	return len;
}

/* A write: 1-3 rules, some damaged, comments and blank lines; or bytes. */
static size_t gen_write(char *buf, size_t size)
{
	unsigned int i, n;
	size_t len = 0;

	if (!rnd(5)) {
		len = 1 + rnd(300);
		for (i = 0; i < len; i++)
			buf[i] = (char)rnd(256);
		return len;
	}
	n = 1 + rnd(3);
	for (i = 0; i < n; i++) {
		size_t start = len;

		if (!rnd(10))
			len = add(buf, len, size, "# comment %u\n", rnd(100));
		start = len;
		len = gen_rule(buf, len, size);
		if (!rnd(3))
			len = start + mutate(buf + start, len - start,
					     size - start - 2);
		if (i + 1 < n || rnd(8))
			len = add(buf, len, size, rnd(20) ? "\n" : "\r\n");
	}
	return len;
}

/*
 * The first rules of every fuzzed namespace: the fuzzer reads the policy
 * back after each write, and a fuzzed "appraise" rule without conditions
 * would otherwise lock it out of securityfs, which has no signatures.
 * (No dont_hash: a namespace may not have hash rules at all.)
 */
static const char keep_securityfs[] =
	"dont_appraise fsmagic=0x73636673\n"
	"dont_measure fsmagic=0x73636673\n";

/**
 * struct fuzz_result - what a fuzzing child reports
 * @sessions: writes made
 * @accepted: writes that succeeded
 * @errnos: refusals by errno (EINVAL ... ), others in [0]
 * @broken: invariant violations
 * @roundtrip: the previous read-back was accepted and read back the same
 * @locked_out: the namespace's own rules stopped its root reading policy
 * @sealed: its rules stopped its root writing policy text
 * @full: its policy reached FUZZ_MAX_LINES lines
 * @msg: the first violation
 * @sealed_by: the last write accepted before policy writes were refused
 *	       with EACCES for good (appraise func=POLICY_CHECK)
 * @policy_len: bytes of policy text that follow on the pipe
 */
struct fuzz_result {
	long sessions, accepted, errnos[64], broken;
	int roundtrip, locked_out, sealed, full;
	char msg[512];
	char sealed_by[160];
	size_t policy_len;
};

/**
 * struct fuzz_progress - what a fuzzing child is doing, shared with the test
 * @sessions: writes made so far
 * @reading: 1 while it reads the policy back, 0 while it writes
 * @len: bytes of @last
 * @last: the write it made last
 */
struct fuzz_progress {
	long sessions;
	int reading;
	size_t len;
	char last[FUZZ_MAX_WRITE];
};

static struct fuzz_progress *progress;

/* @w as one line of printable characters, for the TAP output. */
static void printable(char *out, size_t size, const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < size - 1; i++)
		out[i] = w[i] >= ' ' && w[i] < 127 && w[i] != '"' ? w[i] : '.';
	out[i] = '\0';
}

static void broken(struct fuzz_result *res, const char *what, const void *w,
		   size_t len, int ret)
{
	char shown[128];

	res->broken++;
	if (res->msg[0])
		return;
	printable(shown, sizeof(shown), w, len);
	snprintf(res->msg, sizeof(res->msg), "%s: write \"%s\" returned %d",
		 what, shown, ret);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * After a refused replay of @policy: write its lines one at a time, and
 * return the first one refused (its length in @len, its errno in @ret).
 */
static const char *first_refused_line(const char *policy, size_t *len,
				      int *ret)
{
	const char *line, *end;

	for (line = policy; *line; line = end + 1) {
		end = strchrnul(line, '\n');
		*len = end - line;
		*ret = policy_session(line, *len + (*end == '\n'));
		if (*ret || !*end)
			return line;
	}
	*len = 0;
	return policy;
}

/*
 * In the container, as its root: replay @previous (the last namespace's
 * read-back) and check it reads back the same, then fuzz up to @budget
 * writes. The result and the final policy go to @out.
 */
static void fuzz_child(struct ima_ctr *ctr, const char *previous, long budget,
		       unsigned long long seed, int out)
{
	struct fuzz_result res = { .roundtrip = 1 };
	char *policy = NULL, *now = NULL, w[FUZZ_MAX_WRITE];
	int ret, eacces = 0;
	size_t len;

	rnd_state = seed;
	if (ima_ctr_enter(ctr, true))
		_exit(2);
	if (!previous || !*previous) {
		if (policy_session(keep_securityfs, strlen(keep_securityfs)))
			_exit(5);
	} else {
		ret = policy_session(previous, strlen(previous));
		if (ret || read_file(IMA_POLICY, &policy) < 0 ||
		    strcmp(policy, previous)) {
			const char *line = previous;
			size_t line_len = strlen(previous);

			res.roundtrip = 0;
			if (ret)
				line = first_refused_line(previous, &line_len,
							  &ret);
			broken(&res, "read-back does not parse to itself",
			       line, line_len, ret);
		}
		free(policy);
	}
	if (read_file(IMA_POLICY, &policy) < 0)
		_exit(3);
	while (res.sessions < budget && count_lines(policy) < FUZZ_MAX_LINES &&
	       eacces < 20) {
		len = gen_write(w, sizeof(w));
		memcpy(progress->last, w, len);
		progress->len = len;
		progress->reading = 0;
		ret = policy_session(w, len);
		res.sessions++;
		progress->sessions = res.sessions;
		progress->reading = 1;
		/* appraise func=POLICY_CHECK: only signed files from now on */
		eacces = ret == -EACCES ? eacces + 1 : 0;
		if (read_file(IMA_POLICY, &now) < 0) {
			/* An accepted appraise rule covers securityfs. */
			res.locked_out = 1;
			res.accepted += !ret;
			break;
		}
		if (!ret) {
			res.accepted++;
			printable(res.sealed_by, sizeof(res.sealed_by), w, len);
			if (strncmp(now, policy, strlen(policy)))
				broken(&res, "accepted write changed old rules",
				       w, len, ret);
		} else {
			res.errnos[-ret < 64 ? -ret : 0]++;
			if (strcmp(now, policy))
				broken(&res, "refused write changed the policy",
				       w, len, ret);
			if (ret == -ENOMEM || ret == -EFAULT || ret == -EIO ||
			    ret == -ENODATA || ret == -EOVERFLOW)
				broken(&res, "unexpected errno", w, len, ret);
		}
		free(policy);
		policy = now;
		now = NULL;
	}
	res.sealed = eacces >= 20;
	res.full = count_lines(policy) >= FUZZ_MAX_LINES;
	res.policy_len = res.locked_out ? 0 : strlen(policy);
	if (write(out, &res, sizeof(res)) != sizeof(res) ||
	    write(out, policy, res.policy_len) != (ssize_t)res.policy_len)
		_exit(4);
	_exit(0);
}

/* The first line of /proc/@pid/@what holding @key (any line if NULL). */
static void proc_line(pid_t pid, const char *what, const char *key,
		      char *out, size_t size)
{
	char path[64], *text = NULL, *line, *save;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	snprintf(out, size, "(no %s)", path);
	if (read_file(path, &text) < 0)
		return;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!key || strstr(line, key)) {
			snprintf(out, size, "%s", line);
			break;
		}
	}
	free(text);
}

/*
 * Wait for the fuzzing child @pid to report on @fd. If it makes no write
 * for FUZZ_STALL_SECS, it is stuck: say
 * where (its syscall, kernel stack and memory, and the write it made last)
 * and kill it. Return: 0 when @fd is readable, -ETIMEDOUT otherwise.
 */
static int wait_for_report(struct __test_metadata *_metadata, int fd,
			   pid_t pid, long round)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char syscall[128], rss[64], last[128], path[64], *stack = NULL;
	long seen = -1, quiet = 0;

	for (;;) {
		if (poll(&pfd, 1, 1000) > 0)
			return 0;
		quiet = progress->sessions == seen ? quiet + 1 : 0;
		seen = progress->sessions;
		if (quiet >= FUZZ_STALL_SECS)
			break;
	}
	proc_line(pid, "syscall", NULL, syscall, sizeof(syscall));
	snprintf(path, sizeof(path), "/proc/%d/stack", pid);
	if (read_file(path, &stack) < 0)
		stack = NULL;
	proc_line(pid, "status", "VmRSS", rss, sizeof(rss));
	printable(last, sizeof(last), progress->last, progress->len);
	TH_LOG("round %ld: stuck for %ds after %ld writes, %s; syscall %s; %s; "
	       "last write \"%s\"; kernel stack:\n%s",
	       round, FUZZ_STALL_SECS, progress->sessions,
	       progress->reading ? "reading the policy" : "writing",
	       syscall, rss, last, stack ?: "(none)");
	free(stack);
	kill(pid, SIGKILL);
	return -ETIMEDOUT;
}

static ssize_t read_all(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n <= 0)
			return -1;
		done += n;
	}
	return done;
}

TEST_F_TIMEOUT(fuzz, policy_fuzzer, 7200)
{
	long total = ima_stress_param("fuzz", 2000), sessions = 0;
	long accepted = 0, errnos[64] = {}, broken_total = 0, rounds = 0;
	long roundtrips = 0, lockouts = 0, sealed = 0;
	bool verify_only = false;
	char *previous = NULL;
	struct fuzz_result res;
	double start;
	int pipefd[2], status, i;
	struct timespec ts;
	pid_t pid;

	progress = mmap(NULL, sizeof(*progress), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, progress);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	start = ts.tv_sec + ts.tv_nsec / 1e9;
	while (sessions < total) {
		ASSERT_EQ(0, start_active(&self->ctr, &shifted));
		ASSERT_EQ(0, pipe(pipefd));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			close(pipefd[0]);
			fuzz_child(&self->ctr, previous,
				   verify_only ? 0 : total - sessions,
				   0x1badcafeULL + rounds, pipefd[1]);
		}
		close(pipefd[1]);
		ASSERT_EQ(0, wait_for_report(_metadata, pipefd[0], pid, rounds));
		ASSERT_EQ(sizeof(res), read_all(pipefd[0], &res, sizeof(res)));
		free(previous);
		previous = calloc(1, res.policy_len + 1);
		ASSERT_NE(NULL, previous);
		ASSERT_EQ((ssize_t)res.policy_len,
			  read_all(pipefd[0], previous, res.policy_len));
		close(pipefd[0]);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_EQ(0, status);
		ima_ctr_stop(&self->ctr);
		EXPECT_EQ(0, res.broken) {
			TH_LOG("round %ld: %s", rounds, res.msg);
		}
		if (res.sealed && sealed < 3)
			printf("# stress: policy_fuzzer: round %ld sealed by \"%s\"\n",
			       rounds, res.sealed_by);
		if (rounds % 100 == 99)
			printf("# stress: policy_fuzzer: round %ld: %ld writes, %ld accepted\n",
			       rounds + 1, sessions + res.sessions,
			       accepted + res.accepted);
		fflush(stdout);
		sessions += res.sessions;
		accepted += res.accepted;
		broken_total += res.broken;
		roundtrips += rounds && res.roundtrip;
		lockouts += res.locked_out;
		sealed += res.sealed;
		/* Every round but a replay-only one makes progress. */
		ASSERT_TRUE(verify_only || res.sessions > 0) {
			TH_LOG("round %ld made no write", rounds);
		}
		/*
		 * A full or sealed (appraise func=POLICY_CHECK) policy ends
		 * every namespace it is replayed into at once: replay it
		 * once, to check it reads back the same, then start afresh.
		 */
		if (verify_only) {
			free(previous);
			previous = NULL;
		}
		verify_only = res.sealed || res.full;
		for (i = 0; i < 64; i++)
			errnos[i] += res.errnos[i];
		rounds++;
		if (broken_total > 20)
			break;
	}
	free(previous);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("# stress: policy_fuzzer: %ld writes, %ld accepted, %ld namespaces, %.1fs\n",
	       sessions, accepted, rounds, ts.tv_sec + ts.tv_nsec / 1e9 - start);
	printf("# stress: policy_fuzzer: refused EINVAL %ld EPERM %ld EACCES %ld\n",
	       errnos[EINVAL], errnos[EPERM], errnos[EACCES]);
	printf("# stress: policy_fuzzer: refused ENOSPC %ld E2BIG %ld other %ld\n",
	       errnos[ENOSPC], errnos[E2BIG], errnos[0]);
	printf("# stress: policy_fuzzer: %ld read-backs replayed, %ld lock-outs, %ld sealed\n",
	       roundtrips, lockouts, sealed);
	EXPECT_EQ(0, broken_total);
	EXPECT_LT(0, accepted);
}

TEST_HARNESS_MAIN
