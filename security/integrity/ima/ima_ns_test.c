// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the IMA namespace object and its status store.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/rcupdate.h>
#include <linux/unaligned.h>
#include <linux/user_namespace.h>
#include <crypto/hash.h>

#include "ima.h"
#include "ima_ns.h"
#include "ima_ns_kunit.h"
#include "ima_ns_status.h"

/* Upper bound for the deferred frees (user namespace, then IMA namespace). */
#define FREE_TIMEOUT_MS	30000

/**
 * ima_kunit_new_user_ns - a new user namespace for a test
 * @test: the test
 * @credp: set to the credentials that own it; put them to free it
 *
 * Return: A child of the caller's user namespace, with no id mapped.
 */
struct user_namespace *ima_kunit_new_user_ns(struct kunit *test,
					     struct cred **credp)
{
	struct cred *cred;
	int err;

	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	err = create_user_ns(cred);
	if (err)
		abort_creds(cred);
	KUNIT_ASSERT_EQ(test, err, 0);
	*credp = cred;
	return cred->user_ns;
}

/* A new user namespace with its IMA namespace; put @credp to free both. */
static struct ima_namespace *new_ima_ns(struct kunit *test,
					struct cred **credp)
{
	struct ima_namespace *ns;

	ns = ima_ns_create(ima_kunit_new_user_ns(test, credp));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ns);
	return ns;
}

/* Wait for the namespace with @id to be freed; true if it was. */
static bool wait_ns_freed(u64 id)
{
	unsigned int waited;

	for (waited = 0; waited < FREE_TIMEOUT_MS; waited += 20) {
		if (!ima_ns_id_allocated(id))
			return true;
		msleep(20);
	}
	return !ima_ns_id_allocated(id);
}

/* Wait until free_user_ns() has dropped its reference on @ns. */
static bool wait_user_ns_released(struct ima_namespace *ns)
{
	unsigned int waited;

	for (waited = 0; waited < FREE_TIMEOUT_MS; waited += 20) {
		if (refcount_read(&ns->users) == 1)
			return true;
		msleep(20);
	}
	return false;
}

/* Wait for every record freed so far to be gone. */
static void wait_records_freed(void)
{
	/* Record frees may be queued from RCU callbacks: wait twice. */
	rcu_barrier();
	rcu_barrier();
}

/* Live records once the frees of earlier tests are done. */
static long settled_nr_records(void)
{
	wait_records_freed();
	return ima_ns_status_nr_records();
}

static void ima_ns_test_create(struct kunit *test)
{
	struct user_namespace *user_ns;
	struct ima_namespace *ns;
	struct cred *cred;
	u64 id;

	ns = new_ima_ns(test, &cred);
	user_ns = ns->user_ns;
	id = ns->id;

	KUNIT_EXPECT_GT(test, id, 0);
	KUNIT_EXPECT_PTR_EQ(test, ns->user_ns, user_ns);
	/* Pairs with smp_store_release() in ima_ns_create(). */
	KUNIT_EXPECT_PTR_EQ(test, smp_load_acquire(&user_ns->ima_ns), ns);
	KUNIT_EXPECT_PTR_EQ(test, ima_ns_create(user_ns), ns);
	KUNIT_EXPECT_TRUE(test, ima_ns_id_allocated(id));

	/* Enforcing, whatever the host's ima_appraise=; no keyring yet. */
	if (IS_ENABLED(CONFIG_IMA_APPRAISE))
		KUNIT_EXPECT_EQ(test, ns->appraise, IMA_APPRAISE_ENFORCE);
	KUNIT_EXPECT_NULL(test, ns->keyring);

	/* Inactive: the user namespace is governed by the host. */
	KUNIT_EXPECT_FALSE(test, ima_ns_active(ns));
	KUNIT_EXPECT_PTR_EQ(test, ima_ns_of(user_ns), &init_ima_ns);
	KUNIT_EXPECT_EQ(test, ima_ns_activate(ns), 0);
	KUNIT_EXPECT_TRUE(test, ima_ns_active(ns));
	KUNIT_EXPECT_PTR_EQ(test, ima_ns_of(user_ns), ns);
	KUNIT_EXPECT_EQ(test, ima_ns_activate(ns), -EBUSY);

	/* The host's own namespace. */
	KUNIT_EXPECT_PTR_EQ(test, ima_ns_create(&init_user_ns), &init_ima_ns);
	KUNIT_EXPECT_PTR_EQ(test, ima_ns_of(&init_user_ns), &init_ima_ns);
	KUNIT_EXPECT_EQ(test, init_ima_ns.id, 0);
	KUNIT_EXPECT_TRUE(test, ima_ns_active(&init_ima_ns));

	put_cred(cred);
	KUNIT_EXPECT_TRUE(test, wait_ns_freed(id));
}

static void ima_ns_test_reference_outlives_user_ns(struct kunit *test)
{
	struct ima_namespace *ns;
	struct cred *cred;
	u64 id;

	ns = new_ima_ns(test, &cred);
	id = ns->id;

	get_ima_ns(ns);
	put_cred(cred);
	KUNIT_ASSERT_TRUE(test, wait_user_ns_released(ns));

	/* The user namespace is gone; our reference keeps @ns. */
	KUNIT_EXPECT_TRUE(test, ima_ns_id_allocated(id));
	KUNIT_EXPECT_PTR_EQ(test, ima_ns_get_by_id(id), ns);
	put_ima_ns(ns);

	put_ima_ns(ns);
	KUNIT_EXPECT_TRUE(test, wait_ns_freed(id));
	KUNIT_EXPECT_NULL(test, ima_ns_get_by_id(id));
}

static void ima_ns_test_ids_never_reused(struct kunit *test)
{
	struct ima_namespace *ns;
	struct cred *cred;
	u64 last = 0;
	int i;

	for (i = 0; i < 3; i++) {
		ns = new_ima_ns(test, &cred);
		KUNIT_EXPECT_GT(test, ns->id, last);
		last = ns->id;
		put_cred(cred);
		/* Freed before the next one is created. */
		KUNIT_ASSERT_TRUE(test, wait_ns_freed(last));
	}
}

/* Map root to root in @user_ns, as writing its uid_map and gid_map would. */
static void map_root(struct user_namespace *user_ns)
{
	const struct uid_gid_extent root = { .first = 0, .lower_first = 0,
					     .count = 1 };

	user_ns->uid_map.extent[0] = root;
	user_ns->gid_map.extent[0] = root;
	/* Pairs with the smp_rmb() in map_id_range_down(). */
	smp_wmb();
	user_ns->uid_map.nr_extents = 1;
	user_ns->gid_map.nr_extents = 1;
}

#define UCOUNT_CHILDREN 2

struct ucount_case {
	const char *name;
	long max;
	/* ima_ns_create() result for each child user namespace */
	int err[UCOUNT_CHILDREN];
};

static const struct ucount_case ucount_cases[] = {
	{ "limit 0 refuses", 0, { -ENOSPC, -ENOSPC } },
	{ "limit 1 allows one", 1, { 0, -ENOSPC } },
	{ "default limit", INT_MAX, { 0, 0 } },
};

KUNIT_ARRAY_PARAM_DESC(ucount, ucount_cases, name);

/*
 * An IMA namespace counts, like its user namespace, in the parent user
 * namespace: max_ima_namespaces there bounds how many its children get.
 */
static void ima_ns_test_ucount_limit(struct kunit *test)
{
	const struct ucount_case *c = test->param_value;
	struct user_namespace *parent, *child[UCOUNT_CHILDREN];
	struct cred *parent_cred, *cred[UCOUNT_CHILDREN];
	struct ima_namespace *ns[UCOUNT_CHILDREN];
	int i, err;

	parent = ima_kunit_new_user_ns(test, &parent_cred);
	map_root(parent);
	parent->ucount_max[UCOUNT_IMA_NAMESPACES] = c->max;

	for (i = 0; i < UCOUNT_CHILDREN; i++) {
		cred[i] = prepare_creds();
		KUNIT_ASSERT_NOT_NULL(test, cred[i]);
		put_user_ns(cred[i]->user_ns);
		cred[i]->user_ns = get_user_ns(parent);
		err = create_user_ns(cred[i]);
		if (err)
			abort_creds(cred[i]);
		KUNIT_ASSERT_EQ(test, err, 0);
		child[i] = cred[i]->user_ns;

		ns[i] = ima_ns_create(child[i]);
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ns[i]), c->err[i]);
		if (IS_ERR(ns[i]))
			KUNIT_EXPECT_NULL(test, child[i]->ima_ns);
	}

	for (i = 0; i < UCOUNT_CHILDREN; i++) {
		put_cred(cred[i]);
		if (!IS_ERR(ns[i]))
			KUNIT_EXPECT_TRUE(test, wait_ns_freed(ns[i]->id));
	}
	put_cred(parent_cred);
}

enum level_state { NO_NS, INACTIVE, ACTIVE };

#define WALK_DEPTH 3

struct walk_case {
	const char *name;
	/* IMA namespace of user namespaces at levels 1..WALK_DEPTH. */
	enum level_state level[WALK_DEPTH];
	/* Level whose IMA namespace governs level WALK_DEPTH; 0: host. */
	int expected;
};

static const struct walk_case walk_cases[] = {
	{ "no namespace: host", { NO_NS, NO_NS, NO_NS }, 0 },
	{ "all inactive: host", { INACTIVE, INACTIVE, INACTIVE }, 0 },
	{ "own active", { ACTIVE, ACTIVE, ACTIVE }, 3 },
	{ "own inactive: parent", { NO_NS, ACTIVE, INACTIVE }, 2 },
	{ "grandparent", { ACTIVE, NO_NS, NO_NS }, 1 },
	{ "skips inactive", { ACTIVE, INACTIVE, INACTIVE }, 1 },
};

KUNIT_ARRAY_PARAM_DESC(walk, walk_cases, name);

/*
 * ima_ns_of() returns the nearest active namespace up the chain, and
 * ima_ns_parent() goes on from there through the active ones only.
 */
static void ima_ns_test_walk(struct kunit *test)
{
	const struct walk_case *c = test->param_value;
	struct ima_namespace *ima[WALK_DEPTH + 1] = { &init_ima_ns };
	struct user_namespace *user[WALK_DEPTH + 1] = { &init_user_ns };
	struct ima_namespace *ns;
	int i;

	for (i = 1; i <= WALK_DEPTH; i++) {
		user[i] = kunit_kzalloc(test, sizeof(*user[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, user[i]);
		user[i]->parent = user[i - 1];
		user[i]->level = i;
		if (c->level[i - 1] == NO_NS)
			continue;
		ima[i] = kunit_kzalloc(test, sizeof(*ima[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, ima[i]);
		/* Activation reads how the user namespace maps root. */
		ima[i]->user_ns = user[i];
		if (c->level[i - 1] == ACTIVE)
			KUNIT_ASSERT_EQ(test, ima_ns_activate(ima[i]), 0);
		user[i]->ima_ns = ima[i];
	}
	KUNIT_EXPECT_PTR_EQ(test, ima_ns_of(user[WALK_DEPTH]),
			    ima[c->expected]);

	/* The hooks' walk: each active level below, down to the host. */
	ns = ima[c->expected];
	for (i = c->expected - 1; i >= 0; i--) {
		if (i && c->level[i - 1] != ACTIVE)
			continue;
		ns = ima_ns_parent(ns);
		KUNIT_EXPECT_PTR_EQ(test, ns, ima[i]);
	}
	KUNIT_EXPECT_NULL(test, ima_ns_parent(&init_ima_ns));
}

/* ima_ns_of() caches its walk, and forgets it when a namespace activates. */
static void ima_ns_test_walk_cache(struct kunit *test)
{
	struct user_namespace *user[3] = { &init_user_ns };
	struct ima_namespace *parent_ns;
	int i;

	for (i = 1; i < 3; i++) {
		user[i] = kunit_kzalloc(test, sizeof(*user[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, user[i]);
		user[i]->parent = user[i - 1];
		user[i]->level = i;
	}
	parent_ns = kunit_kzalloc(test, sizeof(*parent_ns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, parent_ns);
	parent_ns->user_ns = user[1];
	user[1]->ima_ns = parent_ns;

	KUNIT_EXPECT_PTR_EQ(test, ima_ns_of(user[2]), &init_ima_ns);
	/* Served from the cache, which now names the host. */
	KUNIT_EXPECT_PTR_EQ(test, user[2]->ima_ns_gov, &init_ima_ns);
	KUNIT_EXPECT_PTR_EQ(test, ima_ns_of(user[2]), &init_ima_ns);

	KUNIT_ASSERT_EQ(test, ima_ns_activate(parent_ns), 0);
	KUNIT_EXPECT_PTR_EQ(test, ima_ns_of(user[2]), parent_ns);
	KUNIT_EXPECT_PTR_EQ(test, user[2]->ima_ns_gov, parent_ns);
}

/* Every live namespace is visited once, host first, in id order. */
static void ima_ns_test_iterate(struct kunit *test)
{
	struct user_namespace *user_ns[2];
	struct ima_namespace *ns, *mine[2];
	struct cred *cred[2];
	bool seen[2] = { false, false };
	u64 last = 0;
	int i, n = 0;

	for (i = 0; i < 2; i++) {
		user_ns[i] = ima_kunit_new_user_ns(test, &cred[i]);
		mine[i] = ima_ns_create(user_ns[i]);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mine[i]);
	}

	for (ns = ima_ns_next(NULL); ns; ns = ima_ns_next(ns)) {
		if (n++ == 0)
			KUNIT_EXPECT_PTR_EQ(test, ns, &init_ima_ns);
		else
			KUNIT_EXPECT_GT(test, ns->id, last);
		last = ns->id;
		for (i = 0; i < 2; i++)
			if (ns == mine[i])
				seen[i] = true;
	}
	KUNIT_EXPECT_TRUE(test, seen[0]);
	KUNIT_EXPECT_TRUE(test, seen[1]);

	/* Leaving the loop early keeps a reference. */
	for (ns = ima_ns_next(NULL); ns; ns = ima_ns_next(ns))
		if (ns == mine[0])
			break;
	KUNIT_EXPECT_PTR_EQ(test, ns, mine[0]);
	put_ima_ns(ns);

	for (i = 0; i < 2; i++) {
		last = mine[i]->id;
		put_cred(cred[i]);
		KUNIT_EXPECT_TRUE(test, wait_ns_freed(last));
	}
}

/* Extend @pcr of @size bytes with @digest, as a TPM does, with @tfm. */
static void vpcr_extend(struct kunit *test, struct crypto_shash *tfm,
			u8 *pcr, const u8 *digest, int size)
{
	SHASH_DESC_ON_STACK(shash, tfm);

	shash->tfm = tfm;
	KUNIT_ASSERT_EQ(test, crypto_shash_init(shash), 0);
	KUNIT_ASSERT_EQ(test, crypto_shash_update(shash, pcr, size), 0);
	KUNIT_ASSERT_EQ(test, crypto_shash_update(shash, digest, size), 0);
	KUNIT_ASSERT_EQ(test, crypto_shash_final(shash, pcr), 0);
}

/* The last entry of the host's list. */
static struct ima_template_entry *last_host_entry(void)
{
	struct ima_queue_entry *qe;

	mutex_lock(&init_ima_ns.extend_list_mutex);
	qe = list_last_entry(&init_ima_ns.measurements, struct ima_queue_entry,
			     later);
	mutex_unlock(&init_ima_ns.extend_list_mutex);
	return qe->entry;
}

/*
 * A namespace's virtual PCRs aggregate its list as a TPM would, all ones
 * for a violation; an anchor records them in the host's list once per
 * growth of the namespace's list.
 */
static void ima_ns_test_vpcr_anchor(struct kunit *test)
{
	struct ima_event_data event_data = { .filename = "kunit_violation",
					     .violation = "kunit" };
	struct ima_template_entry *entry, *first;
	u8 expected[TPM2_MAX_DIGEST_SIZE], ones[TPM2_MAX_DIGEST_SIZE];
	const struct ima_field_data *record;
	struct tpm_bank_info *bank;
	struct ima_namespace *ns;
	long host_entries;
	struct cred *cred;
	char *text;
	int i, b;

	if (!ima_tpm_chip)
		kunit_skip(test, "no host TPM: no virtual PCRs");
	ns = new_ima_ns(test, &cred);

	KUNIT_ASSERT_EQ(test, ima_add_boot_aggregate(ns), 0);
	event_data.ns = ns;
	event_data.origin_ns_id = ns->id;
	KUNIT_ASSERT_EQ(test, ima_alloc_init_template(&event_data, &entry,
						      ima_ns_template(ns)), 0);
	KUNIT_ASSERT_EQ(test, ima_store_template(ns, entry, 1, NULL,
						 "kunit_violation", 10), 0);
	first = list_first_entry(&ns->measurements, struct ima_queue_entry,
				 later)->entry;

	memset(ones, 0xff, sizeof(ones));
	for (i = 0; i < NR_BANKS(ima_tpm_chip); i++) {
		bank = &ima_tpm_chip->allocated_banks[i];
		if (bank->crypto_id == HASH_ALGO__LAST ||
		    !ima_algo_array[i].tfm)
			continue;
		memset(expected, 0, sizeof(expected));
		vpcr_extend(test, ima_algo_array[i].tfm, expected,
			    first->digests[i].digest, bank->digest_size);
		vpcr_extend(test, ima_algo_array[i].tfm, expected, ones,
			    bank->digest_size);
		KUNIT_EXPECT_MEMEQ(test, ns->vpcr[i].digest, expected,
				   bank->digest_size);
	}

	host_entries = atomic_long_read(&init_ima_ns.htable.len);
	KUNIT_ASSERT_EQ(test, ima_ns_anchor(ns), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&init_ima_ns.htable.len),
			host_entries + 1);
	entry = last_host_entry();
	KUNIT_EXPECT_STREQ(test, entry->template_desc->name, "ima-ns-anchor");
	/* d-ng, n-ng, nsid, then the record: count, banks, digests. */
	KUNIT_ASSERT_EQ(test, entry->template_desc->num_fields, 4);
	KUNIT_EXPECT_EQ(test, *(u64 *)entry->template_data[2].data, ns->id);
	record = &entry->template_data[3];
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(record->data), 2);
	for (i = 0, b = 0; i < NR_BANKS(ima_tpm_chip); i++) {
		const u8 *p = record->data + 10;
		int j;

		bank = &ima_tpm_chip->allocated_banks[i];
		if (bank->crypto_id == HASH_ALGO__LAST ||
		    !ima_algo_array[i].tfm)
			continue;
		for (j = 0; j < b; j++)
			p += 4 + get_unaligned_le16(p + 2);
		KUNIT_EXPECT_EQ(test, get_unaligned_le16(p), bank->alg_id);
		KUNIT_EXPECT_EQ(test, get_unaligned_le16(p + 2),
				bank->digest_size);
		KUNIT_EXPECT_MEMEQ(test, p + 4, ns->vpcr[i].digest,
				   bank->digest_size);
		b++;
	}
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(record->data + 8), b);

	/* Nothing new since: no second anchor. */
	KUNIT_ASSERT_EQ(test, ima_ns_anchor(ns), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&init_ima_ns.htable.len),
			host_entries + 1);

	text = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, text);
	ima_ns_vpcr_show(ns, text, PAGE_SIZE);
	KUNIT_EXPECT_NOT_NULL(test, strstr(text, "entries 2\nanchored 2\n"));
	put_cred(cred);
}

/*
 * A namespace created from outside its user namespace (a runtime binding
 * its vTPM) is charged to the first of its own tasks that gets it, until
 * it is active.
 */
static void ima_ns_test_adopt_memcg(struct kunit *test)
{
	struct ima_namespace *ns, *active_ns;
	struct cred *cred, *active_cred;
	const struct cred *old;

	ns = new_ima_ns(test, &cred);
	active_ns = new_ima_ns(test, &active_cred);
	KUNIT_EXPECT_TRUE(test, ns->memcg_foreign);
	KUNIT_EXPECT_TRUE(test, active_ns->memcg_foreign);
	/* Active without the hooks looking: no task runs in it. */
	set_bit(IMA_NS_ACTIVE, &active_ns->flags);

	old = override_creds(cred);
	KUNIT_EXPECT_PTR_EQ(test, ima_ns_create(cred->user_ns), ns);
	revert_creds(old);
	old = override_creds(active_cred);
	KUNIT_EXPECT_PTR_EQ(test, ima_ns_create(active_cred->user_ns),
			    active_ns);
	revert_creds(old);

	KUNIT_EXPECT_FALSE(test, ns->memcg_foreign);
	KUNIT_EXPECT_TRUE(test, active_ns->memcg_foreign);
	put_cred(cred);
	put_cred(active_cred);
}

static struct kunit_case ima_ns_test_cases[] = {
	KUNIT_CASE(ima_ns_test_create),
	KUNIT_CASE(ima_ns_test_reference_outlives_user_ns),
	KUNIT_CASE(ima_ns_test_ids_never_reused),
	KUNIT_CASE_PARAM(ima_ns_test_ucount_limit, ucount_gen_params),
	KUNIT_CASE_PARAM(ima_ns_test_walk, walk_gen_params),
	KUNIT_CASE(ima_ns_test_walk_cache),
	KUNIT_CASE(ima_ns_test_iterate),
	KUNIT_CASE(ima_ns_test_vpcr_anchor),
	KUNIT_CASE(ima_ns_test_adopt_memcg),
	{}
};

static struct kunit_suite ima_ns_test_suite = {
	.name = "ima_ns",
	.test_cases = ima_ns_test_cases,
};

/* Status store */

/* An inode's integrity cache, with what evicting it from RCU needs. */
struct test_inode {
	struct ima_iint_cache iint;
	struct rcu_head rcu;
};

static struct ima_iint_cache *new_iint(struct kunit *test)
{
	struct test_inode *inode;

	inode = kunit_kzalloc(test, sizeof(*inode), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, inode);
	mutex_init(&inode->iint.mutex);
	inode->iint.real_inode.version = 1;
	return &inode->iint;
}

/* A namespace with only a status store, freed by the caller. */
static struct ima_namespace *new_store_ns(struct kunit *test)
{
	struct ima_namespace *ns;

	ns = kunit_kzalloc(test, sizeof(*ns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ns);
	KUNIT_ASSERT_EQ(test, ima_ns_status_init(ns), 0);
	return ns;
}

static struct ima_ns_status *get_locked(struct ima_namespace *ns,
					struct ima_iint_cache *iint)
{
	struct ima_ns_status *rec;

	mutex_lock(&iint->mutex);
	rec = ima_ns_status_get(ns, iint);
	mutex_unlock(&iint->mutex);
	return rec;
}

static int nr_inode_records(struct ima_iint_cache *iint)
{
	struct ima_ns_inode_status *head = iint->ns_status;
	struct ima_ns_status *rec;
	int n = 0;

	if (!head)
		return 0;
	spin_lock_bh(&head->lock);
	hlist_for_each_entry(rec, &head->records, inode_node)
		n++;
	spin_unlock_bh(&head->lock);
	return n;
}

static void ima_ns_status_test_insert_lookup(struct kunit *test)
{
	long base = settled_nr_records();
	struct ima_namespace *ns = new_store_ns(test);
	struct ima_iint_cache *iint = new_iint(test);
	struct ima_ns_status *rec;

	KUNIT_EXPECT_NULL(test, ima_ns_status_find(ns, iint));

	rec = get_locked(ns, iint);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, rec);
	KUNIT_EXPECT_PTR_EQ(test, rec->ns, ns);
	KUNIT_EXPECT_PTR_EQ(test, rec->iint, iint);
	KUNIT_EXPECT_EQ(test, rec->status.flags, 0);
	KUNIT_EXPECT_EQ(test, (int)rec->status.file_status, INTEGRITY_UNKNOWN);
	KUNIT_EXPECT_EQ(test, rec->status.version, iint->real_inode.version);

	KUNIT_EXPECT_PTR_EQ(test, ima_ns_status_find(ns, iint), rec);
	KUNIT_EXPECT_PTR_EQ(test, get_locked(ns, iint), rec);
	KUNIT_EXPECT_EQ(test, nr_inode_records(iint), 1);
	KUNIT_EXPECT_EQ(test, ima_ns_status_nr_records(), base + 1);

	ima_ns_status_free_inode(iint);
	ima_ns_status_free_ns(ns);
	wait_records_freed();
	KUNIT_EXPECT_EQ(test, ima_ns_status_nr_records(), base);
}

/* The host keeps its results in the iint: no record, no lookup. */
static void ima_ns_status_test_init_ns_has_no_records(struct kunit *test)
{
	struct ima_iint_cache *iint = new_iint(test);

	KUNIT_EXPECT_PTR_EQ(test, get_locked(&init_ima_ns, iint),
			    ERR_PTR(-EINVAL));
	KUNIT_EXPECT_NULL(test, ima_ns_status_find(&init_ima_ns, iint));
	KUNIT_EXPECT_NULL(test, iint->ns_status);
}

static void ima_ns_status_test_other_ns_misses(struct kunit *test)
{
	struct ima_namespace *a = new_store_ns(test);
	struct ima_namespace *b = new_store_ns(test);
	struct ima_iint_cache *iint = new_iint(test);
	struct ima_iint_cache *other = new_iint(test);
	struct ima_ns_status *ra, *rb;

	ra = get_locked(a, iint);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ra);
	ra->status.flags = IMA_MEASURED;

	KUNIT_EXPECT_NULL(test, ima_ns_status_find(b, iint));
	KUNIT_EXPECT_NULL(test, ima_ns_status_find(a, other));

	rb = get_locked(b, iint);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, rb);
	KUNIT_EXPECT_PTR_NE(test, ra, rb);
	KUNIT_EXPECT_EQ(test, rb->status.flags, 0);
	KUNIT_EXPECT_EQ(test, ra->status.flags, IMA_MEASURED);
	KUNIT_EXPECT_EQ(test, nr_inode_records(iint), 2);
	KUNIT_EXPECT_EQ(test, nr_inode_records(other), 0);

	ima_ns_status_free_inode(iint);
	ima_ns_status_free_ns(a);
	ima_ns_status_free_ns(b);
}

enum file_change { NO_CHANGE, VERSION_BUMP, RESET, RESET_OTHER_INODE };

struct invalidate_case {
	const char *name;
	enum file_change change;
	bool cleared;
};

static const struct invalidate_case invalidate_cases[] = {
	{ "unchanged file keeps results", NO_CHANGE, false },
	{ "new file version clears", VERSION_BUMP, true },
	{ "explicit reset clears", RESET, true },
	{ "reset of another inode keeps", RESET_OTHER_INODE, false },
};

KUNIT_ARRAY_PARAM_DESC(invalidate, invalidate_cases, name);

/* Results survive until the file changes, in every namespace. */
static void ima_ns_status_test_invalidate(struct kunit *test)
{
	const struct invalidate_case *c = test->param_value;
	struct ima_namespace *ns[2] = { new_store_ns(test), new_store_ns(test) };
	struct ima_iint_cache *iint = new_iint(test);
	struct ima_iint_cache *other = new_iint(test);
	const unsigned long done = IMA_MEASURE | IMA_MEASURED | IMA_AUDITED;
	struct ima_ns_status *rec[2];
	int i;

	for (i = 0; i < 2; i++) {
		rec[i] = get_locked(ns[i], iint);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, rec[i]);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, get_locked(ns[i], other));
		mutex_lock(&iint->mutex);
		rec[i]->status.flags = done;
		rec[i]->status.measured_pcrs = BIT(10);
		rec[i]->status.file_status = INTEGRITY_PASS;
		rec[i]->status.version = iint->real_inode.version;
		mutex_unlock(&iint->mutex);
	}

	switch (c->change) {
	case NO_CHANGE:
		break;
	case VERSION_BUMP:
		mutex_lock(&iint->mutex);
		iint->real_inode.version++;
		mutex_unlock(&iint->mutex);
		break;
	case RESET:
		mutex_lock(&iint->mutex);
		ima_ns_status_reset(iint);
		mutex_unlock(&iint->mutex);
		break;
	case RESET_OTHER_INODE:
		mutex_lock(&other->mutex);
		ima_ns_status_reset(other);
		mutex_unlock(&other->mutex);
		break;
	}

	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_PTR_EQ(test, get_locked(ns[i], iint), rec[i]);
		KUNIT_EXPECT_EQ(test, rec[i]->status.flags, c->cleared ? 0 : done);
		KUNIT_EXPECT_EQ(test, rec[i]->status.measured_pcrs,
				c->cleared ? 0 : BIT(10));
		KUNIT_EXPECT_EQ(test, (int)rec[i]->status.file_status,
				c->cleared ? INTEGRITY_UNKNOWN : INTEGRITY_PASS);
		KUNIT_EXPECT_EQ(test, rec[i]->status.version,
				iint->real_inode.version);
	}

	ima_ns_status_free_inode(iint);
	ima_ns_status_free_inode(other);
	for (i = 0; i < 2; i++)
		ima_ns_status_free_ns(ns[i]);
}

/*
 * Past IMA_NS_MAX_INODE_RECORDS namespaces on one inode, a namespace gets
 * no record (the hook then caches nothing): the list every change of the
 * file walks under a spinlock stays bounded.
 */
static void ima_ns_status_test_inode_cap(struct kunit *test)
{
	const int n = IMA_NS_MAX_INODE_RECORDS + 1;
	struct ima_iint_cache *iint = new_iint(test);
	struct ima_namespace **ns;
	int i;

	ns = kunit_kcalloc(test, n, sizeof(*ns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ns);
	for (i = 0; i < n; i++)
		ns[i] = new_store_ns(test);

	for (i = 0; i < n - 1; i++)
		KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(get_locked(ns[i], iint)));
	KUNIT_EXPECT_EQ(test, nr_inode_records(iint), n - 1);
	KUNIT_EXPECT_PTR_EQ(test, get_locked(ns[n - 1], iint),
			    ERR_PTR(-ENOSPC));
	/* Those that have one keep finding it. */
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(get_locked(ns[0], iint)));

	/* A namespace's death makes room for another. */
	ima_ns_status_free_ns(ns[0]);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(get_locked(ns[n - 1], iint)));

	ima_ns_status_free_inode(iint);
	for (i = 1; i < n; i++)
		ima_ns_status_free_ns(ns[i]);
}

/*
 * A writer owes a ToMToU violation to every namespace whose reader measured
 * the file, once each, and none to a dying one.
 */
static void ima_ns_status_test_take_tomtou(struct kunit *test)
{
	struct ima_namespace *ns[3] = { new_store_ns(test), new_store_ns(test),
					new_store_ns(test) };
	struct ima_iint_cache *iint = new_iint(test);
	struct ima_namespace *taken[2];
	struct ima_ns_status *rec;
	int i;

	for (i = 0; i < 3; i++) {
		/* Alive but for ns[2], whose last reference is gone. */
		refcount_set(&ns[i]->users, i < 2 ? 1 : 0);
		rec = get_locked(ns[i], iint);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, rec);
		/* ns[1]'s reader measured nothing. */
		if (i != 1)
			set_bit(IMA_MAY_EMIT_TOMTOU, &rec->atomic_flags);
	}

	taken[0] = ima_ns_status_take_tomtou(iint);
	taken[1] = ima_ns_status_take_tomtou(iint);
	KUNIT_EXPECT_PTR_EQ(test, taken[0], ns[0]);
	KUNIT_EXPECT_NULL(test, taken[1]);
	KUNIT_EXPECT_EQ(test, refcount_read(&ns[0]->users), 2);
	KUNIT_EXPECT_EQ(test, refcount_read(&ns[2]->users), 0);
	rec = ima_ns_status_find(ns[0], iint);
	KUNIT_EXPECT_FALSE(test, test_bit(IMA_MAY_EMIT_TOMTOU,
					  &rec->atomic_flags));

	ima_ns_status_free_inode(iint);
	for (i = 0; i < 3; i++)
		ima_ns_status_free_ns(ns[i]);
}

/* A metadata change clears some results of every namespace, not all. */
static void ima_ns_status_test_clear(struct kunit *test)
{
	struct ima_namespace *ns[2] = { new_store_ns(test), new_store_ns(test) };
	const unsigned long done = IMA_MEASURED | IMA_APPRAISED | IMA_AUDITED;
	struct ima_iint_cache *iint = new_iint(test);
	struct ima_ns_status *rec[2];
	int i;

	for (i = 0; i < 2; i++) {
		rec[i] = get_locked(ns[i], iint);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, rec[i]);
		rec[i]->status.flags = done;
		rec[i]->status.measured_pcrs = BIT(10);
	}

	mutex_lock(&iint->mutex);
	ima_ns_status_clear(iint, IMA_APPRAISED, false);
	mutex_unlock(&iint->mutex);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_EQ(test, rec[i]->status.flags,
				done & ~IMA_APPRAISED);
		KUNIT_EXPECT_EQ(test, rec[i]->status.measured_pcrs, BIT(10));
	}

	mutex_lock(&iint->mutex);
	ima_ns_status_clear(iint, IMA_DONE_MASK, true);
	mutex_unlock(&iint->mutex);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_EQ(test, rec[i]->status.flags, 0);
		KUNIT_EXPECT_EQ(test, rec[i]->status.measured_pcrs, 0);
		/* Same version: the record stays, only its results go. */
		KUNIT_EXPECT_PTR_EQ(test, get_locked(ns[i], iint), rec[i]);
	}

	ima_ns_status_free_inode(iint);
	for (i = 0; i < 2; i++)
		ima_ns_status_free_ns(ns[i]);
}

static void ima_ns_status_test_free_inode(struct kunit *test)
{
	long base = settled_nr_records();
	struct ima_namespace *a = new_store_ns(test);
	struct ima_namespace *b = new_store_ns(test);
	struct ima_iint_cache *iint = new_iint(test);
	struct ima_iint_cache *kept = new_iint(test);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, get_locked(a, iint));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, get_locked(b, iint));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, get_locked(a, kept));

	ima_ns_status_free_inode(iint);
	KUNIT_EXPECT_NULL(test, iint->ns_status);
	KUNIT_EXPECT_NULL(test, ima_ns_status_find(a, iint));
	KUNIT_EXPECT_NULL(test, ima_ns_status_find(b, iint));
	KUNIT_EXPECT_NOT_NULL(test, ima_ns_status_find(a, kept));
	KUNIT_EXPECT_EQ(test, atomic_read(&a->status.ht.nelems), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->status.ht.nelems), 0);
	wait_records_freed();
	KUNIT_EXPECT_EQ(test, ima_ns_status_nr_records(), base + 1);

	/* Evicting an inode without records is a no-op. */
	ima_ns_status_free_inode(iint);

	ima_ns_status_free_inode(kept);
	ima_ns_status_free_ns(a);
	ima_ns_status_free_ns(b);
	wait_records_freed();
	KUNIT_EXPECT_EQ(test, ima_ns_status_nr_records(), base);
}

static void ima_ns_status_test_free_ns(struct kunit *test)
{
	long base = settled_nr_records();
	struct ima_namespace *dying = new_store_ns(test);
	struct ima_namespace *alive = new_store_ns(test);
	struct ima_iint_cache *shared = new_iint(test);
	struct ima_iint_cache *own = new_iint(test);
	struct ima_ns_status *rec;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, get_locked(dying, shared));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, get_locked(dying, own));
	rec = get_locked(alive, shared);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, rec);

	ima_ns_status_free_ns(dying);
	KUNIT_EXPECT_EQ(test, nr_inode_records(shared), 1);
	KUNIT_EXPECT_EQ(test, nr_inode_records(own), 0);
	KUNIT_EXPECT_PTR_EQ(test, ima_ns_status_find(alive, shared), rec);
	wait_records_freed();
	KUNIT_EXPECT_EQ(test, ima_ns_status_nr_records(), base + 1);

	/* The inodes outlive the namespace and are evicted later. */
	ima_ns_status_free_inode(shared);
	ima_ns_status_free_inode(own);
	KUNIT_EXPECT_NULL(test, ima_ns_status_find(alive, shared));
	ima_ns_status_free_ns(alive);
	wait_records_freed();
	KUNIT_EXPECT_EQ(test, ima_ns_status_nr_records(), base);
}

/* A namespace's records die with its user namespace. */
static void ima_ns_status_test_free_with_user_ns(struct kunit *test)
{
	long base = settled_nr_records();
	struct ima_iint_cache *iint = new_iint(test);
	struct ima_namespace *ns;
	struct cred *cred;
	u64 id;

	ns = new_ima_ns(test, &cred);
	id = ns->id;
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, get_locked(ns, iint));
	KUNIT_EXPECT_EQ(test, nr_inode_records(iint), 1);

	put_cred(cred);
	KUNIT_ASSERT_TRUE(test, wait_ns_freed(id));
	KUNIT_EXPECT_EQ(test, nr_inode_records(iint), 0);
	wait_records_freed();
	KUNIT_EXPECT_EQ(test, ima_ns_status_nr_records(), base);
	ima_ns_status_free_inode(iint);
}

#define RACE_INODES	256
#define RACE_ROUNDS	8

struct race {
	struct ima_namespace *ns;
	struct completion done;
};

static int race_free_ns(void *data)
{
	struct race *race = data;

	ima_ns_status_free_ns(race->ns);
	complete(&race->done);
	return 0;
}

static void evict_rcu(struct rcu_head *rcu)
{
	struct test_inode *inode = container_of(rcu, struct test_inode, rcu);

	ima_ns_status_free_inode(&inode->iint);
}

/*
 * Inodes are evicted, as in real life from RCU callbacks, while one of the
 * namespaces that has records for them dies; the other one survives.
 */
static void ima_ns_status_test_evict_vs_ns_death(struct kunit *test)
{
	long base = settled_nr_records();
	struct ima_iint_cache **iint;
	struct task_struct *task;
	struct ima_namespace *survivor;
	struct race race;
	int round, i;

	iint = kunit_kcalloc(test, RACE_INODES, sizeof(*iint), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, iint);

	for (round = 0; round < RACE_ROUNDS; round++) {
		race.ns = new_store_ns(test);
		survivor = new_store_ns(test);
		init_completion(&race.done);
		for (i = 0; i < RACE_INODES; i++) {
			iint[i] = new_iint(test);
			KUNIT_ASSERT_NOT_ERR_OR_NULL(test,
						     get_locked(race.ns, iint[i]));
			KUNIT_ASSERT_NOT_ERR_OR_NULL(test,
						     get_locked(survivor, iint[i]));
		}

		task = kthread_run(race_free_ns, &race, "ima_ns_race");
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
		/* Stagger the start differently in each round. */
		udelay(round * 50);
		for (i = 0; i < RACE_INODES; i++) {
			struct test_inode *inode =
				container_of(iint[i], struct test_inode, iint);

			if (i % 2)
				call_rcu(&inode->rcu, evict_rcu);
			else
				ima_ns_status_free_inode(iint[i]);
			if (i % 32 == 0)
				cond_resched();
		}
		wait_for_completion(&race.done);
		wait_records_freed();

		/* The survivor lost its records to eviction only. */
		for (i = 0; i < RACE_INODES; i++) {
			KUNIT_EXPECT_NULL(test, iint[i]->ns_status);
			KUNIT_EXPECT_NULL(test,
					  ima_ns_status_find(survivor, iint[i]));
		}
		KUNIT_EXPECT_EQ(test, atomic_read(&survivor->status.ht.nelems),
				0);
		ima_ns_status_free_ns(survivor);
		wait_records_freed();
		KUNIT_EXPECT_EQ(test, ima_ns_status_nr_records(), base);
	}
}

static struct kunit_case ima_ns_status_test_cases[] = {
	KUNIT_CASE(ima_ns_status_test_insert_lookup),
	KUNIT_CASE(ima_ns_status_test_init_ns_has_no_records),
	KUNIT_CASE(ima_ns_status_test_other_ns_misses),
	KUNIT_CASE_PARAM(ima_ns_status_test_invalidate, invalidate_gen_params),
	KUNIT_CASE(ima_ns_status_test_clear),
	KUNIT_CASE(ima_ns_status_test_inode_cap),
	KUNIT_CASE(ima_ns_status_test_take_tomtou),
	KUNIT_CASE(ima_ns_status_test_free_inode),
	KUNIT_CASE(ima_ns_status_test_free_ns),
	KUNIT_CASE(ima_ns_status_test_free_with_user_ns),
	KUNIT_CASE_SLOW(ima_ns_status_test_evict_vs_ns_death),
	{}
};

static struct kunit_suite ima_ns_status_test_suite = {
	.name = "ima_ns_status",
	.test_cases = ima_ns_status_test_cases,
};

kunit_test_suites(&ima_ns_test_suite, &ima_ns_status_test_suite);
