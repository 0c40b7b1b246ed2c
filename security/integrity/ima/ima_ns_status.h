/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-(namespace, inode) IMA status: the result of applying one namespace's
 * policy to one version of one file.
 */
#ifndef __IMA_NS_STATUS_H
#define __IMA_NS_STATUS_H

/* Placeholder: owned by ima_ns_status.c. */
struct ima_ns_status_store {
};

struct ima_ns_inode_status;

#endif /* __IMA_NS_STATUS_H */
