// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-(namespace, inode) IMA status records.
 *
 * Data structure
 *
 * A record (struct ima_ns_status) is reachable two ways:
 *
 * - by key, from its namespace: ns->status.ht is an rhashtable keyed by
 *   the address of the inode's struct ima_iint_cache. Hooks look records
 *   up lock-free, in O(1), whatever the number of namespaces or of inodes.
 *   One table per namespace rather than one global table keyed by
 *   (namespace, iint): a namespace's records are charged, grown, shrunk
 *   and, when it dies, walked and freed without touching any other
 *   namespace's, and the host, which has no records, has no table.
 *
 * - from its inode: iint->ns_status points to a struct ima_ns_inode_status
 *   listing the records of every namespace for that inode. The list is
 *   never searched on a hook path; it is walked only to reset an inode's
 *   records when the file changes, and to free them when the inode goes.
 *
 * Locking
 *
 * - iint->mutex (held by the IMA hook): serializes record creation for
 *   an inode and every access to the result members of its records.
 * - ima_ns_inode_status.lock: protects the inode's list and each listed
 *   record's @head. Inode eviction runs from an RCU callback (softirq),
 *   so every other user takes it with _bh.
 * - ns->status.ht: rhashtable's own bucket locks; lookups under RCU.
 *
 * Records are created only by a hook holding both a reference to the
 * namespace and the inode, so creation races neither free path. The two
 * free paths race each other:
 *
 * - inode eviction (ima_ns_status_free_inode(), atomic context) unlinks
 *   every record of the inode under the inode's lock. If the record's
 *   namespace is not dying, it also removes the record from the
 *   namespace's table and frees it, all inside an RCU read-side section.
 *   If the namespace is dying, it leaves the record in that namespace's
 *   table, unlinked, for the namespace to free.
 * - namespace death (ima_ns_status_free_ns(), process context) sets
 *   @dying, then waits for an RCU grace period: after it, no eviction
 *   that missed @dying is still touching the table, and every later one
 *   leaves the table alone. It then walks the table, unlinks each record
 *   still linked to its inode (under that inode's lock, found through
 *   the record under RCU) and frees every record.
 *
 * The inode's list head is freed after an RCU grace period, so a dying
 * namespace that read a record's @head can still take its lock and see
 * that eviction unlinked the record meanwhile.
 */

#include <linux/lockdep.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "ima.h"
#include "ima_ns_status.h"

static const struct rhashtable_params status_params = IMA_NS_STATUS_PARAMS;

#if IS_ENABLED(CONFIG_KUNIT)
/* Records allocated and not yet freed, for the KUnit tests. */
static atomic_long_t nr_records = ATOMIC_LONG_INIT(0);

/**
 * ima_ns_status_nr_records - number of live records, all namespaces
 *
 * Return: The number of records allocated and not yet freed.
 */
long ima_ns_status_nr_records(void)
{
	return atomic_long_read(&nr_records);
}

static void count_records(long delta)
{
	atomic_long_add(delta, &nr_records);
}
#else
static void count_records(long delta)
{
}
#endif

/* Caches of their own: no rounding up to the next kmalloc size. */
static struct kmem_cache *record_cache __ro_after_init;
static struct kmem_cache *inode_status_cache __ro_after_init;

static int __init ima_ns_status_caches_init(void)
{
	record_cache = KMEM_CACHE(ima_ns_status, SLAB_ACCOUNT | SLAB_PANIC);
	inode_status_cache = KMEM_CACHE(ima_ns_inode_status,
					SLAB_ACCOUNT | SLAB_PANIC);
	return 0;
}
core_initcall(ima_ns_status_caches_init);

static void free_record_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(record_cache,
			container_of(rcu, struct ima_ns_status, rcu));
	count_records(-1);
}

static void free_record(struct ima_ns_status *rec)
{
	call_rcu(&rec->rcu, free_record_rcu);
}

static void clear_record(struct ima_ns_status *rec,
			 const struct ima_iint_cache *iint)
{
	ima_status_clear(&rec->status, iint);
}

static void unlink_record(struct ima_ns_status *rec)
{
	lockdep_assert_held(&rec->head->lock);
	hlist_del_init(&rec->inode_node);
	rec->head->nr_records--;
	/* Pairs with READ_ONCE() in free_ns_record(). */
	WRITE_ONCE(rec->head, NULL);
}

/**
 * ima_ns_status_init - set up the record store of a new namespace
 * @ns: namespace being created, other than init_ima_ns
 *
 * Return: 0 on success, -errno on failure.
 */
int ima_ns_status_init(struct ima_namespace *ns)
{
	ns->status.dying = false;
	return rhashtable_init(&ns->status.ht, &status_params);
}

/**
 * ima_ns_status_get - look up or create a namespace's record for an inode
 * @ns: namespace, referenced by the caller; never init_ima_ns, whose
 *	results live in @iint itself
 * @iint: integrity cache of an inode the caller holds
 *
 * A record found for an older version of the file (@version differs from
 * iint->real_inode.version) is cleared before being returned. Memory is
 * charged to the memory cgroup @ns was created in.
 *
 * Context: Process context, iint->mutex held. May sleep.
 * Return: The record, or ERR_PTR(-EINVAL) for init_ima_ns, ERR_PTR(-ENOSPC)
 * if the inode has IMA_NS_MAX_INODE_RECORDS records already,
 * ERR_PTR(-ENOMEM) or another negative errno on failure.
 */
struct ima_ns_status *ima_ns_status_get(struct ima_namespace *ns,
					struct ima_iint_cache *iint)
{
	struct ima_ns_inode_status *head;
	struct ima_ns_status *rec;
	struct mem_cgroup *charged;
	int err;

	might_sleep();
	lockdep_assert_held(&iint->mutex);

	if (ns == &init_ima_ns)
		return ERR_PTR(-EINVAL);

	rec = ima_ns_status_find(ns, iint);
	if (rec) {
		if (rec->status.version != iint->real_inode.version)
			clear_record(rec, iint);
		return rec;
	}

	head = iint->ns_status;
	if (head && head->nr_records >= IMA_NS_MAX_INODE_RECORDS)
		return ERR_PTR(-ENOSPC);

	charged = ima_ns_charge_begin(ns);
	if (!head) {
		head = kmem_cache_alloc(inode_status_cache, GFP_KERNEL);
		if (!head)
			goto nomem;
		spin_lock_init(&head->lock);
		INIT_HLIST_HEAD(&head->records);
		head->nr_records = 0;
		/*
		 * Read under iint->mutex, once the inode is gone, or with
		 * smp_load_acquire() in ima_ns_status_take_tomtou().
		 */
		smp_store_release(&iint->ns_status, head);
	}

	rec = kmem_cache_zalloc(record_cache, GFP_KERNEL);
	if (!rec)
		goto nomem;
	ima_ns_charge_end(charged);
	count_records(1);
	rec->iint = iint;
	rec->ns = ns;
	clear_record(rec, iint);

	err = rhashtable_lookup_insert_fast(&ns->status.ht, &rec->node,
					    status_params);
	if (err) {
		kmem_cache_free(record_cache, rec);
		count_records(-1);
		return ERR_PTR(err);
	}

	spin_lock_bh(&head->lock);
	rec->head = head;
	hlist_add_head(&rec->inode_node, &head->records);
	head->nr_records++;
	spin_unlock_bh(&head->lock);
	return rec;

nomem:
	ima_ns_charge_end(charged);
	return ERR_PTR(-ENOMEM);
}

/**
 * ima_ns_status_reset - forget every namespace's results for an inode
 * @iint: integrity cache of an inode the caller holds
 *
 * Call wherever IMA clears the host's results in @iint because the file or
 * its security.ima changed, so that every namespace measures, appraises and
 * audits the new version again.
 *
 * Context: iint->mutex held.
 */
void ima_ns_status_reset(struct ima_iint_cache *iint)
{
	struct ima_ns_inode_status *head = iint->ns_status;
	struct ima_ns_status *rec;

	lockdep_assert_held(&iint->mutex);

	if (!head)
		return;

	spin_lock_bh(&head->lock);
	hlist_for_each_entry(rec, &head->records, inode_node)
		clear_record(rec, iint);
	spin_unlock_bh(&head->lock);
}

/**
 * ima_ns_status_clear - drop some results of every namespace for an inode
 * @iint: integrity cache of an inode the caller holds
 * @flags: the flags to clear in each record's status
 * @measured_pcrs: also forget which PCRs the file was measured into
 *
 * For changes that call for part of the work again, e.g. appraisal after
 * a change of the file's metadata, without it being a new version.
 *
 * Context: iint->mutex held.
 */
void ima_ns_status_clear(struct ima_iint_cache *iint, unsigned long flags,
			 bool measured_pcrs)
{
	struct ima_ns_inode_status *head = iint->ns_status;
	struct ima_ns_status *rec;

	lockdep_assert_held(&iint->mutex);

	if (!head)
		return;

	spin_lock_bh(&head->lock);
	hlist_for_each_entry(rec, &head->records, inode_node) {
		rec->status.flags &= ~flags;
		if (measured_pcrs)
			rec->status.measured_pcrs = 0;
	}
	spin_unlock_bh(&head->lock);
}

/**
 * ima_ns_status_clear_bit - clear an atomic flag of every namespace's record
 * @iint: integrity cache of an inode the caller holds
 * @bit: the bit of ima_ns_status.atomic_flags, e.g. IMA_EMITTED_OPENWRITERS
 *
 * Context: iint->mutex held.
 */
void ima_ns_status_clear_bit(struct ima_iint_cache *iint, int bit)
{
	struct ima_ns_inode_status *head = iint->ns_status;
	struct ima_ns_status *rec;

	lockdep_assert_held(&iint->mutex);

	if (!head)
		return;

	spin_lock_bh(&head->lock);
	hlist_for_each_entry(rec, &head->records, inode_node)
		clear_bit(bit, &rec->atomic_flags);
	spin_unlock_bh(&head->lock);
}

/**
 * ima_ns_status_take_tomtou - a namespace owed a ToMToU violation
 * @iint: integrity cache of an inode being opened for write
 *
 * Clears IMA_MAY_EMIT_TOMTOU, which a namespace's reader sets in its record,
 * in the first record that has it and whose namespace is still alive.
 * Called until it returns NULL, it visits each such namespace once.
 *
 * Context: Process context, the inode held.
 * Return: That record's namespace, referenced, or NULL if none is left.
 */
struct ima_namespace *ima_ns_status_take_tomtou(struct ima_iint_cache *iint)
{
	struct ima_namespace *ns = NULL;
	struct ima_ns_inode_status *head;
	struct ima_ns_status *rec;

	/*
	 * Without iint->mutex, which a reader may hold while it hashes the
	 * file: the list head, once set, stays until the inode goes. Pairs
	 * with smp_store_release() in ima_ns_status_get().
	 */
	head = smp_load_acquire(&iint->ns_status);
	if (!head)
		return NULL;

	/*
	 * A linked record's namespace is not freed before it unlinks the
	 * record under head->lock: it can be referenced unless dying.
	 */
	spin_lock_bh(&head->lock);
	hlist_for_each_entry(rec, &head->records, inode_node) {
		if (test_and_clear_bit(IMA_MAY_EMIT_TOMTOU, &rec->atomic_flags) &&
		    refcount_inc_not_zero(&rec->ns->users)) {
			ns = rec->ns;
			break;
		}
	}
	spin_unlock_bh(&head->lock);
	return ns;
}

/**
 * ima_ns_status_free_inode - free every namespace's records for an inode
 * @iint: integrity cache of an inode being freed
 *
 * Called when the inode's integrity cache is freed, from the inode's RCU
 * free callback: no hook can reach @iint any more.
 *
 * Context: Any context but hard IRQ.
 */
void ima_ns_status_free_inode(struct ima_iint_cache *iint)
{
	struct ima_ns_inode_status *head = iint->ns_status;
	struct ima_ns_status *rec;
	struct hlist_node *next;

	if (!head)
		return;

	/*
	 * Pairs with the grace period after ima_ns_status_dying(): a dying
	 * namespace destroys its table only after every section that saw it
	 * alive is over.
	 */
	rcu_read_lock();
	spin_lock_bh(&head->lock);
	hlist_for_each_entry_safe(rec, next, &head->records, inode_node) {
		struct ima_namespace *ns = rec->ns;

		unlink_record(rec);
		if (READ_ONCE(ns->status.dying))
			continue;	/* the dying namespace frees it */
		rhashtable_remove_fast(&ns->status.ht, &rec->node,
				       status_params);
		free_record(rec);
	}
	spin_unlock_bh(&head->lock);
	rcu_read_unlock();

	iint->ns_status = NULL;
	kfree_rcu(head, rcu);
}

static void free_ns_record(void *ptr, void *arg)
{
	struct ima_ns_status *rec = ptr;
	struct ima_ns_inode_status *head;

	/*
	 * Eviction clears @head under head->lock before it frees the list
	 * head after a grace period: a non-NULL @head read here stays valid
	 * until rcu_read_unlock().
	 */
	rcu_read_lock();
	head = READ_ONCE(rec->head);
	if (head) {
		spin_lock_bh(&head->lock);
		if (rec->head)
			unlink_record(rec);
		spin_unlock_bh(&head->lock);
	}
	rcu_read_unlock();
	free_record(rec);
}

/**
 * ima_ns_status_free_ns - free every record of a dying namespace
 * @ns: namespace with no users left, other than init_ima_ns
 *
 * Unlinks the records from their inodes, racing safely with the eviction
 * of those inodes, and destroys the store.
 *
 * Context: Process context. Sleeps (RCU grace period).
 */
void ima_ns_status_free_ns(struct ima_namespace *ns)
{
	might_sleep();

	ima_ns_status_dying(ns);
	synchronize_rcu();
	ima_ns_status_free_dead(ns);
}

/**
 * ima_ns_status_dying - first half of ima_ns_status_free_ns()
 * @ns: dying namespace, which no hook can reach any more
 *
 * From now on inode eviction leaves @ns's records to @ns. Call
 * ima_ns_status_free_dead() after an RCU grace period, which may be
 * shared by many namespaces.
 */
void ima_ns_status_dying(struct ima_namespace *ns)
{
	WRITE_ONCE(ns->status.dying, true);
}

/**
 * ima_ns_status_free_dead - second half of ima_ns_status_free_ns()
 * @ns: namespace passed to ima_ns_status_dying() at least an RCU grace
 *	period ago
 *
 * Context: Process context. May sleep.
 */
void ima_ns_status_free_dead(struct ima_namespace *ns)
{
	/*
	 * The grace period since ima_ns_status_dying() pairs with
	 * rcu_read_lock() in ima_ns_status_free_inode(): evictions that
	 * missed @dying are done with the table and later ones no longer
	 * touch it.
	 */
	rhashtable_free_and_destroy(&ns->status.ht, free_ns_record, NULL);
}
