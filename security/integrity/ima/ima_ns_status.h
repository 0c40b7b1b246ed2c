/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-(namespace, inode) IMA status: the result of applying one namespace's
 * policy to one version of one file.
 *
 * init_ima_ns keeps its results inline in struct ima_iint_cache, as IMA
 * always did: the host never looks anything up here. Every other namespace
 * keeps one record per inode it applied its policy to.
 */
#ifndef __IMA_NS_STATUS_H
#define __IMA_NS_STATUS_H

#include <linux/err.h>
#include <linux/integrity.h>
#include <linux/list.h>
#include <linux/hash.h>
#include <linux/rhashtable.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>

struct ima_iint_cache;
struct ima_namespace;

/**
 * struct ima_status - what applying one namespace's policy to one file did
 * @flags: actions required (IMA_MEASURE, ...) and done (IMA_MEASURED, ...),
 *	and the non-action flags of the rules that matched
 * @measured_pcrs: PCRs this version of the file was measured into
 * @file_status: appraisal result for FILE_CHECK
 * @mmap_status: appraisal result for MMAP_CHECK(_REQPROT)
 * @bprm_status: appraisal result for BPRM_CHECK
 * @read_status: appraisal result for the kernel_read_file() hooks
 * @creds_status: appraisal result for CREDS_CHECK
 * @version: the file version (iint->real_inode.version) these results
 *	are for; a level whose version is not the inode's starts over
 * @digest_gen: iint->digest_gen when this level collected the digest:
 *	its IMA_COLLECTED holds only while no level replaced the digest
 *
 * Protected by the mutex of the ima_iint_cache it describes. Each level
 * has its own: no level's work may make another skip work or use a
 * digest it did not check.
 */
struct ima_status {
	unsigned long flags;
	unsigned long measured_pcrs;
	u64 version;
	u64 digest_gen;
	enum integrity_status file_status:4;
	enum integrity_status mmap_status:4;
	enum integrity_status bprm_status:4;
	enum integrity_status read_status:4;
	enum integrity_status creds_status:4;
};

/**
 * struct ima_ns_status_store - the records of one namespace
 * @ht: records of this namespace, keyed by the address of their
 *	struct ima_iint_cache. Lookups are lock-free (RCU); insertions
 *	happen under the inode's iint->mutex.
 * @dying: set once, when the namespace dies. From then on the dying
 *	namespace alone removes records from @ht; inode eviction only
 *	unlinks them from the inode (see ima_ns_status.c).
 *
 * Empty without CONFIG_IMA_NS.
 */
struct ima_ns_status_store {
#ifdef CONFIG_IMA_NS
	struct rhashtable ht;
	bool dying;
#endif
};

/**
 * struct ima_ns_inode_status - the records of every namespace for one inode
 * @lock: protects @records and the @head member of every record linked to
 *	it. Taken from the inode-free RCU callback, hence _bh elsewhere.
 * @nr_records: length of @records, at most IMA_NS_MAX_INODE_RECORDS
 * @records: one record per namespace that applied its policy to the inode
 * @rcu: frees this structure after the inode, once no dying namespace can
 *	still be looking at it
 *
 * Allocated on the first record of a non-init namespace and pointed to by
 * iint->ns_status until the inode is freed.
 */
struct ima_ns_inode_status {
	spinlock_t lock;	/* see above */
	unsigned int nr_records;
	struct hlist_head records;
	struct rcu_head rcu;
};

/*
 * Namespaces past this many on one inode process it without a record,
 * caching nothing: the list walked under @lock on every change of the
 * file, and in the inode's RCU callback, stays short whatever the number
 * of namespaces reading a shared file.
 */
#define IMA_NS_MAX_INODE_RECORDS	256

/**
 * struct ima_ns_status - what one namespace's policy did to one file version
 * @node: link in the namespace's store (ns->status.ht)
 * @inode_node: link in @head->records, under @head->lock
 * @iint: key: the inode's integrity cache. Only compared, never
 *	dereferenced through the record: it may be freed while a dying
 *	namespace still holds the record.
 * @ns: the namespace the record belongs to (not referenced: a namespace
 *	frees its records before it goes)
 * @head: the inode's record list while linked, NULL once unlinked;
 *	protected by that list's lock
 * @status: this namespace's results, as iint->status holds the host's;
 *	ima_ns_status_get() clears a record whose @status.version is not
 *	the inode's
 * @atomic_flags: this namespace's IMA_MAY_EMIT_TOMTOU and
 *	IMA_EMITTED_OPENWRITERS, as iint->atomic_flags holds the host's
 * @rcu: deferred free: lock-free lookups may still see the record
 *
 * @status is read and written under iint->mutex.
 */
struct ima_ns_status {
	struct rhash_head node;
	struct hlist_node inode_node;
	struct ima_iint_cache *iint;
	struct ima_namespace *ns;
	struct ima_ns_inode_status *head;
	struct ima_status status;
	unsigned long atomic_flags;
	struct rcu_head rcu;
};

#ifdef CONFIG_IMA_NS

/*
 * Keys are addresses: hashed and compared as such, not as bytes. The seed
 * goes in before the multiply, so that a rehash separates a collision.
 */
static inline u32 ima_ns_status_hash(const void *key, u32 len, u32 seed)
{
	return hash_64((uintptr_t)*(void *const *)key ^ seed, 32);
}

static inline int ima_ns_status_cmp(struct rhashtable_compare_arg *arg,
				    const void *obj)
{
	return *(void *const *)arg->key !=
	       ((const struct ima_ns_status *)obj)->iint;
}

/*
 * An initializer rather than a variable: each user's copy is a constant
 * the rhashtable helpers inline (a first table of 4 buckets, not 64).
 */
#define IMA_NS_STATUS_PARAMS {						\
	.key_len = sizeof_field(struct ima_ns_status, iint),		\
	.key_offset = offsetof(struct ima_ns_status, iint),		\
	.head_offset = offsetof(struct ima_ns_status, node),		\
	.nelem_hint = 3,						\
	.automatic_shrinking = true,					\
	.hashfn = ima_ns_status_hash,					\
	.obj_cmpfn = ima_ns_status_cmp,					\
}

int ima_ns_status_init(struct ima_namespace *ns);
void ima_ns_status_free_ns(struct ima_namespace *ns);
void ima_ns_status_dying(struct ima_namespace *ns);
void ima_ns_status_free_dead(struct ima_namespace *ns);
struct ima_ns_status *ima_ns_status_get(struct ima_namespace *ns,
					struct ima_iint_cache *iint);
void ima_ns_status_reset(struct ima_iint_cache *iint);
void ima_ns_status_clear(struct ima_iint_cache *iint, unsigned long flags,
			 bool measured_pcrs);
void ima_ns_status_clear_bit(struct ima_iint_cache *iint, int bit);
struct ima_namespace *ima_ns_status_take_tomtou(struct ima_iint_cache *iint);
void ima_ns_status_free_inode(struct ima_iint_cache *iint);

#if IS_ENABLED(CONFIG_KUNIT)
long ima_ns_status_nr_records(void);
#endif

#else /* !CONFIG_IMA_NS */

static inline int ima_ns_status_init(struct ima_namespace *ns)
{
	return 0;
}

static inline void ima_ns_status_free_ns(struct ima_namespace *ns)
{
}

static inline void ima_ns_status_dying(struct ima_namespace *ns)
{
}

static inline void ima_ns_status_free_dead(struct ima_namespace *ns)
{
}

static inline struct ima_ns_status *
ima_ns_status_get(struct ima_namespace *ns, struct ima_iint_cache *iint)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void ima_ns_status_reset(struct ima_iint_cache *iint)
{
}

static inline void ima_ns_status_clear(struct ima_iint_cache *iint,
				       unsigned long flags, bool measured_pcrs)
{
}

static inline void ima_ns_status_clear_bit(struct ima_iint_cache *iint,
					   int bit)
{
}

static inline struct ima_namespace *
ima_ns_status_take_tomtou(struct ima_iint_cache *iint)
{
	return NULL;
}

static inline void ima_ns_status_free_inode(struct ima_iint_cache *iint)
{
}

#endif /* CONFIG_IMA_NS */

#endif /* __IMA_NS_STATUS_H */
