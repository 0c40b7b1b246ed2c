/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IMA namespaces: creation, lookup and iteration, for the IMA layers above
 * the namespace object (hooks, policy, securityfs).
 */
#ifndef __IMA_NS_H
#define __IMA_NS_H

#include <linux/bitops.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/ima_ns.h>
#include <linux/jump_label.h>
#include <linux/types.h>

struct ima_namespace;
struct inode;
struct mnt_idmap;
struct user_namespace;

extern struct ima_namespace init_ima_ns;

#ifdef CONFIG_IMA_NS

DECLARE_STATIC_KEY_FALSE(ima_ns_in_use);

struct ima_namespace *ima_ns_create(struct user_namespace *user_ns);
int ima_ns_activate(struct ima_namespace *ns);
bool ima_ns_active(const struct ima_namespace *ns);
struct ima_namespace *ima_ns_of(struct user_namespace *user_ns);
struct ima_namespace *ima_ns_get_by_id(u64 id);
struct ima_namespace *ima_ns_next(struct ima_namespace *prev);
struct ima_namespace *ima_ns_parent(const struct ima_namespace *ns);
bool ima_ns_may_write_xattr(struct mnt_idmap *idmap, struct inode *inode);

#if IS_ENABLED(CONFIG_KUNIT)
bool ima_ns_id_allocated(u64 id);
#endif

#else /* !CONFIG_IMA_NS */

static inline struct ima_namespace *
ima_ns_create(struct user_namespace *user_ns)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline int ima_ns_activate(struct ima_namespace *ns)
{
	return -EOPNOTSUPP;
}

static inline bool ima_ns_active(const struct ima_namespace *ns)
{
	return ns == &init_ima_ns;
}

static inline struct ima_namespace *
ima_ns_of(struct user_namespace *user_ns)
{
	return &init_ima_ns;
}

static inline struct ima_namespace *ima_ns_get_by_id(u64 id)
{
	return id ? NULL : &init_ima_ns;
}

static inline struct ima_namespace *ima_ns_next(struct ima_namespace *prev)
{
	return prev ? NULL : &init_ima_ns;
}

static inline struct ima_namespace *
ima_ns_parent(const struct ima_namespace *ns)
{
	return NULL;
}

static inline bool ima_ns_may_write_xattr(struct mnt_idmap *idmap,
					  struct inode *inode)
{
	return false;
}

#endif /* CONFIG_IMA_NS */

/* Whether any namespace other than the host's was ever activated. */
static inline bool ima_ns_ever_active(void)
{
#ifdef CONFIG_IMA_NS
	return static_branch_unlikely(&ima_ns_in_use);
#else
	return false;
#endif
}

/**
 * ima_cred_ns - IMA namespace governing a task with given credentials
 * @cred: credentials, e.g. those a file was opened with
 *
 * The returned namespace is not referenced: it stays valid as long as
 * @cred pins its user namespace.
 *
 * Return: The nearest active IMA namespace of @cred's user namespace.
 */
static inline struct ima_namespace *ima_cred_ns(const struct cred *cred)
{
#ifdef CONFIG_IMA_NS
	/* No namespace was ever activated: no user-namespace walk. */
	if (!static_branch_unlikely(&ima_ns_in_use))
		return &init_ima_ns;
#endif
	return ima_ns_of(cred->user_ns);
}

/**
 * ima_current_ns - IMA namespace governing the current task
 *
 * The returned namespace is not referenced: it stays valid as long as the
 * caller's credentials pin their user namespace, i.e. for the duration of
 * a hook.
 *
 * Return: The nearest active IMA namespace of current_user_ns().
 */
static inline struct ima_namespace *ima_current_ns(void)
{
	return ima_cred_ns(current_cred());
}

#endif /* __IMA_NS_H */
