/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * securityfs directories whose files are made on lookup, from a table, and
 * freed once unused: a securityfs instance per user namespace then costs
 * no inode or dentry for a file nobody looks at.
 */
#ifndef _LINUX_SECURITYFS_H
#define _LINUX_SECURITYFS_H

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/types.h>

struct securityfs_table;

/**
 * struct securityfs_entry - a file of a securityfs table
 * @name: file name
 * @mode: S_IFREG, S_IFDIR or S_IFLNK, and permissions
 * @fops: operations of a regular file
 * @data: inode->i_private of a regular file
 * @target: target of a symlink
 * @dir: the files of a directory
 */
struct securityfs_entry {
	const char *name;
	umode_t mode;
	const struct file_operations *fops;
	void *data;
	const char *target;
	const struct securityfs_table *dir;
};

/**
 * struct securityfs_table - the files of a directory, made when looked up
 * @entries: files every directory of this table has
 * @nr: number of @entries
 * @find: optional: the entry of a name not in @entries, or NULL
 * @readdir: optional: emits the names @find knows, with dir_emit() from
 *	position @first on (ctx->pos)
 */
struct securityfs_table {
	const struct securityfs_entry *entries;
	unsigned int nr;
	const struct securityfs_entry *(*find)(const char *name);
	int (*readdir)(struct dir_context *ctx, loff_t first);
};

#ifdef CONFIG_SECURITYFS

void securityfs_set_table(struct dentry *dir,
			  const struct securityfs_table *table);
struct dentry *securityfs_create_table_dir(const char *name, umode_t mode,
					   struct dentry *parent,
					   const struct securityfs_table *table);

#else /* !CONFIG_SECURITYFS */

static inline void securityfs_set_table(struct dentry *dir,
					const struct securityfs_table *table)
{}

static inline struct dentry *
securityfs_create_table_dir(const char *name, umode_t mode,
			    struct dentry *parent,
			    const struct securityfs_table *table)
{
	return ERR_PTR(-ENODEV);
}

#endif /* CONFIG_SECURITYFS */

#endif /* _LINUX_SECURITYFS_H */
