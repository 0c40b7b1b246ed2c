// SPDX-License-Identifier: GPL-2.0-only
/*
 * Measurement in IMA namespaces: each namespace's list holds what its own
 * policy asks for, in it and in the namespaces below it; every ancestor,
 * up to the host, applies its own policy to the same events; nesting to
 * the user-namespace depth limit; host root's actions in a container are
 * the host's; re-measurement after a change and no duplicates; the ima-ns
 * template names the namespace where an event happened.
 *
 * Needs root, a kernel with CONFIG_IMA_NS, a scratch directory on a block
 * filesystem ($IMA_NS_SCRATCH) and a "true" program to copy. The checks of
 * the host's list need the ima_policy=tcb rules. Skips otherwise.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ima_ns_ctr.h"

/* User-namespace nesting limit below the initial one. */
#define MAX_DEPTH	32
#define MAX_CTRS	(MAX_DEPTH + 8)

/* Container uids other than root; no host rule names them. */
#define CTR_USER_UID		4306
#define RUNTIME_UID		4307
/* Owner of the reads a host rule with template=ima-ns measures. */
#define IMA_NS_READER_UID	4320

#define STR_(x)		#x
#define STR(x)		STR_(x)

#define SECURITYFS_MAGIC_RULE	"dont_measure fsmagic=0x73636673\n"
#define MEASURE_EXEC		"measure func=BPRM_CHECK\n"
#define MEASURE_READ		SECURITYFS_MAGIC_RULE \
				"measure func=FILE_CHECK mask=MAY_READ\n"

/* ima_policy=tcb rules the host checks below rely on. */
#define TCB_EXEC_RULE	"measure func=BPRM_CHECK mask=MAY_EXEC"
#define TCB_READ_RULE	"measure func=FILE_CHECK mask=^MAY_READ uid=0"
#define HOST_NS_RULE	"measure func=FILE_CHECK mask=^MAY_READ uid=" \
			STR(IMA_NS_READER_UID) " template=ima-ns"

static const struct ima_ctr_ids unprivileged = {
	.owner = RUNTIME_UID, .base = RUNTIME_UID, .count = 1,
};

/**
 * struct ctrs - the containers a test started, stopped at teardown
 * @ctr: the containers, parents before children
 * @nr: number of @ctr in use
 */
struct ctrs {
	struct ima_ctr ctr[MAX_CTRS];
	int nr;
};

FIXTURE(measure) {
	/* Where the test creates files; short enough to add names to. */
	char dir[256];
	char true_prog[PATH_MAX];
	struct ctrs ctrs;
};

FIXTURE_SETUP(measure)
{
	const char *reason = ima_ns_missing();
	char scratch[PATH_MAX];
	const char *unusable;

	self->ctrs.nr = 0;
	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, ima_scratch_dir(scratch, sizeof(scratch)));
	unusable = ima_scratch_unusable(scratch);
	if (unusable)
		SKIP(return, "%.200s: %s", scratch, unusable);
	if (find_true(self->true_prog))
		SKIP(return, "no 'true' program to execute");

	/* Every container uid may create files here. */
	ASSERT_GT(sizeof(self->dir),
		  snprintf(self->dir, sizeof(self->dir), "%s/measure-XXXXXX",
			   scratch));
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 01777));
}

FIXTURE_TEARDOWN(measure)
{
	while (self->ctrs.nr)
		ima_ctr_stop(&self->ctrs.ctr[--self->ctrs.nr]);
	if (self->dir[0])
		remove_tree(self->dir);
}

/*
 * Start a container (nested in @parent if not NULL) and, if @policy is not
 * NULL, activate its IMA namespace with SHA-256 and that policy.
 */
static struct ima_ctr *start(struct ctrs *ctrs, struct ima_ctr *parent,
			     const struct ima_ctr_ids *ids, const char *policy)
{
	struct ima_ctr *ctr;

	if (ctrs->nr == MAX_CTRS)
		return NULL;
	ctr = &ctrs->ctr[ctrs->nr];
	if (parent ? ima_ctr_spawn(parent, ctr, ids) :
		     ima_ctr_start(ctr, ids))
		return NULL;
	ctrs->nr++;
	if (!policy)
		return ctr;
	if (ima_ctr_activate(ctr, "sha256", NULL))
		return NULL;
	if (*policy && ima_ctr_policy_write(ctr, policy))
		return NULL;
	return ctr;
}

/* A new program in the test's directory: a copy of "true". */
static void make_exe(struct __test_metadata *_metadata, const char *dir,
		     const char *prog, const char *name, char *path,
		     size_t size)
{
	ASSERT_GT(size, snprintf(path, size, "%s/%s", dir, name));
	ASSERT_EQ(0, copy_file(prog, path, 0755));
}

/* A new data file in the test's directory, readable by all. */
static void make_file(struct __test_metadata *_metadata, const char *dir,
		      const char *name, char *path, size_t size)
{
	ASSERT_GT(size, snprintf(path, size, "%s/%s", dir, name));
	ASSERT_EQ(0, write_file(path, path, strlen(path), O_CREAT | O_EXCL,
				0644));
}

/* Read a file in a container as @uid: the number of bytes, or -errno. */
static ssize_t ctr_read_once(struct ima_ctr *ctr, int uid, const char *path)
{
	ssize_t len;
	char *buf;

	len = ima_ctr_read(ctr, uid, path, &buf);
	if (len >= 0)
		free(buf);
	return len;
}

/* Read a file as host uid @uid, in a child: 0 or -1. */
static int host_read_as(uid_t uid, const char *path)
{
	int status;
	pid_t pid;
	char *buf;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(setresgid(uid, uid, uid) || setresuid(uid, uid, uid) ||
		      read_file(path, &buf) < 0);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return 0;
}

static int count_name(const struct ima_list *list, const char *name)
{
	ssize_t idx = -1;
	int n = 0;

	while ((idx = ima_list_find(list, idx + 1, name, NULL)) >= 0)
		n++;
	return n;
}

/* How many entries of a container's list name @path, or -errno. */
static int ctr_count(struct ima_ctr *ctr, const char *path)
{
	struct ima_list list;
	int ret;

	ret = ima_ctr_list(ctr, &list);
	if (ret)
		return ret;
	ret = count_name(&list, path);
	ima_list_free(&list);
	return ret;
}

static int host_count(const char *path)
{
	struct ima_list list;
	int ret;

	ret = ima_list_read(IMA_BINARY_LIST, SHA1_DIGEST_SIZE, &list);
	if (ret)
		return ret;
	ret = count_name(&list, path);
	ima_list_free(&list);
	return ret;
}

/* The host policy has a rule (in read-back format): 1, 0 or -errno. */
static int host_has_rules(const char *a, const char *b)
{
	int ret = ima_policy_has_rule(a);

	return ret == 1 && b ? ima_policy_has_rule(b) : ret;
}

/*
 * The last entry for @path in a container's list has the SHA-256 of the
 * file as it is now. Return: the number of entries for @path.
 */
static int expect_last_digest(struct __test_metadata *_metadata,
			      struct ima_ctr *ctr, const char *path)
{
	__u8 digest[SHA256_DIGEST_SIZE];
	struct ima_list list;
	struct ima_ng ng, last;
	ssize_t idx = -1;
	int n = 0;

	if (sha256_file(path, digest) || ima_ctr_list(ctr, &list))
		return -1;
	while ((idx = ima_list_find(&list, idx + 1, path, &ng)) >= 0) {
		last = ng;
		n++;
	}
	if (n) {
		EXPECT_STREQ("sha256", last.algo);
		EXPECT_EQ(SHA256_DIGEST_SIZE, last.digest_len);
		EXPECT_EQ(0, memcmp(digest, last.digest, sizeof(digest))) {
			TH_LOG("%s: digest is not the file's", path);
		}
	}
	ima_list_free(&list);
	return n;
}

/* Sibling containers each have a list of their own executions. */
TEST_F_TIMEOUT(measure, siblings_own_lists, 120)
{
	char fa[PATH_MAX], fb[PATH_MAX];
	struct ima_ctr *a, *b;

	a = start(&self->ctrs, NULL, &ima_ctr_rootful, MEASURE_EXEC);
	ASSERT_NE(NULL, a);
	b = start(&self->ctrs, NULL, &ima_ctr_rootful, MEASURE_EXEC);
	ASSERT_NE(NULL, b);
	make_exe(_metadata, self->dir, self->true_prog, "sibling-a", fa, sizeof(fa));
	make_exe(_metadata, self->dir, self->true_prog, "sibling-b", fb, sizeof(fb));

	EXPECT_EQ(0, ima_ctr_exec(a, IMA_CTR_ROOT, fa));
	EXPECT_EQ(0, ima_ctr_exec(b, IMA_CTR_ROOT, fb));
	EXPECT_EQ(1, expect_last_digest(_metadata, a, fa));
	EXPECT_EQ(0, ctr_count(a, fb));
	EXPECT_EQ(1, expect_last_digest(_metadata, b, fb));
	EXPECT_EQ(0, ctr_count(b, fa));
}

/*
 * The host measures container activity where its own policy says so, and
 * only there. With ima_policy=tcb: every execution, and reads by host uid
 * 0, i.e. by a rootful container's root but not by its other users nor by
 * the root of an unprivileged user's container.
 */
TEST_F_TIMEOUT(measure, host_policy_applies, 120)
{
	char exe[PATH_MAX], by_root[PATH_MAX], by_user[PATH_MAX];
	char by_unpriv[PATH_MAX];
	struct ima_ctr *ctr, *unpriv;
	int ret;

	ret = host_has_rules(TCB_EXEC_RULE, TCB_READ_RULE);
	if (ret < 0)
		SKIP(return, "host policy not readable (CONFIG_IMA_READ_POLICY)");
	if (!ret)
		SKIP(return, "host policy is not ima_policy=tcb");
	ctr = start(&self->ctrs, NULL, &ima_ctr_rootful,
		    MEASURE_EXEC MEASURE_READ);
	ASSERT_NE(NULL, ctr);
	unpriv = start(&self->ctrs, NULL, &unprivileged,
		       MEASURE_EXEC MEASURE_READ);
	ASSERT_NE(NULL, unpriv);
	make_exe(_metadata, self->dir, self->true_prog, "host-exec", exe, sizeof(exe));
	make_file(_metadata, self->dir, "host-read-root", by_root, sizeof(by_root));
	make_file(_metadata, self->dir, "host-read-user", by_user, sizeof(by_user));
	make_file(_metadata, self->dir, "host-read-unpriv", by_unpriv,
		  sizeof(by_unpriv));

	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	EXPECT_LT(0, ctr_read_once(ctr, IMA_CTR_ROOT, by_root));
	EXPECT_LT(0, ctr_read_once(ctr, CTR_USER_UID, by_user));
	EXPECT_LT(0, ctr_read_once(unpriv, IMA_CTR_ROOT, by_unpriv));

	/* The containers' own policies measure it all... */
	EXPECT_EQ(1, ctr_count(ctr, exe));
	EXPECT_EQ(1, ctr_count(ctr, by_root));
	EXPECT_EQ(1, ctr_count(ctr, by_user));
	EXPECT_EQ(1, ctr_count(unpriv, by_unpriv));
	/* ...the host's what tcb covers. */
	EXPECT_EQ(1, host_count(exe));
	EXPECT_EQ(1, host_count(by_root));
	EXPECT_EQ(0, host_count(by_user));
	EXPECT_EQ(0, host_count(by_unpriv));
}

/*
 * A parent namespace's policy covers its children's activity, whether the
 * child has an IMA namespace of its own or not; a child's policy does not
 * cover its parent's.
 */
TEST_F_TIMEOUT(measure, parent_measures_child, 120)
{
	char in_b[PATH_MAX], in_c[PATH_MAX], read_b[PATH_MAX];
	struct ima_ctr *a, *b, *c;

	a = start(&self->ctrs, NULL, &ima_ctr_rootful, MEASURE_EXEC);
	ASSERT_NE(NULL, a);
	b = start(&self->ctrs, a, &ima_ctr_rootful, MEASURE_READ);
	ASSERT_NE(NULL, b);
	c = start(&self->ctrs, a, &ima_ctr_rootful, NULL);
	ASSERT_NE(NULL, c);
	make_exe(_metadata, self->dir, self->true_prog, "child-b", in_b, sizeof(in_b));
	make_exe(_metadata, self->dir, self->true_prog, "child-c", in_c, sizeof(in_c));
	make_file(_metadata, self->dir, "child-b-read", read_b, sizeof(read_b));

	EXPECT_EQ(0, ima_ctr_exec(b, IMA_CTR_ROOT, in_b));
	EXPECT_EQ(0, ima_ctr_exec(c, IMA_CTR_ROOT, in_c));
	EXPECT_LT(0, ctr_read_once(b, IMA_CTR_ROOT, read_b));

	EXPECT_EQ(1, ctr_count(a, in_b));
	EXPECT_EQ(1, ctr_count(a, in_c));
	EXPECT_EQ(0, ctr_count(a, read_b));
	EXPECT_EQ(0, ctr_count(b, in_b));
	EXPECT_EQ(1, ctr_count(b, read_b));
	EXPECT_EQ(0, ctr_count(b, in_c));
}

/*
 * Nesting to the user-namespace depth limit: an execution at the deepest
 * level is measured once by each level whose policy measures executions,
 * by none whose policy does not, and by the host.
 */
TEST_F_TIMEOUT(measure, nested_to_max_depth, 900)
{
	/* Levels (1 = child of the host) with an IMA namespace. */
	static const int measuring[] = { 1, 2, 16, 31, MAX_DEPTH };
	static const int quiet = 8;
	struct ima_ctr *level[MAX_DEPTH + 1] = {}, *parent = NULL;
	const char *policy;
	char exe[PATH_MAX];
	int depth, i;

	for (depth = 1; depth <= MAX_DEPTH; depth++) {
		policy = depth == quiet ? MEASURE_READ : NULL;
		for (i = 0; i < ARRAY_SIZE(measuring); i++)
			if (measuring[i] == depth)
				policy = MEASURE_EXEC;
		level[depth] = start(&self->ctrs, parent, &ima_ctr_rootful,
				     policy);
		ASSERT_NE(NULL, level[depth]) {
			TH_LOG("cannot start level %d", depth);
		}
		parent = level[depth];
	}
	make_exe(_metadata, self->dir, self->true_prog, "deepest", exe, sizeof(exe));
	EXPECT_EQ(0, ima_ctr_exec(level[MAX_DEPTH], IMA_CTR_ROOT, exe));

	for (i = 0; i < ARRAY_SIZE(measuring); i++)
		EXPECT_EQ(1, ctr_count(level[measuring[i]], exe)) {
			TH_LOG("level %d", measuring[i]);
		}
	EXPECT_EQ(0, ctr_count(level[quiet], exe));
	if (host_has_rules(TCB_EXEC_RULE, NULL) == 1)
		EXPECT_EQ(1, host_count(exe));
}

static int exec_true(void *path)
{
	char *const argv[] = { "true", NULL };

	return exec_status(path, argv);
}

/* Execute @path as host root after entering @pid's mount namespace. */
static int host_exec_in(pid_t pid, const char *path)
{
	return ima_in_mntns(pid, exec_true, (void *)path);
}

/*
 * Host root executing, in the container's mount namespace, a program the
 * container created is measured by the host, not by the container.
 */
TEST_F_TIMEOUT(measure, host_root_in_container, 120)
{
	char path[PATH_MAX];
	struct ima_ctr *ctr;
	ssize_t len;
	char *prog;

	if (host_has_rules(TCB_EXEC_RULE, NULL) != 1)
		SKIP(return, "host policy does not measure executions (tcb)");
	ctr = start(&self->ctrs, NULL, &ima_ctr_rootful, MEASURE_EXEC);
	ASSERT_NE(NULL, ctr);
	len = read_file(self->true_prog, &prog);
	ASSERT_LT(0, len);
	snprintf(path, sizeof(path), "%s/made-in-container", self->dir);
	EXPECT_EQ(0, ima_ctr_write(ctr, IMA_CTR_ROOT, path, prog, len,
				   O_CREAT | O_EXCL, 0755));
	free(prog);

	EXPECT_EQ(0, host_exec_in(ctr->pid, path));
	EXPECT_EQ(1, host_count(path));
	EXPECT_EQ(0, ctr_count(ctr, path));
}

/*
 * A program is measured again after it changes, whoever changes it (the
 * container or the host), with the new digest; not while it is unchanged.
 */
TEST_F_TIMEOUT(measure, remeasured_after_change, 120)
{
	static const char junk[] = "appended";
	struct ima_ctr *ctr;
	char exe[PATH_MAX];

	ctr = start(&self->ctrs, NULL, &ima_ctr_rootful, MEASURE_EXEC);
	ASSERT_NE(NULL, ctr);
	make_exe(_metadata, self->dir, self->true_prog, "changing", exe, sizeof(exe));

	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	EXPECT_EQ(1, expect_last_digest(_metadata, ctr, exe));

	ASSERT_EQ(0, ima_ctr_write(ctr, IMA_CTR_ROOT, exe, junk, sizeof(junk),
				   O_APPEND, 0));
	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	EXPECT_EQ(2, expect_last_digest(_metadata, ctr, exe)) {
		TH_LOG("not measured again after the container changed it");
	}

	ASSERT_EQ(0, write_file(exe, junk, sizeof(junk), O_APPEND, 0));
	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	EXPECT_EQ(3, expect_last_digest(_metadata, ctr, exe)) {
		TH_LOG("not measured again after the host changed it");
	}
	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	EXPECT_EQ(3, ctr_count(ctr, exe));
}

/*
 * A list holds an event once: executing a program twice adds one entry,
 * and so does a program that changed back to content measured before.
 */
TEST_F_TIMEOUT(measure, no_duplicates, 120)
{
	static const char junk[] = "appended";
	struct ima_ctr *ctr;
	char exe[PATH_MAX];
	ssize_t len;
	char *prog;

	ctr = start(&self->ctrs, NULL, &ima_ctr_rootful, MEASURE_EXEC);
	ASSERT_NE(NULL, ctr);
	make_exe(_metadata, self->dir, self->true_prog, "twice", exe, sizeof(exe));
	len = read_file(exe, &prog);
	ASSERT_LT(0, len);

	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	EXPECT_EQ(1, ctr_count(ctr, exe));

	ASSERT_EQ(0, write_file(exe, junk, sizeof(junk), O_APPEND, 0));
	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	EXPECT_EQ(2, ctr_count(ctr, exe));
	ASSERT_EQ(0, write_file(exe, prog, len, O_TRUNC, 0));
	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	EXPECT_EQ(2, ctr_count(ctr, exe)) {
		TH_LOG("same content and name measured twice");
	}
	free(prog);
}

/* The nsid field (field 2) of an ima-ns entry, or -1. */
static long long entry_nsid(const struct ima_entry *e)
{
	const __u8 *field;
	__u64 id;
	__u32 len;

	if (strcmp(e->template, "ima-ns") ||
	    ima_entry_field(e, 2, &field, &len) || len != sizeof(id))
		return -1;
	/* In host byte order (x86: also ima_canonical_fmt's). */
	memcpy(&id, field, sizeof(id));
	return id;
}

/* The nsid of the only entry for @path in @list, or -1. */
static long long nsid_of(const struct ima_list *list, const char *path)
{
	ssize_t idx = ima_list_find(list, 0, path, NULL);

	if (idx < 0 || ima_list_find(list, idx + 1, path, NULL) >= 0)
		return -1;
	return entry_nsid(&list->entries[idx]);
}

/*
 * With template=ima-ns, an ancestor's list says in which namespace each
 * event happened: the namespace governing the process (the nearest with
 * an active IMA namespace), in binary and ascii.
 */
TEST_F_TIMEOUT(measure, ima_ns_template, 120)
{
	char in_a[PATH_MAX], in_b[PATH_MAX], in_c[PATH_MAX], want[PATH_MAX + 32];
	struct ima_ctr *a, *b, *c;
	__u64 id_a, id_b;
	struct ima_list list;
	char *ascii, *line;

	a = start(&self->ctrs, NULL, &ima_ctr_rootful,
		  "measure func=BPRM_CHECK template=ima-ns\n");
	ASSERT_NE(NULL, a);
	b = start(&self->ctrs, a, &ima_ctr_rootful, "");
	ASSERT_NE(NULL, b);
	c = start(&self->ctrs, a, &ima_ctr_rootful, NULL);
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, ima_ctr_ns_id(a, &id_a));
	ASSERT_EQ(0, ima_ctr_ns_id(b, &id_b));
	make_exe(_metadata, self->dir, self->true_prog, "ns-a", in_a, sizeof(in_a));
	make_exe(_metadata, self->dir, self->true_prog, "ns-b", in_b, sizeof(in_b));
	make_exe(_metadata, self->dir, self->true_prog, "ns-c", in_c, sizeof(in_c));

	EXPECT_EQ(0, ima_ctr_exec(a, IMA_CTR_ROOT, in_a));
	EXPECT_EQ(0, ima_ctr_exec(b, IMA_CTR_ROOT, in_b));
	EXPECT_EQ(0, ima_ctr_exec(c, IMA_CTR_ROOT, in_c));

	ASSERT_EQ(0, ima_ctr_list(a, &list));
	EXPECT_EQ(id_a, nsid_of(&list, in_a));
	EXPECT_EQ(id_b, nsid_of(&list, in_b));
	EXPECT_EQ(id_a, nsid_of(&list, in_c));
	ima_list_free(&list);

	ASSERT_LT(0, ima_ctr_read(a, IMA_CTR_ROOT, IMA_ASCII_LIST, &ascii));
	line = strstr(ascii, in_b);
	ASSERT_NE(NULL, line);
	snprintf(want, sizeof(want), "%s %llu\n", in_b,
		 (unsigned long long)id_b);
	EXPECT_EQ(0, strncmp(line, want, strlen(want))) {
		TH_LOG("ascii entry: %.*s", (int)strcspn(line, "\n"), line);
	}
	free(ascii);
}

/* The host's list, too, can name the namespace of a container's event. */
TEST_F_TIMEOUT(measure, ima_ns_template_in_host_list, 120)
{
	char path[PATH_MAX];
	struct ima_list list;
	struct ima_ctr *a, *b;
	__u64 id_b;
	int ret;

	ret = ima_policy_add_rule(HOST_NS_RULE);
	if (ret == -EACCES)
		SKIP(return, "host policy not readable (CONFIG_IMA_READ_POLICY)");
	ASSERT_EQ(0, ret);
	a = start(&self->ctrs, NULL, &ima_ctr_rootful, "");
	ASSERT_NE(NULL, a);
	b = start(&self->ctrs, a, &ima_ctr_rootful, "");
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, ima_ctr_ns_id(b, &id_b));
	make_file(_metadata, self->dir, "read-in-b", path, sizeof(path));

	EXPECT_LT(0, ctr_read_once(b, IMA_NS_READER_UID, path));
	ASSERT_EQ(0, ima_list_read(IMA_BINARY_LIST, SHA1_DIGEST_SIZE, &list));
	EXPECT_EQ(id_b, nsid_of(&list, path));
	ima_list_free(&list);

	/* And the host's own events are namespace 0's. */
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "-host");
	ASSERT_EQ(0, write_file(path, path, strlen(path), O_CREAT | O_EXCL,
				0644));
	EXPECT_EQ(0, host_read_as(IMA_NS_READER_UID, path));
	ASSERT_EQ(0, ima_list_read(IMA_BINARY_LIST, SHA1_DIGEST_SIZE, &list));
	EXPECT_EQ(0, nsid_of(&list, path));
	ima_list_free(&list);
}

/*
 * Replay the first @count SHA-256 template digests of a list into PCR
 * @pcr, as a TPM would.
 */
static void replay_sha256(const struct ima_list *list, size_t count,
			  __u32 pcr, __u8 value[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx ctx;
	size_t i;

	memset(value, 0, SHA256_DIGEST_SIZE);
	for (i = 0; i < count && i < list->count; i++) {
		if (list->entries[i].pcr != pcr)
			continue;
		sha256_init(&ctx);
		sha256_update(&ctx, value, SHA256_DIGEST_SIZE);
		sha256_update(&ctx, list->entries[i].digest,
			      SHA256_DIGEST_SIZE);
		sha256_final(&ctx, value);
	}
}

/*
 * evmctl's verdict on @list given PCR 10 = @pcr10: 1 matched, 0 not, -1
 * if it could not run. Its output goes to @out.
 */
static int evmctl_matches(const char *dir, const char *list,
			  const __u8 pcr10[SHA256_DIGEST_SIZE], char *out,
			  size_t size)
{
	char hex[2 * SHA256_DIGEST_SIZE + 1], pcrs[PATH_MAX], arg[PATH_MAX];
	char *const argv[] = { "evmctl", "ima_measurement",
			       "--ignore-violations", "--pcrs", arg,
			       (char *)list, NULL };
	char lines[24 * 80];
	int len = 0, i;

	if (snprintf(pcrs, sizeof(pcrs), "%s/pcrs", dir) >= sizeof(pcrs) ||
	    snprintf(arg, sizeof(arg), "sha256,%s", pcrs) >= sizeof(arg))
		return -1;
	/* evmctl takes the PCRs in order, 0 to 23, whatever their labels. */
	for (i = 0; i < 24; i++) {
		if (i == IMA_MEASURE_PCR)
			bin2hex(hex, pcr10, SHA256_DIGEST_SIZE);
		else
			memset(hex, '0', 2 * SHA256_DIGEST_SIZE);
		hex[2 * SHA256_DIGEST_SIZE] = '\0';
		len += snprintf(lines + len, sizeof(lines) - len,
				"PCR-%02d: %s\n", i, hex);
	}
	if (write_file(pcrs, lines, len, O_CREAT | O_TRUNC, 0600))
		return -1;
	if (run_cmd(argv, out, size) < 0)
		return -1;
	/* It exits 0 on a mismatch too: read its verdict. */
	return !!strstr(out, "Matched per TPM bank");
}

FIXTURE(evmctl) {
	char dir[256];
	char true_prog[PATH_MAX];
	struct ima_ctr ctr;
	bool started;
};

FIXTURE_VARIANT(evmctl) {
	const char *template;
};

FIXTURE_VARIANT_ADD(evmctl, ima_ng) { .template = "ima-ng" };
FIXTURE_VARIANT_ADD(evmctl, ima_sig) { .template = "ima-sig" };
FIXTURE_VARIANT_ADD(evmctl, ima_ns) { .template = "ima-ns" };

FIXTURE_SETUP(evmctl)
{
	const char *reason = ima_ns_missing();
	char scratch[PATH_MAX];

	self->started = false;
	if (reason)
		SKIP(return, "%s", reason);
	if (!have_cmd("evmctl"))
		SKIP(return, "no evmctl (ima-evm-utils)");
	if (find_true(self->true_prog))
		SKIP(return, "no 'true' program to execute");
	ASSERT_EQ(0, ima_scratch_dir(scratch, sizeof(scratch)));
	ASSERT_GT(sizeof(self->dir),
		  snprintf(self->dir, sizeof(self->dir), "%s/evmctl-XXXXXX",
			   scratch));
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 0755));
}

FIXTURE_TEARDOWN(evmctl)
{
	if (self->started)
		ima_ctr_stop(&self->ctr);
	if (self->dir[0])
		remove_tree(self->dir);
}

/*
 * A verifier that knows nothing of namespaces parses a namespace's binary
 * list: evmctl replays it to the PCR 10 value its template digests imply,
 * and rejects another value.
 */
TEST_F_TIMEOUT(evmctl, replays_namespace_list, 120)
{
	char exe[PATH_MAX], view[PATH_MAX], copy[PATH_MAX], out[4096];
	__u8 pcr10[SHA256_DIGEST_SIZE];
	struct ima_list list;
	size_t count;
	__u64 id;

	ASSERT_EQ(0, ima_ctr_start(&self->ctr, &ima_ctr_rootful));
	self->started = true;
	ASSERT_EQ(0, ima_ctr_activate(&self->ctr, "sha256", variant->template));
	ASSERT_EQ(0, ima_ctr_policy_write(&self->ctr, MEASURE_EXEC));
	make_exe(_metadata, self->dir, self->true_prog, "true", exe,
		 sizeof(exe));
	ASSERT_EQ(0, ima_ctr_exec(&self->ctr, IMA_CTR_ROOT, exe));

	/* evmctl reads the SHA-1 list and hashes each bank's digests itself. */
	ASSERT_EQ(0, ima_ctr_ns_id(&self->ctr, &id));
	ASSERT_EQ(0, ima_host_ns_path(id, "binary_runtime_measurements", view,
				      sizeof(view)));
	ASSERT_GT(sizeof(copy),
		  snprintf(copy, sizeof(copy), "%s/list", self->dir));
	ASSERT_EQ(0, copy_file(view, copy, 0600));
	ASSERT_EQ(0, ima_list_read(copy, SHA1_DIGEST_SIZE, &list));
	count = list.count;
	ima_list_free(&list);
	ASSERT_LE(2, count);

	/* PCR 10 of the SHA-256 bank, from the kernel's SHA-256 digests. */
	ASSERT_EQ(0, ima_host_ns_path(id, "binary_runtime_measurements_sha256",
				      view, sizeof(view)));
	ASSERT_EQ(0, ima_list_read(view, SHA256_DIGEST_SIZE, &list));
	EXPECT_EQ(0, strcmp(list.entries[0].template, variant->template));
	replay_sha256(&list, count, IMA_MEASURE_PCR, pcr10);
	ima_list_free(&list);

	EXPECT_EQ(1, evmctl_matches(self->dir, copy, pcr10, out, sizeof(out)))
		TH_LOG("evmctl: %.2000s", out);
	pcr10[0] ^= 1;
	EXPECT_EQ(0, evmctl_matches(self->dir, copy, pcr10, out, sizeof(out)));
}

TEST_HARNESS_MAIN
