// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the policy of an IMA namespace: the rules it accepts,
 * its rule cap, uid/gid mapping, the audit-rule gate and write sessions
 * that fail.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/user_namespace.h>

#include "ima.h"
#include "ima_ns.h"
#include "ima_ns_kunit.h"

/* Host uid/gid of the root of the namespaces most tests use. */
#define SHIFTED_ROOT	100000
/* Ids a test namespace maps, from its 0 up. */
#define MAPPED_IDS	65536
/* Room for the text of a full policy. */
#define POLICY_TEXT_MAX	(64 * 1024)
/* Room for one rule. */
#define RULE_MAX	128

KUNIT_DEFINE_ACTION_WRAPPER(put_cred_action, put_cred, const struct cred *);
KUNIT_DEFINE_ACTION_WRAPPER(kvfree_action, kvfree, const void *);

/*
 * A new user namespace whose ids 0.. map to host ids @root.., with its IMA
 * namespace: both are freed after the test.
 */
static struct ima_namespace *new_ns(struct kunit *test, u32 root)
{
	const struct uid_gid_extent map = { .first = 0, .lower_first = root,
					    .count = MAPPED_IDS };
	struct user_namespace *user_ns;
	struct ima_namespace *ns;
	struct cred *cred;

	user_ns = ima_kunit_new_user_ns(test, &cred);
	/* The user namespace lives as long as @cred, and with it @ns. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_cred_action,
							cred), 0);

	/* As writing uid_map and gid_map would. */
	user_ns->uid_map.extent[0] = map;
	user_ns->gid_map.extent[0] = map;
	/* Pairs with the smp_rmb() in map_id_range_down(). */
	smp_wmb();
	user_ns->uid_map.nr_extents = 1;
	user_ns->gid_map.nr_extents = 1;

	ns = ima_ns_create(user_ns);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ns);
	return ns;
}

/* Who writes or reads a namespace's policy. */
enum who {
	HOST_ROOT,		/* the test's own credentials */
	HOST_ROOT_NO_AUDIT,	/* same, without CAP_AUDIT_WRITE */
	NS_ROOT,		/* root in the namespace's user namespace */
	NS_ROOT_NO_AUDIT,	/* same, without CAP_AUDIT_WRITE */
};

/* Credentials of @who for @ns, put after the test. */
static const struct cred *cred_of(struct kunit *test, struct ima_namespace *ns,
				  enum who who)
{
	struct user_namespace *user_ns = ns->user_ns;
	struct cred *cred;

	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	if (who == NS_ROOT || who == NS_ROOT_NO_AUDIT) {
		put_user_ns(cred->user_ns);
		cred->user_ns = get_user_ns(user_ns);
		cred->uid = make_kuid(user_ns, 0);
		cred->euid = cred->uid;
		cred->suid = cred->uid;
		cred->fsuid = cred->uid;
		cred->gid = make_kgid(user_ns, 0);
		cred->egid = cred->gid;
		cred->sgid = cred->gid;
		cred->fsgid = cred->gid;
	}
	if (who == HOST_ROOT_NO_AUDIT || who == NS_ROOT_NO_AUDIT)
		cap_lower(cred->cap_effective, CAP_AUDIT_WRITE);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_cred_action,
							cred), 0);
	return cred;
}

/* Writes @rule to the policy being written, as a write to ima/policy. */
static ssize_t write_rule(struct ima_namespace *ns, const char *rule)
{
	char buf[RULE_MAX];

	strscpy(buf, rule, sizeof(buf));
	return ima_parse_add_rule(ns, buf);
}

/* What write_rule() returns on success. */
static ssize_t accepted(const char *rule)
{
	return strlen(rule) + 1;
}

/* Writes @n distinct rules, numbered from @first; returns how many fit. */
static unsigned int write_rules(struct ima_namespace *ns, unsigned int first,
				unsigned int n)
{
	char rule[RULE_MAX];
	unsigned int i;

	for (i = 0; i < n; i++) {
		snprintf(rule, sizeof(rule), "measure func=FILE_CHECK fowner=%u",
			 first + i);
		if (write_rule(ns, rule) != accepted(rule))
			break;
	}
	return i;
}

/* The text of the policy of @ns, as @reader reads it from ima/policy. */
static const char *read_policy(struct kunit *test, struct ima_namespace *ns,
			       const struct cred *reader)
{
	struct seq_file *m;
	struct file *file;
	loff_t pos = 0;
	void *v;

	file = kunit_kzalloc(test, sizeof(*file), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, file);
	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->buf = kvzalloc(POLICY_TEXT_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->buf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kvfree_action,
							m->buf), 0);
	m->size = POLICY_TEXT_MAX;
	/* seq_user_ns() is the opener's user namespace. */
	file->f_cred = reader;
	m->file = file;
	m->private = ns;

	for (v = ima_policy_start(m, &pos); v; v = ima_policy_next(m, v, &pos))
		ima_policy_show(m, v);
	ima_policy_stop(m, v);
	/* Zeroed beyond the text, unless it overflowed. */
	KUNIT_ASSERT_FALSE(test, seq_has_overflowed(m));
	return m->buf;
}

static unsigned int count_lines(const char *text)
{
	unsigned int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* The one rule of a policy text, without the space and newline ending it. */
static const char *one_rule(struct kunit *test, const char *text)
{
	size_t len = strlen(text);
	char *rule;

	KUNIT_ASSERT_EQ(test, count_lines(text), 1);
	KUNIT_ASSERT_GE(test, len, 2);
	KUNIT_ASSERT_EQ(test, text[len - 2], ' ');
	rule = kunit_kstrdup(test, text, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rule);
	rule[len - 2] = '\0';
	return rule;
}

struct rule_case {
	const char *rule;
	int ns_err;	/* writing @rule in a namespace, 0: accepted */
	int host_err;	/* writing @rule on the host */
};

#define KEY_CHECK_ERR \
	(IS_ENABLED(CONFIG_IMA_MEASURE_ASYMMETRIC_KEYS) ? 0 : -EINVAL)

static const struct rule_case rule_cases[] = {
	/* The funcs a namespace may use. */
	{ "measure func=FILE_CHECK", 0, 0 },
	{ "measure func=PATH_CHECK mask=MAY_READ", 0, 0 },
	{ "measure func=MMAP_CHECK mask=MAY_EXEC", 0, 0 },
	{ "measure func=FILE_MMAP", 0, 0 },
	{ "measure func=MMAP_CHECK_REQPROT", 0, 0 },
	{ "measure func=BPRM_CHECK", 0, 0 },
	{ "measure func=CREDS_CHECK", 0, 0 },
	{ "measure func=POLICY_CHECK", 0, 0 },
	{ "measure func=KEY_CHECK keyrings=_ima", KEY_CHECK_ERR, KEY_CHECK_ERR },
	{ "appraise func=SETXATTR_CHECK appraise_algos=sha256", 0, 0 },
	{ "measure fsmagic=0x01021994", 0, 0 },
	/* Every action. */
	{ "dont_measure fsmagic=0x9fa0", 0, 0 },
	{ "appraise func=BPRM_CHECK appraise_type=imasig", 0, 0 },
	{ "dont_appraise fsmagic=0x9fa0", 0, 0 },
	{ "audit func=BPRM_CHECK", 0, 0 },
	/* IMA writes no hash for a namespace: no descendant's hash passes. */
	{ "hash func=FILE_CHECK", -EINVAL, 0 },
	{ "dont_hash fsmagic=0x01021994", -EINVAL, 0 },
	{ "measure func=BPRM_CHECK pcr=11 template=ima-sig", 0, 0 },
	/* A TPM 2.0's PCRs only: a vTPM stops extending at a failure. */
	{ "measure func=FILE_CHECK pcr=23", 0, 0 },
	{ "measure func=FILE_CHECK pcr=24", -EINVAL, 0 },
	/* The host's anchors of namespaces have a template of their own. */
	{ "measure func=FILE_CHECK template=ima-ns-anchor", -EINVAL, -EINVAL },
	/* Kernel-wide hooks: the host's only. */
	{ "measure func=MODULE_CHECK", -EINVAL, 0 },
	{ "appraise func=MODULE_CHECK appraise_type=imasig", -EINVAL, 0 },
	{ "measure func=FIRMWARE_CHECK", -EINVAL, 0 },
	{ "measure func=KEXEC_KERNEL_CHECK", -EINVAL, 0 },
	{ "appraise func=KEXEC_INITRAMFS_CHECK appraise_type=imasig", -EINVAL, 0 },
	{ "measure func=KEXEC_CMDLINE", -EINVAL, 0 },
	{ "measure func=CRITICAL_DATA", -EINVAL, 0 },
	{ "measure func=CRITICAL_DATA label=selinux", -EINVAL, 0 },
	/* Bad everywhere. */
	{ "measure func=NO_SUCH_CHECK", -EINVAL, -EINVAL },
	{ "measure func=FILE_CHECK func=BPRM_CHECK", -EINVAL, -EINVAL },
	{ "launch func=FILE_CHECK", -EINVAL, -EINVAL },
	{ "func=FILE_CHECK", -EINVAL, -EINVAL },
	{ "audit func=MODULE_CHECK label=x", -EINVAL, -EINVAL },
	/* An option given twice: the first value was leaked. */
	{ "measure fsname=ext4 fsname=tmpfs", -EINVAL, -EINVAL },
	{ "measure func=FILE_CHECK fsname=ext4", 0, 0 },
	/* Ids: the namespace maps 0..65535, the host everything. */
	{ "measure func=FILE_CHECK uid=0", 0, 0 },
	{ "measure func=FILE_CHECK uid=65535", 0, 0 },
	{ "measure func=FILE_CHECK uid=65536", -EINVAL, 0 },
	{ "measure func=FILE_CHECK euid>100000", -EINVAL, 0 },
	{ "measure func=FILE_CHECK gid=70000", -EINVAL, 0 },
	{ "measure func=FILE_CHECK egid<70000", -EINVAL, 0 },
	{ "measure func=FILE_CHECK fowner=70000", -EINVAL, 0 },
	{ "measure func=FILE_CHECK fgroup>70000", -EINVAL, 0 },
	{ "measure func=FILE_CHECK uid=4294967295", -EINVAL, -EINVAL },
	{ "measure func=FILE_CHECK uid=4294967296", -EINVAL, -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(rule, rule_cases, rule);

/* Written by host root in a namespace and on the host. */
static void ima_ns_policy_test_rule(struct kunit *test)
{
	const struct rule_case *c = test->param_value;
	struct ima_namespace *ns = new_ns(test, SHIFTED_ROOT);
	char buf[RULE_MAX];

	KUNIT_EXPECT_EQ(test, write_rule(ns, c->rule),
			c->ns_err ? c->ns_err : accepted(c->rule));
	KUNIT_EXPECT_EQ(test, ns->nr_rules, c->ns_err ? 0 : 1);
	ima_delete_rules(ns);
	KUNIT_EXPECT_EQ(test, ns->nr_rules, 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&ns->policy_rules));

	/* The host's policy is not touched. */
	strscpy(buf, c->rule, sizeof(buf));
	KUNIT_EXPECT_EQ(test, ima_test_parse_rule(&init_ima_ns, buf),
			c->host_err);
}

struct long_rule_case {
	const char *name;
	unsigned int items;	/* in keyrings= */
	size_t pad;		/* spaces after the rule */
	int ns_err;
};

static const struct long_rule_case long_rule_cases[] = {
	{ "64 keyrings", IMA_NS_MAX_OPT_ITEMS, 0, 0 },
	{ "65 keyrings", IMA_NS_MAX_OPT_ITEMS + 1, 0, -EINVAL },
	{ "2000 keyrings", 2000, 0, -EINVAL },
	{ "a rule as long as a write", 3, IMA_NS_MAX_RULE_LEN - 128, 0 },
	{ "a longer rule", 3, IMA_NS_MAX_RULE_LEN, -E2BIG },
};

KUNIT_ARRAY_PARAM_DESC(long_rule, long_rule_cases, name);

/*
 * What a namespace's rule may hold is bounded by explicit caps, not by the
 * allocator: a policy file may hold lines of any length.
 */
static void ima_ns_policy_test_long_rule(struct kunit *test)
{
	const struct long_rule_case *c = test->param_value;
	struct ima_namespace *ns = new_ns(test, SHIFTED_ROOT);
	size_t size = 64 + 2 * c->items + c->pad, len;
	unsigned int i;
	char *rule;

	if (!IS_ENABLED(CONFIG_IMA_MEASURE_ASYMMETRIC_KEYS))
		kunit_skip(test, "no KEY_CHECK (CONFIG_IMA_MEASURE_ASYMMETRIC_KEYS)");

	rule = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rule);
	len = strscpy(rule, "measure func=KEY_CHECK keyrings=k", size);
	for (i = 1; i < c->items; i++)
		len += strscpy(rule + len, "|k", size - len);
	memset(rule + len, ' ', c->pad);
	len += c->pad;

	KUNIT_EXPECT_EQ(test, ima_parse_add_rule(ns, rule),
			c->ns_err ? c->ns_err : (ssize_t)len + 1);
	KUNIT_EXPECT_EQ(test, ns->nr_rules, c->ns_err ? 0 : 1);
	ima_delete_rules(ns);
}

struct cap_case {
	const char *name;
	unsigned int committed;	/* rules of earlier writes */
	unsigned int written;	/* rules of this write, the last one included */
	int err;		/* of the last rule of this write */
};

static const struct cap_case cap_cases[] = {
	{ "1024 rules fit", 0, IMA_NS_MAX_RULES, 0 },
	{ "the 1025th does not", 0, IMA_NS_MAX_RULES + 1, -ENOSPC },
	{ "rules already in force count", 1000, IMA_NS_MAX_RULES - 1000, 0 },
	{ "one too many after earlier writes", 1000,
	  IMA_NS_MAX_RULES - 1000 + 1, -ENOSPC },
	{ "a full policy takes no more", IMA_NS_MAX_RULES, 1, -ENOSPC },
};

KUNIT_ARRAY_PARAM_DESC(cap, cap_cases, name);

static void ima_ns_policy_test_cap(struct kunit *test)
{
	const struct cap_case *c = test->param_value;
	struct ima_namespace *ns = new_ns(test, SHIFTED_ROOT);
	const struct cred *reader = current_cred();
	unsigned int written = c->written - 1;
	char last[RULE_MAX];
	const char *before;

	KUNIT_ASSERT_EQ(test, write_rules(ns, 0, c->committed), c->committed);
	if (c->committed)
		ima_update_policy(ns);
	KUNIT_ASSERT_EQ(test, ns->nr_rules, c->committed);
	before = read_policy(test, ns, reader);
	KUNIT_ASSERT_EQ(test, count_lines(before), c->committed);

	KUNIT_EXPECT_EQ(test, write_rules(ns, c->committed, written), written);
	snprintf(last, sizeof(last), "measure func=FILE_CHECK fowner=%u",
		 c->committed + written);
	KUNIT_EXPECT_EQ(test, write_rule(ns, last),
			c->err ? c->err : accepted(last));

	if (c->err) {
		/* Comments are no rules. */
		KUNIT_EXPECT_EQ(test, write_rule(ns, "# full"), accepted("# full"));
		/* What the release of a failed write does. */
		ima_delete_rules(ns);
		KUNIT_EXPECT_EQ(test, ns->nr_rules, c->committed);
		KUNIT_EXPECT_EQ_MSG(test, strcmp(read_policy(test, ns, reader),
						 before), 0,
				    "policy changed by a failed write");
		return;
	}
	ima_update_policy(ns);
	KUNIT_EXPECT_EQ(test, ns->nr_rules, c->committed + c->written);
	KUNIT_EXPECT_EQ(test, count_lines(read_policy(test, ns, reader)),
			c->committed + c->written);
}

struct id_case {
	const char *rule;
	const char *host_view;	/* read back by host root */
	const char *ns_view;	/* read back by the namespace's root */
};

static const struct id_case id_cases[] = {
	{ "measure func=FILE_CHECK uid=0",
	  "measure func=FILE_CHECK uid=100000",
	  "measure func=FILE_CHECK uid=0" },
	{ "measure func=BPRM_CHECK euid>999",
	  "measure func=BPRM_CHECK euid>100999",
	  "measure func=BPRM_CHECK euid>999" },
	{ "measure func=FILE_CHECK gid<5",
	  "measure func=FILE_CHECK gid<100005",
	  "measure func=FILE_CHECK gid<5" },
	{ "measure func=BPRM_CHECK egid=65535",
	  "measure func=BPRM_CHECK egid=165535",
	  "measure func=BPRM_CHECK egid=65535" },
	{ "appraise func=BPRM_CHECK fowner=1000 appraise_type=imasig",
	  "appraise func=BPRM_CHECK fowner=101000 appraise_type=imasig",
	  "appraise func=BPRM_CHECK fowner=1000 appraise_type=imasig" },
	{ "measure func=FILE_CHECK fgroup>1000",
	  "measure func=FILE_CHECK fgroup>101000",
	  "measure func=FILE_CHECK fgroup>1000" },
};

KUNIT_ARRAY_PARAM_DESC(id, id_cases, rule);

/*
 * Ids are the namespace's, even when host root writes them, and shown as
 * the reader sees them: host root sees the kernel ids.
 */
static void ima_ns_policy_test_ids(struct kunit *test)
{
	const struct id_case *c = test->param_value;
	struct ima_namespace *ns = new_ns(test, SHIFTED_ROOT);
	const char *text;

	KUNIT_ASSERT_EQ(test, write_rule(ns, c->rule), accepted(c->rule));
	ima_update_policy(ns);

	text = read_policy(test, ns, current_cred());
	KUNIT_EXPECT_STREQ(test, one_rule(test, text), c->host_view);
	text = read_policy(test, ns, cred_of(test, ns, NS_ROOT));
	KUNIT_EXPECT_STREQ(test, one_rule(test, text), c->ns_view);
}

struct audit_case {
	const char *name;
	u32 root;		/* host uid/gid of the namespace's root */
	enum who writer;
	int err;		/* of an audit rule in the namespace */
};

static const struct audit_case audit_cases[] = {
	{ "host root, root-backed namespace", 0, HOST_ROOT, 0 },
	{ "namespace root, root-backed", 0, NS_ROOT, 0 },
	{ "namespace root without CAP_AUDIT_WRITE", 0, NS_ROOT_NO_AUDIT,
	  -EPERM },
	{ "host root without CAP_AUDIT_WRITE, root-backed", 0,
	  HOST_ROOT_NO_AUDIT, 0 },
	{ "host root, unprivileged namespace", SHIFTED_ROOT, HOST_ROOT, 0 },
	{ "namespace root, unprivileged", SHIFTED_ROOT, NS_ROOT, -EPERM },
	{ "host root without CAP_AUDIT_WRITE, unprivileged", SHIFTED_ROOT,
	  HOST_ROOT_NO_AUDIT, -EPERM },
};

KUNIT_ARRAY_PARAM_DESC(audit, audit_cases, name);

/* Only audit rules are gated; the host's are not. */
static void ima_ns_policy_test_audit(struct kunit *test)
{
	static const char audit_rule[] = "audit func=BPRM_CHECK";
	static const char measure_rule[] = "measure func=BPRM_CHECK";
	const struct audit_case *c = test->param_value;
	struct ima_namespace *ns = new_ns(test, c->root);
	const struct cred *writer = cred_of(test, ns, c->writer);
	const struct cred *old;
	ssize_t audit_ret, measure_ret;
	int host_ret;
	char buf[RULE_MAX];

	strscpy(buf, audit_rule, sizeof(buf));
	old = override_creds(writer);
	audit_ret = write_rule(ns, audit_rule);
	measure_ret = write_rule(ns, measure_rule);
	host_ret = ima_test_parse_rule(&init_ima_ns, buf);
	revert_creds(old);

	KUNIT_EXPECT_EQ(test, audit_ret, c->err ? c->err : accepted(audit_rule));
	KUNIT_EXPECT_EQ(test, measure_ret, accepted(measure_rule));
	KUNIT_EXPECT_EQ(test, host_ret, 0);
	ima_delete_rules(ns);
}

struct session_case {
	const char *bad;
	int err;
};

static const struct session_case session_cases[] = {
	{ "measure func=MODULE_CHECK", -EINVAL },
	{ "measure func=FILE_CHECK uid=70000", -EINVAL },
	{ "measure func=FILE_CHECK bogus", -EINVAL },
	{ "audit func=BPRM_CHECK", -EPERM },
};

KUNIT_ARRAY_PARAM_DESC(session, session_cases, bad);

/* Rules in force before the failed write. */
static const char *const committed_rules[] = {
	"measure func=BPRM_CHECK",
	"dont_measure fsmagic=0x9fa0",
	"measure func=FILE_CHECK mask=MAY_READ uid=0",
	"appraise func=BPRM_CHECK fowner>999 appraise_type=imasig",
	"audit func=BPRM_CHECK",
};

/*
 * A bad rule written by the namespace's root makes the whole write fail:
 * the policy reads back byte for byte as before.
 */
static void ima_ns_policy_test_failed_write(struct kunit *test)
{
	static const char good[] = "measure func=MMAP_CHECK";
	static const char later[] = "measure func=CREDS_CHECK";
	const struct session_case *c = test->param_value;
	struct ima_namespace *ns = new_ns(test, SHIFTED_ROOT);
	const struct cred *writer = cred_of(test, ns, NS_ROOT);
	ssize_t good_ret, bad_ret, later_ret;
	const struct cred *old;
	const char *before;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(committed_rules); i++)
		KUNIT_ASSERT_EQ(test, write_rule(ns, committed_rules[i]),
				accepted(committed_rules[i]));
	ima_update_policy(ns);
	before = read_policy(test, ns, current_cred());
	KUNIT_ASSERT_EQ(test, count_lines(before), ARRAY_SIZE(committed_rules));

	old = override_creds(writer);
	good_ret = write_rule(ns, good);
	bad_ret = write_rule(ns, c->bad);
	/* ima/policy takes later writes, to discard them at release. */
	later_ret = write_rule(ns, later);
	revert_creds(old);

	KUNIT_EXPECT_EQ(test, good_ret, accepted(good));
	KUNIT_EXPECT_EQ(test, bad_ret, c->err);
	KUNIT_EXPECT_EQ(test, later_ret, accepted(later));
	KUNIT_EXPECT_EQ(test, ns->nr_rules, ARRAY_SIZE(committed_rules) + 2);

	ima_delete_rules(ns);
	KUNIT_EXPECT_EQ(test, ns->nr_rules, ARRAY_SIZE(committed_rules));
	KUNIT_EXPECT_STREQ(test, read_policy(test, ns, current_cred()), before);
}

struct funcs_case {
	const char *name;
	const char *rules[2];
	unsigned int funcs;
};

static const struct funcs_case funcs_cases[] = {
	{ "no rule", { NULL }, 0 },
	{ "one hook", { "appraise func=BPRM_CHECK" }, BIT(BPRM_CHECK) },
	{ "two hooks", { "audit func=BPRM_CHECK", "audit func=MMAP_CHECK" },
	  BIT(BPRM_CHECK) | BIT(MMAP_CHECK) },
	/* A writer's ToMToU check runs whichever hooks measure. */
	{ "measuring adds the violation checks' hooks",
	  { "measure func=BPRM_CHECK" },
	  BIT(BPRM_CHECK) | BIT(FILE_CHECK) | BIT(MMAP_CHECK) |
	  BIT(MMAP_CHECK_REQPROT) },
	{ "a dont_ rule names its hook too",
	  { "dont_measure func=CREDS_CHECK uid=0" }, BIT(CREDS_CHECK) },
	{ "a rule without func= matches every hook",
	  { "measure func=FILE_CHECK", "measure fsmagic=0xef53" }, ~0U },
};

KUNIT_ARRAY_PARAM_DESC(funcs, funcs_cases, name);

/*
 * policy_funcs lets a hook skip a level: it holds every hook a rule can
 * match, so that a skipped level is one whose rules would all have said
 * no.
 */
static void ima_ns_policy_test_funcs(struct kunit *test)
{
	const struct funcs_case *c = test->param_value;
	struct ima_namespace *ns = new_ns(test, SHIFTED_ROOT);
	struct super_block *sb;
	struct inode *inode;
	enum ima_hooks func;
	size_t i;

	sb = kunit_kzalloc(test, sizeof(*sb), GFP_KERNEL);
	inode = kunit_kzalloc(test, sizeof(*inode), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_ASSERT_NOT_NULL(test, inode);
	sb->s_magic = TMPFS_MAGIC;
	inode->i_sb = sb;
	inode->i_mode = S_IFREG | 0644;

	for (i = 0; i < ARRAY_SIZE(c->rules) && c->rules[i]; i++)
		KUNIT_ASSERT_EQ(test, write_rule(ns, c->rules[i]),
				accepted(c->rules[i]));
	if (i)
		ima_update_policy(ns);
	KUNIT_EXPECT_EQ(test, ns->policy_funcs, c->funcs);

	for (func = FILE_CHECK; func < MAX_CHECK; func++) {
		int action;

		if (func == KEY_CHECK || func == CRITICAL_DATA ||
		    func == POST_SETATTR)
			continue;
		action = ima_match_policy(ns, &nop_mnt_idmap, inode,
					  current_cred(),
					  0, func, MAY_READ,
					  IMA_DO_MASK | IMA_AUDIT, NULL, NULL,
					  NULL, NULL);
		if (!(ns->policy_funcs & BIT(func)))
			KUNIT_EXPECT_EQ_MSG(test, action, 0, "func %d", func);
	}
}

struct hook_action_case {
	const char *name;
	const char *rules[2];
	bool known;		/* ima_hook_action() answers for file hooks */
};

static const struct hook_action_case hook_action_cases[] = {
	{ "hooks only", { "measure func=FILE_CHECK", "audit func=BPRM_CHECK" },
	  true },
	{ "pcr= and template= are actions",
	  { "measure func=FILE_CHECK pcr=11 template=ima-sig" }, true },
	{ "uid=", { "measure func=FILE_CHECK uid=0" }, false },
	{ "mask=", { "measure func=FILE_CHECK mask=MAY_READ" }, false },
	{ "fsmagic= on another hook's rule",
	  { "measure func=FILE_CHECK", "dont_measure fsmagic=0x9fa0" }, false },
	{ "fowner=", { "audit func=BPRM_CHECK fowner=0" }, false },
};

KUNIT_ARRAY_PARAM_DESC(hook_action, hook_action_cases, name);

/*
 * A policy whose rules name only hooks has each file hook's action ready
 * (the hooks then walk no rules): the same action and PCR the rules give.
 * Any other condition, in any rule, turns that off.
 */
static void ima_ns_policy_test_hook_action(struct kunit *test)
{
	const struct hook_action_case *c = test->param_value;
	struct ima_namespace *ns = new_ns(test, SHIFTED_ROOT);
	int flags = IMA_MEASURE | IMA_AUDIT | IMA_APPRAISE | IMA_HASH;
	enum ima_hooks func;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c->rules) && c->rules[i]; i++)
		KUNIT_ASSERT_EQ(test, write_rule(ns, c->rules[i]),
				accepted(c->rules[i]));
	if (i)
		ima_update_policy(ns);

	for (func = FILE_CHECK; func <= CREDS_CHECK; func++) {
		int action = -1, pcr = -1, want, want_pcr;

		if (!ima_hook_action(ns, func, &action, &pcr)) {
			KUNIT_EXPECT_FALSE_MSG(test, c->known, "func %d", func);
			continue;
		}
		KUNIT_EXPECT_TRUE_MSG(test, c->known, "func %d", func);
		want_pcr = CONFIG_IMA_MEASURE_PCR_IDX;
		want = ima_match_policy(ns, NULL, NULL, NULL, 0, func, 0,
					flags & ns->policy_flag, &want_pcr,
					NULL, NULL, NULL);
		KUNIT_EXPECT_EQ_MSG(test, action, want, "func %d", func);
		KUNIT_EXPECT_EQ_MSG(test, pcr, want_pcr, "func %d", func);
	}
}

static struct kunit_case ima_ns_policy_test_cases[] = {
	KUNIT_CASE_PARAM(ima_ns_policy_test_rule, rule_gen_params),
	KUNIT_CASE_PARAM(ima_ns_policy_test_long_rule, long_rule_gen_params),
	KUNIT_CASE_PARAM(ima_ns_policy_test_cap, cap_gen_params),
	KUNIT_CASE_PARAM(ima_ns_policy_test_ids, id_gen_params),
	KUNIT_CASE_PARAM(ima_ns_policy_test_audit, audit_gen_params),
	KUNIT_CASE_PARAM(ima_ns_policy_test_failed_write, session_gen_params),
	KUNIT_CASE_PARAM(ima_ns_policy_test_funcs, funcs_gen_params),
	KUNIT_CASE_PARAM(ima_ns_policy_test_hook_action,
			 hook_action_gen_params),
	{}
};

static struct kunit_suite ima_ns_policy_test_suite = {
	.name = "ima_ns_policy",
	.test_cases = ima_ns_policy_test_cases,
};

kunit_test_suite(ima_ns_policy_test_suite);
