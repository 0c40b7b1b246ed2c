// SPDX-License-Identifier: GPL-2.0-only
/*
 * A hostile tenant against the host's IMA: a container whose root is an
 * unprivileged host user (or host root, for a rootful runtime) tries to
 * make the host measure or appraise less, to change what the host
 * believes about a file, to fill the host's audit log, or to crash it.
 * Each test is one attack, with the behaviour the design contract
 * promises (Documentation/security/ima-namespaces.rst).
 *
 * Each tenant is a host uid of its own, 4401 to 4430, which no other test
 * uses; every rule this program adds to the host policy (where it stays
 * for the rest of the boot) names one of them.
 *
 * The programs of the suite run in the order of TEST_GEN_PROGS: this one
 * first, because key_queue needs a host that has not loaded a policy yet.
 * The tests run by fixture, in the order of their first FIXTURE(): early
 * (key_queue), attack, audit_flood, then no_newline, which crashes a
 * kernel without the fix, so it comes last.
 *
 * Needs root, a kernel with CONFIG_IMA_NS and CONFIG_IMA_APPRAISE, a boot
 * with ima_policy=tcb, a scratch directory on a block filesystem
 * ($IMA_NS_SCRATCH) and a "true" program to copy; audit_flood needs
 * CONFIG_AUDIT and no other audit daemon, key_queue openssl, keyctl and
 * sh. Skips otherwise.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ima_ns_audit.h"
#include "ima_ns_ctr.h"

#define STR_(x)		#x
#define STR(x)		STR_(x)

/* The tenants: host uids that are their containers' root (or owner). */
#define REWRITE_UID		4401
#define HASH_UID		4402
#define INTENT_UID		4403
#define ODIRECT_UID		4404
#define ODIRECT_ROOTFUL_UID	4405
#define MMAP_UID		4406
#define ALGO_UID		4407
#define TOMTOU_UID		4408
#define NO_NEWLINE_UID		4409
#define KEY_UID			4410
#define OPT_LIST_UID		4411
#define DIRTY_MAP_UID		4421
#define SIG_SIZE_UID		4422
#define ODIRECT_IMA_UID		4423
#define ODIRECT_IMA_SHA256_UID	4424
/* Owners of files only the host rules of no_newline name. */
#define NO_NEWLINE_BASE_UID	4418
#define NO_NEWLINE_HOST_UID	4419
#define NO_NEWLINE_NEXT_UID	4420

/* The host uid whose container it is: host root's is a rootful one. */
#define ROOTFUL			0

#define XATTR_IMA		"security.ima"
/* security.ima types and the hash algorithm id of SHA-256. */
#define IMA_XATTR_DIGEST	0x01
#define EVM_IMA_XATTR_DIGSIG	0x03
#define IMA_XATTR_DIGEST_NG	0x04
#define HASH_ALGO_SHA256	4
/* A v2 signature's header: type, version, algorithm, key id, size. */
#define SIG_HEADER		9
/* The largest security.ima signature a namespace may write. */
#define MAX_SIGNATURE		1024

/*
 * Pseudo filesystems an appraise rule without fsmagic leaves alone: the
 * container's own /proc and securityfs files belong to its root.
 */
#define PSEUDO_FS_RULES	"dont_appraise fsmagic=0x9fa0\n"	/* proc */ \
			"dont_appraise fsmagic=0x62656572\n"	/* sysfs */ \
			"dont_appraise fsmagic=0x73636673\n"	/* securityfs */ \
			"dont_appraise fsmagic=0x1021994\n"	/* tmpfs */
#define NO_SECURITYFS	"dont_measure fsmagic=0x73636673\n"

#define MAX_CTRS		4
#define ATTACK_TIMEOUT		180
/* A policy file or line: the largest a namespace may have read. */
#define MAX_POLICY_FILE		(1024 * 4096)
#define PAGE			4096
/* Key queue: the host drops it 300 s after boot; keep a margin. */
#define KEY_QUEUE_UPTIME	290
/* How long a policy write that may crash the kernel is waited for. */
#define WRITE_TIMEOUT_MS	30000

/**
 * struct env - what each test has
 * @dir: a directory for the test's files, writable by all
 * @true_prog: the "true" program to copy
 * @ctr: containers, stopped at teardown
 * @nr_ctrs: number of @ctr started
 */
struct env {
	char dir[256];
	char true_prog[PATH_MAX];
	struct ima_ctr ctr[MAX_CTRS];
	int nr_ctrs;
};

static void env_setup(struct __test_metadata *_metadata, struct env *env)
{
	const char *reason = ima_ns_missing();
	char scratch[PATH_MAX];
	const char *unusable;

	env->nr_ctrs = 0;
	env->dir[0] = '\0';
	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, ima_scratch_dir(scratch, sizeof(scratch)));
	unusable = ima_scratch_unusable(scratch);
	if (unusable)
		SKIP(return, "%.200s: %s", scratch, unusable);
	if (find_true(env->true_prog))
		SKIP(return, "no 'true' program to execute");

	ASSERT_GT(sizeof(env->dir),
		  snprintf(env->dir, sizeof(env->dir), "%s/attack-XXXXXX",
			   scratch));
	ASSERT_NE(NULL, mkdtemp(env->dir));
	ASSERT_EQ(0, chmod(env->dir, 01777));
}

static void env_teardown(struct env *env)
{
	while (env->nr_ctrs)
		ima_ctr_stop(&env->ctr[--env->nr_ctrs]);
	if (env->dir[0])
		remove_tree(env->dir);
}

/*
 * A container of host uid @tenant, a session keyring of its own and its
 * IMA namespace active with @hash and @template (NULL: the namespace's
 * default) and @policy. Stopped at teardown. An unprivileged user's
 * container maps only that user, as its root; host root's (ROOTFUL) maps
 * uids 0..65535 to themselves.
 */
static struct ima_ctr *start_tenant_ns(struct __test_metadata *_metadata,
				       struct env *env, uid_t tenant,
				       const char *policy, const char *hash,
				       const char *template)
{
	const struct ima_ctr_ids ids = {
		.owner = tenant, .base = tenant, .count = 1,
	};
	struct ima_ctr *ctr = &env->ctr[env->nr_ctrs];
	int ret;

	if (env->nr_ctrs == MAX_CTRS)
		return NULL;
	ret = ima_ctr_start(ctr, tenant == ROOTFUL ? &ima_ctr_rootful : &ids);
	if (ret) {
		TH_LOG("no container: %s", strerror(-ret));
		return NULL;
	}
	env->nr_ctrs++;
	ret = ima_ctr_new_session(ctr) ?:
	      ima_ctr_activate(ctr, hash, template) ?:
	      (*policy ? ima_ctr_policy_write(ctr, policy) : 0);
	if (ret) {
		TH_LOG("container not set up: %s", strerror(-ret));
		return NULL;
	}
	return ctr;
}

/* The same, SHA-256 and the default template. */
static struct ima_ctr *start_tenant(struct __test_metadata *_metadata,
				    struct env *env, uid_t tenant,
				    const char *policy)
{
	return start_tenant_ns(_metadata, env, tenant, policy, "sha256", NULL);
}

#define START(tenant, policy) \
	start_tenant(_metadata, &self->env, tenant, policy)

/* @dir/@name, a file the host writes with @len bytes of @data. */
static void make_file(struct __test_metadata *_metadata, const char *dir,
		      const char *name, const void *data, size_t len,
		      mode_t mode, uid_t uid, char path[PATH_MAX])
{
	ASSERT_GT(PATH_MAX, snprintf(path, PATH_MAX, "%s/%s", dir, name));
	ASSERT_EQ(0, write_file(path, data, len, O_CREAT | O_EXCL, mode));
	ASSERT_EQ(0, chown(path, uid, uid));
}

/* @dir/@name, a copy of "true" owned by @uid. */
static void make_exe(struct __test_metadata *_metadata, const struct env *env,
		     const char *name, uid_t uid, char path[PATH_MAX])
{
	ASSERT_GT(PATH_MAX, snprintf(path, PATH_MAX, "%s/%s", env->dir, name));
	ASSERT_EQ(0, copy_file(env->true_prog, path, 0755));
	ASSERT_EQ(0, chown(path, uid, uid));
}

/* Why a test that adds a host rule skips when it cannot. */
#define HOST_POLICY_HIDDEN	"host policy not readable (CONFIG_IMA_READ_POLICY)"

/* The value evmctl ima_hash -a sha256 writes: 0x04 0x04 <digest>. */
static int hash_xattr_value(const char *path,
			    __u8 value[2 + SHA256_DIGEST_SIZE])
{
	value[0] = IMA_XATTR_DIGEST_NG;
	value[1] = HASH_ALGO_SHA256;
	return sha256_file(path, value + 2);
}

/* Whether @path has no security.ima. */
static bool no_ima_xattr(const char *path)
{
	return getxattr(path, XATTR_IMA, NULL, 0) < 0 && errno == ENODATA;
}

/* Entries of @list for @path with the SHA-256 file digest @digest. */
static int count_digest(const struct ima_list *list, const char *path,
			const __u8 digest[SHA256_DIGEST_SIZE])
{
	struct ima_ng ng;
	ssize_t idx = -1;
	int n = 0;

	while ((idx = ima_list_find(list, idx + 1, path, &ng)) >= 0)
		n += !strcmp(ng.algo, "sha256") &&
		     ng.digest_len == SHA256_DIGEST_SIZE &&
		     !memcmp(ng.digest, digest, SHA256_DIGEST_SIZE);
	return n;
}

/* Entries of the host's list for @path and @digest, or a negative errno. */
static int host_entries(const char *path,
			const __u8 digest[SHA256_DIGEST_SIZE])
{
	struct ima_list list;
	int ret;

	ret = ima_list_read(IMA_BINARY_LIST, SHA1_DIGEST_SIZE, &list);
	if (ret)
		return ret;
	ret = count_digest(&list, path, digest);
	ima_list_free(&list);
	return ret;
}

/* The same in a container's list. */
static int ctr_entries(struct ima_ctr *ctr, const char *path,
		       const __u8 digest[SHA256_DIGEST_SIZE])
{
	struct ima_list list;
	int ret;

	ret = ima_ctr_list(ctr, &list);
	if (ret)
		return ret;
	ret = count_digest(&list, path, digest);
	ima_list_free(&list);
	return ret;
}

/* A container's violations counter. */
static int ctr_violations(struct ima_ctr *ctr, long *count)
{
	char *buf, *end;
	ssize_t ret;

	ret = ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_VIOLATIONS, &buf);
	if (ret < 0)
		return ret;
	*count = strtol(buf, &end, 10);
	ret = end == buf ? -EBADMSG : 0;
	free(buf);
	return ret;
}

/* Whether a policy, as read back, shows @rule (it adds a space). */
static bool policy_has(const char *policy, const char *rule)
{
	size_t len = strlen(rule);
	const char *line, *end;

	for (line = policy; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		if ((size_t)(end - line) == len + 1 && line[len] == ' ' &&
		    !strncmp(line, rule, len))
			return true;
	}
	return false;
}

static int exec_true(const char *path)
{
	char *const argv[] = { "true", NULL };

	return exec_status(path, argv);
}

/* open(@path, @flags) and close() on the host: 0 or -errno. */
static int host_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* ---- key_queue: the first test of the first program --------------------- */

FIXTURE(early) {
	struct env env;
};

FIXTURE_SETUP(early)
{
	env_setup(_metadata, &self->env);
}

FIXTURE_TEARDOWN(early)
{
	env_teardown(&self->env);
}

static double boot_seconds(void)
{
	char *buf;
	double up;

	if (read_file("/proc/uptime", &buf) < 0)
		return 1e9;
	up = strtod(buf, NULL);
	free(buf);
	return up;
}

/*
 * Why the host's early-boot key queue is not active, or NULL if it is:
 * it exists with CONFIG_IMA_QUEUE_EARLY_BOOT_KEYS (which needs
 * CONFIG_SYSTEM_TRUSTED_KEYRING, and so the .builtin_trusted_keys
 * keyring), and lasts until the host loads a policy or for 300 s.
 */
static const char *key_queue_inactive(void)
{
	char *keys, *policy, *boot;
	const char *reason = NULL;

	if (read_file("/proc/keys", &keys) < 0)
		return "no /proc/keys";
	if (!strstr(keys, ".builtin_trusted_keys"))
		reason = "no early-boot key queue (CONFIG_SYSTEM_TRUSTED_KEYRING)";
	free(keys);
	if (reason)
		return reason;
	if (boot_seconds() > KEY_QUEUE_UPTIME)
		return "booted over 290 s ago: the key queue is gone";
	if (read_file(IMA_POLICY, &policy) < 0)
		return "host policy not readable (CONFIG_IMA_READ_POLICY)";
	boot = ima_policy_text(ima_tcb_rules, NULL);
	if (!boot || strcmp(policy, boot))
		reason = "host policy written since boot (or not tcb): no key queue";
	free(policy);
	free(boot);
	return reason;
}

/*
 * key_queue. Attack: a tenant adds a key to its _ima keyring early: until
 * the host loads its first policy (or for 5 minutes after boot), IMA
 * queues every asymmetric key added anywhere, to measure it against the
 * host's policy later, and the tenant's own KEY_CHECK rule never sees it:
 * a verifier of the tenant's list misses the key its appraisal trusts.
 * Contract: the queue is the host's only. A namespace whose policy says
 * measure func=KEY_CHECK measures the key at once, into its own list.
 */
TEST_F_TIMEOUT(early, key_queue, ATTACK_TIMEOUT)
{
	char *const newring[] = { "keyctl", "newring", "_ima", "@s", NULL };
	char keydir[PATH_MAX], priv[PATH_MAX], cert[PATH_MAX];
	char cmd[PATH_MAX + 64], *out = NULL;
	char *const padd[] = { "sh", "-c", cmd, NULL };
	const char *reason;
	struct ima_list list;
	struct ima_ctr *ctr;
	int ret;

	reason = key_queue_inactive();
	if (reason)
		SKIP(return, "%s", reason);
	if (!have_cmd("openssl") || !have_cmd("keyctl") || !have_cmd("sh"))
		SKIP(return, "needs openssl, keyctl and sh");

	ASSERT_GT(sizeof(keydir), snprintf(keydir, sizeof(keydir), "%s/key",
					   self->env.dir));
	ASSERT_EQ(0, mkdir(keydir, 0755));
	ASSERT_EQ(0, ima_test_key(keydir, priv, cert, PATH_MAX)) {
		TH_LOG("openssl could not create a key in %s", keydir);
	}
	ASSERT_EQ(0, chmod(cert, 0644));
	ctr = START(KEY_UID, "");
	ASSERT_NE(NULL, ctr);
	ret = ima_ctr_policy_write(ctr, "measure func=KEY_CHECK\n");
	if (ret == -EINVAL)
		SKIP(return, "no KEY_CHECK (CONFIG_IMA_MEASURE_ASYMMETRIC_KEYS)");
	ASSERT_EQ(0, ret);

	/* Still queued by the host, as far as it can be told from here? */
	reason = key_queue_inactive();
	if (reason)
		SKIP(return, "%s", reason);
	snprintf(cmd, sizeof(cmd),
		 "keyctl padd asymmetric '' %%keyring:_ima < '%s'", cert);
	ASSERT_EQ(0, ima_ctr_run(ctr, IMA_CTR_ROOT, newring, &out)) {
		TH_LOG("keyctl newring: %s", out ? out : "");
	}
	free(out);
	out = NULL;
	ASSERT_EQ(0, ima_ctr_run(ctr, IMA_CTR_ROOT, padd, &out)) {
		TH_LOG("keyctl padd: %s", out ? out : "");
	}
	free(out);
	if (boot_seconds() > KEY_QUEUE_UPTIME + 5)
		SKIP(return, "the host dropped its key queue meanwhile (300 s)");

	ASSERT_EQ(0, ima_ctr_list(ctr, &list));
	EXPECT_LE(0, ima_list_find(&list, 0, "_ima", NULL)) {
		TH_LOG("the key is not in the namespace's list: queued for the host");
	}
	ima_list_free(&list);
}

/* ---- attacks on what the host measures and appraises -------------------- */

FIXTURE(attack) {
	struct env env;
};

FIXTURE_SETUP(attack)
{
	env_setup(_metadata, &self->env);
}

FIXTURE_TEARDOWN(attack)
{
	env_teardown(&self->env);
}

/*
 * rewrite_version. Attack: the host measures a tool the tenant owns each
 * time it changes. The tenant opens it O_RDWR, writes new bytes, and maps
 * the same descriptor executable before closing it: its own MMAP_CHECK
 * rule hashes the new version first, while the file is still open for
 * write, and so records the new version as the one "already hashed", so
 * that the host sees no change at the last close.
 * Contract: no level's work makes another skip work. The host measures the
 * new version when it next executes the tool (a new entry with its new
 * digest), as it does without the namespace's mapping (the control).
 */
TEST_F_TIMEOUT(attack, rewrite_version, ATTACK_TIMEOUT)
{
	static const char control[] = "appended by the control";
	static const char attack[] = "appended by the attack";
	__u8 digest[SHA256_DIGEST_SIZE];
	char tool[PATH_MAX];
	struct ima_ctr *ctr;
	int ret;

	ret = ima_policy_add_rule("measure func=BPRM_CHECK fowner="
				  STR(REWRITE_UID));
	if (ret == -EACCES)
		SKIP(return, HOST_POLICY_HIDDEN);
	ASSERT_EQ(0, ret);
	ctr = START(REWRITE_UID, "measure func=MMAP_CHECK\n");
	ASSERT_NE(NULL, ctr);
	make_exe(_metadata, &self->env, "tool", REWRITE_UID, tool);

	ASSERT_EQ(0, exec_true(tool));
	ASSERT_EQ(0, sha256_file(tool, digest));
	ASSERT_LT(0, host_entries(tool, digest)) {
		TH_LOG("the host did not measure the tool");
	}

	/* Control: written and closed, the tool is measured again. */
	ASSERT_EQ(0, ima_ctr_rewrite(ctr, IMA_CTR_ROOT, tool, control,
				     sizeof(control), false));
	ASSERT_EQ(0, exec_true(tool));
	ASSERT_EQ(0, sha256_file(tool, digest));
	EXPECT_EQ(1, host_entries(tool, digest)) {
		TH_LOG("control: the host did not measure the new version");
	}

	/* The same, with the namespace hashing it before the close. */
	ASSERT_EQ(0, ima_ctr_rewrite(ctr, IMA_CTR_ROOT, tool, attack,
				     sizeof(attack), true));
	ASSERT_EQ(0, sha256_file(tool, digest));
	EXPECT_EQ(1, ctr_entries(ctr, tool, digest)) {
		TH_LOG("the namespace did not measure its mapping");
	}
	ASSERT_EQ(0, exec_true(tool));
	EXPECT_EQ(1, host_entries(tool, digest)) {
		TH_LOG("the host did not measure the version the tenant hashed");
	}
}

/*
 * A security.ima value of @len bytes in evmctl's signature format (v2,
 * SHA-256), its header consistent with @len, that nothing verifies.
 */
static void fake_signature(__u8 *value, size_t len)
{
	size_t sig_len = len - SIG_HEADER;

	memset(value, 0x5a, len);
	value[0] = EVM_IMA_XATTR_DIGSIG;
	value[1] = 2;			/* version */
	value[2] = HASH_ALGO_SHA256;
	/* value[3..6]: key id; then the signature's size, big endian */
	value[7] = sig_len >> 8;
	value[8] = sig_len & 0xff;
}

/* A signature of 256 bytes, as fake_signature() makes it. */
static size_t garbage_signature(__u8 *value, size_t size)
{
	size_t len = SIG_HEADER + 256;

	if (size < len)
		return 0;
	fake_signature(value, len);
	return len;
}

/*
 * tenant_hash. Attack: the host appraises the tenant's programs and
 * accepts a correct hash in security.ima (no appraise_type=imasig). The
 * tenant's root, who may write security.ima on its own files, writes the
 * hash of its unsigned program, or has IMA write it: with a hash rule, or
 * with an appraise rule of its own on a file it writes.
 * Contract: no descendant can satisfy an ancestor's appraisal. A
 * namespace writes signatures only: a hash value (types 0x04 and 0x01) is
 * refused with EPERM, a signature (0x03) is allowed and verifies only
 * against the reader's keyring, and removing security.ima is allowed;
 * hash and dont_hash rules are refused with EINVAL, leaving the policy as
 * it was; IMA writes no hash for a namespace. The host keeps denying the
 * program.
 */
TEST_F_TIMEOUT(attack, tenant_hash, ATTACK_TIMEOUT)
{
	char exe[PATH_MAX], made[PATH_MAX], *before, *after, *prog;
	struct ima_ctr *ctr;
	ssize_t prog_len;
	__u8 value[512];
	int fd, ret;
	size_t len;

	ret = ima_policy_add_rule("appraise func=BPRM_CHECK fowner="
				  STR(HASH_UID));
	if (ret == -EACCES)
		SKIP(return, HOST_POLICY_HIDDEN);
	ASSERT_EQ(0, ret);
	ctr = START(HASH_UID, "");
	ASSERT_NE(NULL, ctr);
	make_exe(_metadata, &self->env, "unsigned", HASH_UID, exe);
	ASSERT_EQ(-EACCES, exec_true(exe)) {
		TH_LOG("the host does not enforce its appraise rule");
	}

	/* (a) security.ima written by the tenant's root. */
	memset(value, 0, sizeof(value));
	ASSERT_EQ(0, hash_xattr_value(exe, value));
	EXPECT_EQ(-EPERM, ima_ctr_setxattr(ctr, IMA_CTR_ROOT, exe, XATTR_IMA,
					   value, 2 + SHA256_DIGEST_SIZE));
	EXPECT_TRUE(no_ima_xattr(exe));
	EXPECT_EQ(-EACCES, exec_true(exe));
	EXPECT_EQ(-EACCES, ima_ctr_exec(ctr, IMA_CTR_ROOT, exe));
	removexattr(exe, XATTR_IMA);

	/* IMA_XATTR_DIGEST: the old form of a hash (SHA-1, 20 bytes). */
	memset(value, 0, sizeof(value));
	value[0] = IMA_XATTR_DIGEST;
	EXPECT_EQ(-EPERM, ima_ctr_setxattr(ctr, IMA_CTR_ROOT, exe, XATTR_IMA,
					   value, 1 + SHA1_DIGEST_SIZE));
	EXPECT_TRUE(no_ima_xattr(exe));
	removexattr(exe, XATTR_IMA);

	/* A signature may be written, and removed; the host's keyring rules. */
	len = garbage_signature(value, sizeof(value));
	EXPECT_EQ(0, ima_ctr_setxattr(ctr, IMA_CTR_ROOT, exe, XATTR_IMA, value,
				      len));
	EXPECT_EQ(-EACCES, exec_true(exe));
	EXPECT_EQ(0, ima_ctr_removexattr(ctr, IMA_CTR_ROOT, exe, XATTR_IMA));
	EXPECT_TRUE(no_ima_xattr(exe));

	/* (b) hash rules in the namespace's policy. */
	ASSERT_EQ(0, ima_ctr_policy_write(ctr, "dont_measure fsmagic=0x1234abcd\n"));
	ASSERT_LE(0, ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_POLICY, &before));
	EXPECT_EQ(-EINVAL, ima_ctr_policy_write(ctr, "hash func=FILE_CHECK\n"));
	EXPECT_EQ(-EINVAL, ima_ctr_policy_write(ctr,
						"dont_hash func=FILE_CHECK\n"));
	ASSERT_LE(0, ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_POLICY, &after));
	EXPECT_STREQ(before, after);
	free(before);
	free(after);

	/*
	 * (c) An appraise rule of the namespace on a program its root
	 * creates: new, it passes; at the last close IMA would keep a hash
	 * of what was written in security.ima.
	 */
	ASSERT_EQ(0, ima_ctr_policy_write(ctr, PSEUDO_FS_RULES
					  "appraise func=FILE_CHECK fowner=0\n"));
	ASSERT_GT(sizeof(made), snprintf(made, sizeof(made), "%s/made",
					 self->env.dir));
	prog_len = read_file(self->env.true_prog, &prog);
	ASSERT_LT(0, prog_len);
	fd = ima_ctr_open(ctr, IMA_CTR_ROOT, made, O_RDWR | O_CREAT | O_EXCL);
	EXPECT_LE(0, fd);
	if (fd >= 0) {
		EXPECT_EQ(prog_len, ima_ctr_fd_write(ctr, fd, prog, prog_len));
		EXPECT_EQ(0, ima_ctr_close(ctr, fd));
	}
	free(prog);
	EXPECT_TRUE(no_ima_xattr(made)) {
		TH_LOG("IMA wrote a hash for the namespace");
	}
	ASSERT_EQ(0, chmod(made, 0755));
	EXPECT_EQ(-EACCES, exec_true(made));
}

/*
 * huge_opt_list. Attack: the tenant's root makes the host parse and
 * allocate whatever it likes: a policy file (4 MiB, the most a namespace
 * may have read) of one rule whose keyrings= list has two million items,
 * or a one-page rule with 2000 of them.
 * Contract: nothing a tenant chooses produces unbounded host memory or a
 * WARN. A rule longer than a page is refused with E2BIG, a list option
 * of more than 64 items with EINVAL, and the policy stays as it was; a
 * short list is accepted.
 */
TEST_F_TIMEOUT(attack, huge_opt_list, ATTACK_TIMEOUT)
{
	static const char prefix[] = "measure func=KEY_CHECK keyrings=";
	char huge[PATH_MAX], *line, *before, *after;
	struct ima_ctr *ctr;
	size_t len, i, items;
	int kmsg, ret;

	ctr = START(OPT_LIST_UID, "");
	ASSERT_NE(NULL, ctr);
	ret = ima_ctr_policy_write(ctr, "measure func=KEY_CHECK keyrings=a|b|c\n");
	if (ret == -EINVAL)
		SKIP(return, "no KEY_CHECK (CONFIG_IMA_MEASURE_ASYMMETRIC_KEYS)");
	EXPECT_EQ(0, ret);
	ASSERT_LE(0, ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_POLICY, &before));
	EXPECT_TRUE(policy_has(before, "measure func=KEY_CHECK keyrings=a|b|c"));

	/* One line of 4 MiB, the newline included: "a|a|...|a\n". */
	line = malloc(MAX_POLICY_FILE);
	ASSERT_NE(NULL, line);
	memcpy(line, prefix, strlen(prefix));
	for (i = strlen(prefix); i < MAX_POLICY_FILE - 1; i++)
		line[i] = (i - strlen(prefix)) % 2 ? '|' : 'a';
	line[MAX_POLICY_FILE - 2] = 'a';
	line[MAX_POLICY_FILE - 1] = '\n';
	ASSERT_GT(sizeof(huge), snprintf(huge, sizeof(huge), "%s/huge-policy",
					 self->env.dir));
	ret = write_file(huge, line, MAX_POLICY_FILE, O_CREAT | O_EXCL, 0644);
	free(line);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, chown(huge, OPT_LIST_UID, OPT_LIST_UID));

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	EXPECT_EQ(-E2BIG, ima_ctr_policy_write(ctr, huge));
	ASSERT_LE(0, ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_POLICY, &after));
	EXPECT_EQ(0, strcmp(before, after)) {
		TH_LOG("the policy changed: %zu bytes, %zu before",
		       strlen(after), strlen(before));
	}
	free(after);

	/* A page less one byte, 2000 items: "a|a|...|a|aaaa...". */
	line = malloc(PAGE);
	ASSERT_NE(NULL, line);
	len = strlen(prefix);
	memcpy(line, prefix, len);
	for (items = 0; items < 2000; items++) {
		if (items)
			line[len++] = '|';
		line[len++] = 'a';
	}
	while (len < PAGE - 1)
		line[len++] = 'a';
	line[len] = '\0';
	EXPECT_EQ(-EINVAL, ima_ctr_policy_write(ctr, line));
	free(line);
	ASSERT_LE(0, ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_POLICY, &after));
	EXPECT_EQ(0, strcmp(before, after)) {
		TH_LOG("the policy changed: %zu bytes, %zu before",
		       strlen(after), strlen(before));
	}
	free(after);
	free(before);

	/* Splats would also fail the suite; say which test made them. */
	if (kmsg >= 0) {
		char rec[8192];
		ssize_t n;
		int splats = 0;

		for (;;) {
			n = read(kmsg, rec, sizeof(rec) - 1);
			if (n < 0 && errno == EPIPE)
				continue;
			if (n <= 0)
				break;
			rec[n] = '\0';
			splats += strstr(rec, "WARNING:") || strstr(rec, "BUG:");
		}
		close(kmsg);
		EXPECT_EQ(0, splats) {
			TH_LOG("the kernel warned while parsing the lists");
		}
	}
}

/*
 * update_xattr_intent. Attack: the host appraises reads of the tenant's
 * file by its hash, which host root wrote. The tenant opens it O_RDWR
 * under its namespace's appraise rule, which remembers "update
 * security.ima at the last close" in the inode, shared by every level;
 * the tenant changes the bytes and closes it, and the host, whose read
 * passed, rewrites security.ima with the hash of the tenant's bytes for a
 * write its own rule never covered: the host now accepts content it never
 * approved.
 * Contract: no level's work (here: a write under a namespace's appraise
 * rule) makes the host take a digest it did not check. security.ima
 * keeps the old hash, and the host denies the changed file (EACCES).
 */
TEST_F_TIMEOUT(attack, update_xattr_intent, ATTACK_TIMEOUT)
{
	static const char data[] = "approved by the host\n";
	__u8 value[2 + SHA256_DIGEST_SIZE], now[sizeof(value) + 64];
	char path[PATH_MAX];
	struct ima_ctr *ctr;
	ssize_t len;
	int fd, ret;

	/* Reads only: the host's rule does not cover the tenant's write. */
	ret = ima_policy_add_rule("appraise func=FILE_CHECK mask=MAY_READ fsname=ext4 fowner="
				  STR(INTENT_UID));
	if (ret == -EACCES)
		SKIP(return, HOST_POLICY_HIDDEN);
	ASSERT_EQ(0, ret);
	ctr = START(INTENT_UID, PSEUDO_FS_RULES
		    "appraise func=FILE_CHECK fowner=0\n");
	ASSERT_NE(NULL, ctr);
	/* As evmctl ima_hash -a sha256 does; then the file is the tenant's. */
	ASSERT_GT(PATH_MAX, snprintf(path, PATH_MAX, "%s/approved",
				     self->env.dir));
	ASSERT_EQ(0, write_file(path, data, sizeof(data) - 1,
				O_CREAT | O_EXCL, 0644));
	ASSERT_EQ(0, hash_xattr_value(path, value));
	ASSERT_EQ(0, setxattr(path, XATTR_IMA, value, sizeof(value), 0));
	ASSERT_EQ(0, chown(path, INTENT_UID, INTENT_UID));
	ASSERT_EQ(0, host_open(path, O_RDONLY)) {
		TH_LOG("the host does not accept the hash it wrote");
	}

	fd = ima_ctr_open(ctr, IMA_CTR_ROOT, path, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(8, ima_ctr_fd_write(ctr, fd, "CHANGED!", 8));
	EXPECT_EQ(0, ima_ctr_close(ctr, fd));

	len = getxattr(path, XATTR_IMA, now, sizeof(now));
	EXPECT_EQ(sizeof(value), len);
	EXPECT_EQ(0, memcmp(value, now, sizeof(value))) {
		TH_LOG("security.ima was rewritten after the tenant's write");
	}
	EXPECT_EQ(-EACCES, host_open(path, O_RDONLY));
}

/*
 * tomtou_outside_chain. Attack: none by the tenant; a gap a tenant's
 * verifier falls into. Namespace A (a sibling of the writer, not on its
 * chain) measured a file it keeps open for read; a host process then
 * opens the file for write and can change it under A's measurement.
 * Contract: every namespace that measured the file and has it open for
 * read records the ToMToU violation, wherever the writer is: A's
 * violations counter grows by one and A's list gets a violation entry
 * (all-zero digest).
 */
TEST_F_TIMEOUT(attack, tomtou_outside_chain, ATTACK_TIMEOUT)
{
	static const char data[] = "measured by a sibling";
	long before, after;
	struct ima_list list;
	char path[PATH_MAX];
	struct ima_ctr *a;
	int fd;

	a = START(ROOTFUL, NO_SECURITYFS "measure func=FILE_CHECK\n");
	ASSERT_NE(NULL, a);
	make_file(_metadata, self->env.dir, "read-by-a", data, sizeof(data),
		  0644, TOMTOU_UID, path);
	fd = ima_ctr_open(a, TOMTOU_UID, path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ima_ctr_list(a, &list));
	EXPECT_LE(0, ima_list_find(&list, 0, path, NULL)) {
		TH_LOG("A did not measure the file");
	}
	ima_list_free(&list);
	ASSERT_EQ(0, ctr_violations(a, &before));

	EXPECT_EQ(0, host_open(path, O_WRONLY));

	ASSERT_EQ(0, ctr_violations(a, &after));
	EXPECT_EQ(before + 1, after);
	ASSERT_EQ(0, ima_ctr_list(a, &list));
	EXPECT_EQ(1, ima_list_count_violations(&list, path));
	ima_list_free(&list);
	EXPECT_EQ(0, ima_ctr_close(a, fd));
}

/*
 * shared_digest_dirty_mapping. Attack: the host measures the tenant's
 * program F each time it executes it. A writer maps F shared and writable
 * and stores to every page, leaving the content as it was (here the test,
 * with a descriptor the tenant's root opened O_RDWR before its namespace
 * had a policy, so that no level hashed F yet). The tenant's namespace
 * then measures F through an O_RDONLY open, while the mapping is still
 * writable. The writer changes F through the same mapping: stores to
 * pages already dirty and writable take no fault, so F's i_version stays
 * the one the namespace hashed at, and a host that takes another level's
 * digest by i_version alone measures the content the namespace saw.
 * Contract: no level's work makes another skip work. When the host next
 * executes F, its entry for F has the digest of F's new content, and no
 * host entry has the digest the namespace computed.
 */
TEST_F_TIMEOUT(attack, shared_digest_dirty_mapping, ATTACK_TIMEOUT)
{
	static const char change[] = "changed through a dirty mapping";
	__u8 old[SHA256_DIGEST_SIZE], new[SHA256_DIGEST_SIZE];
	__u8 disk[SHA256_DIGEST_SIZE];
	long page = sysconf(_SC_PAGESIZE);
	char path[PATH_MAX], *prog, *buf;
	struct ima_ctr *ctr;
	ssize_t prog_len;
	size_t len, off;
	__u8 *map;
	int fd, ret;

	ret = ima_policy_add_rule("measure func=BPRM_CHECK fowner="
				  STR(DIRTY_MAP_UID));
	if (ret == -EACCES)
		SKIP(return, HOST_POLICY_HIDDEN);
	ASSERT_EQ(0, ret);
	/* No policy yet: the open for write below is hashed by no level. */
	ctr = START(DIRTY_MAP_UID, "");
	ASSERT_NE(NULL, ctr);
	ASSERT_LT(0, page);

	/*
	 * F: "true" and a page of zeroes after it, which no segment loads
	 * (as rewrite_version appends to its tool): F still runs when they
	 * change. Host root only writes it, which no host rule measures.
	 */
	prog_len = read_file(self->env.true_prog, &prog);
	ASSERT_LT(0, prog_len);
	len = prog_len + PAGE;
	buf = calloc(1, len);
	ASSERT_NE(NULL, buf);
	memcpy(buf, prog, prog_len);
	free(prog);
	make_file(_metadata, self->env.dir, "dirty-mapped", buf, len, 0755,
		  DIRTY_MAP_UID, path);

	/*
	 * (1) Mapped shared and writable, each page dirtied with the byte
	 * it holds (copied from buf: a store the compiler cannot drop). F is
	 * written back first: the flusher, which would write the pages back
	 * and make them read-only again, then leaves them alone until long
	 * after (3) (dirty_expire_centisecs).
	 */
	fd = ima_ctr_pass_fd(ctr, IMA_CTR_ROOT, path, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fsync(fd));
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, map);
	for (off = 0; off < len; off += page)
		map[off] = buf[off];
	free(buf);
	sha256(map, len, old);

	/* (2) The namespace measures F, mapped writable. */
	ASSERT_EQ(0, ima_ctr_policy_write(ctr, NO_SECURITYFS
					  "measure func=FILE_CHECK\n"));
	fd = ima_ctr_open(ctr, IMA_CTR_ROOT, path, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ima_ctr_close(ctr, fd));
	ASSERT_LT(0, ctr_entries(ctr, path, old)) {
		TH_LOG("the namespace did not measure F");
	}

	/* (3) Changed through the same mapping, in the zeroes; unmapped. */
	memcpy(map + len - sizeof(change), change, sizeof(change));
	sha256(map, len, new);
	ASSERT_EQ(0, munmap(map, len));

	/* (4) The host executes F. */
	ASSERT_EQ(0, exec_true(path));
	EXPECT_EQ(1, host_entries(path, new)) {
		TH_LOG("the host did not measure F's new content");
	}
	EXPECT_EQ(0, host_entries(path, old)) {
		TH_LOG("the host took the digest the namespace computed");
	}

	/* What the mapping showed is what F holds. */
	ASSERT_EQ(0, sha256_file(path, disk));
	EXPECT_EQ(0, memcmp(new, disk, sizeof(disk)));
}

/*
 * signature_size. Attack: the tenant's root writes, on its own file, a
 * security.ima "signature" (type 0x03) larger than any key makes, which
 * every level that appraises the file would read and parse.
 * Contract: a namespace writes signatures of at most 1024 bytes (the
 * whole value): one of 1025 bytes is refused with E2BIG and leaves
 * security.ima as it was; one of 1024 bytes is accepted, valid or not.
 */
TEST_F_TIMEOUT(attack, signature_size, ATTACK_TIMEOUT)
{
	static const char data[] = "signed by the tenant\n";
	__u8 value[MAX_SIGNATURE + 1], now[sizeof(value)];
	char path[PATH_MAX];
	struct ima_ctr *ctr;

	ctr = START(SIG_SIZE_UID, "");
	ASSERT_NE(NULL, ctr);
	make_file(_metadata, self->env.dir, "big-signature", data,
		  sizeof(data) - 1, 0644, SIG_SIZE_UID, path);

	fake_signature(value, MAX_SIGNATURE + 1);
	EXPECT_EQ(-E2BIG, ima_ctr_setxattr(ctr, IMA_CTR_ROOT, path, XATTR_IMA,
					   value, MAX_SIGNATURE + 1));
	EXPECT_TRUE(no_ima_xattr(path));

	fake_signature(value, MAX_SIGNATURE);
	EXPECT_EQ(0, ima_ctr_setxattr(ctr, IMA_CTR_ROOT, path, XATTR_IMA,
				      value, MAX_SIGNATURE));
	EXPECT_EQ(MAX_SIGNATURE, getxattr(path, XATTR_IMA, now, sizeof(now)));
	EXPECT_EQ(0, memcmp(value, now, MAX_SIGNATURE));

	/* A larger one does not replace it. */
	fake_signature(value, MAX_SIGNATURE + 1);
	EXPECT_EQ(-E2BIG, ima_ctr_setxattr(ctr, IMA_CTR_ROOT, path, XATTR_IMA,
					   value, MAX_SIGNATURE + 1));
	EXPECT_EQ(MAX_SIGNATURE, getxattr(path, XATTR_IMA, now, sizeof(now)));
}

/* ---- audit_flood ---------------------------------------------------------- */

enum flood {
	FLOOD_O_DIRECT,		/* O_DIRECT opens a measure rule cannot hash */
	FLOOD_MMAP_WRITERS,	/* PROT_EXEC maps of a file mapped writable */
	FLOOD_HASH_ALGO,	/* appraisals of a hash appraise_algos denies */
};

FIXTURE(audit_flood) {
	struct env env;
	struct ima_auditd ad;
	struct ima_audit_records recs;
};

FIXTURE_VARIANT(audit_flood) {
	enum flood flood;
	uid_t tenant;
	/* Acting uid in the container, and the file's owner on the host. */
	int uid;
	uid_t owner;
	const char *policy;
	/*
	 * The namespace's template and hash algorithm (NULL: its default);
	 * without a template, SHA-256 and the default template, as START().
	 */
	const char *template;
	const char *hash;
	/* The op= of the records counted. */
	const char *op;
	unsigned int attempts;
	/* Bounds on the records the attempts may log. */
	int min_records;
	int max_records;
};

#define ODIRECT_POLICY	NO_SECURITYFS "measure func=FILE_CHECK\n"

/* An unprivileged tenant fills no host log: no record at all. */
FIXTURE_VARIANT_ADD(audit_flood, o_direct_unprivileged) {
	.flood = FLOOD_O_DIRECT, .tenant = ODIRECT_UID,
	.uid = IMA_CTR_ROOT, .owner = ODIRECT_UID, .policy = ODIRECT_POLICY,
	.op = "collect_data", .attempts = 200,
	.min_records = 0, .max_records = 0,
};

/* Host root's container may log, at a rate the host can bear. */
FIXTURE_VARIANT_ADD(audit_flood, o_direct_rootful) {
	.flood = FLOOD_O_DIRECT, .tenant = ROOTFUL,
	.uid = ODIRECT_ROOTFUL_UID, .owner = ODIRECT_ROOTFUL_UID,
	.policy = ODIRECT_POLICY, .op = "collect_data", .attempts = 300,
	.min_records = 1, .max_records = 150,
};

FIXTURE_VARIANT_ADD(audit_flood, mmap_writers_unprivileged) {
	.flood = FLOOD_MMAP_WRITERS, .tenant = MMAP_UID,
	.uid = IMA_CTR_ROOT, .owner = MMAP_UID,
	.policy = "appraise func=MMAP_CHECK fowner=0\n", .op = "mmap_file",
	.attempts = 100, .min_records = 0, .max_records = 0,
};

FIXTURE_VARIANT_ADD(audit_flood, hash_algo_unprivileged) {
	.flood = FLOOD_HASH_ALGO, .tenant = ALGO_UID,
	.uid = IMA_CTR_ROOT, .owner = ALGO_UID,
	.policy = PSEUDO_FS_RULES
		  "appraise func=FILE_CHECK fowner=0 appraise_algos=sha1\n",
	.op = "collect_data", .attempts = 20,
	.min_records = 0, .max_records = 0,
};

/*
 * The "ima" template's d field holds a SHA-1 (or MD5) digest: when the
 * namespace's algorithm is another, the template hashes the file again,
 * with the host's algorithm, a second hash that fails for O_DIRECT. Both
 * with the namespace's default algorithm and with SHA-256.
 */
FIXTURE_VARIANT_ADD(audit_flood, ima_template_o_direct_unprivileged) {
	.flood = FLOOD_O_DIRECT, .tenant = ODIRECT_IMA_UID,
	.uid = IMA_CTR_ROOT, .owner = ODIRECT_IMA_UID, .policy = ODIRECT_POLICY,
	.template = "ima", .op = "collect_data", .attempts = 200,
	.min_records = 0, .max_records = 0,
};

FIXTURE_VARIANT_ADD(audit_flood, ima_template_sha256_o_direct_unprivileged) {
	.flood = FLOOD_O_DIRECT, .tenant = ODIRECT_IMA_SHA256_UID,
	.uid = IMA_CTR_ROOT, .owner = ODIRECT_IMA_SHA256_UID,
	.policy = ODIRECT_POLICY, .template = "ima", .hash = "sha256",
	.op = "collect_data", .attempts = 200,
	.min_records = 0, .max_records = 0,
};

FIXTURE_SETUP(audit_flood)
{
	int ret;

	self->ad.sock = -1;
	memset(&self->recs, 0, sizeof(self->recs));
	env_setup(_metadata, &self->env);
	ret = ima_auditd_start(&self->ad);
	if (ret == -EEXIST)
		SKIP(return, "another audit daemon is running");
	if (ret == -EPROTONOSUPPORT || ret == -ECONNREFUSED)
		SKIP(return, "no audit (CONFIG_AUDIT)");
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(audit_flood)
{
	env_teardown(&self->env);
	ima_auditd_stop(&self->ad);
	ima_audit_records_free(&self->recs);
}

/*
 * audit_flood. Attack: the tenant makes the host log one audit record per
 * syscall: O_DIRECT opens that its measure rule cannot hash ("collect_data"
 * "failed(directio)"; with the "ima" template, also "collect_data"
 * "failed" when the template hashes the file again for its d field),
 * executable mappings of a file it keeps mapped writable under its
 * appraise rule ("mmap_file" "mmapped_writers"), or appraisals of a hash
 * its rule's appraise_algos denies ("denied-hash-algorithm", once per
 * security.ima change).
 * Contract: an unprivileged user must not be able to flood the host's
 * audit log: its namespace logs nothing; a namespace of host root logs at
 * a bounded rate (at least one record, at most half of 300 quick opens).
 * For "make stress", the unprivileged tenants (max_records 0) make
 * ima_stress_param("flood") times as many attempts; host root's does not:
 * its bound depends on time.
 */
TEST_F_TIMEOUT(audit_flood, audit_flood, ATTACK_TIMEOUT)
{
	static const char name[] = "ima-ns-attack-flood";
	__u8 data[PAGE], value[2 + SHA256_DIGEST_SIZE];
	unsigned int i, attempts = variant->attempts;
	char path[PATH_MAX];
	struct ima_ctr *ctr;
	int ret, fd, n;
	long scale;

	/* Scaled for "make stress" (see above), as far as an int counts. */
	scale = variant->max_records ? 1 : ima_stress_param("flood", 1);
	if (scale > INT_MAX / attempts)
		scale = INT_MAX / attempts;
	attempts *= scale;

	if (variant->template)
		ctr = start_tenant_ns(_metadata, &self->env, variant->tenant,
				      variant->policy, variant->hash,
				      variant->template);
	else
		ctr = START(variant->tenant, variant->policy);
	ASSERT_NE(NULL, ctr);
	memset(data, 0xc3, sizeof(data));
	make_file(_metadata, self->env.dir, name, data, sizeof(data), 0644,
		  variant->owner, path);
	if (variant->flood != FLOOD_O_DIRECT) {
		/* Host root's hash: what the namespace appraises. */
		ASSERT_EQ(0, hash_xattr_value(path, value));
		ASSERT_EQ(0, setxattr(path, XATTR_IMA, value, sizeof(value), 0));
	}
	ASSERT_EQ(0, ima_audit_sync(&self->ad, &self->recs));
	ima_audit_records_free(&self->recs);

	switch (variant->flood) {
	case FLOOD_O_DIRECT:
		ret = ima_ctr_open_loop(ctr, variant->uid, path,
					O_RDONLY | O_DIRECT, attempts);
		if (ret == 0 && ima_ctr_open(ctr, variant->uid, path,
					     O_RDONLY | O_DIRECT) == -EINVAL)
			SKIP(return, "no O_DIRECT on the scratch filesystem");
		EXPECT_EQ(attempts, ret);
		break;
	case FLOOD_MMAP_WRITERS:
		ret = ima_ctr_mmap_exec_mapped_shared(ctr, variant->uid, path,
						      attempts);
		EXPECT_LE(0, ret);
		break;
	case FLOOD_HASH_ALGO:
		for (i = 0; i < attempts; i++) {
			/* Any change of security.ima appraises again. */
			ASSERT_EQ(0, setxattr(path, XATTR_IMA, value,
					      sizeof(value), 0));
			fd = ima_ctr_open(ctr, variant->uid, path, O_RDONLY);
			if (fd >= 0)
				ima_ctr_close(ctr, fd);
		}
		break;
	}

	ASSERT_EQ(0, ima_audit_sync(&self->ad, &self->recs)) {
		TH_LOG("the audit records did not arrive");
	}
	/* Some records name the file by its path, some by its name. */
	n = ima_audit_count(&self->recs, AUDIT_INTEGRITY_DATA, path, -1,
			    variant->op) +
	    ima_audit_count(&self->recs, AUDIT_INTEGRITY_DATA, name, -1,
			    variant->op);
	TH_LOG("%u attempts, %d op=%s records on the host", attempts, n,
	       variant->op);
	EXPECT_LE(variant->min_records, n);
	EXPECT_GE(variant->max_records, n);
}

/* ---- policy_file_no_newline: crashes a kernel without the fix, so last --- */

FIXTURE(no_newline) {
	struct env env;
};

FIXTURE_VARIANT(no_newline) {
	/* Host root writes the host's policy, else a tenant its own. */
	bool host;
	/* The rule the file holds, and the one written after it. */
	const char *rule;
	const char *next;
};

FIXTURE_VARIANT_ADD(no_newline, namespace) {
	.host = false,
	.rule = "measure func=FILE_CHECK fowner=0",
	.next = "dont_measure fsmagic=0x1234abcd",
};

FIXTURE_VARIANT_ADD(no_newline, host) {
	.host = true,
	.rule = "measure func=FILE_CHECK fowner=" STR(NO_NEWLINE_HOST_UID),
	.next = "measure func=FILE_CHECK fowner=" STR(NO_NEWLINE_NEXT_UID),
};

FIXTURE_SETUP(no_newline)
{
	env_setup(_metadata, &self->env);
}

FIXTURE_TEARDOWN(no_newline)
{
	env_teardown(&self->env);
}

/**
 * struct policy_write - one policy write, made by a helper process
 * @ctr: the container whose root writes its policy, or NULL for the host
 * @text: what is written: a rule, or the absolute path of a policy file
 */
struct policy_write {
	struct ima_ctr *ctr;
	const char *text;
};

static int write_policy(const struct policy_write *w)
{
	char *text;
	int ret;

	/* A path as it is, a rule as a line. */
	if (asprintf(&text, "%s%s", w->text, w->text[0] == '/' ? "" : "\n") < 0)
		return -ENOMEM;
	ret = w->ctr ? ima_ctr_policy_write(w->ctr, text) :
		       ima_policy_write(text);
	free(text);
	return ret;
}

/*
 * Make @w in a helper process and wait for it at most WRITE_TIMEOUT_MS.
 * Return: what the write returned; -ETIMEDOUT if it hung (the helper is
 * killed but not waited for: it may never die); -ECHILD if the helper
 * died without answering (a kernel oops kills the task it happens in).
 */
static int bounded_write(const struct policy_write *w)
{
	struct pollfd pfd = { .events = POLLIN };
	int pipefd[2], ret, status, i;
	pid_t pid, reaped = 0;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return ret;
	}
	if (!pid) {
		close(pipefd[0]);
		ret = write_policy(w);
		_exit(write(pipefd[1], &ret, sizeof(ret)) != sizeof(ret));
	}
	close(pipefd[1]);
	pfd.fd = pipefd[0];
	if (poll(&pfd, 1, WRITE_TIMEOUT_MS) <= 0) {
		kill(pid, SIGKILL);
		close(pipefd[0]);
		return -ETIMEDOUT;
	}
	if (read(pipefd[0], &ret, sizeof(ret)) != sizeof(ret))
		ret = -ECHILD;
	close(pipefd[0]);
	/* A task that crashed may never finish exiting: do not block. */
	for (i = 0; i < 100; i++) {
		reaped = waitpid(pid, &status, WNOHANG);
		if (reaped)
			break;
		sleep_ms(50);
	}
	if (reaped == pid && WIFSIGNALED(status))
		ret = -ECHILD;
	return ret;
}

#define NO_NEWLINE_COMMENT	"# the last rule has no newline\n"

/*
 * policy_file_no_newline. Attack: the tenant's root writes the path of a
 * policy file of exactly one page that does not end with a newline (a
 * comment line, then a valid rule padded with spaces). The kernel reads the file into a
 * buffer of that size, with no NUL after it, and splits lines with
 * strsep(): it reads past the end of the buffer, into the vmalloc guard
 * page, and oopses with the namespace's policy lock held. The same holds
 * for host root and the host's policy.
 * Contract: no tenant input produces an oops. The write succeeds, the rule
 * is in the policy, and the next write works (the lock was released).
 * The write is made by a helper process, so that a crash or a hang fails
 * the test instead of stopping the program.
 */
TEST_F_TIMEOUT(no_newline, policy_file_no_newline, ATTACK_TIMEOUT)
{
	struct policy_write w = {};
	char path[PATH_MAX], *buf, *policy;
	struct ima_ctr *ctr = NULL;
	size_t len = strlen(variant->rule);
	uid_t owner = 0;
	int ret;

	if (variant->host) {
		/* A first host write replaces the tcb rules: keep them. */
		ret = ima_policy_add_rule("measure func=FILE_CHECK fowner="
					  STR(NO_NEWLINE_BASE_UID));
		if (ret == -EACCES)
			SKIP(return, HOST_POLICY_HIDDEN);
		ASSERT_EQ(0, ret);
	} else {
		ctr = START(NO_NEWLINE_UID, "");
		ASSERT_NE(NULL, ctr);
		owner = NO_NEWLINE_UID;
	}
	/*
	 * A comment line first: a namespace's rule, like a write, is at
	 * most a page less one byte long (longer lines fail with E2BIG).
	 */
	buf = malloc(PAGE);
	ASSERT_NE(NULL, buf);
	memset(buf, ' ', PAGE);
	memcpy(buf, NO_NEWLINE_COMMENT, strlen(NO_NEWLINE_COMMENT));
	memcpy(buf + strlen(NO_NEWLINE_COMMENT), variant->rule, len);
	make_file(_metadata, self->env.dir, "no-newline", buf, PAGE, 0644,
		  owner, path);
	free(buf);

	w.ctr = ctr;
	w.text = path;
	ret = bounded_write(&w);
	if (ret == -ETIMEDOUT || ret == -ECHILD || ret == -EPIPE) {
		/* The writer crashed or hangs: do not wait for it. */
		if (ctr) {
			kill(ctr->pid, SIGKILL);
			ctr->reap = false;
		}
		TH_LOG("the policy write %s", ret == -ETIMEDOUT ? "hung" :
		       "killed its writer (a kernel oops?)");
	}
	ASSERT_EQ(0, ret);

	ret = ctr ? ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_POLICY, &policy) :
		    read_file(IMA_POLICY, &policy);
	ASSERT_LE(0, ret);
	EXPECT_TRUE(policy_has(policy, variant->rule));
	free(policy);

	/* The policy lock was released: the next write works. */
	w.text = variant->next;
	EXPECT_EQ(0, bounded_write(&w));
	ret = ctr ? ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_POLICY, &policy) :
		    read_file(IMA_POLICY, &policy);
	ASSERT_LE(0, ret);
	EXPECT_TRUE(policy_has(policy, variant->next));
	free(policy);
}

TEST_HARNESS_MAIN
