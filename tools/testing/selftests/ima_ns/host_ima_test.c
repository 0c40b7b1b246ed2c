// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host IMA: the behaviour of the initial IMA namespace that the namespace
 * work must keep, checked against the real host interfaces.
 *
 * Needs root, IMA's securityfs files, a boot with ima_policy=tcb, and a
 * scratch directory on a block filesystem ($IMA_NS_SCRATCH, default
 * /var/tmp/ima-ns). Appraisal tests need openssl and evmctl; TPM tests a
 * TPM 2.0 with a SHA-256 PCR bank. Tests skip when these are missing.
 *
 * Policy writes are cumulative for the whole boot: every rule these tests
 * add is limited to files owned by uids that nothing else uses, and the
 * first write carries the ima_policy=tcb rules so that the host keeps
 * measuring what it measured at boot, whatever order tests run in.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ima_ns_util.h"

#define STR_(x)		#x
#define STR(x)		STR_(x)

/* Owner of the files the appraise tests execute, and their rule. */
#define APPRAISE_UID	4242
#define APPRAISE_RULE \
	"appraise func=BPRM_CHECK fowner=" STR(APPRAISE_UID) " appraise_type=imasig"
#define ROOT_READ_RULE	"measure func=FILE_CHECK mask=^MAY_READ uid=0"

/* Return why the host IMA interface cannot be tested, or NULL. */
static const char *host_ima_missing(void)
{
	if (geteuid())
		return "must run as root";
	if (ima_securityfs_ready())
		return "no IMA securityfs files (CONFIG_IMA, CONFIG_SECURITYFS)";
	return NULL;
}

/* Read a whole file once, the way a measured read by root happens. */
static void read_once(struct __test_metadata *_metadata, const char *path)
{
	char *buf;

	ASSERT_LE(0, read_file(path, &buf)) {
		TH_LOG("cannot read %s", path);
	}
	free(buf);
}

static void read_list(struct __test_metadata *_metadata, struct ima_list *list)
{
	ASSERT_EQ(0, ima_list_read(IMA_BINARY_LIST, SHA1_DIGEST_SIZE, list));
}

static void expect_file_digest(struct __test_metadata *_metadata,
			       const struct ima_ng *ng, const void *data,
			       size_t len)
{
	__u8 digest[SHA256_DIGEST_SIZE];
	char want[2 * SHA256_DIGEST_SIZE + 1];
	char seen[2 * SHA256_DIGEST_SIZE + 1];

	sha256(data, len, digest);
	bin2hex(want, digest, sizeof(digest));
	EXPECT_STREQ("sha256", ng->algo) {
		TH_LOG("file digests must be sha256: CONFIG_IMA_DEFAULT_HASH_SHA256");
	}
	ASSERT_EQ(SHA256_DIGEST_SIZE, ng->digest_len);
	bin2hex(seen, ng->digest, ng->digest_len);
	EXPECT_STREQ(want, seen);
}

/*
 * The list opens with boot_aggregate, in both formats: PCR 10, template
 * ima-ng, the same template digest and the same file digest.
 */
TEST(boot_aggregate_is_first)
{
	char tdigest[2 * SHA1_DIGEST_SIZE + 1], tmpl[32], dng[160], name[64];
	char hex[2 * SHA256_DIGEST_SIZE + 1], expected[160];
	const char *reason = host_ima_missing();
	const struct ima_entry *e;
	struct ima_list list;
	struct ima_ng ng;
	unsigned int pcr;
	char *ascii;
	int fields;

	if (reason)
		SKIP(return, "%s", reason);

	ASSERT_LT(0, read_file(IMA_ASCII_LIST, &ascii));
	fields = sscanf(ascii, "%u %40s %31s %159s %63s", &pcr, tdigest, tmpl,
			dng, name);
	ASSERT_EQ(5, fields);
	EXPECT_EQ(IMA_MEASURE_PCR, pcr);
	EXPECT_STREQ("ima-ng", tmpl);
	EXPECT_STREQ("boot_aggregate", name);
	free(ascii);

	read_list(_metadata, &list);
	ASSERT_LT(0, list.count);
	e = &list.entries[0];
	EXPECT_EQ(IMA_MEASURE_PCR, e->pcr);
	EXPECT_STREQ("ima-ng", e->template);
	bin2hex(hex, e->digest, e->digest_len);
	EXPECT_STREQ(tdigest, hex);
	ASSERT_EQ(0, ima_entry_ng(e, &ng));
	EXPECT_STREQ("boot_aggregate", ng.name);
	ASSERT_GE(SHA256_DIGEST_SIZE, ng.digest_len);
	bin2hex(hex, ng.digest, ng.digest_len);
	snprintf(expected, sizeof(expected), "%s:%s", ng.algo, hex);
	EXPECT_STREQ(dng, expected);
	ima_list_free(&list);
}

/*
 * With a TPM, boot_aggregate is the SHA-256 of PCRs 0-9 of the SHA-256
 * bank: IMA did not run in TPM-bypass mode and read the real chip.
 */
TEST(boot_aggregate_matches_tpm)
{
	__u8 pcrs[10][SHA256_DIGEST_SIZE], digest[SHA256_DIGEST_SIZE];
	const char *reason = host_ima_missing();
	char path[PATH_MAX], *buf;
	struct ima_list list;
	struct ima_ng ng;
	int i;

	if (reason)
		SKIP(return, "%s", reason);
	if (access(IMA_TPM_PCR_SHA256 "/0", R_OK))
		SKIP(return, "no TPM 2.0 SHA-256 PCR bank in sysfs");

	for (i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), IMA_TPM_PCR_SHA256 "/%d", i);
		ASSERT_LE(2 * SHA256_DIGEST_SIZE, read_file(path, &buf));
		ASSERT_EQ(0, hex2bin(pcrs[i], buf, SHA256_DIGEST_SIZE));
		free(buf);
	}
	sha256(pcrs, sizeof(pcrs), digest);

	read_list(_metadata, &list);
	ASSERT_LT(0, list.count);
	ASSERT_EQ(0, ima_entry_ng(&list.entries[0], &ng));
	ASSERT_STREQ("boot_aggregate", ng.name);
	if (strcmp(ng.algo, "sha256")) {
		ima_list_free(&list);
		SKIP(return, "boot_aggregate is %s, not sha256", ng.algo);
	}
	ASSERT_EQ(SHA256_DIGEST_SIZE, ng.digest_len);
	EXPECT_EQ(0, memcmp(digest, ng.digest, sizeof(digest))) {
		TH_LOG("boot_aggregate is not sha256(PCR 0..9)");
	}
	ima_list_free(&list);
}

/*
 * ascii_runtime_measurements, binary_runtime_measurements (and its SHA-256
 * variant) and runtime_measurements_count describe the same list.
 */
TEST(list_lengths_agree)
{
	const char *reason = host_ima_missing();
	struct ima_list list, list256 = { 0 };
	__u64 count, count_after;
	bool have256;
	ssize_t len;
	char *ascii;
	int tries;

	if (reason)
		SKIP(return, "%s", reason);
	have256 = !access(IMA_BINARY_LIST_SHA256, R_OK);

	/* Retry if something else got measured while reading. */
	for (tries = 0; tries < 5; tries++) {
		ASSERT_EQ(0, read_u64_file(IMA_COUNT, &count));
		len = read_file(IMA_ASCII_LIST, &ascii);
		ASSERT_LT(0, len);
		read_list(_metadata, &list);
		if (have256)
			ASSERT_EQ(0, ima_list_read(IMA_BINARY_LIST_SHA256,
						   SHA256_DIGEST_SIZE,
						   &list256));
		ASSERT_EQ(0, read_u64_file(IMA_COUNT, &count_after));
		if (count == count_after)
			break;
		free(ascii);
		ima_list_free(&list);
		ima_list_free(&list256);
	}
	ASSERT_EQ(count, count_after);

	EXPECT_LT(0, count);
	EXPECT_EQ(count, ima_ascii_count_lines(ascii, len));
	EXPECT_EQ(count, list.count);
	if (have256)
		EXPECT_EQ(count, list256.count);
	free(ascii);
	ima_list_free(&list);
	ima_list_free(&list256);
}

/*
 * Each template digest of the SHA-256 list is the SHA-256 of its template
 * data (violations, recorded as zeroes, excepted).
 */
TEST(sha256_template_digests)
{
	static const __u8 zero[SHA256_DIGEST_SIZE];
	const char *reason = host_ima_missing();
	__u8 digest[SHA256_DIGEST_SIZE];
	size_t i, bad = 0;
	struct ima_list list;

	if (reason)
		SKIP(return, "%s", reason);
	if (access(IMA_BINARY_LIST_SHA256, R_OK))
		SKIP(return, "no SHA-256 measurement list (no sha256 bank or ima_hash)");

	ASSERT_EQ(0, ima_list_read(IMA_BINARY_LIST_SHA256, SHA256_DIGEST_SIZE,
				   &list));
	ASSERT_LT(0, list.count);
	for (i = 0; i < list.count; i++) {
		const struct ima_entry *e = &list.entries[i];

		if (!memcmp(e->digest, zero, sizeof(zero)))
			continue;
		sha256(e->data, e->data_len, digest);
		if (memcmp(digest, e->digest, sizeof(digest)) && !bad++)
			TH_LOG("record %zu (%s): template digest mismatch", i,
			       e->template);
	}
	EXPECT_EQ(0, bad);
	ima_list_free(&list);
}

FIXTURE(measure) {
	char path[PATH_MAX];
	char content[PATH_MAX + 64];
	size_t len;
};

FIXTURE_SETUP(measure)
{
	const char *reason = host_ima_missing();
	char dir[PATH_MAX];
	struct timespec ts;

	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, ima_scratch_dir(dir, sizeof(dir)));
	if (ima_scratch_is_measurable(dir))
		SKIP(return, "%.200s is on tmpfs/ramfs: set " IMA_SCRATCH_ENV,
		     dir);
	if (!ima_policy_has_rule(ROOT_READ_RULE))
		SKIP(return, "policy does not measure reads by root: boot with ima_policy=tcb");

	/* A name and content never measured before in this boot. */
	ASSERT_EQ(0, clock_gettime(CLOCK_REALTIME, &ts));
	ASSERT_GT(sizeof(self->path),
		  snprintf(self->path, sizeof(self->path),
			   "%s/measure-%d-%lld.%09ld", dir, getpid(),
			   (long long)ts.tv_sec, ts.tv_nsec));
	self->len = snprintf(self->content, sizeof(self->content),
			     "ima_ns selftest file %s\n", self->path);
	ASSERT_EQ(0, write_file(self->path, self->content, self->len,
				O_CREAT | O_EXCL, 0644));
}

FIXTURE_TEARDOWN(measure)
{
	unlink(self->path);
}

/*
 * Root reading a new file adds exactly one record, with its path and its
 * SHA-256 file digest, on PCR 10; creating and writing it added none, and
 * reading it again adds none.
 */
TEST_F(measure, read_measured_once)
{
	struct ima_list before, after, again;
	struct ima_ng ng;
	ssize_t idx;

	read_list(_metadata, &before);
	EXPECT_EQ(-ENOENT, ima_list_find(&before, 0, self->path, NULL)) {
		TH_LOG("writing the file measured it");
	}

	read_once(_metadata, self->path);
	read_list(_metadata, &after);
	idx = ima_list_find(&after, before.count, self->path, &ng);
	ASSERT_LE(0, idx) {
		TH_LOG("no new record for %s", self->path);
	}
	EXPECT_EQ(IMA_MEASURE_PCR, after.entries[idx].pcr);
	EXPECT_STREQ("ima-ng", after.entries[idx].template);
	expect_file_digest(_metadata, &ng, self->content, self->len);
	EXPECT_EQ(-ENOENT, ima_list_find(&after, idx + 1, self->path, NULL)) {
		TH_LOG("one read measured %s twice", self->path);
	}

	read_once(_metadata, self->path);
	read_list(_metadata, &again);
	EXPECT_EQ(-ENOENT, ima_list_find(&again, after.count, self->path,
					 NULL)) {
		TH_LOG("unchanged file measured again");
	}

	ima_list_free(&before);
	ima_list_free(&after);
	ima_list_free(&again);
}

/* After the file changes, the next read adds a record with the new digest. */
TEST_F(measure, change_measured_again)
{
	static const char more[] = "changed\n";
	struct ima_list first, second;
	struct ima_ng ng;
	ssize_t idx;

	read_once(_metadata, self->path);
	read_list(_metadata, &first);
	ASSERT_LE(0, ima_list_find(&first, 0, self->path, NULL));

	ASSERT_EQ(0, write_file(self->path, more, strlen(more), O_APPEND, 0));
	ASSERT_LT(self->len + strlen(more), sizeof(self->content));
	strcat(self->content, more);
	self->len += strlen(more);

	read_once(_metadata, self->path);
	read_list(_metadata, &second);
	idx = ima_list_find(&second, first.count, self->path, &ng);
	ASSERT_LE(0, idx) {
		TH_LOG("changed file not measured again");
	}
	expect_file_digest(_metadata, &ng, self->content, self->len);
	EXPECT_EQ(-ENOENT, ima_list_find(&second, idx + 1, self->path, NULL));

	ima_list_free(&first);
	ima_list_free(&second);
}

/*
 * Rules written to the policy file read back byte for byte, in the order
 * written, after the rules already there.
 */
TEST(policy_reads_back_verbatim)
{
	/* All for files owned by uid 4243, which no test creates. */
	static const char *const rules[] = {
		"measure func=FILE_CHECK mask=MAY_READ pcr=11 fowner=4243 template=ima-sig",
		"dont_measure fsmagic=0x858458f6 fowner=4243",
		"audit func=BPRM_CHECK mask=MAY_EXEC fowner=4243",
		"hash func=FILE_CHECK fowner=4243",
		"dont_appraise fsmagic=0x9fa0 fowner=4243",
		"appraise func=BPRM_CHECK euid>4243 fowner=4243 appraise_type=imasig",
		NULL
	};
	const char *reason = host_ima_missing();
	char *written, *policy;
	ssize_t plen;
	size_t len;

	if (reason)
		SKIP(return, "%s", reason);
	if (ima_policy_has_rule("") < 0)
		SKIP(return, "policy not readable (CONFIG_IMA_READ_POLICY)");

	written = ima_policy_text(ima_tcb_rules, rules);
	ASSERT_NE(NULL, written);
	len = strlen(written);
	EXPECT_EQ(0, ima_policy_write(written));

	plen = read_file(IMA_POLICY, &policy);
	ASSERT_LE(len, plen);
	EXPECT_STREQ(written, policy + plen - len);
	free(policy);
	free(written);
}

/* A write with one invalid rule is rejected whole; the policy is unchanged. */
TEST(policy_rejects_invalid_rule)
{
	static const char rules[] =
		"measure func=FILE_CHECK mask=MAY_READ fowner=4243\n"
		"measure func=NO_SUCH_HOOK\n";
	const char *reason = host_ima_missing();
	char *before, *after;

	if (reason)
		SKIP(return, "%s", reason);
	if (ima_policy_has_rule("") < 0)
		SKIP(return, "policy not readable (CONFIG_IMA_READ_POLICY)");

	ASSERT_LE(0, read_file(IMA_POLICY, &before));
	EXPECT_EQ(-EINVAL, ima_policy_write(rules));
	ASSERT_LE(0, read_file(IMA_POLICY, &after));
	EXPECT_STREQ(before, after);
	free(before);
	free(after);
}

FIXTURE(appraise) {
	char dir[PATH_MAX];
	char path[PATH_MAX];
	char priv[PATH_MAX];
	char cert[PATH_MAX];
	char true_prog[PATH_MAX];
};

FIXTURE_SETUP(appraise)
{
	const char *reason = host_ima_missing();
	char scratch[PATH_MAX];
	const char *unusable;
	int ret;

	if (reason)
		SKIP(return, "%s", reason);
	if (!have_cmd("openssl"))
		SKIP(return, "openssl not found");
	if (!have_cmd("evmctl"))
		SKIP(return, "evmctl (ima-evm-utils) not found");
	if (find_true(self->true_prog))
		SKIP(return, "no 'true' program to execute");
	ret = ima_policy_has_rule(APPRAISE_RULE);
	if (ret < 0)
		SKIP(return, "policy not readable (CONFIG_IMA_READ_POLICY)");

	ASSERT_EQ(0, ima_scratch_dir(scratch, sizeof(scratch)));
	unusable = ima_scratch_unusable(scratch);
	if (unusable)
		SKIP(return, "%.200s: %s", scratch, unusable);

	/*
	 * IMA keeps the first _ima keyring it finds: load the key before
	 * the appraise rule can make it look.
	 */
	ASSERT_EQ(0, ima_test_key(scratch, self->priv, self->cert,
				  sizeof(self->priv))) {
		TH_LOG("openssl could not create a key in %s", scratch);
	}
	ASSERT_LT(0, ima_keyring_add_cert(self->cert)) {
		TH_LOG("cannot load %s into _ima: %s", self->cert,
		       strerror(errno));
	}
	ASSERT_EQ(0, ima_policy_add_rule(APPRAISE_RULE));

	ASSERT_GT(sizeof(self->dir),
		  snprintf(self->dir, sizeof(self->dir), "%s/appraise-%d",
			   scratch, getpid()));
	ASSERT_EQ(0, mkdir(self->dir, 0755));
	/* The program each test executes. */
	ASSERT_GT(sizeof(self->path),
		  snprintf(self->path, sizeof(self->path), "%s/true",
			   self->dir));
}

FIXTURE_TEARDOWN(appraise)
{
	if (self->dir[0])
		remove_tree(self->dir);
}

/* Copy program @exe to @path, owned by @uid. */
static void copy_exe(struct __test_metadata *_metadata, const char *exe,
		     const char *path, uid_t uid)
{
	ASSERT_EQ(0, copy_file(exe, path, 0755));
	ASSERT_EQ(0, chown(path, uid, uid));
}

/* Write an RSA signature of @path's SHA-256 to security.ima. */
static void sign(struct __test_metadata *_metadata, const char *priv,
		 const char *path)
{
	char *const argv[] = {
		"evmctl", "ima_sign", "--key", (char *)priv, "-a", "sha256",
		(char *)path, NULL
	};
	char out[4096];

	ASSERT_EQ(0, run_cmd(argv, out, sizeof(out))) {
		TH_LOG("evmctl ima_sign %s: %s", path, out);
	}
}

/* exec() the program as 'true': its exit status, or -errno of execve(). */
static int run_true(const char *path)
{
	char *const argv[] = { "true", NULL };

	return exec_status(path, argv);
}

/* A binary covered by the appraise rule runs when validly signed. */
TEST_F_TIMEOUT(appraise, signed_exec_allowed, 120)
{
	copy_exe(_metadata, self->true_prog, self->path, APPRAISE_UID);
	sign(_metadata, self->priv, self->path);
	EXPECT_EQ(0, run_true(self->path));
}

/*
 * Without security.ima it is denied, but only once the rule covers it: the
 * same copy runs while root owns it.
 */
TEST_F_TIMEOUT(appraise, unsigned_exec_denied, 120)
{
	copy_exe(_metadata, self->true_prog, self->path, 0);
	EXPECT_EQ(0, run_true(self->path)) {
		TH_LOG("exec denied outside the appraise rule");
	}
	ASSERT_EQ(0, chown(self->path, APPRAISE_UID, APPRAISE_UID));
	EXPECT_EQ(-EACCES, run_true(self->path));
}

/* A signed binary changed after signing is denied, also if it ran before. */
TEST_F_TIMEOUT(appraise, modified_exec_denied, 120)
{
	static const char junk[] = "appended after signing";

	copy_exe(_metadata, self->true_prog, self->path, APPRAISE_UID);
	sign(_metadata, self->priv, self->path);
	EXPECT_EQ(0, run_true(self->path));
	ASSERT_EQ(0, write_file(self->path, junk, sizeof(junk), O_APPEND, 0));
	EXPECT_EQ(-EACCES, run_true(self->path));
}

/* A corrupted signature in security.ima is denied. */
TEST_F_TIMEOUT(appraise, bad_signature_denied, 120)
{
	__u8 sig[1024];
	ssize_t len;

	copy_exe(_metadata, self->true_prog, self->path, APPRAISE_UID);
	sign(_metadata, self->priv, self->path);
	len = getxattr(self->path, "security.ima", sig, sizeof(sig));
	ASSERT_LT(16, len);
	/* Byte 0 is the type: 3, EVM_IMA_XATTR_DIGSIG. */
	ASSERT_EQ(3, sig[0]);
	sig[len - 1] ^= 0xff;
	ASSERT_EQ(0, setxattr(self->path, "security.ima", sig, len, 0));
	EXPECT_EQ(-EACCES, run_true(self->path));
}

TEST_HARNESS_MAIN
