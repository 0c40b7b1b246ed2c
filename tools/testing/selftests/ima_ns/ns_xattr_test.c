// SPDX-License-Identifier: GPL-2.0-only
/*
 * security.ima written by a container's root: allowed once its IMA
 * namespace is active, on files whose owner and group are mapped in its
 * user namespace; refused before activation, for unmapped owners, for the
 * container's other users, and for security.evm. Host root keeps writing
 * it anywhere. A namespace writes signatures only (a hash, which would
 * satisfy an ancestor's appraisal, is refused: see ns_attack_test).
 *
 * Needs root, a kernel with CONFIG_IMA_NS and CONFIG_IMA_APPRAISE, and a
 * scratch directory on a filesystem with extended attributes
 * ($IMA_NS_SCRATCH). Skips otherwise.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ima_ns_ctr.h"

#define XATTR_IMA	"security.ima"
#define XATTR_EVM	"security.evm"

/* Host ids no test container maps: rootful maps 0..65535. */
#define UNMAPPED_ID	70000
/* The unprivileged runtime's uid, its container's root. */
#define RUNTIME_UID	4303
/* A container user other than root. */
#define CTR_USER	1000

static const struct ima_ctr_ids unprivileged = {
	.owner = RUNTIME_UID, .base = RUNTIME_UID, .count = 1,
};

static const struct ima_ctr_ids shifted = {
	.owner = IMA_CTR_KEEP_UID, .base = 100000, .count = 65536,
};

/* Whose file a container writes, as host ids. */
enum owner {
	MAPPED,		/* the container's root */
	UNMAPPED_UID,	/* a uid outside the container's map */
	UNMAPPED_GID,	/* its root, with a gid outside the map */
};

FIXTURE(xattr) {
	char dir[256];
	struct ima_ctr ctr;
	bool started;
};

FIXTURE_VARIANT(xattr) {
	const struct ima_ctr_ids *ids;
	bool activate;
	enum owner owner;
	int uid;		/* in the container, or IMA_CTR_ROOT */
	const char *name;
	int expected;		/* 0 or an errno */
};

FIXTURE_VARIANT_ADD(xattr, rootful_active) {
	.ids = &ima_ctr_rootful, .activate = true, .owner = MAPPED,
	.uid = IMA_CTR_ROOT, .name = XATTR_IMA, .expected = 0,
};

FIXTURE_VARIANT_ADD(xattr, shifted_active) {
	.ids = &shifted, .activate = true, .owner = MAPPED,
	.uid = IMA_CTR_ROOT, .name = XATTR_IMA, .expected = 0,
};

FIXTURE_VARIANT_ADD(xattr, unprivileged_active) {
	.ids = &unprivileged, .activate = true, .owner = MAPPED,
	.uid = IMA_CTR_ROOT, .name = XATTR_IMA, .expected = 0,
};

FIXTURE_VARIANT_ADD(xattr, shifted_inactive) {
	.ids = &shifted, .activate = false, .owner = MAPPED,
	.uid = IMA_CTR_ROOT, .name = XATTR_IMA, .expected = EPERM,
};

FIXTURE_VARIANT_ADD(xattr, unprivileged_inactive) {
	.ids = &unprivileged, .activate = false, .owner = MAPPED,
	.uid = IMA_CTR_ROOT, .name = XATTR_IMA, .expected = EPERM,
};

FIXTURE_VARIANT_ADD(xattr, shifted_unmapped_uid) {
	.ids = &shifted, .activate = true, .owner = UNMAPPED_UID,
	.uid = IMA_CTR_ROOT, .name = XATTR_IMA, .expected = EPERM,
};

FIXTURE_VARIANT_ADD(xattr, shifted_unmapped_gid) {
	.ids = &shifted, .activate = true, .owner = UNMAPPED_GID,
	.uid = IMA_CTR_ROOT, .name = XATTR_IMA, .expected = EPERM,
};

FIXTURE_VARIANT_ADD(xattr, unprivileged_unmapped_uid) {
	.ids = &unprivileged, .activate = true, .owner = UNMAPPED_UID,
	.uid = IMA_CTR_ROOT, .name = XATTR_IMA, .expected = EPERM,
};

FIXTURE_VARIANT_ADD(xattr, shifted_user) {
	.ids = &shifted, .activate = true, .owner = MAPPED,
	.uid = CTR_USER, .name = XATTR_IMA, .expected = EPERM,
};

FIXTURE_VARIANT_ADD(xattr, shifted_evm) {
	.ids = &shifted, .activate = true, .owner = MAPPED,
	.uid = IMA_CTR_ROOT, .name = XATTR_EVM, .expected = EPERM,
};

FIXTURE_SETUP(xattr)
{
	const char *reason = ima_ns_missing();
	char scratch[PATH_MAX];

	self->started = false;
	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, ima_scratch_dir(scratch, sizeof(scratch)));
	ASSERT_GT(sizeof(self->dir),
		  snprintf(self->dir, sizeof(self->dir), "%s/xattr-XXXXXX",
			   scratch));
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 0755));

	ASSERT_EQ(0, ima_ctr_start(&self->ctr, variant->ids));
	self->started = true;
	ASSERT_EQ(0, variant->activate ?
		     ima_ctr_activate(&self->ctr, NULL, NULL) :
		     ima_ctr_mount(&self->ctr));
}

FIXTURE_TEARDOWN(xattr)
{
	char path[PATH_MAX];

	if (self->started)
		ima_ctr_stop(&self->ctr);
	if (self->dir[0]) {
		snprintf(path, sizeof(path), "%s/file", self->dir);
		unlink(path);
		rmdir(self->dir);
	}
}

/*
 * A file the host creates, owned as @owner says for a container with @ids;
 * if @uid is a container user, owned by that user.
 */
static void make_owned_file(struct __test_metadata *_metadata,
			    const struct ima_ctr_ids *ids, enum owner owner,
			    int uid, const char *dir, char *path, size_t size)
{
	uid_t root = ids->base;

	ASSERT_GT(size, snprintf(path, size, "%s/file", dir));
	ASSERT_EQ(0, write_file(path, "data", 4, O_CREAT | O_EXCL, 0644));
	switch (owner) {
	case MAPPED:
		ASSERT_EQ(0, chown(path, root, root));
		break;
	case UNMAPPED_UID:
		ASSERT_EQ(0, chown(path, ids == &unprivileged ? 0 : UNMAPPED_ID,
				   root));
		break;
	case UNMAPPED_GID:
		ASSERT_EQ(0, chown(path, root, UNMAPPED_ID));
		break;
	}
	if (uid != IMA_CTR_ROOT)
		ASSERT_EQ(0, chown(path, root + uid, root + uid));
}

TEST_F(xattr, write)
{
	/*
	 * A signature, as evmctl ima_sign writes it (0x03, version 2,
	 * SHA-256, key id, size 256, then the signature): a namespace may no
	 * longer write a hash (0x04 0x04 <digest>), whatever the owner.
	 */
	unsigned char value[9 + 256] = { 0x03, 0x02, 0x04, 0, 0, 0, 0, 0x01 };
	char path[PATH_MAX];
	int ret;

	make_owned_file(_metadata, variant->ids, variant->owner, variant->uid,
			self->dir, path, sizeof(path));
	ret = ima_ctr_setxattr(&self->ctr, variant->uid, path, variant->name,
			       value, sizeof(value));
	EXPECT_EQ(-variant->expected, ret);
	if (ret)
		return;

	/* What was written is there, and can be removed the same way. */
	EXPECT_EQ(sizeof(value), getxattr(path, variant->name, NULL, 0));
	EXPECT_EQ(0, ima_ctr_removexattr(&self->ctr, variant->uid, path,
					 variant->name));
	EXPECT_EQ(-1, getxattr(path, variant->name, NULL, 0));
}

/* Host root writes security.ima whoever owns the file, as before. */
TEST(host_root_unchanged)
{
	unsigned char value[2 + 32] = { 0x04, 0x04 };
	char scratch[PATH_MAX], path[PATH_MAX];

	if (ima_ns_missing())
		SKIP(return, "%s", ima_ns_missing());
	ASSERT_EQ(0, ima_scratch_dir(scratch, sizeof(scratch)));
	ASSERT_GT(sizeof(path), snprintf(path, sizeof(path), "%s/host-%d",
					 scratch, getpid()));
	ASSERT_EQ(0, write_file(path, "data", 4, O_CREAT | O_TRUNC, 0644));
	ASSERT_EQ(0, chown(path, UNMAPPED_ID, UNMAPPED_ID));
	EXPECT_EQ(0, setxattr(path, XATTR_IMA, value, sizeof(value), 0));
	EXPECT_EQ(0, removexattr(path, XATTR_IMA));
	unlink(path);
}

TEST_HARNESS_MAIN
