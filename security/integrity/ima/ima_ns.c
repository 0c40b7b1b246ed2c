// SPDX-License-Identifier: GPL-2.0-only
/*
 * IMA namespaces: birth, lookup and death of the namespace object.
 *
 * An IMA namespace belongs to a user namespace, which holds the reference
 * that keeps it alive and drops it when the user namespace is freed. It is
 * created on demand (when securityfs is first mounted in the user
 * namespace) and governs nothing until it is activated; a task is governed
 * by the nearest active IMA namespace up its user-namespace chain, at
 * worst init_ima_ns, which is always active.
 */

#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/ima_ns.h>
#include <linux/init.h>
#include <linux/key.h>
#include <linux/capability.h>
#include <linux/memcontrol.h>
#include <linux/mnt_idmapping.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/static_key.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "ima.h"
#include "ima_ns.h"
#include "ima_ns_status.h"

static struct hlist_head init_ima_ns_htable[IMA_MEASURE_HTABLE_SIZE];

/*
 * The host's IMA namespace: boot policy, the TPM, the kexec'd list. Its
 * per-inode results live inline in struct ima_iint_cache.
 */
struct ima_namespace init_ima_ns = {
	.users = REFCOUNT_INIT(1),	/* held by init_user_ns, never dropped */
	.user_ns = &init_user_ns,
	.flags = BIT(IMA_NS_ACTIVE),
	.default_rules = LIST_HEAD_INIT(init_ima_ns.default_rules),
	.policy_rules = LIST_HEAD_INIT(init_ima_ns.policy_rules),
	.temp_rules = LIST_HEAD_INIT(init_ima_ns.temp_rules),
	.rules = (struct list_head __rcu *)&init_ima_ns.default_rules,
	.appraise = IS_ENABLED(CONFIG_IMA_APPRAISE) ? IMA_APPRAISE_ENFORCE : 0,
	.measurements = LIST_HEAD_INIT(init_ima_ns.measurements),
	.htable = {
		.size = IMA_MEASURE_HTABLE_SIZE,
		.queue = init_ima_ns_htable,
	},
	.extend_list_mutex =
		__MUTEX_INITIALIZER(init_ima_ns.extend_list_mutex),
	.binary_runtime_size = IS_ENABLED(CONFIG_IMA_KEXEC) ? 0 : ULONG_MAX,
	.write_mutex = __MUTEX_INITIALIZER(init_ima_ns.write_mutex),
	.valid_policy = true,
};

#ifdef CONFIG_IMA_NS

/*
 * Namespaces other than init_ima_ns, indexed by id, from creation until
 * their memory is freed. Those whose last reference is gone carry
 * IMA_NS_DEAD until reap_namespaces() frees them. The xa_lock (IRQ-safe:
 * the last put may happen in any context) orders taking a reference on an
 * entry against its final erase, after which the entry is freed.
 */
static DEFINE_XARRAY_FLAGS(ima_ns_xa, XA_FLAGS_LOCK_IRQ);
#define IMA_NS_DEAD	XA_MARK_1
/* Dead and past ima_ns_status_dying(): see reap_namespaces(). */
#define IMA_NS_REAPING	XA_MARK_2

/* Enabled by the first activation, never disabled: see ima_current_ns(). */
DEFINE_STATIC_KEY_FALSE(ima_ns_in_use);

/*
 * Even, and bumped by 2 by every activation: a user namespace's cached
 * governing namespace (ima_ns_gov) is valid while its ima_ns_gov_seq
 * equals this. An odd ima_ns_gov_seq marks a cache being written.
 */
static atomic_long_t ima_ns_generation = ATOMIC_LONG_INIT(2);

/* The last id handed out: ids are never reused. */
static atomic64_t ima_ns_last_id = ATOMIC64_INIT(0);

/* Serializes creators: one IMA namespace per user namespace. */
static DEFINE_MUTEX(ima_ns_create_mutex);

static void reap_namespaces(struct work_struct *work);
static DECLARE_WORK(ima_ns_reap_work, reap_namespaces);

/*
 * Like the user namespace that owns it, an IMA namespace is counted in the
 * parent user namespace and its ancestors: a struct ucounts pins its user
 * namespace, so counting it in its owner would keep the owner alive.
 */
static struct ucounts *inc_ima_namespaces(struct user_namespace *user_ns)
{
	return inc_ucount(user_ns->parent, current_euid(),
			  UCOUNT_IMA_NAMESPACES);
}

static void dec_ima_namespaces(struct ucounts *ucounts)
{
	dec_ucount(ucounts, UCOUNT_IMA_NAMESPACES);
}

/*
 * Per user, as fanotify's 128 groups (FANOTIFY_DEFAULT_MAX_GROUPS): one
 * per container a user runs is plenty, while each namespace costs what
 * its memory cgroup does not see: a walk at every LSM policy load and its
 * securityfs superblock. Not max_threads / 2, which
 * fork_init() gives every ucount: any user could make that many.
 */
#define IMA_NS_DEFAULT_MAX	128

static struct kmem_cache *ima_ns_cache __ro_after_init;

static int __init ima_ns_init(void)
{
	init_user_ns.ucount_max[UCOUNT_IMA_NAMESPACES] = IMA_NS_DEFAULT_MAX;
	ima_ns_cache = KMEM_CACHE(ima_namespace, SLAB_ACCOUNT | SLAB_PANIC);
	return 0;
}
core_initcall(ima_ns_init);

/* Whether uid 0 of @user_ns is the host's: its records may reach the log. */
static bool maps_host_root(struct user_namespace *user_ns)
{
	return uid_eq(make_kuid(user_ns, 0), GLOBAL_ROOT_UID);
}

static struct ima_namespace *alloc_ns(struct user_namespace *user_ns)
{
	struct ima_namespace *ns;
	struct ucounts *ucounts;
	int err;

	err = -ENOSPC;
	ucounts = inc_ima_namespaces(user_ns);
	if (!ucounts)
		goto fail;

	err = -ENOMEM;
	ns = kmem_cache_zalloc(ima_ns_cache, GFP_KERNEL);
	if (!ns)
		goto fail_dec;

	refcount_set(&ns->users, 1);
	ns->user_ns = user_ns;
	ns->ucounts = ucounts;
	ns->memcg = get_mem_cgroup_from_current();
	/* Bursts of 100 records, every 5 s: see ima_ns_may_audit(). */
	ratelimit_state_init(&ns->audit_rs, 5 * HZ, 100);
	ratelimit_set_flags(&ns->audit_rs, RATELIMIT_MSG_ON_RELEASE);
	ns->host_root = maps_host_root(user_ns);

	/* Ids index the xarray: on 32-bit they run out after 2^32 - 1. */
	err = -ENOSPC;
	ns->id = atomic64_inc_return(&ima_ns_last_id);
	if (ns->id > ULONG_MAX)
		goto fail_free;

	err = ima_ns_status_init(ns);
	if (err)
		goto fail_free;

	err = ima_ns_policy_init(ns);
	if (err)
		goto fail_status;

	err = ima_ns_measurements_init(ns);
	if (err)
		goto fail_policy;

	err = xa_insert_irq(&ima_ns_xa, ns->id, ns, GFP_KERNEL_ACCOUNT);
	if (err)
		goto fail_measurements;

	return ns;

fail_measurements:
	ima_ns_measurements_free(ns);
fail_policy:
	ima_ns_policy_free(ns);
fail_status:
	ima_ns_status_free_ns(ns);
fail_free:
	mem_cgroup_put(ns->memcg);
	kmem_cache_free(ima_ns_cache, ns);
fail_dec:
	dec_ima_namespaces(ucounts);
fail:
	return ERR_PTR(err);
}

/*
 * A namespace created from outside (a runtime binding its vTPM) is charged
 * to its tenant from the first time a task of its own user namespace asks
 * for it (mounting securityfs), before its list can grow: its entries and
 * records are charged while it is active or under its write_mutex.
 */
static void adopt_memcg(struct ima_namespace *ns)
{
	struct mem_cgroup *old;

	mutex_lock(&ns->write_mutex);
	if (!ima_ns_active(ns)) {
		old = ns->memcg;
		ns->memcg = get_mem_cgroup_from_current();
		ns->memcg_foreign = false;
		mem_cgroup_put(old);
	}
	mutex_unlock(&ns->write_mutex);
}

/**
 * ima_ns_create - get the IMA namespace of a user namespace, creating it
 * @user_ns: user namespace, pinned by the caller
 *
 * The new namespace is inactive and owned by @user_ns, which holds its
 * reference. It is charged to the caller's euid in the parent of @user_ns
 * and its ancestors (max_ima_namespaces), and to the caller's memory
 * cgroup: if the caller is outside @user_ns, only until a task of
 * @user_ns gets it.
 *
 * Context: Process context. May sleep.
 * Return: The IMA namespace of @user_ns, not referenced: valid while
 * @user_ns is. ERR_PTR(-ENOSPC) if the max_ima_namespaces limit is
 * reached, ERR_PTR(-ENOMEM) or another negative errno on failure.
 */
struct ima_namespace *ima_ns_create(struct user_namespace *user_ns)
{
	struct ima_namespace *ns;

	might_sleep();

	mutex_lock(&ima_ns_create_mutex);
	ns = user_ns->ima_ns;
	if (!ns) {
		ns = alloc_ns(user_ns);
		if (!IS_ERR(ns)) {
			ns->memcg_foreign = current_user_ns() != user_ns;
			/* Pairs with smp_load_acquire() in ima_ns_of(). */
			smp_store_release(&user_ns->ima_ns, ns);
		}
	} else if (ns->memcg_foreign && current_user_ns() == user_ns) {
		adopt_memcg(ns);
	}
	mutex_unlock(&ima_ns_create_mutex);
	return ns;
}

/**
 * ima_ns_activate - make a namespace govern its user namespace's tasks
 * @ns: namespace whose configuration (policy, hash, template, TPM) is
 *	complete
 *
 * Return: 0 on success, -EBUSY if @ns was already active.
 */
int ima_ns_activate(struct ima_namespace *ns)
{
	/*
	 * Before the namespace can govern anyone, make the hooks look for
	 * namespaces at all: until then they go straight to init_ima_ns.
	 */
	static_branch_enable(&ima_ns_in_use);
	/* The uid map is written once: maybe after the namespace's creation. */
	WRITE_ONCE(ns->host_root, maps_host_root(ns->user_ns));
	/*
	 * Fully ordered on success: publishes the configuration. Pairs with
	 * test_bit_acquire() in ima_ns_active().
	 */
	if (test_and_set_bit(IMA_NS_ACTIVE, &ns->flags))
		return -EBUSY;
	/* Pairs with the acquire in ima_ns_of(): forget cached walks. */
	atomic_long_add_return_release(2, &ima_ns_generation);
	return 0;
}

/**
 * ima_ns_active - tell whether a namespace has been activated
 * @ns: namespace
 *
 * Return: True if @ns is active; its configuration is then visible.
 */
bool ima_ns_active(const struct ima_namespace *ns)
{
	return test_bit_acquire(IMA_NS_ACTIVE, &ns->flags);
}

static struct ima_namespace *walk_to_active(const struct user_namespace *user_ns)
{
	const struct user_namespace *walker;
	struct ima_namespace *ns;

	for (walker = user_ns; walker; walker = walker->parent) {
		/* Pairs with smp_store_release() in ima_ns_create(). */
		ns = smp_load_acquire(&walker->ima_ns);
		if (ns && ima_ns_active(ns))
			return ns;
	}
	/* Not reached: init_user_ns owns the always active init_ima_ns. */
	return &init_ima_ns;
}

/**
 * ima_ns_of - IMA namespace governing a user namespace
 * @user_ns: user namespace, pinned by the caller
 *
 * Walks up from @user_ns to the nearest user namespace whose IMA namespace
 * is active; the walk is bounded by the user-namespace depth (32). Its
 * result is cached in @user_ns until the next activation of any namespace,
 * like a seqcount whose writers give way to each other. The host's tasks
 * and those of an active namespace's own user namespace need no walk, and
 * never read the generation that activations bump.
 *
 * Return: That IMA namespace, not referenced: @user_ns pins its own IMA
 * namespace and, through its parents, those of its ancestors.
 */
struct ima_namespace *ima_ns_of(struct user_namespace *user_ns)
{
	unsigned long gen, seq;
	struct ima_namespace *ns;

	/* Pairs with smp_store_release() in ima_ns_create(). */
	ns = smp_load_acquire(&user_ns->ima_ns);
	if (ns && ima_ns_active(ns))
		return ns;

	/* Pairs with the release in ima_ns_activate(). */
	gen = atomic_long_read_acquire(&ima_ns_generation);
	/* Pairs with smp_store_release() below, by another caller. */
	seq = smp_load_acquire(&user_ns->ima_ns_gov_seq);
	if (seq == gen) {
		ns = READ_ONCE(user_ns->ima_ns_gov);
		/* The entry was not rewritten while we read it. */
		smp_rmb();
		if (READ_ONCE(user_ns->ima_ns_gov_seq) == seq)
			return ns;
	}

	ns = walk_to_active(user_ns);

	/* One writer at a time: the one that makes the sequence odd. */
	if (!(seq & 1) && try_cmpxchg(&user_ns->ima_ns_gov_seq, &seq, seq | 1)) {
		WRITE_ONCE(user_ns->ima_ns_gov, ns);
		/* Pairs with smp_load_acquire() above. */
		smp_store_release(&user_ns->ima_ns_gov_seq, gen);
	}
	return ns;
}

/**
 * ima_ns_parent - next namespace up the chain that governs anything
 * @ns: an active namespace whose user namespace the caller pins, e.g.
 *	one returned by ima_current_ns() or by this function
 *
 * Return: The nearest active IMA namespace of an ancestor user namespace,
 * not referenced, or NULL for init_ima_ns.
 */
struct ima_namespace *ima_ns_parent(const struct ima_namespace *ns)
{
	if (ns == &init_ima_ns)
		return NULL;
	return ima_ns_of(ns->user_ns->parent);
}

/* Whether @inode's owner and group are both mapped in @ns's user namespace. */
static bool owns_inode(const struct ima_namespace *ns, struct mnt_idmap *idmap,
		       struct inode *inode)
{
	return vfsuid_has_mapping(ns->user_ns, i_uid_into_vfsuid(idmap, inode)) &&
	       vfsgid_has_mapping(ns->user_ns, i_gid_into_vfsgid(idmap, inode));
}

/**
 * ima_ns_may_write_xattr - may the caller write a file's security.ima
 * @idmap: idmap of the mount the inode was found from
 * @inode: the file's inode
 *
 * The root of an active IMA namespace may sign files whose owner and group
 * are both mapped in the namespace's user namespace.
 *
 * Return: True if the caller may, as a namespace's root.
 */
bool ima_ns_may_write_xattr(struct mnt_idmap *idmap, struct inode *inode)
{
	struct ima_namespace *ns = ima_current_ns();

	if (ns == &init_ima_ns || !ns_capable(ns->user_ns, CAP_SYS_ADMIN))
		return false;
	return owns_inode(ns, idmap, inode);
}

/**
 * get_ima_ns - take a reference on an IMA namespace
 * @ns: namespace the caller already holds or reaches under a lock that
 *	keeps it alive
 *
 * Return: @ns.
 */
struct ima_namespace *get_ima_ns(struct ima_namespace *ns)
{
	refcount_inc(&ns->users);
	return ns;
}

/**
 * put_ima_ns - drop a reference on an IMA namespace
 * @ns: namespace, or NULL
 *
 * The last put hands the namespace to a work item that frees it in
 * process context.
 *
 * Context: Any context.
 */
void put_ima_ns(struct ima_namespace *ns)
{
	unsigned long flags;

	if (!ns || !refcount_dec_and_test(&ns->users))
		return;

	xa_lock_irqsave(&ima_ns_xa, flags);
	__xa_set_mark(&ima_ns_xa, ns->id, IMA_NS_DEAD);
	xa_unlock_irqrestore(&ima_ns_xa, flags);
	queue_work(system_unbound_wq, &ima_ns_reap_work);
}

/**
 * ima_ns_release_user_ns - drop a dying user namespace's IMA namespace
 * @user_ns: user namespace being freed
 *
 * Drops the reference that @user_ns held on its IMA namespace, if it has
 * one. Other references may keep the IMA namespace a while longer; its
 * @user_ns member must then no longer be followed.
 *
 * Context: Process context (free_user_ns()).
 */
void ima_ns_release_user_ns(struct user_namespace *user_ns)
{
	put_ima_ns(user_ns->ima_ns);
}

static void reap_namespaces(struct work_struct *work)
{
	struct ima_namespace *ns;
	unsigned long index;
	bool found = false;

	/*
	 * One RCU grace period for all the namespaces of this run, not one
	 * each: a runtime that stops containers in quick succession must not
	 * find its new ones refused (max_ima_namespaces) while the old ones
	 * wait in line here.
	 */
	xa_for_each_marked(&ima_ns_xa, index, ns, IMA_NS_DEAD) {
		ima_ns_status_dying(ns);
		xa_lock_irq(&ima_ns_xa);
		__xa_set_mark(&ima_ns_xa, index, IMA_NS_REAPING);
		xa_unlock_irq(&ima_ns_xa);
		found = true;
	}
	if (!found)
		return;
	synchronize_rcu();

	xa_for_each_marked(&ima_ns_xa, index, ns, IMA_NS_REAPING) {
		/*
		 * A namespace someone anchored gets a last anchor, if its list
		 * grew since: throw-away namespaces cost the host nothing.
		 */
		if (ima_ns_active(ns) && READ_ONCE(ns->anchored))
			ima_ns_anchor(ns);
		ima_ns_measurements_free(ns);
		ima_ns_policy_free(ns);
		ima_ns_status_free_dead(ns);
		key_put(ns->keyring);
		mem_cgroup_put(ns->memcg);
		dec_ima_namespaces(ns->ucounts);
		xa_erase_irq(&ima_ns_xa, index);
		kmem_cache_free(ima_ns_cache, ns);
	}
}

/**
 * ima_ns_get_by_id - find a live namespace by its id
 * @id: namespace id, as shown in ima/ns_id
 *
 * Return: The namespace, referenced, or NULL if none with @id is alive.
 */
struct ima_namespace *ima_ns_get_by_id(u64 id)
{
	struct ima_namespace *ns;
	unsigned long flags;

	if (!id)
		return get_ima_ns(&init_ima_ns);
	if (id > ULONG_MAX)
		return NULL;

	xa_lock_irqsave(&ima_ns_xa, flags);
	ns = xa_load(&ima_ns_xa, id);
	if (ns && !refcount_inc_not_zero(&ns->users))
		ns = NULL;
	xa_unlock_irqrestore(&ima_ns_xa, flags);
	return ns;
}

/**
 * ima_ns_next - step through the live namespaces, in id order
 * @prev: namespace returned by the previous call, or NULL to start
 *
 * Starts with init_ima_ns. Drops the reference on @prev. Namespaces
 * created or freed meanwhile may or may not be seen. The loop
 *
 *	for (ns = ima_ns_next(NULL); ns; ns = ima_ns_next(ns))
 *
 * visits every live namespace and may sleep in its body; leaving it early
 * leaves @ns referenced: drop it with put_ima_ns().
 *
 * Context: Process context.
 * Return: The next namespace, referenced, or NULL at the end.
 */
struct ima_namespace *ima_ns_next(struct ima_namespace *prev)
{
	struct ima_namespace *ns = NULL;
	unsigned long index, flags;

	if (!prev)
		return get_ima_ns(&init_ima_ns);

	if (prev->id < ULONG_MAX) {
		xa_lock_irqsave(&ima_ns_xa, flags);
		xa_for_each_start(&ima_ns_xa, index, ns, prev->id + 1)
			if (refcount_inc_not_zero(&ns->users))
				break;
		xa_unlock_irqrestore(&ima_ns_xa, flags);
	}
	put_ima_ns(prev);
	return ns;
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * ima_ns_id_allocated - tell whether a namespace's memory is still there
 * @id: namespace id
 *
 * For the KUnit tests: true from creation until the namespace is freed.
 *
 * Return: True if the namespace with @id is not freed yet.
 */
bool ima_ns_id_allocated(u64 id)
{
	return id <= ULONG_MAX && xa_load(&ima_ns_xa, id);
}
#endif

#endif /* CONFIG_IMA_NS */
