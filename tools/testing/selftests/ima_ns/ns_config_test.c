// SPDX-License-Identifier: GPL-2.0-only
/*
 * Configure, then activate: a namespace's policy, hash, template, keyring
 * and appraise mode are written before activation and read back, and
 * "1" > ima/active validates them and publishes them at once, or leaves
 * the namespace inactive and as it was. The keyring is the one written to
 * ima/keyring (a serial the writer possesses and may search), else the
 * "_ima" of the activating task, if it is one of the namespace's: never
 * one a later task finds, whatever its session holds. The appraise mode
 * is the namespace's own, not the host's ima_appraise= (make test boots
 * the host in enforce and in log mode).
 *
 * Needs root, a kernel with CONFIG_IMA_NS and CONFIG_IMA_APPRAISE, openssl,
 * evmctl, keyctl and sh, a "true" program to copy and a scratch directory
 * on a block filesystem ($IMA_NS_SCRATCH). Skips otherwise.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ima_ns_ctr.h"

/* A user of the container, not its root; host uid 1000 too (rootful). */
#define TENANT_UID	1000

/* Keys: the namespace's, and the one a tenant process brings along. */
enum { OWN_KEY, OTHER_KEY, NR_KEYS };

/* Seconds per test: keys are made, and programs signed, under emulation. */
#define CONFIG_TIMEOUT	180

/* What sh exits with when execve() of its command is denied. */
#define SH_EXEC_DENIED	126

#define RULE_MEASURE	"measure func=BPRM_CHECK"
#define RULE_APPRAISE	"appraise func=BPRM_CHECK fowner=1000 appraise_type=imasig"
#define RULE_APPEND	"dont_measure fsmagic=0x1234abcd"
#define POLICY_MEASURE	RULE_MEASURE "\n"
#define POLICY_APPRAISE	RULE_APPRAISE "\n"

/* The program the tests copy. */
static char true_prog[PATH_MAX];

FIXTURE(config) {
	char dir[256];
	char priv[NR_KEYS][PATH_MAX];
	char cert[NR_KEYS][PATH_MAX];
	struct ima_ctr ctr;
	bool started;
};

FIXTURE_SETUP(config)
{
	static const char *const key_dirs[NR_KEYS] = { "cfg-key-own",
						       "cfg-key-other" };
	const char *reason = ima_ns_missing();
	char scratch[PATH_MAX], dir[PATH_MAX];
	const char *unusable;
	int i;

	self->started = false;
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

	/* Readable by the container's users, who load the certificates. */
	for (i = 0; i < NR_KEYS; i++) {
		ASSERT_GT(sizeof(dir), snprintf(dir, sizeof(dir), "%s/%s",
						scratch, key_dirs[i]));
		ASSERT_TRUE(!mkdir(dir, 0755) || errno == EEXIST);
		ASSERT_EQ(0, ima_test_key(dir, self->priv[i], self->cert[i],
					  PATH_MAX));
		ASSERT_EQ(0, chmod(self->cert[i], 0644));
	}
	ASSERT_GT(sizeof(self->dir),
		  snprintf(self->dir, sizeof(self->dir), "%s/config-XXXXXX",
			   scratch));
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 0755));

	/* Root and uids 0..65535 are the host's: TENANT_UID is a user. */
	ASSERT_EQ(0, ima_ctr_start(&self->ctr, &ima_ctr_rootful));
	self->started = true;
	ASSERT_EQ(0, ima_ctr_new_session(&self->ctr));
	ASSERT_EQ(0, ima_ctr_mount(&self->ctr));
}

FIXTURE_TEARDOWN(config)
{
	if (self->started)
		ima_ctr_stop(&self->ctr);
	if (self->dir[0])
		remove_tree(self->dir);
}

/*
 * Run a shell command in the container as @uid (or its root), in the
 * session keyring of the container's process; parse what it prints as a
 * key serial into @serial if not NULL. Returns the exit status.
 */
static int ctr_sh(struct __test_metadata *_metadata, struct ima_ctr *ctr,
		  int uid, const char *cmd, long *serial)
{
	char *const argv[] = { "sh", "-c", (char *)cmd, NULL };
	char *out = NULL, *end;
	int ret;

	ret = ima_ctr_run(ctr, uid, argv, &out);
	if (!ret && serial) {
		*serial = strtol(out ? out : "", &end, 10);
		if (!out || end == out || *serial <= 0)
			ret = -EINVAL;
	}
	if (ret && ret != SH_EXEC_DENIED)
		TH_LOG("'%s' in the container: %d: %s", cmd, ret,
		       out ? out : "");
	free(out);
	return ret;
}

/* A keyring named @name in the container root's session, holding @cert. */
static int new_keyring(struct __test_metadata *_metadata, struct ima_ctr *ctr,
		       const char *name, const char *cert, long *serial)
{
	char cmd[PATH_MAX + 128];

	snprintf(cmd, sizeof(cmd),
		 "r=$(keyctl newring %s @s) && keyctl padd asymmetric '' $r < '%s' >/dev/null && echo $r",
		 name, cert);
	return ctr_sh(_metadata, ctr, IMA_CTR_ROOT, cmd, serial);
}

static int write_serial(struct ima_ctr *ctr, long serial)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld\n", serial);
	return ima_ctr_write_str(ctr, IMA_NS_KEYRING, buf);
}

static void expect_file(struct __test_metadata *_metadata,
			struct ima_ctr *ctr, const char *path, const char *want)
{
	char *buf;

	ASSERT_LE(0, ima_ctr_read(ctr, IMA_CTR_ROOT, path, &buf)) {
		TH_LOG("cannot read %s", path);
	}
	EXPECT_STREQ(want, buf) {
		TH_LOG("%s", path);
	}
	free(buf);
}

/* The policy shows @rules (NULL terminated), in its read-back format. */
static void expect_policy(struct __test_metadata *_metadata,
			  struct ima_ctr *ctr, const char *const *rules)
{
	char *want = ima_policy_text(NULL, rules);

	ASSERT_NE(NULL, want);
	expect_file(_metadata, ctr, IMA_POLICY, want);
	free(want);
}

/* A copy of "true" as @name, owned by TENANT_UID, signed with @priv. */
static void make_exe(struct __test_metadata *_metadata, const char *dir,
		     const char *name, const char *priv, char path[PATH_MAX])
{
	char *const sign[] = {
		"evmctl", "ima_sign", "--key", (char *)priv, "-a", "sha256",
		path, NULL
	};
	char out[4096];

	ASSERT_GT(PATH_MAX, snprintf(path, PATH_MAX, "%s/%s", dir, name));
	ASSERT_EQ(0, copy_file(true_prog, path, 0755));
	ASSERT_EQ(0, chown(path, TENANT_UID, TENANT_UID));
	if (priv)
		ASSERT_EQ(0, run_cmd(sign, out, sizeof(out))) {
			TH_LOG("evmctl ima_sign: %s", out);
		}
}

/* The configuration written before activation reads back, and stays. */
TEST_F_TIMEOUT(config, read_back, CONFIG_TIMEOUT)
{
	static const char policy[] = POLICY_MEASURE POLICY_APPRAISE;
	static const char *const both[] = { RULE_MEASURE, RULE_APPRAISE,
					    NULL };
	static const char *const all[] = { RULE_MEASURE, RULE_APPRAISE,
					   RULE_APPEND, NULL };
	char serial_text[32], *buf;
	struct ima_list list;
	struct ima_ng ng;
	long serial;

	ASSERT_EQ(0, new_keyring(_metadata, &self->ctr, "tenant",
				 self->cert[OWN_KEY], &serial));
	snprintf(serial_text, sizeof(serial_text), "%ld\n", serial);

	ASSERT_EQ(0, ima_ctr_write_str(&self->ctr, IMA_NS_HASH, "sha1"));
	ASSERT_EQ(0, ima_ctr_write_str(&self->ctr, IMA_NS_TEMPLATE,
				       "ima-sig"));
	ASSERT_EQ(0, ima_ctr_write_str(&self->ctr, IMA_NS_APPRAISE, "log"));
	ASSERT_EQ(0, write_serial(&self->ctr, serial));
	ASSERT_EQ(0, ima_ctr_policy_write(&self->ctr, policy));

	expect_file(_metadata, &self->ctr, IMA_NS_ACTIVE, "0\n");
	expect_file(_metadata, &self->ctr, IMA_NS_HASH, "sha1\n");
	expect_file(_metadata, &self->ctr, IMA_NS_TEMPLATE, "ima-sig\n");
	expect_file(_metadata, &self->ctr, IMA_NS_APPRAISE, "log\n");
	expect_file(_metadata, &self->ctr, IMA_NS_KEYRING, serial_text);
	expect_policy(_metadata, &self->ctr, both);
	EXPECT_EQ(-EINVAL, ima_ctr_write_str(&self->ctr, IMA_NS_APPRAISE,
					     "fix"));
	EXPECT_EQ(-EPERM, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_NS_ID,
				       &buf));

	ASSERT_EQ(0, ima_ctr_write_str(&self->ctr, IMA_NS_ACTIVE, "1"));
	expect_file(_metadata, &self->ctr, IMA_NS_ACTIVE, "1\n");
	expect_file(_metadata, &self->ctr, IMA_NS_HASH, "sha1\n");
	expect_file(_metadata, &self->ctr, IMA_NS_TEMPLATE, "ima-sig\n");
	expect_file(_metadata, &self->ctr, IMA_NS_APPRAISE, "log\n");
	expect_file(_metadata, &self->ctr, IMA_NS_KEYRING, serial_text);
	expect_policy(_metadata, &self->ctr, both);

	/* The list starts with boot_aggregate, in the chosen hash. */
	ASSERT_EQ(0, ima_ctr_list(&self->ctr, &list));
	ASSERT_LT(0, list.count);
	EXPECT_STREQ("ima-sig", list.entries[0].template);
	EXPECT_EQ(0, ima_entry_ng(&list.entries[0], &ng));
	EXPECT_STREQ("sha1", ng.algo);
	EXPECT_STREQ("boot_aggregate", ng.name);
	ima_list_free(&list);

	/* Fixed now, but for the policy, which grows by appending. */
	EXPECT_EQ(-EBUSY, ima_ctr_write_str(&self->ctr, IMA_NS_HASH,
					    "sha256"));
	EXPECT_EQ(-EBUSY, ima_ctr_write_str(&self->ctr, IMA_NS_TEMPLATE,
					    "ima-ng"));
	EXPECT_EQ(-EBUSY, ima_ctr_write_str(&self->ctr, IMA_NS_APPRAISE,
					    "enforce"));
	EXPECT_EQ(-EBUSY, write_serial(&self->ctr, serial));
	ASSERT_EQ(0, ima_ctr_policy_write(&self->ctr, RULE_APPEND "\n"));
	expect_policy(_metadata, &self->ctr, all);
}

/*
 * An invalid item (here a keyring revoked after it was written) fails
 * activation with its errno and applies nothing: the namespace stays
 * inactive, governs no one, and keeps what was written, so that the item
 * can be fixed and activation tried again.
 */
TEST_F_TIMEOUT(config, commit_is_atomic, CONFIG_TIMEOUT)
{
	char cmd[64], exe[PATH_MAX], serial_text[32], *buf;
	struct ima_list list;
	long serial, good;

	ASSERT_EQ(0, new_keyring(_metadata, &self->ctr, "doomed",
				 self->cert[OWN_KEY], &serial));
	ASSERT_EQ(0, ima_ctr_write_str(&self->ctr, IMA_NS_HASH, "sha1"));
	ASSERT_EQ(0, ima_ctr_write_str(&self->ctr, IMA_NS_APPRAISE, "log"));
	ASSERT_EQ(0, ima_ctr_policy_write(&self->ctr, POLICY_MEASURE));
	ASSERT_EQ(0, write_serial(&self->ctr, serial));
	snprintf(cmd, sizeof(cmd), "keyctl revoke %ld", serial);
	ASSERT_EQ(0, ctr_sh(_metadata, &self->ctr, IMA_CTR_ROOT, cmd, NULL));

	EXPECT_EQ(-EKEYREVOKED, ima_ctr_write_str(&self->ctr, IMA_NS_ACTIVE,
						  "1"));
	expect_file(_metadata, &self->ctr, IMA_NS_ACTIVE, "0\n");
	EXPECT_EQ(-EPERM, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_NS_ID,
				       &buf));
	expect_file(_metadata, &self->ctr, IMA_NS_HASH, "sha1\n");
	expect_file(_metadata, &self->ctr, IMA_NS_APPRAISE, "log\n");
	expect_policy(_metadata, &self->ctr,
		      (const char *const[]){ RULE_MEASURE, NULL });
	snprintf(serial_text, sizeof(serial_text), "%ld\n", serial);
	expect_file(_metadata, &self->ctr, IMA_NS_KEYRING, serial_text);

	/* Not governed: what runs now is not in the list to come. */
	make_exe(_metadata, self->dir, "early", NULL, exe);
	ASSERT_EQ(0, ima_ctr_exec(&self->ctr, IMA_CTR_ROOT, exe));

	ASSERT_EQ(0, new_keyring(_metadata, &self->ctr, "good",
				 self->cert[OWN_KEY], &good));
	ASSERT_EQ(0, write_serial(&self->ctr, good));
	ASSERT_EQ(0, ima_ctr_write_str(&self->ctr, IMA_NS_ACTIVE, "1"));
	ASSERT_EQ(0, ima_ctr_list(&self->ctr, &list));
	EXPECT_EQ(1, list.count);
	ima_list_free(&list);
	ASSERT_EQ(0, ima_ctr_exec(&self->ctr, IMA_CTR_ROOT, exe));
	ASSERT_EQ(0, ima_ctr_list(&self->ctr, &list));
	EXPECT_LE(0, ima_list_find(&list, 0, exe, NULL));
	ima_list_free(&list);
}

/*
 * A keyring written by serial is the namespace's, not the "_ima" of the
 * writer's session; it cannot be replaced after activation, and a later
 * session's "_ima" changes nothing.
 */
TEST_F_TIMEOUT(config, keyring_by_serial, CONFIG_TIMEOUT)
{
	char own[PATH_MAX], other[PATH_MAX];
	long serial, ima;

	ASSERT_EQ(0, new_keyring(_metadata, &self->ctr, "tenant",
				 self->cert[OWN_KEY], &serial));
	ASSERT_EQ(0, new_keyring(_metadata, &self->ctr, "_ima",
				 self->cert[OTHER_KEY], &ima));
	ASSERT_EQ(0, write_serial(&self->ctr, serial));
	ASSERT_EQ(0, ima_ctr_policy_write(&self->ctr, POLICY_APPRAISE));
	ASSERT_EQ(0, ima_ctr_write_str(&self->ctr, IMA_NS_ACTIVE, "1"));
	make_exe(_metadata, self->dir, "own", self->priv[OWN_KEY], own);
	make_exe(_metadata, self->dir, "other", self->priv[OTHER_KEY], other);

	EXPECT_EQ(0, ima_ctr_exec(&self->ctr, TENANT_UID, own));
	EXPECT_EQ(-EACCES, ima_ctr_exec(&self->ctr, TENANT_UID, other));
	EXPECT_EQ(-EBUSY, write_serial(&self->ctr, ima));

	ASSERT_EQ(0, ima_ctr_new_session(&self->ctr));
	ASSERT_EQ(0, new_keyring(_metadata, &self->ctr, "_ima",
				 self->cert[OTHER_KEY], &ima));
	EXPECT_EQ(-EACCES, ima_ctr_exec(&self->ctr, TENANT_UID, other));
	EXPECT_EQ(0, ima_ctr_exec(&self->ctr, TENANT_UID, own));
}

/*
 * Only a keyring the writer possesses and may search is taken; anything
 * else fails with an errno and leaves the keyring unset.
 */
TEST_F_TIMEOUT(config, keyring_refused, CONFIG_TIMEOUT)
{
	char cmd[64];
	long serial;

	/* Possessed, but without search permission for its possessor. */
	ASSERT_EQ(0, new_keyring(_metadata, &self->ctr, "closed",
				 self->cert[OWN_KEY], &serial));
	snprintf(cmd, sizeof(cmd), "keyctl setperm %ld 0x37000000", serial);
	ASSERT_EQ(0, ctr_sh(_metadata, &self->ctr, IMA_CTR_ROOT, cmd, NULL));
	EXPECT_EQ(-EACCES, write_serial(&self->ctr, serial));

	/* In the user keyring, which a task with a session does not search. */
	ASSERT_EQ(0, ctr_sh(_metadata, &self->ctr, IMA_CTR_ROOT,
			    "keyctl newring elsewhere @u", &serial));
	EXPECT_EQ(-EACCES, write_serial(&self->ctr, serial));

	/* Not a keyring. */
	ASSERT_EQ(0, ctr_sh(_metadata, &self->ctr, IMA_CTR_ROOT,
			    "keyctl add user k v @s", &serial));
	EXPECT_EQ(-ENOTDIR, write_serial(&self->ctr, serial));

	/* Revoked before it is written: refused then, not at activation. */
	ASSERT_EQ(0, new_keyring(_metadata, &self->ctr, "revoked",
				 self->cert[OWN_KEY], &serial));
	snprintf(cmd, sizeof(cmd), "keyctl revoke %ld", serial);
	ASSERT_EQ(0, ctr_sh(_metadata, &self->ctr, IMA_CTR_ROOT, cmd, NULL));
	EXPECT_EQ(-EKEYREVOKED, write_serial(&self->ctr, serial));

	/* A name the host's log would print as more than one word. */
	ASSERT_EQ(0, new_keyring(_metadata, &self->ctr, "'two words'",
				 self->cert[OWN_KEY], &serial));
	EXPECT_EQ(-EINVAL, write_serial(&self->ctr, serial));

	EXPECT_EQ(-EINVAL, ima_ctr_write_str(&self->ctr, IMA_NS_KEYRING, "0"));
	EXPECT_EQ(-EINVAL, ima_ctr_write_str(&self->ctr, IMA_NS_KEYRING,
					     "-3"));
	EXPECT_EQ(-EINVAL, ima_ctr_write_str(&self->ctr, IMA_NS_KEYRING,
					     "@s"));
	EXPECT_EQ(-ENOKEY, ima_ctr_write_str(&self->ctr, IMA_NS_KEYRING,
					     "2147483647"));
	expect_file(_metadata, &self->ctr, IMA_NS_KEYRING, "0\n");
}

/*
 * Without a written keyring, the activating task's "_ima" is taken then,
 * once: a process of the container that is not its root, racing to be the
 * first to appraise with an "_ima" of its own session, does not choose it.
 */
TEST_F_TIMEOUT(config, ima_keyring_race, CONFIG_TIMEOUT)
{
	char own[PATH_MAX], other[PATH_MAX], cmd[3 * PATH_MAX];
	long serial;

	ASSERT_EQ(0, new_keyring(_metadata, &self->ctr, "_ima",
				 self->cert[OWN_KEY], &serial));
	ASSERT_EQ(0, ima_ctr_policy_write(&self->ctr, POLICY_APPRAISE));
	ASSERT_EQ(0, ima_ctr_write_str(&self->ctr, IMA_NS_ACTIVE, "1"));
	make_exe(_metadata, self->dir, "own", self->priv[OWN_KEY], own);
	make_exe(_metadata, self->dir, "other", self->priv[OTHER_KEY], other);

	/*
	 * Before anything was appraised in the namespace, in a session of
	 * its own: "keyctl session -" (keyctl new_session may not replace a
	 * shell's session keyring that another user, root, owns).
	 */
	snprintf(cmd, sizeof(cmd),
		 "keyctl session - sh -c \"r=\\$(keyctl newring _ima @s) && keyctl padd asymmetric '' \\$r < '%s' >/dev/null || exit 99; exec '%s'\"",
		 self->cert[OTHER_KEY], other);
	EXPECT_EQ(SH_EXEC_DENIED, ctr_sh(_metadata, &self->ctr, TENANT_UID,
					 cmd, NULL));
	EXPECT_EQ(0, ima_ctr_exec(&self->ctr, TENANT_UID, own));
	EXPECT_EQ(-EACCES, ima_ctr_exec(&self->ctr, TENANT_UID, other));
	(void)serial;
}

/*
 * Host root activating the namespace through the container's mount offers
 * no "_ima" of its own: only a task of the namespace does.
 */
TEST_F_TIMEOUT(config, host_activation_binds_no_keyring, CONFIG_TIMEOUT)
{
	char active[PATH_MAX], cmd[PATH_MAX + 64], out[4096];
	char *const argv[] = { "keyctl", "session", "-", "sh", "-c", cmd,
			       NULL };

	ASSERT_EQ(0, ima_ctr_path(&self->ctr, IMA_NS_ACTIVE, active,
				  sizeof(active)));
	snprintf(cmd, sizeof(cmd),
		 "keyctl newring _ima @s >/dev/null && echo 1 > '%s'", active);
	ASSERT_EQ(0, run_cmd(argv, out, sizeof(out))) {
		TH_LOG("%s: %s", cmd, out);
	}
	expect_file(_metadata, &self->ctr, IMA_NS_ACTIVE, "1\n");
	expect_file(_metadata, &self->ctr, IMA_NS_KEYRING, "0\n");
}

FIXTURE(mode) {
	char dir[256];
	struct ima_ctr ctr;
	bool started;
};

FIXTURE_VARIANT(mode) {
	/* Written to ima/appraise, or NULL for the default. */
	const char *write;
	const char *shown;
	/* What executing an unsigned, covered program gives. */
	int exec;
};

FIXTURE_VARIANT_ADD(mode, enforce_default) {
	.write = NULL, .shown = "enforce\n", .exec = -EACCES,
};

FIXTURE_VARIANT_ADD(mode, enforce) {
	.write = "enforce", .shown = "enforce\n", .exec = -EACCES,
};

FIXTURE_VARIANT_ADD(mode, log) {
	.write = "log\n", .shown = "log\n", .exec = 0,
};

/* The host's ima_appraise= (none: its default), for the log. */
static void host_mode(char *buf, size_t size)
{
	char *cmdline = NULL, *p;

	snprintf(buf, size, "default");
	if (read_file("/proc/cmdline", &cmdline) < 0)
		return;
	p = strstr(cmdline, "ima_appraise=");
	if (p)
		snprintf(buf, size, "%.*s", (int)strcspn(p + 13, " \t\n"),
			 p + 13);
	free(cmdline);
}

FIXTURE_SETUP(mode)
{
	const char *reason = ima_ns_missing();
	char scratch[PATH_MAX], host[32];
	const char *unusable;

	self->started = false;
	if (reason)
		SKIP(return, "%s", reason);
	if (find_true(true_prog))
		SKIP(return, "no 'true' program to execute");
	ASSERT_EQ(0, ima_scratch_dir(scratch, sizeof(scratch)));
	unusable = ima_scratch_unusable(scratch);
	if (unusable)
		SKIP(return, "%.200s: %s", scratch, unusable);
	ASSERT_GT(sizeof(self->dir),
		  snprintf(self->dir, sizeof(self->dir), "%s/mode-XXXXXX",
			   scratch));
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 0755));
	host_mode(host, sizeof(host));
	TH_LOG("host ima_appraise=%s", host);

	ASSERT_EQ(0, ima_ctr_start(&self->ctr, &ima_ctr_rootful));
	self->started = true;
	ASSERT_EQ(0, ima_ctr_new_session(&self->ctr));
	ASSERT_EQ(0, ima_ctr_mount(&self->ctr));
}

FIXTURE_TEARDOWN(mode)
{
	if (self->started)
		ima_ctr_stop(&self->ctr);
	if (self->dir[0])
		remove_tree(self->dir);
}

/*
 * An unsigned program the namespace's policy appraises is denied in
 * enforce mode (the default) and allowed in log mode, whatever mode the
 * host was booted in.
 */
TEST_F_TIMEOUT(mode, independent_of_host, CONFIG_TIMEOUT)
{
	char exe[PATH_MAX];

	if (variant->write)
		ASSERT_EQ(0, ima_ctr_write_str(&self->ctr, IMA_NS_APPRAISE,
					       variant->write));
	expect_file(_metadata, &self->ctr, IMA_NS_APPRAISE, variant->shown);
	ASSERT_EQ(0, ima_ctr_policy_write(&self->ctr, POLICY_APPRAISE));
	ASSERT_EQ(0, ima_ctr_write_str(&self->ctr, IMA_NS_ACTIVE, "1"));
	make_exe(_metadata, self->dir, "unsigned", NULL, exe);

	EXPECT_EQ(variant->exec, ima_ctr_exec(&self->ctr, TENANT_UID, exe));
	EXPECT_EQ(variant->exec, ima_ctr_exec(&self->ctr, IMA_CTR_ROOT, exe));
	/* The host's own policy does not appraise it. */
	EXPECT_EQ(0, exec_status(exe, (char *const[]){ "true", NULL }));
	expect_file(_metadata, &self->ctr, IMA_NS_APPRAISE, variant->shown);
}

TEST_HARNESS_MAIN
