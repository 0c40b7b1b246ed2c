/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IMA namespaces: what the rest of the kernel needs to know.
 *
 * An IMA namespace hangs off a user namespace, which holds the reference
 * that keeps it alive. The structure itself is private to IMA.
 */
#ifndef _LINUX_IMA_NS_H
#define _LINUX_IMA_NS_H

struct ima_namespace;
struct user_namespace;

#ifdef CONFIG_IMA_NS

extern struct ima_namespace init_ima_ns;

struct ima_namespace *get_ima_ns(struct ima_namespace *ns);
void put_ima_ns(struct ima_namespace *ns);
void ima_ns_release_user_ns(struct user_namespace *user_ns);

#else /* !CONFIG_IMA_NS */

static inline struct ima_namespace *get_ima_ns(struct ima_namespace *ns)
{
	return ns;
}

static inline void put_ima_ns(struct ima_namespace *ns)
{
}

static inline void ima_ns_release_user_ns(struct user_namespace *user_ns)
{
}

#endif /* CONFIG_IMA_NS */

#endif /* _LINUX_IMA_NS_H */
