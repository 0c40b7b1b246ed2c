// SPDX-License-Identifier: GPL-2.0-only
/*
 * Audit in IMA namespaces: a namespace's audit rules log one
 * INTEGRITY_RULE record per file version, tagged with the namespace's id;
 * every namespace up to the host applies its own; violations in a
 * namespace are counted there but never audited to the host.
 *
 * The test is the audit daemon (ima_ns_audit.c): it registers its netlink
 * socket with AUDIT_SET and reads the records. To know that every record
 * of an action arrived, it then logs a USER record of its own and reads up
 * to it: the kernel delivers records in order.
 *
 * Needs root, a kernel with CONFIG_IMA_NS and CONFIG_AUDIT, no other audit
 * daemon, a scratch directory on a block filesystem ($IMA_NS_SCRATCH) and
 * a "true" program to copy. Skips otherwise.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ima_ns_audit.h"
#include "ima_ns_ctr.h"

#define STR_(x)		#x
#define STR(x)		STR_(x)

/* Owner of the files a host audit rule covers; no other rule names it. */
#define HOST_AUDIT_UID	4311
#define HOST_AUDIT_RULE	"audit func=BPRM_CHECK mask=MAY_EXEC fowner=" \
			STR(HOST_AUDIT_UID)
/* A container user whose reads the host's tcb policy does not measure. */
#define CTR_USER_UID	4312

#define TCB_READ_RULE	"measure func=FILE_CHECK mask=^MAY_READ uid=0"
#define AUDIT_EXEC	"audit func=BPRM_CHECK\n"
#define MEASURE_READ	"dont_measure fsmagic=0x73636673\n" \
			"measure func=FILE_CHECK mask=MAY_READ\n"

/*
 * Records of @type about @path (file="..." or name="...") from namespace
 * @ns (any if -1).
 */
static int count_records(const struct ima_audit_records *recs, int type,
			 const char *path, long long ns)
{
	return ima_audit_count(recs, type, path, ns, NULL);
}

/* The hash="..." that INTEGRITY_RULE records of @path show, if one. */
static bool record_has_hash(const struct ima_audit_records *recs,
			    const char *path,
			    const char *hash)
{
	char file[PATH_MAX + 16], want[160];
	int i;

	snprintf(file, sizeof(file), "file=\"%s\"", path);
	snprintf(want, sizeof(want), "hash=\"%s\"", hash);
	for (i = 0; i < recs->count; i++)
		if (recs->type[i] == AUDIT_INTEGRITY_RULE &&
		    strstr(recs->text[i], file) && strstr(recs->text[i], want))
			return true;
	return false;
}

/* "sha256:<hex>" of a file. */
static int file_hash(const char *path, char *buf, size_t size)
{
	__u8 digest[SHA256_DIGEST_SIZE];
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	int ret;

	ret = sha256_file(path, digest);
	if (ret)
		return ret;
	bin2hex(hex, digest, sizeof(digest));
	snprintf(buf, size, "sha256:%s", hex);
	return 0;
}

/**
 * struct env - what each test has
 * @ad: the audit daemon
 * @recs: records received by the last sync_records()
 * @dir: a directory for the test's files, writable by all
 * @true_prog: the "true" program to copy
 * @ctr: containers, stopped at teardown
 * @nr_ctrs: number of @ctr started
 */
struct env {
	struct ima_auditd ad;
	struct ima_audit_records recs;
	char dir[256];
	char true_prog[PATH_MAX];
	struct ima_ctr ctr[4];
	int nr_ctrs;
};

static void env_setup(struct __test_metadata *_metadata, struct env *self)
{
	const char *reason = ima_ns_missing();
	char scratch[PATH_MAX];
	const char *unusable;
	int ret;

	self->ad.sock = -1;
	self->nr_ctrs = 0;
	memset(&self->recs, 0, sizeof(self->recs));
	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, ima_scratch_dir(scratch, sizeof(scratch)));
	unusable = ima_scratch_unusable(scratch);
	if (unusable)
		SKIP(return, "%.200s: %s", scratch, unusable);
	if (find_true(self->true_prog))
		SKIP(return, "no 'true' program to execute");

	ret = ima_auditd_start(&self->ad);
	if (ret == -EEXIST)
		SKIP(return, "another audit daemon is running");
	if (ret == -EPROTONOSUPPORT || ret == -ECONNREFUSED)
		SKIP(return, "no audit (CONFIG_AUDIT)");
	ASSERT_EQ(0, ret);
	/* Drop what was logged before. */
	ASSERT_EQ(0, ima_audit_sync(&self->ad, &self->recs));
	ima_audit_records_free(&self->recs);

	ASSERT_GT(sizeof(self->dir),
		  snprintf(self->dir, sizeof(self->dir), "%s/audit-XXXXXX",
			   scratch));
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 01777));
}

static void env_teardown(struct env *self)
{
	while (self->nr_ctrs)
		ima_ctr_stop(&self->ctr[--self->nr_ctrs]);
	ima_auditd_stop(&self->ad);
	ima_audit_records_free(&self->recs);
	if (self->dir[0])
		remove_tree(self->dir);
}

FIXTURE(audit) {
	struct env env;
};

FIXTURE_SETUP(audit)
{
	env_setup(_metadata, &self->env);
}

FIXTURE_TEARDOWN(audit)
{
	env_teardown(&self->env);
}

/*
 * A container with its IMA namespace active (SHA-256) and @policy, nested
 * in @parent if not NULL. Stopped at teardown.
 */
static struct ima_ctr *start(struct __test_metadata *_metadata,
			     struct ima_ctr *ctrs, int *nr,
			     struct ima_ctr *parent, const char *policy)
{
	struct ima_ctr *ctr = &ctrs[*nr];

	if (parent ? ima_ctr_spawn(parent, ctr, &ima_ctr_rootful) :
		     ima_ctr_start(ctr, &ima_ctr_rootful))
		return NULL;
	(*nr)++;
	if (ima_ctr_activate(ctr, "sha256", NULL) ||
	    (*policy && ima_ctr_policy_write(ctr, policy)))
		return NULL;
	return ctr;
}

#define START(parent, policy) \
	start(_metadata, self->env.ctr, &self->env.nr_ctrs, parent, policy)

static void make_exe(struct __test_metadata *_metadata, const char *dir,
		     const char *prog, const char *name, char *path,
		     size_t size)
{
	ASSERT_GT(size, snprintf(path, size, "%s/%s", dir, name));
	ASSERT_EQ(0, copy_file(prog, path, 0755));
}

static void sync_records(struct __test_metadata *_metadata, struct env *self)
{
	ima_audit_records_free(&self->recs);
	ASSERT_EQ(0, ima_audit_sync(&self->ad, &self->recs)) {
		TH_LOG("the audit records did not arrive");
	}
}

/*
 * A namespace's audit rule logs one INTEGRITY_RULE record per version of a
 * file, with the namespace's id and the file's hash; the host, whose
 * policy does not audit the file, logs none.
 */
TEST_F_TIMEOUT(audit, once_per_version, 120)
{
	static const char junk[] = "appended";
	char exe[PATH_MAX], hash[80];
	struct ima_ctr *ctr;
	__u64 id;

	ctr = START(NULL, AUDIT_EXEC);
	ASSERT_NE(NULL, ctr);
	ASSERT_EQ(0, ima_ctr_ns_id(ctr, &id));
	make_exe(_metadata, self->env.dir, self->env.true_prog, "audited", exe,
		 sizeof(exe));

	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	sync_records(_metadata, &self->env);
	EXPECT_EQ(1, count_records(&self->env.recs, AUDIT_INTEGRITY_RULE, exe,
				   id));
	EXPECT_EQ(1, count_records(&self->env.recs, AUDIT_INTEGRITY_RULE, exe,
				   -1));
	ASSERT_EQ(0, file_hash(exe, hash, sizeof(hash)));
	EXPECT_TRUE(record_has_hash(&self->env.recs, exe, hash));

	ASSERT_EQ(0, ima_ctr_write(ctr, IMA_CTR_ROOT, exe, junk, sizeof(junk),
				   O_APPEND, 0));
	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	sync_records(_metadata, &self->env);
	EXPECT_EQ(1, count_records(&self->env.recs, AUDIT_INTEGRITY_RULE, exe,
				   id)) {
		TH_LOG("new version not audited once");
	}
	ASSERT_EQ(0, file_hash(exe, hash, sizeof(hash)));
	EXPECT_TRUE(record_has_hash(&self->env.recs, exe, hash));

	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	sync_records(_metadata, &self->env);
	EXPECT_EQ(0, count_records(&self->env.recs, AUDIT_INTEGRITY_RULE, exe,
				   -1));
}

/* Each namespace up the chain applies its own audit rule, once. */
TEST_F_TIMEOUT(audit, each_namespace, 120)
{
	struct ima_ctr *parent, *child;
	__u64 parent_id, child_id;
	char exe[PATH_MAX];

	parent = START(NULL, AUDIT_EXEC);
	ASSERT_NE(NULL, parent);
	child = START(parent, AUDIT_EXEC);
	ASSERT_NE(NULL, child);
	ASSERT_EQ(0, ima_ctr_ns_id(parent, &parent_id));
	ASSERT_EQ(0, ima_ctr_ns_id(child, &child_id));
	make_exe(_metadata, self->env.dir, self->env.true_prog, "nested", exe,
		 sizeof(exe));

	EXPECT_EQ(0, ima_ctr_exec(child, IMA_CTR_ROOT, exe));
	EXPECT_EQ(0, ima_ctr_exec(child, IMA_CTR_ROOT, exe));
	sync_records(_metadata, &self->env);
	EXPECT_EQ(1, count_records(&self->env.recs, AUDIT_INTEGRITY_RULE, exe,
				   child_id));
	EXPECT_EQ(1, count_records(&self->env.recs, AUDIT_INTEGRITY_RULE, exe,
				   parent_id));
	EXPECT_EQ(2, count_records(&self->env.recs, AUDIT_INTEGRITY_RULE, exe,
				   -1));

	/* The parent's own activity is the parent's only. */
	EXPECT_EQ(0, ima_ctr_exec(parent, IMA_CTR_ROOT, exe));
	sync_records(_metadata, &self->env);
	EXPECT_EQ(0, count_records(&self->env.recs, AUDIT_INTEGRITY_RULE, exe,
				   -1)) {
		TH_LOG("the parent audited a version it had audited");
	}
}

/*
 * A host audit rule logs ima_ns=0, for the host's activity and for a
 * container's, which its own policy does not audit.
 */
TEST_F_TIMEOUT(audit, host_rule, 120)
{
	char on_host[PATH_MAX], in_ctr[PATH_MAX];
	struct ima_ctr *ctr;
	char *const argv[] = { "true", NULL };
	__u64 id;
	int ret;

	ret = ima_policy_add_rule(HOST_AUDIT_RULE);
	if (ret == -EACCES)
		SKIP(return, "host policy not readable (CONFIG_IMA_READ_POLICY)");
	ASSERT_EQ(0, ret);
	ctr = START(NULL, "measure func=BPRM_CHECK\n");
	ASSERT_NE(NULL, ctr);
	ASSERT_EQ(0, ima_ctr_ns_id(ctr, &id));
	make_exe(_metadata, self->env.dir, self->env.true_prog, "host-audited",
		 on_host, sizeof(on_host));
	make_exe(_metadata, self->env.dir, self->env.true_prog, "host-audited-in-ctr",
		 in_ctr, sizeof(in_ctr));
	ASSERT_EQ(0, chown(on_host, HOST_AUDIT_UID, HOST_AUDIT_UID));
	ASSERT_EQ(0, chown(in_ctr, HOST_AUDIT_UID, HOST_AUDIT_UID));

	EXPECT_EQ(0, exec_status(on_host, argv));
	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, in_ctr));
	sync_records(_metadata, &self->env);
	EXPECT_EQ(1, count_records(&self->env.recs, AUDIT_INTEGRITY_RULE, on_host,
				   0));
	EXPECT_EQ(1, count_records(&self->env.recs, AUDIT_INTEGRITY_RULE, in_ctr,
				   0));
	EXPECT_EQ(1, count_records(&self->env.recs, AUDIT_INTEGRITY_RULE, in_ctr,
				   -1)) {
		TH_LOG("audited by a namespace without an audit rule");
	}
}

/* Owners of the programs the appraisal-denial cases cover. */
#define DENIED_UID	4313
#define RUNTIME_UID	4314

FIXTURE(denial) {
	struct env env;
};

FIXTURE_VARIANT(denial) {
	const struct ima_ctr_ids *ids;
	int owner;		/* of the program, in the container */
	uid_t host_owner;	/* of the program, on the host */
	bool audited;
};

/* The namespace's root is host root: its denials are audited. */
FIXTURE_VARIANT_ADD(denial, rootful) {
	.ids = &ima_ctr_rootful, .owner = DENIED_UID,
	.host_owner = DENIED_UID, .audited = true,
};

/* An unprivileged runtime's: it cannot fill the host's log. */
FIXTURE_VARIANT_ADD(denial, unprivileged) {
	.ids = &(const struct ima_ctr_ids){ .owner = RUNTIME_UID,
					    .base = RUNTIME_UID, .count = 1 },
	.owner = 0, .host_owner = RUNTIME_UID, .audited = false,
};

FIXTURE_SETUP(denial)
{
	env_setup(_metadata, &self->env);
}

FIXTURE_TEARDOWN(denial)
{
	env_teardown(&self->env);
}

/* A namespace's appraisal denials are audited if its root is host root. */
TEST_F_TIMEOUT(denial, appraisal, 120)
{
	struct ima_ctr *ctr = &self->env.ctr[0];
	char exe[PATH_MAX], rule[128];
	int n;

	snprintf(rule, sizeof(rule),
		 "appraise func=BPRM_CHECK fowner=%d appraise_type=imasig\n",
		 variant->owner);
	ASSERT_EQ(0, ima_ctr_start(ctr, variant->ids));
	self->env.nr_ctrs++;
	ASSERT_EQ(0, ima_ctr_activate(ctr, "sha256", NULL));
	ASSERT_EQ(0, ima_ctr_policy_write(ctr, rule));
	make_exe(_metadata, self->env.dir, self->env.true_prog, "denied", exe,
		 sizeof(exe));
	ASSERT_EQ(0, chown(exe, variant->host_owner, variant->host_owner));

	EXPECT_EQ(-EACCES, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	EXPECT_EQ(-EACCES, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	sync_records(_metadata, &self->env);
	n = count_records(&self->env.recs, AUDIT_INTEGRITY_DATA, exe, -1);
	/* One record per denied exec, or none. */
	EXPECT_EQ(variant->audited ? 2 : 0, n);
}

/*
 * Violations: ToMToU (a measured file opened for writing while open for
 * reading) and open_writers (a measured read of a file open for writing).
 */
FIXTURE(violation) {
	struct env env;
};

FIXTURE_VARIANT(violation) {
	bool tomtou;
};

FIXTURE_VARIANT_ADD(violation, open_writers) {
	.tomtou = false,
};

FIXTURE_VARIANT_ADD(violation, tomtou) {
	.tomtou = true,
};

FIXTURE_SETUP(violation)
{
	env_setup(_metadata, &self->env);
}

FIXTURE_TEARDOWN(violation)
{
	env_teardown(&self->env);
}

/* Cause a violation on @path in @ctr as @uid (the host if @ctr is NULL). */
static int violate(struct ima_ctr *ctr, int uid, const char *path,
		   bool tomtou)
{
	int first, second, ret = 0;
	int flags[2] = { O_WRONLY, O_RDONLY };

	if (tomtou) {
		flags[0] = O_RDONLY;
		flags[1] = O_WRONLY;
	}
	first = ctr ? ima_ctr_open(ctr, uid, path, flags[0]) :
		      open(path, flags[0] | O_CLOEXEC);
	if (first < 0)
		return ctr ? first : -errno;
	second = ctr ? ima_ctr_open(ctr, uid, path, flags[1]) :
		       open(path, flags[1] | O_CLOEXEC);
	if (second < 0)
		ret = ctr ? second : -errno;
	else if (ctr)
		ima_ctr_close(ctr, second);
	else
		close(second);
	if (ctr)
		ima_ctr_close(ctr, first);
	else
		close(first);
	return ret;
}

/*
 * In a namespace, a violation is recorded in the namespace's list and
 * counter and audited nowhere; the host, whose policy does not measure
 * the file, records nothing.
 */
TEST_F_TIMEOUT(violation, in_namespace, 120)
{
	__u64 host_before, host_after;
	char path[PATH_MAX], *buf;
	struct ima_list list;
	struct ima_ctr *ctr;

	ctr = START(NULL, MEASURE_READ);
	ASSERT_NE(NULL, ctr);
	snprintf(path, sizeof(path), "%s/violated", self->env.dir);
	ASSERT_EQ(0, write_file(path, path, strlen(path), O_CREAT | O_EXCL,
				0644));
	ASSERT_EQ(0, chown(path, CTR_USER_UID, CTR_USER_UID));
	ASSERT_EQ(0, read_u64_file(IMA_DIR "/violations", &host_before));

	EXPECT_EQ(0, violate(ctr, CTR_USER_UID, path, variant->tomtou));
	sync_records(_metadata, &self->env);
	EXPECT_EQ(0, count_records(&self->env.recs, AUDIT_INTEGRITY_PCR, path,
				   -1)) {
		TH_LOG("a namespace's violation was audited");
	}
	ASSERT_LE(0, ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_VIOLATIONS, &buf));
	EXPECT_STREQ("1\n", buf);
	free(buf);
	ASSERT_EQ(0, ima_ctr_list(ctr, &list));
	EXPECT_EQ(1, ima_list_count_violations(&list, path));
	ima_list_free(&list);
	ASSERT_EQ(0, read_u64_file(IMA_DIR "/violations", &host_after));
	EXPECT_EQ(host_before, host_after);
}

/* On the host, the same violation is counted and audited (INTEGRITY_PCR). */
TEST_F_TIMEOUT(violation, on_host, 120)
{
	__u64 before, after;
	char path[PATH_MAX];
	int ret;

	ret = ima_policy_has_rule(TCB_READ_RULE);
	if (ret < 0)
		SKIP(return, "host policy not readable (CONFIG_IMA_READ_POLICY)");
	if (!ret)
		SKIP(return, "host policy does not measure reads by root (tcb)");
	snprintf(path, sizeof(path), "%s/violated-on-host", self->env.dir);
	ASSERT_EQ(0, write_file(path, path, strlen(path), O_CREAT | O_EXCL,
				0644));
	ASSERT_EQ(0, read_u64_file(IMA_DIR "/violations", &before));

	EXPECT_EQ(0, violate(NULL, 0, path, variant->tomtou));
	sync_records(_metadata, &self->env);
	EXPECT_EQ(1, count_records(&self->env.recs, AUDIT_INTEGRITY_PCR, path,
				   -1));
	ASSERT_EQ(0, read_u64_file(IMA_DIR "/violations", &after));
	EXPECT_EQ(before + 1, after);
}

TEST_HARNESS_MAIN
