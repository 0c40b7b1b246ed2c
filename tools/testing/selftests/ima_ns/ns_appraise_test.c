// SPDX-License-Identifier: GPL-2.0-only
/*
 * Appraisal in IMA namespaces, with the real keyctl and evmctl: a
 * container's root loads its key into an "_ima" keyring of its session,
 * writes its policy, activates the namespace, signs its files and enforces
 * that policy. Each namespace appraises with its own keyring, bound on
 * activation; a denial at any level of the chain denies; no result carries
 * over between namespaces; changes by the host force appraisal again.
 * Also: SETXATTR_CHECK of every level, signed policies (POLICY_CHECK),
 * template= rules, and hash rules, which a namespace may not have.
 *
 * Needs root, a kernel with CONFIG_IMA_NS and CONFIG_IMA_APPRAISE, openssl,
 * evmctl, keyctl and sh, a "true" program to copy and a scratch directory
 * on a block filesystem ($IMA_NS_SCRATCH). Skips otherwise.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ima_ns_ctr.h"

#define XATTR_IMA	"security.ima"

/* Owner, in the rootful containers, of the files their rules cover. */
#define COVERED_UID	4330
/* The unprivileged runtime's uid, its containers' root. */
#define RUNTIME_UID	4331
/* A host uid no container maps. */
#define UNMAPPED_UID	70000

/* security.ima types and hash algorithm ids, as evmctl writes them. */
#define EVM_IMA_XATTR_DIGSIG	0x03
#define IMA_XATTR_DIGEST_NG	0x04
#define HASH_ALGO_SHA1		2
#define HASH_ALGO_SHA256	4

/* Keys: the namespace's own, and another namespace's. */
enum { OWN_KEY, OTHER_KEY, NR_KEYS };

#define MAX_CTRS	3
/* Seconds per test: keys are made, and programs signed, under emulation. */
#define APPRAISE_TIMEOUT	180

/*
 * Pseudo filesystems a FILE_CHECK rule leaves alone, as ima_policy=tcb
 * does: the containers' own /proc and securityfs files belong to their
 * root, whom some rules cover.
 */
#define PSEUDO_FS_RULES	"dont_appraise fsmagic=0x9fa0\n"	/* proc */ \
			"dont_appraise fsmagic=0x62656572\n"	/* sysfs */ \
			"dont_appraise fsmagic=0x73636673\n"	/* securityfs */ \
			"dont_appraise fsmagic=0x1021994\n"	/* tmpfs */

/**
 * struct ctrs - the containers a test started, stopped at teardown
 * @ctr: the containers, parents before children
 * @nr: number of @ctr in use
 */
struct ctrs {
	struct ima_ctr ctr[MAX_CTRS];
	int nr;
};

/* The program the tests copy; the same for every test. */
static char true_prog[PATH_MAX];

static const struct ima_ctr_ids unprivileged = {
	.owner = RUNTIME_UID, .base = RUNTIME_UID, .count = 1,
};

/* A nested container whose root is its parent's root, and nothing else. */
static const struct ima_ctr_ids nested_root_only = {
	.owner = IMA_CTR_KEEP_UID, .base = 0, .count = 1,
};

FIXTURE(appraise) {
	/* Where the test creates files; short enough to add names to. */
	char dir[256];
	char priv[NR_KEYS][PATH_MAX];
	char cert[NR_KEYS][PATH_MAX];
	struct ctrs ctrs;
};

FIXTURE_VARIANT(appraise) {
	/* The containers' id maps; nested ones map within their parent's. */
	const struct ima_ctr_ids *ids;
	const struct ima_ctr_ids *nested_ids;
	/* Owner of covered files, inside the containers and on the host. */
	int owner;
	uid_t host_owner;
};

FIXTURE_VARIANT_ADD(appraise, rootful) {
	.ids = &ima_ctr_rootful, .nested_ids = &ima_ctr_rootful,
	.owner = COVERED_UID, .host_owner = COVERED_UID,
};

FIXTURE_VARIANT_ADD(appraise, unprivileged) {
	.ids = &unprivileged, .nested_ids = &nested_root_only,
	.owner = 0, .host_owner = RUNTIME_UID,
};

/* Make (once) the key pair in @dir, readable by every container. */
static int make_key(const char *dir, char *priv, char *cert, size_t size)
{
	int ret;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	ret = ima_test_key(dir, priv, cert, size);
	if (!ret && (chmod(priv, 0644) || chmod(cert, 0644)))
		ret = -errno;
	return ret;
}

FIXTURE_SETUP(appraise)
{
	static const char *const key_dirs[NR_KEYS] = { "ns-key-own",
						       "ns-key-other" };
	const char *reason = ima_ns_missing();
	char scratch[PATH_MAX], dir[PATH_MAX];
	const char *unusable;
	int i;

	self->ctrs.nr = 0;
	if (reason)
		SKIP(return, "%s", reason);
	if (!have_cmd("openssl") || !have_cmd("evmctl") ||
	    !have_cmd("keyctl") || !have_cmd("sh"))
		SKIP(return, "needs openssl, evmctl, keyctl and sh");
	if (find_true(true_prog))
		SKIP(return, "no 'true' program to execute");
	ASSERT_EQ(0, ima_scratch_dir(scratch, sizeof(scratch)));
	unusable = ima_scratch_unusable(scratch);
	if (unusable)
		SKIP(return, "%.200s: %s", scratch, unusable);

	for (i = 0; i < NR_KEYS; i++) {
		ASSERT_GT(sizeof(dir), snprintf(dir, sizeof(dir), "%s/%s",
						scratch, key_dirs[i]));
		ASSERT_EQ(0, make_key(dir, self->priv[i], self->cert[i],
				      PATH_MAX)) {
			TH_LOG("openssl could not create a key in %s", dir);
		}
	}

	/* Every container uid may create files here. */
	ASSERT_GT(sizeof(self->dir),
		  snprintf(self->dir, sizeof(self->dir), "%s/appraise-XXXXXX",
			   scratch));
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 01777));
}

FIXTURE_TEARDOWN(appraise)
{
	while (self->ctrs.nr)
		ima_ctr_stop(&self->ctrs.ctr[--self->ctrs.nr]);
	if (self->dir[0])
		remove_tree(self->dir);
}

/* The rule text that makes a container appraise its covered programs. */
static void appraise_rule(int owner, const char *extra, char *buf,
			  size_t size)
{
	snprintf(buf, size, "appraise func=BPRM_CHECK fowner=%d%s\n", owner,
		 extra);
}

#define IMASIG	" appraise_type=imasig"

/* Run a program in a container as its root: its exit status. */
static int ctr_run(struct __test_metadata *_metadata, struct ima_ctr *ctr,
		   char *const argv[])
{
	char *out = NULL;
	int ret;

	ret = ima_ctr_run(ctr, IMA_CTR_ROOT, argv, &out);
	if (ret)
		TH_LOG("%s in the container: %d: %s", argv[0], ret,
		       out ? out : "");
	free(out);
	return ret;
}

/* As a runtime does: a new "_ima" keyring in the session, holding @cert. */
static int load_key(struct __test_metadata *_metadata, struct ima_ctr *ctr,
		    const char *cert)
{
	char *const newring[] = { "keyctl", "newring", "_ima", "@s", NULL };
	char cmd[PATH_MAX + 64];
	char *const padd[] = { "sh", "-c", cmd, NULL };

	snprintf(cmd, sizeof(cmd),
		 "keyctl padd asymmetric '' %%keyring:_ima < '%s'", cert);
	return ctr_run(_metadata, ctr, newring) ?:
	       ctr_run(_metadata, ctr, padd);
}

/*
 * Start a container (nested in @parent if not NULL) with a session keyring
 * of its own, holding an "_ima" keyring with @cert if not NULL, and an IMA
 * namespace configured with @policy, then activated: the keyring is the
 * namespace's from then on.
 */
static struct ima_ctr *start(struct __test_metadata *_metadata,
			     struct ctrs *ctrs, const struct ima_ctr_ids *ids,
			     struct ima_ctr *parent, const char *policy,
			     const char *cert)
{
	struct ima_ctr *ctr = &ctrs->ctr[ctrs->nr];
	int ret;

	if (ctrs->nr == MAX_CTRS)
		return NULL;
	ret = parent ? ima_ctr_spawn(parent, ctr, ids) :
		       ima_ctr_start(ctr, ids);
	if (ret) {
		TH_LOG("no container: %s", strerror(-ret));
		return NULL;
	}
	ctrs->nr++;
	ret = ima_ctr_new_session(ctr) ?:
	      (cert ? load_key(_metadata, ctr, cert) : 0) ?:
	      ima_ctr_mount(ctr) ?:
	      ima_ctr_write_str(ctr, IMA_NS_HASH, "sha256") ?:
	      (*policy ? ima_ctr_policy_write(ctr, policy) : 0) ?:
	      ima_ctr_write_str(ctr, IMA_NS_ACTIVE, "1");
	if (ret) {
		TH_LOG("container not set up: %s", strerror(-ret));
		return NULL;
	}
	return ctr;
}

/* evmctl ima_sign, in a container as its root, or on the host. */
static int sign(struct __test_metadata *_metadata, struct ima_ctr *ctr,
		const char *priv, const char *path)
{
	char *const argv[] = {
		"evmctl", "ima_sign", "--key", (char *)priv, "-a", "sha256",
		(char *)path, NULL
	};
	char out[4096];
	int ret;

	if (ctr)
		return ctr_run(_metadata, ctr, argv);
	ret = run_cmd(argv, out, sizeof(out));
	if (ret)
		TH_LOG("evmctl ima_sign on the host: %d: %s", ret, out);
	return ret;
}

/* A copy of "true" as @name in @dir, owned by host uid @uid. */
static void make_exe(struct __test_metadata *_metadata, const char *dir,
		     const char *name, uid_t uid, char path[PATH_MAX])
{
	ASSERT_GT(PATH_MAX, snprintf(path, PATH_MAX, "%s/%s", dir, name));
	ASSERT_EQ(0, copy_file(true_prog, path, 0755));
	ASSERT_EQ(0, chown(path, uid, uid));
}

/* Unsigned, a covered program is denied; the same bytes uncovered run. */
TEST_F_TIMEOUT(appraise, unsigned_exec_denied, APPRAISE_TIMEOUT)
{
	char rule[128], covered[PATH_MAX], uncovered[PATH_MAX];
	struct ima_ctr *ctr;

	appraise_rule(variant->owner, IMASIG, rule, sizeof(rule));
	ctr = start(_metadata, &self->ctrs, variant->ids, NULL, rule, NULL);
	ASSERT_NE(NULL, ctr);
	make_exe(_metadata, self->dir, "covered", variant->host_owner, covered);
	make_exe(_metadata, self->dir, "uncovered", UNMAPPED_UID, uncovered);

	EXPECT_EQ(-EACCES, ima_ctr_exec(ctr, IMA_CTR_ROOT, covered));
	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, uncovered));
	/* The host's policy has no such rule. */
	EXPECT_EQ(0, exec_status(covered, (char *const[]){ "true", NULL }));
}

/* Signed inside the container with the key of its keyring, it runs. */
TEST_F_TIMEOUT(appraise, signed_exec_allowed, APPRAISE_TIMEOUT)
{
	char rule[128], path[PATH_MAX];
	struct ima_ctr *ctr;

	appraise_rule(variant->owner, IMASIG, rule, sizeof(rule));
	ctr = start(_metadata, &self->ctrs, variant->ids, NULL, rule,
		    self->cert[OWN_KEY]);
	ASSERT_NE(NULL, ctr);
	make_exe(_metadata, self->dir, "signed", variant->host_owner, path);
	ASSERT_EQ(0, sign(_metadata, ctr, self->priv[OWN_KEY], path));

	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, path));
	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, path));
}

/* Signed with a key its keyring does not hold, it is denied. */
TEST_F_TIMEOUT(appraise, other_key_denied, APPRAISE_TIMEOUT)
{
	char rule[128], path[PATH_MAX];
	struct ima_ctr *ctr;

	appraise_rule(variant->owner, IMASIG, rule, sizeof(rule));
	ctr = start(_metadata, &self->ctrs, variant->ids, NULL, rule,
		    self->cert[OWN_KEY]);
	ASSERT_NE(NULL, ctr);
	make_exe(_metadata, self->dir, "other", variant->host_owner, path);
	ASSERT_EQ(0, sign(_metadata, ctr, self->priv[OTHER_KEY], path));

	EXPECT_EQ(-EACCES, ima_ctr_exec(ctr, IMA_CTR_ROOT, path));
}

/*
 * The keyring found on activation stays the namespace's: a later session
 * with another "_ima" keyring neither adds its keys nor takes the first
 * one's away.
 */
TEST_F_TIMEOUT(appraise, keyring_kept, APPRAISE_TIMEOUT)
{
	char rule[128], own[PATH_MAX], other[PATH_MAX];
	struct ima_ctr *ctr;

	appraise_rule(variant->owner, IMASIG, rule, sizeof(rule));
	ctr = start(_metadata, &self->ctrs, variant->ids, NULL, rule,
		    self->cert[OWN_KEY]);
	ASSERT_NE(NULL, ctr);
	make_exe(_metadata, self->dir, "own", variant->host_owner, own);
	make_exe(_metadata, self->dir, "other", variant->host_owner, other);
	ASSERT_EQ(0, sign(_metadata, ctr, self->priv[OWN_KEY], own));
	ASSERT_EQ(0, sign(_metadata, ctr, self->priv[OTHER_KEY], other));
	ASSERT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, own));

	ASSERT_EQ(0, ima_ctr_new_session(ctr));
	ASSERT_EQ(0, load_key(_metadata, ctr, self->cert[OTHER_KEY]));
	EXPECT_EQ(-EACCES, ima_ctr_exec(ctr, IMA_CTR_ROOT, other));
	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, own));
}

/* A program changed after it ran, by the container, is denied. */
TEST_F_TIMEOUT(appraise, modified_exec_denied, APPRAISE_TIMEOUT)
{
	static const char junk[] = "appended after signing";
	char rule[128], path[PATH_MAX];
	struct ima_ctr *ctr;

	appraise_rule(variant->owner, IMASIG, rule, sizeof(rule));
	ctr = start(_metadata, &self->ctrs, variant->ids, NULL, rule,
		    self->cert[OWN_KEY]);
	ASSERT_NE(NULL, ctr);
	make_exe(_metadata, self->dir, "modified", variant->host_owner, path);
	ASSERT_EQ(0, sign(_metadata, ctr, self->priv[OWN_KEY], path));
	ASSERT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, path));

	ASSERT_EQ(0, ima_ctr_write(ctr, IMA_CTR_ROOT, path, junk,
				   sizeof(junk), O_APPEND, 0));
	EXPECT_EQ(-EACCES, ima_ctr_exec(ctr, IMA_CTR_ROOT, path));
}

/*
 * The host replacing or removing security.ima, or changing the file, makes
 * the container appraise it again.
 */
TEST_F_TIMEOUT(appraise, host_changes_reappraised, APPRAISE_TIMEOUT)
{
	static const char junk[] = "appended by the host";
	char rule[128], path[PATH_MAX];
	struct ima_ctr *ctr;

	appraise_rule(variant->owner, IMASIG, rule, sizeof(rule));
	ctr = start(_metadata, &self->ctrs, variant->ids, NULL, rule,
		    self->cert[OWN_KEY]);
	ASSERT_NE(NULL, ctr);
	make_exe(_metadata, self->dir, "changed", variant->host_owner, path);
	ASSERT_EQ(0, sign(_metadata, ctr, self->priv[OWN_KEY], path));
	ASSERT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, path));

	/* Another key's signature. */
	ASSERT_EQ(0, sign(_metadata, NULL, self->priv[OTHER_KEY], path));
	EXPECT_EQ(-EACCES, ima_ctr_exec(ctr, IMA_CTR_ROOT, path));

	/* Signed again with the namespace's key. */
	ASSERT_EQ(0, sign(_metadata, NULL, self->priv[OWN_KEY], path));
	EXPECT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, path));

	/* No signature at all. */
	ASSERT_EQ(0, removexattr(path, XATTR_IMA));
	EXPECT_EQ(-EACCES, ima_ctr_exec(ctr, IMA_CTR_ROOT, path));

	/* Signed, then the file changed. */
	ASSERT_EQ(0, sign(_metadata, NULL, self->priv[OWN_KEY], path));
	ASSERT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, path));
	ASSERT_EQ(0, write_file(path, junk, sizeof(junk), O_APPEND, 0));
	EXPECT_EQ(-EACCES, ima_ctr_exec(ctr, IMA_CTR_ROOT, path));
}

/*
 * A hash in security.ima (evmctl ima_hash) passes a namespace's appraise
 * rule, but not one with appraise_type=imasig in another namespace. Host
 * root writes it: a namespace may not write a hash (it would satisfy its
 * ancestors' appraisal), but it may appraise one its ancestor wrote.
 */
TEST_F_TIMEOUT(appraise, imasig_refuses_hash, APPRAISE_TIMEOUT)
{
	char loose[128], strict[128], path[PATH_MAX];
	char *const argv[] = { "evmctl", "ima_hash", "-a", "sha256", path,
			       NULL };
	struct ima_ctr *lax, *signing;

	appraise_rule(variant->owner, "", loose, sizeof(loose));
	appraise_rule(variant->owner, IMASIG, strict, sizeof(strict));
	lax = start(_metadata, &self->ctrs, variant->ids, NULL, loose, NULL);
	ASSERT_NE(NULL, lax);
	signing = start(_metadata, &self->ctrs, variant->ids, NULL, strict,
			NULL);
	ASSERT_NE(NULL, signing);
	make_exe(_metadata, self->dir, "hashed", variant->host_owner, path);
	EXPECT_EQ(-EACCES, ima_ctr_exec(lax, IMA_CTR_ROOT, path));

	ASSERT_EQ(0, run_cmd(argv, NULL, 0));
	EXPECT_EQ(0, ima_ctr_exec(lax, IMA_CTR_ROOT, path));
	EXPECT_EQ(-EACCES, ima_ctr_exec(signing, IMA_CTR_ROOT, path));
}

/* A template= rule: the namespace's list shows the signature it checked. */
TEST_F_TIMEOUT(appraise, template_per_rule, APPRAISE_TIMEOUT)
{
	char policy[256], rule[128], path[PATH_MAX];
	__u8 sig[1024];
	const __u8 *field;
	struct ima_list list;
	struct ima_ctr *ctr;
	__u32 field_len;
	ssize_t idx, len;

	appraise_rule(variant->owner, IMASIG, rule, sizeof(rule));
	snprintf(policy, sizeof(policy),
		 "measure func=BPRM_CHECK fowner=%d template=ima-sig\n%s",
		 variant->owner, rule);
	ctr = start(_metadata, &self->ctrs, variant->ids, NULL, policy,
		    self->cert[OWN_KEY]);
	ASSERT_NE(NULL, ctr);
	make_exe(_metadata, self->dir, "measured", variant->host_owner, path);
	ASSERT_EQ(0, sign(_metadata, ctr, self->priv[OWN_KEY], path));
	ASSERT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, path));

	len = getxattr(path, XATTR_IMA, sig, sizeof(sig));
	ASSERT_LT(2, len);
	ASSERT_EQ(EVM_IMA_XATTR_DIGSIG, sig[0]);
	ASSERT_EQ(0, ima_ctr_list(ctr, &list));
	idx = ima_list_find(&list, 0, path, NULL);
	ASSERT_LE(0, idx) {
		ima_list_free(&list);
	}
	EXPECT_STREQ("ima-sig", list.entries[idx].template);
	EXPECT_EQ(0, ima_entry_field(&list.entries[idx], 2, &field,
				     &field_len));
	EXPECT_EQ(len, field_len);
	if (field_len == len)
		EXPECT_EQ(0, memcmp(sig, field, len));
	ima_list_free(&list);
}

/* security.ima of type IMA_XATTR_DIGEST_NG for @algo, @len digest bytes. */
static int set_digest(const char *path, __u8 algo, size_t len)
{
	__u8 value[2 + SHA256_DIGEST_SIZE] = { IMA_XATTR_DIGEST_NG, algo };

	return setxattr(path, XATTR_IMA, value, 2 + len, 0) ? -errno : 0;
}

/*
 * security.ima of type EVM_IMA_XATTR_DIGSIG (version 2) for @algo, written
 * in a container: a namespace writes signatures only, never a hash.
 * Its bytes do not matter to SETXATTR_CHECK.
 */
static int set_sig(struct ima_ctr *ctr, const char *path, __u8 algo)
{
	__u8 value[9 + 256] = { EVM_IMA_XATTR_DIGSIG, 2, algo, 0, 0, 0, 0, 1 };

	return ima_ctr_setxattr(ctr, IMA_CTR_ROOT, path, XATTR_IMA, value,
				sizeof(value));
}

/*
 * SETXATTR_CHECK: a namespace's allow-list binds its root, and those of
 * the namespaces below; not the host.
 */
TEST_F_TIMEOUT(appraise, setxattr_check, APPRAISE_TIMEOUT)
{
	char path[PATH_MAX];
	char *const argv[] = {
		"evmctl", "ima_sign", "--key", self->priv[OWN_KEY], "-a",
		"sha1", path, NULL
	};
	struct ima_ctr *ctr, *child;

	ctr = start(_metadata, &self->ctrs, variant->ids, NULL,
		    "appraise func=SETXATTR_CHECK appraise_algos=sha256\n",
		    NULL);
	ASSERT_NE(NULL, ctr);
	child = start(_metadata, &self->ctrs, variant->nested_ids, ctr, "",
		      NULL);
	ASSERT_NE(NULL, child);
	make_exe(_metadata, self->dir, "xattr", variant->host_owner, path);

	EXPECT_EQ(-EACCES, set_sig(ctr, path, HASH_ALGO_SHA1));
	EXPECT_NE(0, ctr_run(_metadata, ctr, argv));
	EXPECT_EQ(0, set_sig(ctr, path, HASH_ALGO_SHA256));
	EXPECT_EQ(-EACCES, set_sig(child, path, HASH_ALGO_SHA1));
	EXPECT_EQ(0, set_digest(path, HASH_ALGO_SHA1, SHA1_DIGEST_SIZE));
}

/*
 * IMA keeps no hash in security.ima for a namespace (a hash a namespace
 * has written would satisfy its ancestors' appraisal): hash and dont_hash
 * rules are refused, and a file the container creates and writes under
 * its own appraise rule has no security.ima after its last close. (Hash
 * rules once kept security.ima in step with what the container wrote.)
 */
TEST_F_TIMEOUT(appraise, hash_rule_refused, APPRAISE_TIMEOUT)
{
	static const char data[] = "written in the container";
	char rule[256], own[PATH_MAX], *policy;
	struct ima_ctr *ctr;

	ctr = start(_metadata, &self->ctrs, variant->ids, NULL, "", NULL);
	ASSERT_NE(NULL, ctr);
	EXPECT_EQ(-EINVAL, ima_ctr_policy_write(ctr, "hash\n"));
	EXPECT_EQ(-EINVAL, ima_ctr_policy_write(ctr, "dont_hash\n"));
	ASSERT_LE(0, ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_POLICY, &policy));
	EXPECT_STREQ("", policy);
	free(policy);

	snprintf(rule, sizeof(rule),
		 PSEUDO_FS_RULES "appraise func=FILE_CHECK fowner=%d\n",
		 variant->owner);
	ASSERT_EQ(0, ima_ctr_policy_write(ctr, rule));
	ASSERT_GT(sizeof(own), snprintf(own, sizeof(own), "%s/own",
					self->dir));
	/* New, the file passes the namespace's appraisal. */
	ASSERT_EQ(0, ima_ctr_write(ctr, variant->owner ?: IMA_CTR_ROOT, own,
				   data, sizeof(data), O_CREAT | O_EXCL, 0644));
	EXPECT_EQ(-1, getxattr(own, XATTR_IMA, NULL, 0));
	EXPECT_EQ(ENODATA, errno);
}

/*
 * appraise func=POLICY_CHECK: the namespace takes only policy files signed
 * with its key, named by absolute path, and only from its own tasks.
 */
TEST_F_TIMEOUT(appraise, signed_policy_required, APPRAISE_TIMEOUT)
{
	static const char rule[] = "dont_measure fsmagic=0x1234abcd\n";
	char path[PATH_MAX], host_policy[PATH_MAX], *policy;
	struct ima_ctr *ctr;

	ctr = start(_metadata, &self->ctrs, variant->ids, NULL,
		    "appraise func=POLICY_CHECK appraise_type=imasig\n",
		    self->cert[OWN_KEY]);
	ASSERT_NE(NULL, ctr);
	ASSERT_GT(sizeof(path), snprintf(path, sizeof(path), "%s/policy",
					 self->dir));
	ASSERT_EQ(0, write_file(path, rule, strlen(rule), O_CREAT | O_EXCL,
				0644));
	ASSERT_EQ(0, chown(path, variant->ids->base, variant->ids->base));

	EXPECT_EQ(-EACCES, ima_ctr_policy_write(ctr, rule));
	EXPECT_EQ(-EACCES, ima_ctr_policy_write(ctr, path));
	ASSERT_EQ(0, sign(_metadata, ctr, self->priv[OTHER_KEY], path));
	EXPECT_EQ(-EACCES, ima_ctr_policy_write(ctr, path));

	ASSERT_EQ(0, sign(_metadata, ctr, self->priv[OWN_KEY], path));
	/* Host root cannot load it for the namespace: not appraised there. */
	ASSERT_EQ(0, ima_ctr_path(ctr, IMA_POLICY, host_policy,
				  sizeof(host_policy)));
	EXPECT_EQ(-EACCES, write_file(host_policy, path, strlen(path), 0, 0));
	EXPECT_EQ(0, ima_ctr_policy_write(ctr, path));

	ASSERT_LT(0, ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_POLICY, &policy));
	EXPECT_NE(NULL, strstr(policy, "dont_measure fsmagic=0x1234abcd"));
	free(policy);
}

/*
 * A parent's appraise rule covers what runs in a child namespace, with
 * the parent's keyring, which no task of the child can choose for it.
 */
TEST_F_TIMEOUT(appraise, parent_covers_child, APPRAISE_TIMEOUT)
{
	char rule[128], own[PATH_MAX], other[PATH_MAX], unsigned_exe[PATH_MAX];
	struct ima_ctr *parent, *child;

	appraise_rule(variant->owner, IMASIG, rule, sizeof(rule));
	parent = start(_metadata, &self->ctrs, variant->ids, NULL, rule,
		       self->cert[OWN_KEY]);
	ASSERT_NE(NULL, parent);
	child = start(_metadata, &self->ctrs, variant->nested_ids, parent, "",
		      NULL);
	ASSERT_NE(NULL, child);
	make_exe(_metadata, self->dir, "own", variant->host_owner, own);
	make_exe(_metadata, self->dir, "other", variant->host_owner, other);
	make_exe(_metadata, self->dir, "unsigned", variant->host_owner,
		 unsigned_exe);
	ASSERT_EQ(0, sign(_metadata, NULL, self->priv[OWN_KEY], own));
	ASSERT_EQ(0, sign(_metadata, NULL, self->priv[OTHER_KEY], other));

	EXPECT_EQ(-EACCES, ima_ctr_exec(child, IMA_CTR_ROOT, unsigned_exe));
	/* The child's keyring is not the parent's, even asked first. */
	ASSERT_EQ(0, load_key(_metadata, child, self->cert[OTHER_KEY]));
	EXPECT_EQ(-EACCES, ima_ctr_exec(child, IMA_CTR_ROOT, other));
	EXPECT_EQ(0, ima_ctr_exec(child, IMA_CTR_ROOT, own));

	ASSERT_EQ(0, ima_ctr_exec(parent, IMA_CTR_ROOT, own));
	EXPECT_EQ(0, ima_ctr_exec(child, IMA_CTR_ROOT, own));
	EXPECT_EQ(-EACCES, ima_ctr_exec(child, IMA_CTR_ROOT, other));
	EXPECT_EQ(-EACCES, ima_ctr_exec(child, IMA_CTR_ROOT, unsigned_exe));
}

/* A file one namespace appraised is still appraised by its sibling. */
TEST_F_TIMEOUT(appraise, siblings_appraise_alone, APPRAISE_TIMEOUT)
{
	char rule[128], path[PATH_MAX];
	struct ima_ctr *a, *b;

	appraise_rule(variant->owner, IMASIG, rule, sizeof(rule));
	a = start(_metadata, &self->ctrs, variant->ids, NULL, rule,
		  self->cert[OWN_KEY]);
	ASSERT_NE(NULL, a);
	b = start(_metadata, &self->ctrs, variant->ids, NULL, rule,
		  self->cert[OTHER_KEY]);
	ASSERT_NE(NULL, b);
	make_exe(_metadata, self->dir, "shared", variant->host_owner, path);
	ASSERT_EQ(0, sign(_metadata, a, self->priv[OWN_KEY], path));

	EXPECT_EQ(0, ima_ctr_exec(a, IMA_CTR_ROOT, path));
	EXPECT_EQ(-EACCES, ima_ctr_exec(b, IMA_CTR_ROOT, path));
	EXPECT_EQ(0, ima_ctr_exec(a, IMA_CTR_ROOT, path));
	EXPECT_EQ(-EACCES, ima_ctr_exec(b, IMA_CTR_ROOT, path));
}

/*
 * O_DIRECT reads cannot be hashed: the open is denied, unless the rule
 * says permit_directio.
 */
TEST_F_TIMEOUT(appraise, permit_directio, APPRAISE_TIMEOUT)
{
	char strict[256], lax[256], path[PATH_MAX];
	struct ima_ctr *denying, *permitting;
	int fd;

	snprintf(strict, sizeof(strict),
		 PSEUDO_FS_RULES "appraise func=FILE_CHECK fowner=%d\n",
		 variant->owner);
	snprintf(lax, sizeof(lax), PSEUDO_FS_RULES
		 "appraise func=FILE_CHECK fowner=%d permit_directio\n",
		 variant->owner);
	denying = start(_metadata, &self->ctrs, variant->ids, NULL, strict,
			self->cert[OWN_KEY]);
	ASSERT_NE(NULL, denying);
	permitting = start(_metadata, &self->ctrs, variant->ids, NULL, lax,
			   self->cert[OWN_KEY]);
	ASSERT_NE(NULL, permitting);
	make_exe(_metadata, self->dir, "direct", variant->host_owner, path);
	ASSERT_EQ(0, sign(_metadata, NULL, self->priv[OWN_KEY], path));

	EXPECT_EQ(-EACCES, ima_ctr_open(denying, IMA_CTR_ROOT, path,
					O_RDONLY | O_DIRECT));
	/* The signature is good: read normally, the file passes. */
	fd = ima_ctr_open(denying, IMA_CTR_ROOT, path, O_RDONLY);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		EXPECT_EQ(0, ima_ctr_close(denying, fd));
	fd = ima_ctr_open(permitting, IMA_CTR_ROOT, path, O_RDONLY | O_DIRECT);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		EXPECT_EQ(0, ima_ctr_close(permitting, fd));
}

/*
 * mprotect() making a covered file's mapping executable is refused, by
 * the namespace's rule and by an ancestor's.
 */
TEST_F_TIMEOUT(appraise, mprotect_exec_denied, APPRAISE_TIMEOUT)
{
	char rule[128], covered[PATH_MAX], uncovered[PATH_MAX];
	struct ima_ctr *parent, *child;

	snprintf(rule, sizeof(rule), "appraise func=MMAP_CHECK fowner=%d\n",
		 variant->owner);
	parent = start(_metadata, &self->ctrs, variant->ids, NULL, rule, NULL);
	ASSERT_NE(NULL, parent);
	child = start(_metadata, &self->ctrs, variant->nested_ids, parent, "",
		      NULL);
	ASSERT_NE(NULL, child);
	make_exe(_metadata, self->dir, "covered", variant->host_owner, covered);
	make_exe(_metadata, self->dir, "uncovered", UNMAPPED_UID, uncovered);

	EXPECT_EQ(-EPERM, ima_ctr_mprotect_exec(parent, IMA_CTR_ROOT,
						covered));
	EXPECT_EQ(-EPERM, ima_ctr_mprotect_exec(child, IMA_CTR_ROOT, covered));
	EXPECT_EQ(0, ima_ctr_mprotect_exec(child, IMA_CTR_ROOT, uncovered));
}

/*
 * A file made with mknod() is new, so empty and unsigned it passes every
 * level that appraises it; an old empty file without security.ima fails.
 */
TEST_F_TIMEOUT(appraise, mknod_file_is_new, APPRAISE_TIMEOUT)
{
	char rule[256], made[PATH_MAX], old[PATH_MAX];
	struct ima_ctr *parent, *child;
	int fd;

	snprintf(rule, sizeof(rule),
		 PSEUDO_FS_RULES "appraise func=FILE_CHECK fowner=%d\n",
		 variant->owner);
	parent = start(_metadata, &self->ctrs, variant->ids, NULL, rule, NULL);
	ASSERT_NE(NULL, parent);
	child = start(_metadata, &self->ctrs, variant->nested_ids, parent, "",
		      NULL);
	ASSERT_NE(NULL, child);
	ASSERT_GT(sizeof(made), snprintf(made, sizeof(made), "%s/made",
					 self->dir));
	ASSERT_GT(sizeof(old), snprintf(old, sizeof(old), "%s/old",
					self->dir));
	ASSERT_EQ(0, write_file(old, "", 0, O_CREAT | O_EXCL, 0644));
	ASSERT_EQ(0, chown(old, variant->host_owner, variant->host_owner));

	ASSERT_EQ(0, ima_ctr_mknod(child, variant->owner ?: IMA_CTR_ROOT,
				   made, 0644));
	fd = ima_ctr_open(child, IMA_CTR_ROOT, made, O_RDONLY);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		EXPECT_EQ(0, ima_ctr_close(child, fd));
	EXPECT_EQ(-EACCES, ima_ctr_open(child, IMA_CTR_ROOT, old, O_RDONLY));
}

TEST_HARNESS_MAIN
