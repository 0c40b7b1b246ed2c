// SPDX-License-Identifier: GPL-2.0-only
/*
 * The policy of an IMA namespace: the host's grammar and read-back
 * format, an empty start, appends, the 1024-rule limit, the hooks a
 * namespace may not use, atomic rejection of a bad session, ids in the
 * namespace's user namespace, and who may write audit rules.
 *
 * Needs root and a kernel with CONFIG_IMA_NS; skips otherwise.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ima_ns_ctr.h"

#define MAX_RULES	1024
/* Container uids map to host uids from SHIFT_BASE on. */
#define SHIFT_BASE	100000
#define SHIFT_COUNT	65536
/* The host uid an unprivileged runtime runs as: no host rule names it. */
#define RUNTIME_UID	4301

static const struct ima_ctr_ids shifted = {
	.owner = IMA_CTR_KEEP_UID, .base = SHIFT_BASE, .count = SHIFT_COUNT,
};

/* Created by an unprivileged user: its root is that user on the host. */
static const struct ima_ctr_ids unprivileged = {
	.owner = RUNTIME_UID, .base = RUNTIME_UID, .count = 1,
};

/* Start a container with @ids and activate its IMA namespace. */
static int start_active(struct ima_ctr *ctr, const struct ima_ctr_ids *ids)
{
	int ret;

	ret = ima_ctr_start(ctr, ids);
	if (ret)
		return ret;
	ret = ima_ctr_activate(ctr, NULL, NULL);
	if (ret)
		ima_ctr_stop(ctr);
	return ret;
}

static void expect_policy_text(struct __test_metadata *_metadata,
			       struct ima_ctr *ctr, const char *want)
{
	char *seen;

	ASSERT_LE(0, ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_POLICY, &seen));
	EXPECT_STREQ(want, seen);
	free(seen);
}

/* Check that a container's policy shows @rules (NULL: is empty). */
static void expect_policy(struct __test_metadata *_metadata,
			  struct ima_ctr *ctr, const char *const *rules)
{
	char *want = ima_policy_text(NULL, rules);

	ASSERT_NE(NULL, want);
	expect_policy_text(_metadata, ctr, want);
	free(want);
}

/* Write @rules to a container's policy in one session. */
static int write_rules(struct ima_ctr *ctr, const char *const *rules)
{
	char *text = ima_policy_text(NULL, rules);
	int ret;

	if (!text)
		return -ENOMEM;
	ret = ima_ctr_policy_write(ctr, text);
	free(text);
	return ret;
}

FIXTURE(policy) {
	struct ima_ctr ctr;
};

FIXTURE_SETUP(policy)
{
	const char *reason = ima_ns_missing();

	self->ctr.sock = -1;
	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, start_active(&self->ctr, &ima_ctr_rootful));
}

FIXTURE_TEARDOWN(policy)
{
	ima_ctr_stop(&self->ctr);
}

TEST_F(policy, starts_empty)
{
	expect_policy(_metadata, &self->ctr, NULL);
}

/* Each session appends its rules after those already there. */
TEST_F(policy, sessions_append)
{
	static const char *const first[] = {
		"measure func=BPRM_CHECK mask=MAY_EXEC", NULL
	};
	static const char *const second[] = {
		"measure func=FILE_CHECK mask=MAY_READ uid=0",
		"dont_measure fsmagic=0x9fa0", NULL
	};
	static const char *const all[] = {
		"measure func=BPRM_CHECK mask=MAY_EXEC",
		"measure func=FILE_CHECK mask=MAY_READ uid=0",
		"dont_measure fsmagic=0x9fa0", NULL
	};

	ASSERT_EQ(0, write_rules(&self->ctr, first));
	expect_policy(_metadata, &self->ctr, first);
	ASSERT_EQ(0, write_rules(&self->ctr, second));
	expect_policy(_metadata, &self->ctr, all);
}

/*
 * Rules of every action and every hook a namespace may use read back byte
 * for byte, in the host's format. All are limited to files of a uid that
 * nothing uses, or to filesystems the test does not touch.
 */
TEST_F(policy, reads_back_verbatim)
{
	static const char *const rules[] = {
		"measure func=FILE_CHECK mask=MAY_READ pcr=11 fowner=4305 template=ima-sig",
		"dont_measure fsmagic=0x858458f6",
		"measure func=BPRM_CHECK mask=MAY_EXEC uid>1000",
		"measure func=MMAP_CHECK mask=MAY_EXEC fgroup=4305",
		"measure func=MMAP_CHECK_REQPROT mask=MAY_EXEC fowner=4305",
		"measure func=CREDS_CHECK euid=4305",
		"measure func=POLICY_CHECK fowner=4305",
		"measure func=KEY_CHECK keyrings=_ima",
		"measure func=FILE_CHECK mask=^MAY_READ fsname=ext4 gid=4305",
		"measure func=FILE_CHECK mask=MAY_READ egid<4305 fowner=4305",
		"audit func=BPRM_CHECK mask=MAY_EXEC fowner=4305",
		"appraise func=BPRM_CHECK fowner=4305 appraise_type=imasig",
		"dont_appraise fsmagic=0x9fa0",
		/* No hash or dont_hash: refused in a namespace (see below). */
		"appraise func=SETXATTR_CHECK appraise_algos=sha256,sha512",
		/* sigv3 needs digest_type=verity first, also when read back. */
		"appraise func=BPRM_CHECK digest_type=verity appraise_type=sigv3",
		/* Longer than the buffer the policy was once printed with. */
		"dont_measure fsname=a-filesystem-name-longer-than-sixty-four-characters-is-still-a-name",
		NULL
	};

	EXPECT_EQ(0, write_rules(&self->ctr, rules));
	expect_policy(_metadata, &self->ctr, rules);
}

/*
 * A session with a bad rule is discarded whole at close: its good rules
 * are not added and the rules already there stay.
 */
TEST_F(policy, bad_session_discarded)
{
	static const char *const before[] = {
		"measure func=BPRM_CHECK mask=MAY_EXEC", NULL
	};
	static const char *const bad[] = {
		"measure func=FILE_CHECK mask=MAY_READ",
		"measure func=NO_SUCH_HOOK", NULL
	};
	static const char *const forbidden[] = {
		"measure func=FILE_CHECK mask=MAY_READ",
		"measure func=MODULE_CHECK", NULL
	};

	ASSERT_EQ(0, write_rules(&self->ctr, before));
	EXPECT_EQ(-EINVAL, write_rules(&self->ctr, bad));
	expect_policy(_metadata, &self->ctr, before);
	EXPECT_EQ(-EINVAL, write_rules(&self->ctr, forbidden));
	expect_policy(_metadata, &self->ctr, before);
}

/* "dont_measure fsmagic=<i + 1>" for i in [from, to), one per line. */
static char *numbered_rules(int from, int to)
{
	size_t size = (to - from) * 48 + 1, len = 0;
	char *text = malloc(size);
	int i;

	if (!text)
		return NULL;
	text[0] = '\0';
	for (i = from; i < to; i++)
		len += snprintf(text + len, size - len,
				"dont_measure fsmagic=0x%x\n", i + 1);
	return text;
}

/* The same rules as the policy file shows them. */
static char *numbered_policy(int count)
{
	char *text = numbered_rules(0, count), *p, *out;
	size_t len = 0;

	if (!text)
		return NULL;
	out = malloc(strlen(text) + count + 1);
	for (p = text; out && *p; p++) {
		if (*p == '\n')
			out[len++] = ' ';
		out[len++] = *p;
	}
	if (out)
		out[len] = '\0';
	free(text);
	return out;
}

/* 1024 rules fit, in several sessions; the 1025th is refused. */
TEST_F_TIMEOUT(policy, rule_limit, 300)
{
	char *text, *want;

	text = numbered_rules(0, 1000);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, ima_ctr_policy_write(&self->ctr, text));
	free(text);
	text = numbered_rules(1000, MAX_RULES);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, ima_ctr_policy_write(&self->ctr, text));
	free(text);

	want = numbered_policy(MAX_RULES);
	ASSERT_NE(NULL, want);
	expect_policy_text(_metadata, &self->ctr, want);
	text = numbered_rules(MAX_RULES, MAX_RULES + 1);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(-ENOSPC, ima_ctr_policy_write(&self->ctr, text));
	free(text);
	expect_policy_text(_metadata, &self->ctr, want);
	free(want);
}

/* A single session of 1025 rules is refused whole. */
TEST_F_TIMEOUT(policy, rule_limit_one_session, 300)
{
	char *text;

	text = numbered_rules(0, MAX_RULES + 1);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(-ENOSPC, ima_ctr_policy_write(&self->ctr, text));
	free(text);
	expect_policy(_metadata, &self->ctr, NULL);
}

/*
 * Single rules written by the namespace's root: accepted (and shown as
 * written) or refused with an errno (and the policy stays empty).
 */
FIXTURE(rule) {
	struct ima_ctr ctr;
};

FIXTURE_VARIANT(rule) {
	const char *rule;
	int err;
};

FIXTURE_VARIANT_ADD(rule, file_check) {
	.rule = "measure func=FILE_CHECK mask=MAY_READ",
};

FIXTURE_VARIANT_ADD(rule, mmap_check) {
	.rule = "measure func=MMAP_CHECK mask=MAY_EXEC",
};

FIXTURE_VARIANT_ADD(rule, mmap_check_reqprot) {
	.rule = "measure func=MMAP_CHECK_REQPROT mask=MAY_EXEC",
};

FIXTURE_VARIANT_ADD(rule, bprm_check) {
	.rule = "measure func=BPRM_CHECK mask=MAY_EXEC",
};

FIXTURE_VARIANT_ADD(rule, creds_check) {
	.rule = "measure func=CREDS_CHECK",
};

FIXTURE_VARIANT_ADD(rule, policy_check) {
	.rule = "measure func=POLICY_CHECK",
};

FIXTURE_VARIANT_ADD(rule, key_check) {
	.rule = "measure func=KEY_CHECK",
};

FIXTURE_VARIANT_ADD(rule, setxattr_check) {
	.rule = "appraise func=SETXATTR_CHECK appraise_algos=sha256",
};

FIXTURE_VARIANT_ADD(rule, dont_measure) {
	.rule = "dont_measure fsmagic=0x9fa0",
};

FIXTURE_VARIANT_ADD(rule, appraise) {
	.rule = "appraise func=BPRM_CHECK fowner=4305 appraise_type=imasig",
};

FIXTURE_VARIANT_ADD(rule, dont_appraise) {
	.rule = "dont_appraise fsmagic=0x9fa0",
};

FIXTURE_VARIANT_ADD(rule, audit) {
	.rule = "audit func=BPRM_CHECK fowner=4305",
};

/*
 * IMA writes no hash for a namespace, whose hash would satisfy its
 * ancestors' appraisal: hash rules are refused.
 */
FIXTURE_VARIANT_ADD(rule, hash) {
	.rule = "hash func=FILE_CHECK fowner=4305",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(rule, dont_hash) {
	.rule = "dont_hash fsmagic=0x9fa0",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(rule, ima_ns_template) {
	.rule = "measure func=BPRM_CHECK template=ima-ns",
};

FIXTURE_VARIANT_ADD(rule, module_check) {
	.rule = "measure func=MODULE_CHECK",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(rule, firmware_check) {
	.rule = "measure func=FIRMWARE_CHECK",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(rule, kexec_kernel_check) {
	.rule = "measure func=KEXEC_KERNEL_CHECK",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(rule, kexec_initramfs_check) {
	.rule = "measure func=KEXEC_INITRAMFS_CHECK",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(rule, kexec_cmdline) {
	.rule = "measure func=KEXEC_CMDLINE",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(rule, critical_data) {
	.rule = "measure func=CRITICAL_DATA",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(rule, appraise_module) {
	.rule = "appraise func=MODULE_CHECK appraise_type=imasig",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(rule, unknown_hook) {
	.rule = "measure func=NO_SUCH_HOOK",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(rule, unknown_action) {
	.rule = "observe func=BPRM_CHECK",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(rule, unknown_template) {
	.rule = "measure func=BPRM_CHECK template=ima-xx",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(rule, unmapped_uid) {
	.rule = "measure func=FILE_CHECK uid=70000",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(rule, unmapped_fowner) {
	.rule = "measure func=FILE_CHECK fowner=65536",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(rule, unmapped_fgroup) {
	.rule = "measure func=FILE_CHECK fgroup=4000000000",
	.err = EINVAL,
};

/* Without an LSM that knows it, a label is kept as text: given once. */
FIXTURE_VARIANT_ADD(rule, repeated_lsm_label) {
	.rule = "measure func=FILE_CHECK obj_user=a obj_user=b",
	.err = EINVAL,
};

FIXTURE_SETUP(rule)
{
	const char *reason = ima_ns_missing();

	self->ctr.sock = -1;
	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, start_active(&self->ctr, &ima_ctr_rootful));
}

FIXTURE_TEARDOWN(rule)
{
	ima_ctr_stop(&self->ctr);
}

TEST_F(rule, write)
{
	const char *const rules[] = { variant->rule, NULL };

	EXPECT_EQ(-variant->err, write_rules(&self->ctr, rules));
	expect_policy(_metadata, &self->ctr, variant->err ? NULL : rules);
}

/*
 * Ids in rules are the namespace's: written as the namespace's ids, by its
 * root or by host root, and shown as the reader's, so that host root sees
 * host ids, in its view of the namespace as in the namespace's own file.
 */
FIXTURE(ids) {
	struct ima_ctr ctr;
	__u64 id;
	char host_view[PATH_MAX];
	char outside[PATH_MAX];
};

FIXTURE_SETUP(ids)
{
	const char *reason = ima_ns_missing();

	self->ctr.sock = -1;
	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, start_active(&self->ctr, &shifted));
	ASSERT_EQ(0, ima_ctr_ns_id(&self->ctr, &self->id));
	ASSERT_EQ(0, ima_host_ns_path(self->id, "policy", self->host_view,
				      sizeof(self->host_view)));
	ASSERT_EQ(0, ima_ctr_path(&self->ctr, IMA_POLICY, self->outside,
				  sizeof(self->outside)));
}

FIXTURE_TEARDOWN(ids)
{
	ima_ctr_stop(&self->ctr);
}

static void expect_host_file(struct __test_metadata *_metadata,
			     const char *path, const char *const *rules)
{
	char *want = ima_policy_text(NULL, rules), *seen;

	ASSERT_NE(NULL, want);
	ASSERT_LE(0, read_file(path, &seen)) {
		TH_LOG("cannot read %s", path);
	}
	EXPECT_STREQ(want, seen) {
		TH_LOG("%s", path);
	}
	free(seen);
	free(want);
}

TEST_F(ids, written_inside)
{
	static const char *const inside[] = {
		"measure func=FILE_CHECK uid=0 gid=5 fowner=1 fgroup=2",
		"measure func=BPRM_CHECK euid=3 egid=4",
		"measure func=FILE_CHECK uid>1000 fowner<7",
		NULL
	};
	static const char *const host[] = {
		"measure func=FILE_CHECK uid=100000 gid=100005 fowner=100001 fgroup=100002",
		"measure func=BPRM_CHECK euid=100003 egid=100004",
		"measure func=FILE_CHECK uid>101000 fowner<100007",
		NULL
	};

	ASSERT_EQ(0, write_rules(&self->ctr, inside));
	expect_policy(_metadata, &self->ctr, inside);
	expect_host_file(_metadata, self->host_view, host);
	expect_host_file(_metadata, self->outside, host);
}

TEST_F(ids, written_by_host_root)
{
	static const char *const rules[] = {
		"measure func=FILE_CHECK uid=5 fowner=6", NULL
	};
	static const char *const host[] = {
		"measure func=FILE_CHECK uid=100005 fowner=100006", NULL
	};
	char *text = ima_policy_text(NULL, rules);

	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, write_file(self->outside, text, strlen(text), 0, 0));
	free(text);
	expect_policy(_metadata, &self->ctr, rules);
	expect_host_file(_metadata, self->host_view, host);
}

/* Ids that the namespace's user namespace does not map are refused. */
TEST_F(ids, unmapped_refused)
{
	static const char rule[] = "measure func=FILE_CHECK uid=65536\n";

	EXPECT_EQ(-EINVAL, ima_ctr_policy_write(&self->ctr, rule));
	EXPECT_EQ(-EINVAL, write_file(self->outside, rule, strlen(rule), 0, 0));
	expect_policy(_metadata, &self->ctr, NULL);
}

/*
 * audit rules write to the host's audit log: only a namespace whose root
 * is host root, or a writer with CAP_AUDIT_WRITE on the host, may add
 * them. Other rules are accepted from anyone's namespace.
 */
FIXTURE(audit_rule) {
	struct ima_ctr ctr;
};

FIXTURE_VARIANT(audit_rule) {
	const struct ima_ctr_ids *ids;
	bool host_root_writes;
	int err;
};

FIXTURE_VARIANT_ADD(audit_rule, rootful) {
	.ids = &ima_ctr_rootful,
};

FIXTURE_VARIANT_ADD(audit_rule, unprivileged) {
	.ids = &unprivileged,
	.err = EPERM,
};

FIXTURE_VARIANT_ADD(audit_rule, shifted) {
	.ids = &shifted,
	.err = EPERM,
};

FIXTURE_VARIANT_ADD(audit_rule, unprivileged_by_host_root) {
	.ids = &unprivileged,
	.host_root_writes = true,
};

FIXTURE_VARIANT_ADD(audit_rule, shifted_by_host_root) {
	.ids = &shifted,
	.host_root_writes = true,
};

FIXTURE_SETUP(audit_rule)
{
	const char *reason = ima_ns_missing();

	self->ctr.sock = -1;
	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, start_active(&self->ctr, variant->ids));
}

FIXTURE_TEARDOWN(audit_rule)
{
	ima_ctr_stop(&self->ctr);
}

TEST_F(audit_rule, write)
{
	static const char *const audit[] = {
		"audit func=BPRM_CHECK mask=MAY_EXEC", NULL
	};
	static const char *const measure[] = {
		"measure func=BPRM_CHECK mask=MAY_EXEC", NULL
	};
	char path[PATH_MAX], *text;
	int ret;

	text = ima_policy_text(NULL, audit);
	ASSERT_NE(NULL, text);
	if (variant->host_root_writes) {
		ASSERT_EQ(0, ima_ctr_path(&self->ctr, IMA_POLICY, path,
					  sizeof(path)));
		ret = write_file(path, text, strlen(text), 0, 0);
	} else {
		ret = ima_ctr_policy_write(&self->ctr, text);
	}
	free(text);
	EXPECT_EQ(-variant->err, ret);
	expect_policy(_metadata, &self->ctr, variant->err ? NULL : audit);

	/* The namespace's own rules are its root's to write, though. */
	if (variant->err) {
		EXPECT_EQ(0, write_rules(&self->ctr, measure));
		expect_policy(_metadata, &self->ctr, measure);
	}
}

TEST_HARNESS_MAIN
