// SPDX-License-Identifier: GPL-2.0-only
/*
 * The securityfs interface of IMA namespaces: the files of a container's
 * instance before and after activation, its configuration (hash, template,
 * active), namespace ids, who may act on an instance, the host's view
 * of the active namespaces in ima/namespaces/<id>/, and how long an
 * instance lives: descriptors passed on or held after the container died,
 * mounts over it and beside it.
 *
 * Needs root and a kernel with CONFIG_IMA_NS; skips otherwise.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ima_ns_ctr.h"

/* A host uid that is nobody's: no host policy rule names it. */
#define HOST_NOBODY_UID	4303
/* A container uid other than its root (mapped by ima_ctr_rootful). */
#define CTR_USER_UID	4304

#define MAX_NAMES	64

/**
 * struct names - names of a directory's entries
 * @count: number of @name
 * @name: the names, without "." and ".."
 */
struct names {
	int count;
	char name[MAX_NAMES][NAME_MAX + 1];
};

static int names_add(struct names *names, const char *name)
{
	if (names->count == MAX_NAMES)
		return -E2BIG;
	snprintf(names->name[names->count++], NAME_MAX + 1, "%s", name);
	return 0;
}

static bool names_has(const struct names *names, const char *name)
{
	int i;

	for (i = 0; i < names->count; i++)
		if (!strcmp(names->name[i], name))
			return true;
	return false;
}

static int list_dir(const char *path, struct names *names)
{
	struct dirent *de;
	int ret = 0;
	DIR *d;

	names->count = 0;
	d = opendir(path);
	if (!d)
		return -errno;
	while (!ret && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			ret = names_add(names, de->d_name);
	closedir(d);
	return ret;
}

/* The host's measurement list files: ascii_* and binary_* of every bank. */
static int host_list_names(struct names *names)
{
	struct names all;
	int i, ret;

	names->count = 0;
	ret = list_dir(IMA_DIR, &all);
	for (i = 0; !ret && i < all.count; i++)
		if (!strncmp(all.name[i], "ascii_runtime_measurements", 26) ||
		    !strncmp(all.name[i], "binary_runtime_measurements", 27))
			ret = names_add(names, all.name[i]);
	return ret;
}

/* The files a namespace's ima/ has: the host's lists and ten more. */
static int ns_file_names(struct names *names)
{
	static const char *const more[] = {
		"active", "hash", "template_name", "keyring", "appraise",
		"ns_id", "policy", "runtime_measurements_count", "violations",
		"anchor", NULL
	};
	const char *const *p;
	int ret;

	ret = host_list_names(names);
	for (p = more; !ret && *p; p++)
		ret = names_add(names, *p);
	return ret;
}

/* Check that @seen holds exactly the names in @want. */
static void expect_names(struct __test_metadata *_metadata,
			 const struct names *want, const struct names *seen,
			 const char *where)
{
	int i;

	for (i = 0; i < want->count; i++)
		EXPECT_TRUE(names_has(seen, want->name[i])) {
			TH_LOG("%s: no %s", where, want->name[i]);
		}
	for (i = 0; i < seen->count; i++)
		EXPECT_TRUE(names_has(want, seen->name[i])) {
			TH_LOG("%s: unexpected %s", where, seen->name[i]);
		}
}

/* The host's template and hash algorithm, from its boot_aggregate. */
static int host_defaults(char *template, char *hash, size_t size)
{
	struct ima_list list;
	struct ima_ng ng;
	int ret;

	ret = ima_list_read(IMA_BINARY_LIST, SHA1_DIGEST_SIZE, &list);
	if (ret)
		return ret;
	ret = list.count ? ima_entry_ng(&list.entries[0], &ng) : -ENOENT;
	if (!ret) {
		snprintf(template, size, "%s\n", list.entries[0].template);
		snprintf(hash, size, "%s\n", ng.algo);
	}
	ima_list_free(&list);
	return ret;
}

/* Read a container's file and compare it with @want. */
static void expect_ctr_file(struct __test_metadata *_metadata,
			    struct ima_ctr *ctr, const char *path,
			    const char *want)
{
	char *buf;

	ASSERT_LE(0, ima_ctr_read(ctr, IMA_CTR_ROOT, path, &buf)) {
		TH_LOG("cannot read %s", path);
	}
	EXPECT_STREQ(want, buf) {
		TH_LOG("%s", path);
	}
	free(buf);
}

/*
 * Check that a policy (a container's file, or a host file if @ctr is NULL)
 * shows @rules, in the policy file's format.
 */
static void expect_policy(struct __test_metadata *_metadata,
			  struct ima_ctr *ctr, const char *path,
			  const char *const *rules)
{
	char *want, *seen;
	ssize_t len;

	want = ima_policy_text(NULL, rules);
	ASSERT_NE(NULL, want);
	len = ctr ? ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_POLICY, &seen) :
		    read_file(path, &seen);
	ASSERT_LE(0, len);
	EXPECT_STREQ(want, seen);
	free(want);
	free(seen);
}

/*
 * Open @path as @uid (and gid) of the host, in a child process.
 * Return: 0 or the negative errno of open().
 */
static int host_open_as(uid_t uid, const char *path, int flags)
{
	int status, fd;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
			_exit(255);
		fd = open(path, flags);
		_exit(fd < 0 ? errno : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 255)
		return -ECHILD;
	return -WEXITSTATUS(status);
}

/* Tests that start their own containers. */
FIXTURE(ctrs) {
};

FIXTURE_SETUP(ctrs)
{
	const char *reason = ima_ns_missing();

	if (reason)
		SKIP(return, "%s", reason);
}

FIXTURE_TEARDOWN(ctrs)
{
}

FIXTURE(ns) {
	struct ima_ctr ctr;
	/* The container's ima/ directory, as host root reaches it. */
	char ima[PATH_MAX];
	char root[PATH_MAX];
};

FIXTURE_SETUP(ns)
{
	const char *reason = ima_ns_missing();

	self->ctr.sock = -1;
	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, ima_ctr_start(&self->ctr, &ima_ctr_rootful));
	ASSERT_EQ(0, ima_ctr_mount(&self->ctr));
	ASSERT_EQ(0, ima_ctr_path(&self->ctr, IMA_DIR, self->ima,
				  sizeof(self->ima)));
	ASSERT_EQ(0, ima_ctr_path(&self->ctr, "/sys/kernel/security",
				  self->root, sizeof(self->root)));
}

FIXTURE_TEARDOWN(ns)
{
	ima_ctr_stop(&self->ctr);
}

/*
 * Like the host: integrity/ima/ and an ima symlink to it; the host's list
 * files, the namespace's own files, and nothing of EVM.
 */
TEST_F(ns, layout)
{
	static const char *const defaults[] = {
		"ascii_runtime_measurements", "binary_runtime_measurements",
		NULL
	};
	static const struct {
		const char *name;
		mode_t mode;
	} modes[] = {
		{ "active", 0600 }, { "hash", 0600 },
		{ "template_name", 0600 }, { "policy", 0600 },
		{ "keyring", 0600 }, { "appraise", 0600 },
		{ "ns_id", 0440 }, { "runtime_measurements_count", 0440 },
		{ "violations", 0440 }, { "anchor", 0600 },
	};
	char path[PATH_MAX + 64], target[PATH_MAX], host[PATH_MAX];
	struct names want, seen;
	const char *const *p;
	struct stat st;
	ssize_t len;
	size_t i;

	ASSERT_EQ(0, list_dir(self->root, &seen));
	want.count = 0;
	names_add(&want, "integrity");
	names_add(&want, "ima");
	expect_names(_metadata, &want, &seen, "securityfs");

	snprintf(path, sizeof(path), "%s/ima", self->root);
	len = readlink(path, target, sizeof(target) - 1);
	ASSERT_LT(0, len);
	target[len] = '\0';
	EXPECT_STREQ("integrity/ima", target);

	snprintf(path, sizeof(path), "%s/integrity", self->root);
	ASSERT_EQ(0, list_dir(path, &seen));
	want.count = 0;
	names_add(&want, "ima");
	expect_names(_metadata, &want, &seen, "integrity");

	ASSERT_EQ(0, ns_file_names(&want));
	ASSERT_EQ(0, list_dir(self->ima, &seen));
	expect_names(_metadata, &want, &seen, "ima");

	/* The default names point where the host's do. */
	for (p = defaults; *p; p++) {
		snprintf(path, sizeof(path), IMA_DIR "/%s", *p);
		len = readlink(path, host, sizeof(host) - 1);
		if (len < 0)
			continue;
		host[len] = '\0';
		snprintf(path, sizeof(path), "%s/%s", self->ima, *p);
		len = readlink(path, target, sizeof(target) - 1);
		ASSERT_LT(0, len) {
			TH_LOG("%s is not a symlink as on the host", *p);
		}
		target[len] = '\0';
		EXPECT_STREQ(host, target);
	}

	/* Owned by the container's root, host root here. */
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		snprintf(path, sizeof(path), "%s/%s", self->ima, modes[i].name);
		ASSERT_EQ(0, stat(path, &st));
		EXPECT_EQ(0, st.st_uid);
		EXPECT_TRUE(S_ISREG(st.st_mode));
		EXPECT_EQ(modes[i].mode, st.st_mode & 07777) {
			TH_LOG("%s has mode %o", modes[i].name,
			       st.st_mode & 07777);
		}
	}
}

/*
 * Before activation, active, hash, template_name, keyring, appraise and
 * policy show the namespace's configuration (the host's hash and template,
 * no keyring, enforcing, an empty policy) and the other files cannot be
 * opened.
 */
TEST_F(ns, inactive_files)
{
	char template[64], hash[64], path[PATH_MAX];
	struct names lists;
	char *buf;
	int i;

	ASSERT_EQ(0, host_defaults(template, hash, sizeof(hash)));
	expect_ctr_file(_metadata, &self->ctr, IMA_NS_ACTIVE, "0\n");
	expect_ctr_file(_metadata, &self->ctr, IMA_NS_HASH, hash);
	expect_ctr_file(_metadata, &self->ctr, IMA_NS_TEMPLATE, template);
	expect_ctr_file(_metadata, &self->ctr, IMA_NS_KEYRING, "0\n");
	expect_ctr_file(_metadata, &self->ctr, IMA_NS_APPRAISE, "enforce\n");
	expect_ctr_file(_metadata, &self->ctr, IMA_POLICY, "");

	EXPECT_EQ(-EPERM, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_NS_ID,
				       &buf));
	EXPECT_EQ(-EPERM, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_COUNT,
				       &buf));
	EXPECT_EQ(-EPERM, ima_ctr_read(&self->ctr, IMA_CTR_ROOT,
				       IMA_VIOLATIONS, &buf));
	ASSERT_EQ(0, host_list_names(&lists));
	ASSERT_LT(0, lists.count);
	for (i = 0; i < lists.count; i++) {
		snprintf(path, sizeof(path), IMA_DIR "/%s", lists.name[i]);
		EXPECT_EQ(-EPERM, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, path,
					       &buf)) {
			TH_LOG("%s readable before activation", lists.name[i]);
		}
	}
	/* Still inactive. */
	expect_ctr_file(_metadata, &self->ctr, IMA_NS_ACTIVE, "0\n");
}

/* Activation happens once; then hash and template_name are fixed. */
TEST_F(ns, activate_once)
{
	char template[64], hash[64];

	ASSERT_EQ(0, ima_ctr_write_str(&self->ctr, IMA_NS_ACTIVE, "1"));
	expect_ctr_file(_metadata, &self->ctr, IMA_NS_ACTIVE, "1\n");
	EXPECT_EQ(-EBUSY, ima_ctr_write_str(&self->ctr, IMA_NS_ACTIVE, "1"));
	EXPECT_EQ(-EBUSY, ima_ctr_write_str(&self->ctr, IMA_NS_ACTIVE, "1\n"));
	expect_ctr_file(_metadata, &self->ctr, IMA_NS_ACTIVE, "1\n");

	ASSERT_EQ(0, host_defaults(template, hash, sizeof(hash)));
	EXPECT_EQ(-EBUSY, ima_ctr_write_str(&self->ctr, IMA_NS_HASH, "sha1"));
	EXPECT_EQ(-EBUSY, ima_ctr_write_str(&self->ctr, IMA_NS_HASH, hash));
	EXPECT_EQ(-EBUSY, ima_ctr_write_str(&self->ctr, IMA_NS_TEMPLATE,
					    "ima-sig"));
	EXPECT_EQ(-EBUSY, ima_ctr_write_str(&self->ctr, IMA_NS_TEMPLATE,
					    template));
	expect_ctr_file(_metadata, &self->ctr, IMA_NS_HASH, hash);
	expect_ctr_file(_metadata, &self->ctr, IMA_NS_TEMPLATE, template);
}

/*
 * After activation every entry of ima/ is a file (or a symlink to one)
 * that the namespace's root can read: tools read every entry of ima/.
 * The namespace starts with an empty policy and its boot_aggregate only.
 */
TEST_F(ns, readable_after_activation)
{
	char path[PATH_MAX + NAME_MAX + 2];
	struct names seen;
	struct stat st;
	__u64 id;
	char *buf;
	int i;

	ASSERT_EQ(0, ima_ctr_write_str(&self->ctr, IMA_NS_ACTIVE, "1"));
	ASSERT_EQ(0, list_dir(self->ima, &seen));
	EXPECT_FALSE(names_has(&seen, "namespaces"));
	for (i = 0; i < seen.count; i++) {
		snprintf(path, sizeof(path), "%s/%s", self->ima, seen.name[i]);
		ASSERT_EQ(0, stat(path, &st));
		EXPECT_TRUE(S_ISREG(st.st_mode)) {
			TH_LOG("%s is not a file", seen.name[i]);
		}
		snprintf(path, sizeof(path), IMA_DIR "/%s", seen.name[i]);
		EXPECT_LE(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, path,
					  &buf)) {
			TH_LOG("cannot read %s", seen.name[i]);
			continue;
		}
		free(buf);
	}

	expect_ctr_file(_metadata, &self->ctr, IMA_POLICY, "");
	expect_ctr_file(_metadata, &self->ctr, IMA_COUNT, "1\n");
	expect_ctr_file(_metadata, &self->ctr, IMA_VIOLATIONS, "0\n");
	ASSERT_EQ(0, ima_ctr_ns_id(&self->ctr, &id));
	EXPECT_NE(0, id);
	ASSERT_LT(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_ASCII_LIST,
				  &buf));
	EXPECT_EQ(1, ima_ascii_count_lines(buf, strlen(buf)));
	EXPECT_NE(NULL, strstr(buf, " boot_aggregate"));
	free(buf);
}

/* Users of the container other than its root can use none of the files. */
TEST_F(ns, user_denied)
{
	char path[PATH_MAX + NAME_MAX + 2];
	struct names seen;
	char *buf;
	int i, ret;

	ASSERT_EQ(0, ima_ctr_write_str(&self->ctr, IMA_NS_ACTIVE, "1"));
	ASSERT_EQ(0, list_dir(self->ima, &seen));
	for (i = 0; i < seen.count; i++) {
		snprintf(path, sizeof(path), IMA_DIR "/%s", seen.name[i]);
		ret = ima_ctr_read(&self->ctr, CTR_USER_UID, path, &buf);
		EXPECT_TRUE(ret == -EACCES || ret == -EPERM) {
			TH_LOG("uid %d reads %s: %d", CTR_USER_UID,
			       seen.name[i], ret);
		}
		if (ret >= 0)
			free(buf);
	}
	ret = ima_ctr_write(&self->ctr, CTR_USER_UID, IMA_POLICY,
			    "measure func=BPRM_CHECK\n", 24, 0, 0);
	EXPECT_TRUE(ret == -EACCES || ret == -EPERM);
	expect_ctr_file(_metadata, &self->ctr, IMA_POLICY, "");
}

/*
 * Writes to active, hash and template_name before activation: what is
 * accepted, and what is refused with which errno (the value then stays).
 */
FIXTURE(config) {
	struct ima_ctr ctr;
};

FIXTURE_VARIANT(config) {
	const char *file;
	const char *value;
	int err;
};

FIXTURE_VARIANT_ADD(config, active_1) {
	.file = IMA_NS_ACTIVE,
	.value = "1",
	.err = 0,
};

FIXTURE_VARIANT_ADD(config, active_1_newline) {
	.file = IMA_NS_ACTIVE,
	.value = "1\n",
	.err = 0,
};

FIXTURE_VARIANT_ADD(config, active_0) {
	.file = IMA_NS_ACTIVE,
	.value = "0",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(config, active_0_newline) {
	.file = IMA_NS_ACTIVE,
	.value = "0\n",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(config, active_2) {
	.file = IMA_NS_ACTIVE,
	.value = "2",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(config, active_10) {
	.file = IMA_NS_ACTIVE,
	.value = "10",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(config, active_1x) {
	.file = IMA_NS_ACTIVE,
	.value = "1x",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(config, active_y) {
	.file = IMA_NS_ACTIVE,
	.value = "y",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(config, active_space_1) {
	.file = IMA_NS_ACTIVE,
	.value = " 1",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(config, active_newline) {
	.file = IMA_NS_ACTIVE,
	.value = "\n",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(config, hash_sha1) {
	.file = IMA_NS_HASH,
	.value = "sha1",
	.err = 0,
};

FIXTURE_VARIANT_ADD(config, hash_sha256_newline) {
	.file = IMA_NS_HASH,
	.value = "sha256\n",
	.err = 0,
};

FIXTURE_VARIANT_ADD(config, hash_unknown) {
	.file = IMA_NS_HASH,
	.value = "sha257",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(config, hash_upper_case) {
	.file = IMA_NS_HASH,
	.value = "SHA256",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(config, hash_template_name) {
	.file = IMA_NS_HASH,
	.value = "ima-ng",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(config, hash_newline) {
	.file = IMA_NS_HASH,
	.value = "\n",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(config, template_ima_sig) {
	.file = IMA_NS_TEMPLATE,
	.value = "ima-sig",
	.err = 0,
};

FIXTURE_VARIANT_ADD(config, template_ima_ns_newline) {
	.file = IMA_NS_TEMPLATE,
	.value = "ima-ns\n",
	.err = 0,
};

FIXTURE_VARIANT_ADD(config, template_ima) {
	.file = IMA_NS_TEMPLATE,
	.value = "ima",
	.err = 0,
};

FIXTURE_VARIANT_ADD(config, template_unknown) {
	.file = IMA_NS_TEMPLATE,
	.value = "ima-xx",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(config, template_hash_name) {
	.file = IMA_NS_TEMPLATE,
	.value = "sha256",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(config, template_format) {
	.file = IMA_NS_TEMPLATE,
	.value = "d-ng|n-ng",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(config, template_upper_case) {
	.file = IMA_NS_TEMPLATE,
	.value = "IMA-NG",
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(config, template_newline) {
	.file = IMA_NS_TEMPLATE,
	.value = "\n",
	.err = EINVAL,
};

FIXTURE_SETUP(config)
{
	const char *reason = ima_ns_missing();

	self->ctr.sock = -1;
	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, ima_ctr_start(&self->ctr, &ima_ctr_rootful));
	ASSERT_EQ(0, ima_ctr_mount(&self->ctr));
}

FIXTURE_TEARDOWN(config)
{
	ima_ctr_stop(&self->ctr);
}

TEST_F(config, write)
{
	char *before, *after, want[64];
	size_t len;

	ASSERT_LT(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, variant->file,
				  &before));
	EXPECT_EQ(-variant->err, ima_ctr_write_str(&self->ctr, variant->file,
						   variant->value));
	ASSERT_LT(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, variant->file,
				  &after));
	if (variant->err) {
		EXPECT_STREQ(before, after);
	} else {
		/* Shown with one newline, however written. */
		len = strcspn(variant->value, "\n");
		snprintf(want, sizeof(want), "%.*s\n", (int)len,
			 variant->value);
		EXPECT_STREQ(want, after);
	}
	free(before);
	free(after);
	/* A refused value leaves the namespace inactive and configurable. */
	if (variant->err)
		EXPECT_EQ(0, ima_ctr_write_str(&self->ctr, IMA_NS_ACTIVE, "1"));
}

/* Hash names IMA knows, with their digest sizes. */
static const struct {
	const char *name;
	unsigned int size;
} ima_hashes[] = {
	{ "md4", 16 }, { "md5", 16 }, { "sha1", 20 }, { "rmd160", 20 },
	{ "sha256", 32 }, { "sha384", 48 }, { "sha512", 64 },
	{ "sha224", 28 }, { "rmd128", 16 }, { "rmd256", 32 },
	{ "rmd320", 40 }, { "wp256", 32 }, { "wp384", 48 }, { "wp512", 64 },
	{ "tgr128", 16 }, { "tgr160", 20 }, { "tgr192", 24 }, { "sm3", 32 },
	{ "streebog256", 32 }, { "streebog512", 64 }, { "sha3-256", 32 },
	{ "sha3-384", 48 }, { "sha3-512", 64 },
};

#define NR_IMA_HASHES	ARRAY_SIZE(ima_hashes)

/*
 * Which of ima_hashes the kernel's crypto API has (/proc/crypto lists all
 * of them when nothing is modular).
 * Return: 0, or a negative errno if /proc/crypto cannot be read.
 */
static int crypto_hashes(bool have[NR_IMA_HASHES])
{
	char *buf, *line, *next, name[64];
	ssize_t len;
	size_t i;

	memset(have, 0, NR_IMA_HASHES * sizeof(bool));
	len = read_file("/proc/crypto", &buf);
	if (len < 0)
		return len;
	for (line = buf; *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if (sscanf(line, "name : %63s", name) != 1)
			continue;
		for (i = 0; i < NR_IMA_HASHES; i++)
			if (!strcmp(name, ima_hashes[i].name))
				have[i] = true;
	}
	free(buf);
	return 0;
}

/* Hash algorithms the crypto API lacks cannot be chosen. */
TEST_F_TIMEOUT(ctrs, unavailable_hash_rejected, 60)
{
	bool have[NR_IMA_HASHES];
	struct ima_ctr ctr;
	int tested = 0;
	size_t i;

	ASSERT_EQ(0, crypto_hashes(have));
	ASSERT_EQ(0, ima_ctr_start(&ctr, &ima_ctr_rootful));
	ASSERT_EQ(0, ima_ctr_mount(&ctr));
	for (i = 0; i < NR_IMA_HASHES; i++) {
		if (have[i])
			continue;
		EXPECT_EQ(-EINVAL, ima_ctr_write_str(&ctr, IMA_NS_HASH,
						     ima_hashes[i].name)) {
			TH_LOG("%s is not in /proc/crypto", ima_hashes[i].name);
		}
		tested++;
	}
	EXPECT_EQ(0, ima_ctr_write_str(&ctr, IMA_NS_ACTIVE, "1"));
	ima_ctr_stop(&ctr);
	if (!tested)
		SKIP(return, "every hash IMA knows is available");
}

/*
 * Every template with every available hash algorithm can be activated, and
 * the list then opens with a boot_aggregate in that template and hash: a
 * zero digest, since no TPM is connected.
 */
FIXTURE(combo) {
	bool have[NR_IMA_HASHES];
};

FIXTURE_VARIANT(combo) {
	const char *template;
};

FIXTURE_VARIANT_ADD(combo, ima) { .template = "ima" };
FIXTURE_VARIANT_ADD(combo, ima_ng) { .template = "ima-ng" };
FIXTURE_VARIANT_ADD(combo, ima_ngv2) { .template = "ima-ngv2" };
FIXTURE_VARIANT_ADD(combo, ima_sig) { .template = "ima-sig" };
FIXTURE_VARIANT_ADD(combo, ima_sigv2) { .template = "ima-sigv2" };
FIXTURE_VARIANT_ADD(combo, ima_buf) { .template = "ima-buf" };
FIXTURE_VARIANT_ADD(combo, ima_modsig) { .template = "ima-modsig" };
FIXTURE_VARIANT_ADD(combo, evm_sig) { .template = "evm-sig" };
FIXTURE_VARIANT_ADD(combo, ima_ns) { .template = "ima-ns" };

FIXTURE_SETUP(combo)
{
	const char *reason = ima_ns_missing();

	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, crypto_hashes(self->have));
}

FIXTURE_TEARDOWN(combo)
{
}

/* The d field of a boot_aggregate without TPM, as the ascii list shows it. */
static void zero_digest_field(char *buf, size_t size, const char *template,
			      size_t hash)
{
	unsigned int len = ima_hashes[hash].size;
	const char *prefix = "";
	char zeros[2 * 64 + 1];

	/* The "ima" template's 'd' holds a SHA-1 (or MD5) digest. */
	if (!strcmp(template, "ima"))
		len = strcmp(ima_hashes[hash].name, "md5") ? 20 : 16;
	else if (strstr(template, "v2"))
		prefix = "ima:";
	memset(zeros, '0', 2 * len);
	zeros[2 * len] = '\0';
	if (!strcmp(template, "ima"))
		snprintf(buf, size, "%s", zeros);
	else
		snprintf(buf, size, "%s%s:%s", prefix, ima_hashes[hash].name,
			 zeros);
}

static void check_boot_aggregate(struct __test_metadata *_metadata,
				 struct ima_ctr *ctr, const char *template,
				 size_t hash)
{
	char *buf, *save, *field[8], want[160], id_str[32];
	struct ima_list list;
	struct ima_ng ng;
	int n;
	__u64 id;

	ASSERT_LT(0, ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_ASCII_LIST, &buf));
	EXPECT_EQ(1, ima_ascii_count_lines(buf, strlen(buf)));
	/* pcr, template digest, template name, then the fields */
	field[0] = strtok_r(buf, "\n ", &save);
	for (n = 0; field[n] && n < 7; n++)
		field[n + 1] = strtok_r(NULL, "\n ", &save);
	ASSERT_LE(5, n);
	EXPECT_STREQ("10", field[0]);
	EXPECT_EQ(2 * SHA1_DIGEST_SIZE, strlen(field[1]));
	EXPECT_STREQ(template, field[2]);
	zero_digest_field(want, sizeof(want), template, hash);
	EXPECT_STREQ(want, field[3]);
	EXPECT_STREQ("boot_aggregate", field[4]);
	if (!strcmp(template, "ima-ns")) {
		/* The namespace's own event. */
		ASSERT_EQ(0, ima_ctr_ns_id(ctr, &id));
		snprintf(id_str, sizeof(id_str), "%llu",
			 (unsigned long long)id);
		ASSERT_LE(6, n);
		EXPECT_STREQ(id_str, field[5]);
	}
	free(buf);

	if (!strcmp(template, "ima"))
		return;	/* not in the binary parser's formats */
	ASSERT_EQ(0, ima_ctr_list(ctr, &list));
	ASSERT_EQ(1, list.count);
	EXPECT_EQ(IMA_MEASURE_PCR, list.entries[0].pcr);
	EXPECT_STREQ(template, list.entries[0].template);
	if (!strstr(template, "v2")) {
		ASSERT_EQ(0, ima_entry_ng(&list.entries[0], &ng));
		EXPECT_STREQ(ima_hashes[hash].name, ng.algo);
		EXPECT_EQ(ima_hashes[hash].size, ng.digest_len);
		EXPECT_STREQ("boot_aggregate", ng.name);
	}
	ima_list_free(&list);
}

TEST_F_TIMEOUT(combo, boot_aggregate, 600)
{
	struct ima_ctr ctr;
	char want[64];
	int tested = 0;
	size_t i;

	for (i = 0; i < NR_IMA_HASHES; i++) {
		if (!self->have[i])
			continue;
		tested++;
		ASSERT_EQ(0, ima_ctr_start(&ctr, &ima_ctr_rootful));
		EXPECT_EQ(0, ima_ctr_activate(&ctr, ima_hashes[i].name,
					      variant->template)) {
			TH_LOG("%s with %s", variant->template,
			       ima_hashes[i].name);
			ima_ctr_stop(&ctr);
			continue;
		}
		snprintf(want, sizeof(want), "%s\n", variant->template);
		expect_ctr_file(_metadata, &ctr, IMA_NS_TEMPLATE, want);
		snprintf(want, sizeof(want), "%s\n", ima_hashes[i].name);
		expect_ctr_file(_metadata, &ctr, IMA_NS_HASH, want);
		check_boot_aggregate(_metadata, &ctr, variant->template, i);
		ima_ctr_stop(&ctr);
	}
	EXPECT_LT(0, tested);
}

/* Ids: nonzero, stable, distinct between live namespaces, never reused. */
TEST_F_TIMEOUT(ctrs, ns_id_unique, 120)
{
	struct ima_ctr ctr[4], later;
	__u64 id[5], again;
	int i, j;
	/* Three siblings and a child of the first. */
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, i < 3 ?
			  ima_ctr_start(&ctr[i], &ima_ctr_rootful) :
			  ima_ctr_spawn(&ctr[0], &ctr[i], &ima_ctr_rootful));
		ASSERT_EQ(0, ima_ctr_activate(&ctr[i], NULL, NULL));
		ASSERT_EQ(0, ima_ctr_ns_id(&ctr[i], &id[i]));
		EXPECT_NE(0, id[i]);
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, ima_ctr_ns_id(&ctr[i], &again));
		EXPECT_EQ(id[i], again);
		for (j = 0; j < i; j++)
			EXPECT_NE(id[j], id[i]);
	}
	for (i = 3; i >= 0; i--)
		ima_ctr_stop(&ctr[i]);

	ASSERT_EQ(0, ima_ctr_start(&later, &ima_ctr_rootful));
	ASSERT_EQ(0, ima_ctr_activate(&later, NULL, NULL));
	ASSERT_EQ(0, ima_ctr_ns_id(&later, &id[4]));
	for (i = 0; i < 4; i++)
		EXPECT_NE(id[i], id[4]);
	ima_ctr_stop(&later);
}

/*
 * The files act on the namespace that owns the instance, whoever uses
 * them: host root, through a directory of the container's mount or after
 * entering the container's mount namespace (but not its user namespace),
 * configures the container's IMA namespace, not the host's.
 */
FIXTURE(outsider) {
	struct ima_ctr ctr;
	int dirfd;
};

FIXTURE_VARIANT(outsider) {
	bool setns;
};

FIXTURE_VARIANT_ADD(outsider, dir_fd) { .setns = false };
FIXTURE_VARIANT_ADD(outsider, mount_ns) { .setns = true };

FIXTURE_SETUP(outsider)
{
	const char *reason = ima_ns_missing();
	char path[PATH_MAX];

	self->ctr.sock = -1;
	self->dirfd = -1;
	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, ima_ctr_start(&self->ctr, &ima_ctr_rootful));
	ASSERT_EQ(0, ima_ctr_mount(&self->ctr));
	ASSERT_EQ(0, ima_ctr_path(&self->ctr, IMA_DIR, path, sizeof(path)));
	self->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, self->dirfd);
}

FIXTURE_TEARDOWN(outsider)
{
	if (self->dirfd >= 0)
		close(self->dirfd);
	ima_ctr_stop(&self->ctr);
}

static int write_at(int dirfd, const char *name, const char *str)
{
	ssize_t len = strlen(str);
	int fd, ret = 0;

	fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, str, len) != len)
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

/* What outsider_write() writes where, in the container's mount namespace. */
struct ima_file_write {
	const char *name;
	const char *str;
};

static int write_ima_file(void *arg)
{
	const struct ima_file_write *w = arg;
	char file[PATH_MAX];

	snprintf(file, sizeof(file), IMA_DIR "/%s", w->name);
	return write_at(AT_FDCWD, file, w->str);
}

/*
 * As host root, write @str to @name in the container's ima/: through a
 * directory descriptor, or by path after entering its mount namespace.
 */
static int outsider_write(int dirfd, pid_t pid, bool use_setns,
			  const char *name, const char *str)
{
	struct ima_file_write w = { .name = name, .str = str };

	if (!use_setns)
		return write_at(dirfd, name, str);
	return ima_in_mntns(pid, write_ima_file, &w);
}

TEST_F(outsider, configures_container)
{
	static const char *const rules[] = { "measure func=BPRM_CHECK", NULL };
	static const char rule[] = "measure func=BPRM_CHECK\n";
	char *host_before = NULL, *host_after = NULL, *buf;
	bool use_setns = variant->setns;

	read_file(IMA_POLICY, &host_before);
	EXPECT_EQ(0, outsider_write(self->dirfd, self->ctr.pid, use_setns, "hash", "sha1"));
	EXPECT_EQ(0, outsider_write(self->dirfd, self->ctr.pid, use_setns, "template_name",
				    "ima-sig"));
	EXPECT_EQ(0, outsider_write(self->dirfd, self->ctr.pid, use_setns, "active", "1"));
	EXPECT_EQ(0, outsider_write(self->dirfd, self->ctr.pid, use_setns, "policy", rule));
	EXPECT_EQ(-EBUSY, outsider_write(self->dirfd, self->ctr.pid, use_setns, "active", "1"));

	expect_ctr_file(_metadata, &self->ctr, IMA_NS_ACTIVE, "1\n");
	expect_ctr_file(_metadata, &self->ctr, IMA_NS_HASH, "sha1\n");
	expect_ctr_file(_metadata, &self->ctr, IMA_NS_TEMPLATE, "ima-sig\n");
	expect_policy(_metadata, &self->ctr, NULL, rules);
	ASSERT_LT(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_ASCII_LIST,
				  &buf));
	EXPECT_NE(NULL, strstr(buf, " ima-sig sha1:")) {
		TH_LOG("list: %s", buf);
	}
	free(buf);

	/* The host's policy did not change. */
	if (host_before) {
		ASSERT_LE(0, read_file(IMA_POLICY, &host_after));
		EXPECT_STREQ(host_before, host_after);
	}
	free(host_before);
	free(host_after);
}

/*
 * A nested container sees its parent's instance in the mount namespace it
 * inherited, but its root is not the parent namespace's root: it can
 * neither configure nor read the parent's IMA namespace.
 */
TEST_F_TIMEOUT(ctrs, child_cannot_configure_parent, 60)
{
	struct ima_ctr parent, child;
	char *buf;

	ASSERT_EQ(0, ima_ctr_start(&parent, &ima_ctr_rootful));
	ASSERT_EQ(0, ima_ctr_mount(&parent));
	ASSERT_EQ(0, ima_ctr_spawn(&parent, &child, &ima_ctr_rootful));

	EXPECT_EQ(-EPERM, ima_ctr_write_str(&child, IMA_NS_HASH, "sha1"));
	EXPECT_EQ(-EPERM, ima_ctr_write_str(&child, IMA_NS_TEMPLATE,
					    "ima-sig"));
	EXPECT_EQ(-EPERM, ima_ctr_write_str(&child, IMA_NS_KEYRING, "1"));
	EXPECT_EQ(-EPERM, ima_ctr_write_str(&child, IMA_NS_APPRAISE, "log"));
	EXPECT_EQ(-EPERM, ima_ctr_policy_write(&child,
					       "measure func=BPRM_CHECK\n"));
	EXPECT_EQ(-EPERM, ima_ctr_read(&child, IMA_CTR_ROOT, IMA_POLICY,
				       &buf));
	EXPECT_EQ(-EPERM, ima_ctr_write_str(&child, IMA_NS_ACTIVE, "1"));
	expect_ctr_file(_metadata, &parent, IMA_NS_ACTIVE, "0\n");
	expect_ctr_file(_metadata, &parent, IMA_NS_APPRAISE, "enforce\n");

	ASSERT_EQ(0, ima_ctr_write_str(&parent, IMA_NS_ACTIVE, "1"));
	EXPECT_EQ(-EPERM, ima_ctr_policy_write(&child,
					       "measure func=BPRM_CHECK\n"));
	EXPECT_EQ(-EPERM, ima_ctr_read(&child, IMA_CTR_ROOT, IMA_POLICY,
				       &buf));
	expect_ctr_file(_metadata, &parent, IMA_POLICY, "");

	ima_ctr_stop(&child);
	ima_ctr_stop(&parent);
}

/*
 * The host's view: ima/namespaces/<id>/ for every active namespace, root
 * only, with the namespace's lists, counters and policy, gone when the
 * namespace is.
 */
FIXTURE(host_view) {
	struct ima_ctr ctr;
	__u64 id;
};

FIXTURE_SETUP(host_view)
{
	const char *reason = ima_ns_missing();

	self->ctr.sock = -1;
	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, ima_ctr_start(&self->ctr, &ima_ctr_rootful));
	ASSERT_EQ(0, ima_ctr_mount(&self->ctr));
}

FIXTURE_TEARDOWN(host_view)
{
	ima_ctr_stop(&self->ctr);
}

static void activate(struct __test_metadata *_metadata, struct ima_ctr *ctr,
		     __u64 *id)
{
	ASSERT_EQ(0, ima_ctr_write_str(ctr, IMA_NS_ACTIVE, "1"));
	ASSERT_EQ(0, ima_ctr_ns_id(ctr, id));
}

TEST_F(host_view, created_on_activation)
{
	char path[PATH_MAX + NAME_MAX + 2], name[32];
	struct names before, after, want, seen;
	const char *file;
	struct stat st;
	int i, added = 0;

	ASSERT_EQ(0, stat(IMA_HOST_NS_DIR, &st)) {
		TH_LOG("no " IMA_HOST_NS_DIR);
	}
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(0500, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	ASSERT_EQ(0, list_dir(IMA_HOST_NS_DIR, &before));

	activate(_metadata, &self->ctr, &self->id);
	snprintf(name, sizeof(name), "%llu", (unsigned long long)self->id);
	EXPECT_FALSE(names_has(&before, name));
	ASSERT_EQ(0, list_dir(IMA_HOST_NS_DIR, &after));
	EXPECT_TRUE(names_has(&after, name));
	/* Only this one appeared (earlier tests' may have gone meanwhile). */
	for (i = 0; i < after.count; i++)
		added += !names_has(&before, after.name[i]);
	EXPECT_EQ(1, added);

	ASSERT_EQ(0, ima_host_ns_path(self->id, NULL, path, sizeof(path)));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(0500, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);

	ASSERT_EQ(0, host_list_names(&want));
	names_add(&want, "runtime_measurements_count");
	names_add(&want, "violations");
	names_add(&want, "policy");
	names_add(&want, "anchor");
	ASSERT_EQ(0, list_dir(path, &seen));
	expect_names(_metadata, &want, &seen, path);
	for (i = 0; i < seen.count; i++) {
		file = seen.name[i];
		ASSERT_EQ(0, ima_host_ns_path(self->id, file, path,
					      sizeof(path)));
		ASSERT_EQ(0, stat(path, &st));
		EXPECT_TRUE(S_ISREG(st.st_mode)) {
			TH_LOG("%s is not a file", file);
		}
		EXPECT_EQ(0, st.st_uid);
		ASSERT_EQ(0, lstat(path, &st));
		/* Read-only but for anchor, which host root writes. */
		if (!S_ISLNK(st.st_mode))
			EXPECT_EQ(strcmp(file, "anchor") ? 0400 : 0600,
				  st.st_mode & 07777) {
				TH_LOG("%s has mode %o", file,
				       st.st_mode & 07777);
			}
	}
}

/* Each file of the view reads as the namespace's own file does. */
TEST_F(host_view, shows_namespace)
{
	char path[PATH_MAX + NAME_MAX + 2], inside[PATH_MAX + NAME_MAX + 2];
	char dir[PATH_MAX], exe[PATH_MAX + 16], true_prog[PATH_MAX];
	static const char *const rules[] = {
		"measure func=BPRM_CHECK", "dont_measure fsmagic=0x9fa0", NULL
	};
	ssize_t len_mine, len_theirs;
	char *mine, *theirs, *text;
	struct names seen;
	int i;

	activate(_metadata, &self->ctr, &self->id);
	text = ima_policy_text(NULL, rules);
	ASSERT_NE(NULL, text);
	ASSERT_EQ(0, ima_ctr_policy_write(&self->ctr, text));
	free(text);
	/* Something measured, if there is a place to measure it in. */
	if (!ima_scratch_dir(dir, sizeof(dir)) &&
	    !ima_scratch_unusable(dir) && !find_true(true_prog)) {
		snprintf(exe, sizeof(exe), "%s/view-%d", dir, getpid());
		ASSERT_EQ(0, copy_file(true_prog, exe, 0755));
		EXPECT_EQ(0, ima_ctr_exec(&self->ctr, IMA_CTR_ROOT, exe));
		unlink(exe);
	}

	ASSERT_EQ(0, ima_host_ns_path(self->id, NULL, path, sizeof(path)));
	ASSERT_EQ(0, list_dir(path, &seen));
	ASSERT_LT(0, seen.count);
	for (i = 0; i < seen.count; i++) {
		ASSERT_EQ(0, ima_host_ns_path(self->id, seen.name[i], path,
					      sizeof(path)));
		snprintf(inside, sizeof(inside), IMA_DIR "/%s", seen.name[i]);
		len_theirs = read_file(path, &theirs);
		ASSERT_LE(0, len_theirs) {
			TH_LOG("cannot read %s", path);
		}
		len_mine = ima_ctr_read(&self->ctr, IMA_CTR_ROOT, inside, &mine);
		ASSERT_LE(0, len_mine);
		EXPECT_EQ(len_mine, len_theirs);
		EXPECT_EQ(0, memcmp(mine, theirs,
				    len_mine < len_theirs ? len_mine :
				    len_theirs)) {
			TH_LOG("%s differs", seen.name[i]);
		}
		free(mine);
		free(theirs);
	}
	ASSERT_EQ(0, ima_host_ns_path(self->id, "policy", path, sizeof(path)));
	expect_policy(_metadata, NULL, path, rules);
}

TEST_F(host_view, root_only)
{
	char path[PATH_MAX];

	activate(_metadata, &self->ctr, &self->id);
	EXPECT_EQ(-EACCES, host_open_as(HOST_NOBODY_UID, IMA_HOST_NS_DIR,
					O_RDONLY | O_DIRECTORY));
	ASSERT_EQ(0, ima_host_ns_path(self->id, "policy", path, sizeof(path)));
	EXPECT_EQ(-EACCES, host_open_as(HOST_NOBODY_UID, path, O_RDONLY));
	ASSERT_EQ(0, ima_host_ns_path(self->id, "runtime_measurements_count",
				      path, sizeof(path)));
	EXPECT_EQ(-EACCES, host_open_as(HOST_NOBODY_UID, path, O_RDONLY));
	/* Read-only, also for root. */
	ASSERT_EQ(0, ima_host_ns_path(self->id, "policy", path, sizeof(path)));
	EXPECT_GT(0, write_file(path, "measure func=BPRM_CHECK\n", 24, 0, 0)) {
		TH_LOG("%s is writable", path);
	}
	expect_ctr_file(_metadata, &self->ctr, IMA_POLICY, "");
}

/*
 * Each active namespace has one name, its id in decimal: other spellings
 * of it, and names that are no id, are not there.
 */
TEST_F(host_view, one_name_per_namespace)
{
	char path[PATH_MAX], name[48];
	static const char *const formats[] = {
		"0%llu", "+%llu", " %llu", "%llu ", "%llu.", "0x%llx",
	};
	static const char *const others[] = {
		"0", "00", "-1", "18446744073709551616", "x", "..."
	};
	size_t i;

	activate(_metadata, &self->ctr, &self->id);
	ASSERT_EQ(0, ima_host_ns_path(self->id, NULL, path, sizeof(path)));
	ASSERT_EQ(0, access(path, F_OK));

	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		snprintf(name, sizeof(name), formats[i],
			 (unsigned long long)self->id);
		snprintf(path, sizeof(path), IMA_HOST_NS_DIR "/%s", name);
		EXPECT_EQ(-1, access(path, F_OK)) {
			TH_LOG("\"%s\" names namespace %llu", name,
			       (unsigned long long)self->id);
		}
		EXPECT_EQ(ENOENT, errno);
	}
	for (i = 0; i < ARRAY_SIZE(others); i++) {
		snprintf(path, sizeof(path), IMA_HOST_NS_DIR "/%s", others[i]);
		EXPECT_EQ(-1, access(path, F_OK)) {
			TH_LOG("%s exists", path);
		}
		EXPECT_EQ(ENOENT, errno);
	}
}

/* The view goes when the namespace's last process is gone. */
TEST_F_TIMEOUT(host_view, removed_when_namespace_dies, 60)
{
	char path[PATH_MAX];
	struct timespec ts = { .tv_nsec = 100 * 1000 * 1000 };
	int tries;

	activate(_metadata, &self->ctr, &self->id);
	ASSERT_EQ(0, ima_host_ns_path(self->id, NULL, path, sizeof(path)));
	ASSERT_EQ(0, access(path, F_OK));
	ima_ctr_stop(&self->ctr);
	for (tries = 0; tries < 100 && !access(path, F_OK); tries++)
		nanosleep(&ts, NULL);
	EXPECT_EQ(-1, access(path, F_OK)) {
		TH_LOG("%s still there 10 s after the namespace died", path);
	}
	EXPECT_EQ(ENOENT, errno);
}

/*
 * The view is the host's only: a container's instance has no namespaces/
 * entry for the namespaces nested in it, only files.
 */
TEST_F(host_view, not_in_containers)
{
	char path[PATH_MAX], file[PATH_MAX + NAME_MAX + 2];
	struct ima_ctr child;
	struct names seen;
	__u64 child_id;
	struct stat st;
	int i;

	activate(_metadata, &self->ctr, &self->id);
	ASSERT_EQ(0, ima_ctr_spawn(&self->ctr, &child, &ima_ctr_rootful));
	ASSERT_EQ(0, ima_ctr_activate(&child, NULL, NULL));
	ASSERT_EQ(0, ima_ctr_ns_id(&child, &child_id));

	ASSERT_EQ(0, ima_host_ns_path(child_id, NULL, path, sizeof(path)));
	EXPECT_EQ(0, access(path, F_OK));
	ASSERT_EQ(0, ima_ctr_path(&self->ctr, IMA_DIR, path, sizeof(path)));
	ASSERT_EQ(0, list_dir(path, &seen));
	EXPECT_FALSE(names_has(&seen, "namespaces"));
	for (i = 0; i < seen.count; i++) {
		snprintf(file, sizeof(file), "%s/%s", path, seen.name[i]);
		ASSERT_EQ(0, stat(file, &st));
		EXPECT_TRUE(S_ISREG(st.st_mode)) {
			TH_LOG("%s is not a file", seen.name[i]);
		}
	}
	ima_ctr_stop(&child);
}

/*
 * Lifetime of a namespace's securityfs instance. A file acts on the
 * namespace of the instance it belongs to, wherever its descriptor goes;
 * an open file keeps the namespace, and its host view, alive after the
 * container is gone; another mount of the instance, over it or besides it,
 * and the unmount of one of two mounts leave the namespace and its list as
 * they were.
 */

/**
 * struct programs - new programs for a container to execute
 * @dir: where they are created, on the host's filesystem; short enough to
 *	 add names to
 * @true_prog: the program they are copies of
 * @missing: why IMA cannot measure them, or NULL
 */
struct programs {
	char dir[256];
	char true_prog[PATH_MAX];
	const char *missing;
};

FIXTURE(lifetime) {
	struct ima_ctr ctr;
	/* A container with an IMA namespace of its own, alive at once. */
	struct ima_ctr sibling;
	__u64 id;
	/* A mount point in progs.dir. */
	char mnt[PATH_MAX];
	struct programs progs;
};

FIXTURE_SETUP(lifetime)
{
	const char *reason = ima_ns_missing();
	char scratch[PATH_MAX];

	self->ctr.sock = -1;
	self->sibling.sock = -1;
	self->progs.dir[0] = '\0';
	self->progs.missing = NULL;
	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, ima_scratch_dir(scratch, sizeof(scratch)));
	ASSERT_GT(sizeof(self->progs.dir),
		  snprintf(self->progs.dir, sizeof(self->progs.dir),
			   "%s/lifetime-XXXXXX", scratch));
	ASSERT_NE(NULL, mkdtemp(self->progs.dir));
	ASSERT_EQ(0, chmod(self->progs.dir, 0755));
	snprintf(self->mnt, sizeof(self->mnt), "%s/mnt", self->progs.dir);
	ASSERT_EQ(0, mkdir(self->mnt, 0755));
	self->progs.missing = ima_scratch_unusable(scratch);
	if (!self->progs.missing && find_true(self->progs.true_prog))
		self->progs.missing = "no 'true' program to execute";

	ASSERT_EQ(0, ima_ctr_start(&self->ctr, &ima_ctr_rootful));
	ASSERT_EQ(0, ima_ctr_mount(&self->ctr));
}

FIXTURE_TEARDOWN(lifetime)
{
	ima_ctr_stop(&self->sibling);
	ima_ctr_stop(&self->ctr);
	if (self->progs.dir[0])
		remove_tree(self->progs.dir);
}

/*
 * Activate a namespace with the ima-ns template, so that every entry of
 * its list, boot_aggregate first, carries its id.
 */
static void activate_ima_ns(struct __test_metadata *_metadata,
			    struct ima_ctr *ctr, __u64 *id)
{
	ASSERT_EQ(0, ima_ctr_write_str(ctr, IMA_NS_TEMPLATE, "ima-ns"));
	activate(_metadata, ctr, id);
}

/* Start the sibling container with its securityfs instance mounted. */
static void start_sibling(struct __test_metadata *_metadata,
			  struct ima_ctr *sibling)
{
	ASSERT_EQ(0, ima_ctr_start(sibling, &ima_ctr_rootful));
	ASSERT_EQ(0, ima_ctr_mount(sibling));
}

/* Path of the file @name of the ima/ of securityfs mounted on @dir. */
static void ima_file_at(struct __test_metadata *_metadata, char *buf,
			size_t size, const char *dir, const char *name)
{
	ASSERT_GT(size, snprintf(buf, size, "%s/ima/%s", dir, name));
}

/* Host root's path to @path in the container. */
static void host_path(struct __test_metadata *_metadata,
		      const struct ima_ctr *ctr, const char *path, char *buf,
		      size_t size)
{
	ASSERT_EQ(0, ima_ctr_path(ctr, path, buf, size));
}

/* Read a descriptor of the test from offset 0, as a fresh open would. */
static ssize_t reread_fd(int fd, char **buf)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	return read_fd(fd, buf);
}

/* Wait up to 10 s for @path to go. Return: true if it went. */
static bool wait_gone(const char *path)
{
	struct timespec ts = { .tv_nsec = 100 * 1000 * 1000 };
	int tries;

	for (tries = 0; tries < 100 && !access(path, F_OK); tries++)
		nanosleep(&ts, NULL);
	return access(path, F_OK) && errno == ENOENT;
}

/*
 * Create the program @name in @progs and execute it in @ctr, so that a
 * policy measuring executions measures it; its path goes to @path.
 */
static void exec_new(struct __test_metadata *_metadata, struct ima_ctr *ctr,
		     const struct programs *progs, const char *name,
		     char *path, size_t size)
{
	ASSERT_GT(size, snprintf(path, size, "%s/%s", progs->dir, name));
	ASSERT_EQ(0, copy_file(progs->true_prog, path, 0755));
	ASSERT_EQ(0, ima_ctr_exec(ctr, IMA_CTR_ROOT, path));
}

/* Does an ascii list name @path? */
static bool list_names(const char *list, const char *path)
{
	char word[PATH_MAX + 2];

	snprintf(word, sizeof(word), " %s ", path);
	return strstr(list, word);
}

/*
 * Check that securityfs mounted on @dir in the container is the instance
 * of the active namespace @id whose ascii list is @list (if not NULL).
 */
static void expect_instance(struct __test_metadata *_metadata,
			    struct ima_ctr *ctr, const char *dir, __u64 id,
			    const char *list)
{
	char path[PATH_MAX], host[PATH_MAX + 32], want[32], *buf;
	struct statfs sfs;

	host_path(_metadata, ctr, dir, host, sizeof(host));
	ASSERT_EQ(0, statfs(host, &sfs));
	EXPECT_EQ(SECURITYFS_MAGIC, sfs.f_type) {
		TH_LOG("%s: f_type %#lx", dir, (unsigned long)sfs.f_type);
	}
	ima_file_at(_metadata, path, sizeof(path), dir, "active");
	expect_ctr_file(_metadata, ctr, path, "1\n");
	snprintf(want, sizeof(want), "%llu\n", (unsigned long long)id);
	ima_file_at(_metadata, path, sizeof(path), dir, "ns_id");
	expect_ctr_file(_metadata, ctr, path, want);
	if (!list)
		return;
	ima_file_at(_metadata, path, sizeof(path), dir,
		    "ascii_runtime_measurements");
	ASSERT_LE(0, ima_ctr_read(ctr, IMA_CTR_ROOT, path, &buf));
	EXPECT_STREQ(list, buf) {
		TH_LOG("%s: another list", dir);
	}
	free(buf);
}

/*
 * Execute the new program @name in @ctr and check that its namespace, @id,
 * measures it: in the list read through securityfs mounted on @dir, and
 * in the host view.
 */
static void expect_measuring(struct __test_metadata *_metadata,
			     struct ima_ctr *ctr, __u64 id,
			     const struct programs *progs, const char *dir,
			     const char *name)
{
	char exe[PATH_MAX], path[PATH_MAX], *buf;

	exec_new(_metadata, ctr, progs, name, exe, sizeof(exe));
	ima_file_at(_metadata, path, sizeof(path), dir,
		    "ascii_runtime_measurements");
	ASSERT_LE(0, ima_ctr_read(ctr, IMA_CTR_ROOT, path, &buf));
	EXPECT_TRUE(list_names(buf, exe)) {
		TH_LOG("%s not measured", exe);
	}
	free(buf);
	ASSERT_EQ(0, ima_host_ns_path(id, "ascii_runtime_measurements",
				      path, sizeof(path)));
	ASSERT_LE(0, read_file(path, &buf));
	EXPECT_TRUE(list_names(buf, exe)) {
		TH_LOG("%s not in the host view", exe);
	}
	free(buf);
}

/*
 * The namespace's root opens its policy for writing and passes the
 * descriptor on: rules written through it, by host root or by the root of
 * a sibling container, go to the namespace that opened it (and show in
 * the host view), not to the writer's.
 */
TEST_F_TIMEOUT(lifetime, policy_fd_passed, 60)
{
	static const char rule1[] = "measure func=BPRM_CHECK\n";
	static const char rule2[] = "dont_measure fsmagic=0x9fa0\n";
	static const char *const one[] = { "measure func=BPRM_CHECK", NULL };
	static const char *const two[] = {
		"measure func=BPRM_CHECK", "dont_measure fsmagic=0x9fa0", NULL
	};
	char *host_before = NULL, *host_after = NULL;
	char view[PATH_MAX];
	__u64 sibling_id;
	int fd, sfd;

	activate_ima_ns(_metadata, &self->ctr, &self->id);
	start_sibling(_metadata, &self->sibling);
	activate_ima_ns(_metadata, &self->sibling, &sibling_id);
	ASSERT_EQ(0, ima_host_ns_path(self->id, "policy", view, sizeof(view)));
	read_file(IMA_POLICY, &host_before);

	/* To host root. */
	fd = ima_ctr_pass_fd(&self->ctr, IMA_CTR_ROOT, IMA_POLICY, O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ((ssize_t)sizeof(rule1) - 1,
		  write(fd, rule1, sizeof(rule1) - 1));
	EXPECT_EQ(0, close(fd));
	expect_policy(_metadata, &self->ctr, NULL, one);
	expect_policy(_metadata, NULL, view, one);
	expect_ctr_file(_metadata, &self->sibling, IMA_POLICY, "");

	/* To the sibling's root, the only holder once the test closes it. */
	fd = ima_ctr_pass_fd(&self->ctr, IMA_CTR_ROOT, IMA_POLICY, O_WRONLY);
	ASSERT_LE(0, fd);
	sfd = ima_ctr_take_fd(&self->sibling, fd);
	ASSERT_LE(0, sfd);
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ((ssize_t)sizeof(rule2) - 1,
		  ima_ctr_fd_write(&self->sibling, sfd, rule2,
				   sizeof(rule2) - 1));
	EXPECT_EQ(0, ima_ctr_close(&self->sibling, sfd));
	expect_policy(_metadata, &self->ctr, NULL, two);
	expect_policy(_metadata, NULL, view, two);
	expect_ctr_file(_metadata, &self->sibling, IMA_POLICY, "");

	if (host_before) {
		ASSERT_LE(0, read_file(IMA_POLICY, &host_after));
		EXPECT_STREQ(host_before, host_after) {
			TH_LOG("the host's policy changed");
		}
	}
	free(host_before);
	free(host_after);
}

/*
 * ima/active opened before activation and passed on: "1" written through
 * it, by the sibling's root or by host root, activates the namespace that
 * opened it, not the writer's.
 */
TEST_F_TIMEOUT(lifetime, active_fd_passed, 60)
{
	char path[PATH_MAX], *buf;
	__u64 sibling_id;
	int fd, sfd;

	start_sibling(_metadata, &self->sibling);

	/* The container's active file, written by the sibling. */
	fd = ima_ctr_pass_fd(&self->ctr, IMA_CTR_ROOT, IMA_NS_ACTIVE,
			     O_WRONLY);
	ASSERT_LE(0, fd);
	sfd = ima_ctr_take_fd(&self->sibling, fd);
	ASSERT_LE(0, sfd);
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(1, ima_ctr_fd_write(&self->sibling, sfd, "1", 1));
	EXPECT_EQ(0, ima_ctr_close(&self->sibling, sfd));
	expect_ctr_file(_metadata, &self->ctr, IMA_NS_ACTIVE, "1\n");
	expect_ctr_file(_metadata, &self->sibling, IMA_NS_ACTIVE, "0\n");
	EXPECT_EQ(-EPERM, ima_ctr_read(&self->sibling, IMA_CTR_ROOT, IMA_NS_ID,
				       &buf));
	ASSERT_EQ(0, ima_ctr_ns_id(&self->ctr, &self->id));
	ASSERT_EQ(0, ima_host_ns_path(self->id, NULL, path, sizeof(path)));
	EXPECT_EQ(0, access(path, F_OK));

	/* The sibling's active file, written by host root. */
	fd = ima_ctr_pass_fd(&self->sibling, IMA_CTR_ROOT, IMA_NS_ACTIVE,
			     O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, write(fd, "1", 1));
	EXPECT_EQ(0, close(fd));
	expect_ctr_file(_metadata, &self->sibling, IMA_NS_ACTIVE, "1\n");
	ASSERT_EQ(0, ima_ctr_ns_id(&self->sibling, &sibling_id));
	EXPECT_NE(self->id, sibling_id);
	ASSERT_EQ(0, ima_host_ns_path(sibling_id, NULL, path, sizeof(path)));
	EXPECT_EQ(0, access(path, F_OK));

	/* Through the container's file, the container's namespace: active. */
	fd = ima_ctr_pass_fd(&self->ctr, IMA_CTR_ROOT, IMA_NS_ACTIVE,
			     O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, write(fd, "1", 1));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, close(fd));
}

/*
 * A list opened by the namespace's root and passed on reads as that
 * namespace's list, for host root and for the sibling's root alike.
 */
TEST_F_TIMEOUT(lifetime, list_fd_passed, 60)
{
	static const char *const lists[] = {
		IMA_ASCII_LIST, IMA_BINARY_LIST, IMA_COUNT
	};
	char *mine, *theirs, *sibling_list;
	ssize_t len_mine, len;
	__u64 sibling_id;
	size_t i;
	int fd, sfd;

	activate_ima_ns(_metadata, &self->ctr, &self->id);
	start_sibling(_metadata, &self->sibling);
	activate_ima_ns(_metadata, &self->sibling, &sibling_id);
	if (!self->progs.missing)
		ASSERT_EQ(0, ima_ctr_policy_write(&self->ctr,
						  "measure func=BPRM_CHECK\n"));

	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		if (!self->progs.missing) {
			char exe[PATH_MAX], name[16];

			/* Lists and counts of the two namespaces differ. */
			snprintf(name, sizeof(name), "exe-%zu", i);
			exec_new(_metadata, &self->ctr, &self->progs, name,
				 exe, sizeof(exe));
		}
		len_mine = ima_ctr_read(&self->ctr, IMA_CTR_ROOT, lists[i],
					&mine);
		ASSERT_LT(0, len_mine);
		len = ima_ctr_read(&self->sibling, IMA_CTR_ROOT, lists[i],
				   &sibling_list);
		ASSERT_LT(0, len);
		if (strcmp(lists[i], IMA_COUNT) || !self->progs.missing)
			EXPECT_FALSE(len == len_mine &&
				     !memcmp(mine, sibling_list, len)) {
				TH_LOG("%s: the namespaces' are the same",
				       lists[i]);
			}
		free(sibling_list);

		fd = ima_ctr_pass_fd(&self->ctr, IMA_CTR_ROOT, lists[i],
				     O_RDONLY);
		ASSERT_LE(0, fd);
		len = reread_fd(fd, &theirs);
		ASSERT_EQ(len_mine, len) {
			TH_LOG("%s read by host root", lists[i]);
		}
		EXPECT_EQ(0, memcmp(mine, theirs, len)) {
			TH_LOG("%s read by host root", lists[i]);
		}
		free(theirs);

		sfd = ima_ctr_take_fd(&self->sibling, fd);
		ASSERT_LE(0, sfd);
		EXPECT_EQ(0, close(fd));
		len = ima_ctr_fd_read(&self->sibling, sfd, &theirs);
		ASSERT_EQ(len_mine, len) {
			TH_LOG("%s read by the sibling", lists[i]);
		}
		EXPECT_EQ(0, memcmp(mine, theirs, len)) {
			TH_LOG("%s read by the sibling", lists[i]);
		}
		free(theirs);
		EXPECT_EQ(0, ima_ctr_close(&self->sibling, sfd));
		free(mine);
	}
}

/*
 * Host root holds files of the namespace's instance, one opened through
 * /proc/<pid>/root, one passed by the container. All the container's
 * processes exit, and its mounts go with its mount namespace: the files
 * still read the namespace's data, and its host view stays, until the last
 * one is closed.
 */
TEST_F_TIMEOUT(lifetime, files_outlive_container, 60)
{
	char path[PATH_MAX], view[PATH_MAX], sibling_view[PATH_MAX];
	char *list, *count, *buf;
	__u64 sibling_id;
	int list_fd, count_fd;

	activate_ima_ns(_metadata, &self->ctr, &self->id);
	start_sibling(_metadata, &self->sibling);
	activate_ima_ns(_metadata, &self->sibling, &sibling_id);
	ASSERT_EQ(0, ima_host_ns_path(self->id, NULL, view, sizeof(view)));
	ASSERT_EQ(0, ima_host_ns_path(sibling_id, NULL, sibling_view,
				      sizeof(sibling_view)));

	host_path(_metadata, &self->ctr, IMA_ASCII_LIST, path, sizeof(path));
	list_fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, list_fd);
	count_fd = ima_ctr_pass_fd(&self->ctr, IMA_CTR_ROOT, IMA_COUNT,
				   O_RDONLY);
	ASSERT_LE(0, count_fd);
	ASSERT_LT(0, reread_fd(list_fd, &list));
	EXPECT_NE(NULL, strstr(list, " boot_aggregate "));
	ASSERT_LT(0, reread_fd(count_fd, &count));
	EXPECT_STREQ("1\n", count);

	/*
	 * Both containers die; the sibling's namespace, of which no file is
	 * open, shows how long its teardown takes.
	 */
	ima_ctr_stop(&self->ctr);
	ima_ctr_stop(&self->sibling);
	EXPECT_TRUE(wait_gone(sibling_view)) {
		TH_LOG("%s still there 10 s after the namespace died",
		       sibling_view);
	}
	EXPECT_EQ(0, access(view, F_OK)) {
		TH_LOG("%s gone with files of the namespace open", view);
	}

	ASSERT_LE(0, reread_fd(list_fd, &buf));
	EXPECT_STREQ(list, buf);
	free(buf);
	ASSERT_LE(0, reread_fd(count_fd, &buf));
	EXPECT_STREQ(count, buf);
	free(buf);
	ASSERT_EQ(0, ima_host_ns_path(self->id, "runtime_measurements_count",
				      path, sizeof(path)));
	ASSERT_LE(0, read_file(path, &buf)) {
		TH_LOG("cannot read %s", path);
	}
	EXPECT_STREQ(count, buf);
	free(buf);

	/* One file still open: the namespace stays. */
	EXPECT_EQ(0, close(list_fd));
	ASSERT_LE(0, reread_fd(count_fd, &buf));
	EXPECT_STREQ(count, buf);
	free(buf);
	EXPECT_EQ(0, access(view, F_OK));

	EXPECT_EQ(0, close(count_fd));
	EXPECT_TRUE(wait_gone(view)) {
		TH_LOG("%s still there 10 s after the last file was closed",
		       view);
	}
	free(list);
	free(count);
}

/*
 * The same with a directory: the root of the instance, held by host root,
 * still opens the namespace's files after the container is gone.
 */
TEST_F_TIMEOUT(lifetime, root_dir_outlives_container, 60)
{
	char path[PATH_MAX], view[PATH_MAX], sibling_view[PATH_MAX];
	char want[32], *list, *buf;
	__u64 sibling_id;
	int dir_fd, fd;

	activate_ima_ns(_metadata, &self->ctr, &self->id);
	start_sibling(_metadata, &self->sibling);
	activate_ima_ns(_metadata, &self->sibling, &sibling_id);
	ASSERT_EQ(0, ima_host_ns_path(self->id, NULL, view, sizeof(view)));
	ASSERT_EQ(0, ima_host_ns_path(sibling_id, NULL, sibling_view,
				      sizeof(sibling_view)));
	ASSERT_LT(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_ASCII_LIST,
				  &list));
	host_path(_metadata, &self->ctr, "/sys/kernel/security", path,
		  sizeof(path));
	dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dir_fd);

	ima_ctr_stop(&self->ctr);
	ima_ctr_stop(&self->sibling);
	EXPECT_TRUE(wait_gone(sibling_view)) {
		TH_LOG("%s still there 10 s after the namespace died",
		       sibling_view);
	}
	EXPECT_EQ(0, access(view, F_OK)) {
		TH_LOG("%s gone with the instance's root open", view);
	}

	fd = openat(dir_fd, "ima/ns_id", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) {
		TH_LOG("openat(ima/ns_id): %s", strerror(errno));
	}
	ASSERT_LE(0, read_fd(fd, &buf));
	snprintf(want, sizeof(want), "%llu\n", (unsigned long long)self->id);
	EXPECT_STREQ(want, buf);
	free(buf);
	EXPECT_EQ(0, close(fd));
	fd = openat(dir_fd, "ima/ascii_runtime_measurements",
		    O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, read_fd(fd, &buf));
	EXPECT_STREQ(list, buf);
	free(buf);
	EXPECT_EQ(0, close(fd));
	free(list);

	EXPECT_EQ(0, close(dir_fd));
	EXPECT_TRUE(wait_gone(view)) {
		TH_LOG("%s still there 10 s after the root was closed", view);
	}
}

/*
 * The container's root mounts a tmpfs over its securityfs: the namespace
 * stays active and keeps measuring, a new mount elsewhere is the same
 * instance, statfs tells the tmpfs from the instance, and the instance is
 * back when the tmpfs goes.
 */
TEST_F_TIMEOUT(lifetime, overmount, 60)
{
	char path[PATH_MAX], host[PATH_MAX + 32], want[32], *list, *buf;
	struct stat orig, other;
	struct statfs sfs;

	if (self->progs.missing)
		SKIP(return, "%s", self->progs.missing);
	activate_ima_ns(_metadata, &self->ctr, &self->id);
	ASSERT_EQ(0, ima_ctr_policy_write(&self->ctr,
					  "measure func=BPRM_CHECK\n"));
	exec_new(_metadata, &self->ctr, &self->progs, "before", path,
		 sizeof(path));
	ASSERT_LT(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_ASCII_LIST,
				  &list));
	EXPECT_TRUE(list_names(list, path));

	ASSERT_EQ(0, ima_ctr_mount_fs(&self->ctr, "tmpfs",
				      "/sys/kernel/security"));
	host_path(_metadata, &self->ctr, "/sys/kernel/security", host,
		  sizeof(host));
	ASSERT_EQ(0, statfs(host, &sfs));
	EXPECT_EQ(TMPFS_MAGIC, sfs.f_type);
	EXPECT_EQ(-ENOENT, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_NS_ID,
					&buf));

	ASSERT_EQ(0, ima_ctr_mount_fs(&self->ctr, "securityfs", self->mnt));
	expect_instance(_metadata, &self->ctr, self->mnt, self->id, list);
	ASSERT_EQ(0, ima_host_ns_path(self->id, NULL, path, sizeof(path)));
	EXPECT_EQ(0, access(path, F_OK));
	expect_measuring(_metadata, &self->ctr, self->id, &self->progs,
			 self->mnt, "overmounted");

	ASSERT_EQ(0, ima_ctr_umount(&self->ctr, "/sys/kernel/security"));
	ima_file_at(_metadata, path, sizeof(path), self->mnt,
		    "ascii_runtime_measurements");
	free(list);
	ASSERT_LT(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, path, &list));
	expect_instance(_metadata, &self->ctr, "/sys/kernel/security",
			self->id, list);
	ASSERT_EQ(0, stat(host, &orig));
	host_path(_metadata, &self->ctr, self->mnt, path, sizeof(path));
	ASSERT_EQ(0, stat(path, &other));
	EXPECT_EQ(orig.st_dev, other.st_dev);
	snprintf(want, sizeof(want), "%llu\n", (unsigned long long)self->id);
	expect_ctr_file(_metadata, &self->ctr, IMA_NS_ID, want);
	free(list);
}

/*
 * A second mount in the same user namespace is the same instance: same
 * device, namespace, list and policy, written through either.
 */
TEST_F_TIMEOUT(lifetime, second_mount, 60)
{
	static const char *const rules[] = {
		"measure func=BPRM_CHECK", "dont_measure fsmagic=0x9fa0", NULL
	};
	char path[PATH_MAX], host[PATH_MAX + 32], *list;
	struct stat orig, other;

	activate_ima_ns(_metadata, &self->ctr, &self->id);
	ASSERT_EQ(0, ima_ctr_policy_write(&self->ctr,
					  "measure func=BPRM_CHECK\n"));
	ASSERT_LT(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_ASCII_LIST,
				  &list));

	ASSERT_EQ(0, ima_ctr_mount_fs(&self->ctr, "securityfs", self->mnt));
	expect_instance(_metadata, &self->ctr, self->mnt, self->id, list);
	free(list);
	host_path(_metadata, &self->ctr, "/sys/kernel/security", host,
		  sizeof(host));
	ASSERT_EQ(0, stat(host, &orig));
	host_path(_metadata, &self->ctr, self->mnt, host, sizeof(host));
	ASSERT_EQ(0, stat(host, &other));
	EXPECT_EQ(orig.st_dev, other.st_dev);

	ima_file_at(_metadata, path, sizeof(path), self->mnt, "policy");
	ASSERT_EQ(0, ima_ctr_write_str(&self->ctr, path,
				       "dont_measure fsmagic=0x9fa0\n"));
	expect_policy(_metadata, &self->ctr, NULL, rules);
}

/*
 * Unmounting one of two mounts, the second or the first, leaves the
 * namespace active, measuring, with its list, and its host view.
 */
TEST_F_TIMEOUT(lifetime, umount_one_of_two, 60)
{
	char path[PATH_MAX], *list;

	if (self->progs.missing)
		SKIP(return, "%s", self->progs.missing);
	activate_ima_ns(_metadata, &self->ctr, &self->id);
	ASSERT_EQ(0, ima_ctr_policy_write(&self->ctr,
					  "measure func=BPRM_CHECK\n"));
	exec_new(_metadata, &self->ctr, &self->progs, "first", path,
		 sizeof(path));
	ASSERT_EQ(0, ima_host_ns_path(self->id, NULL, path, sizeof(path)));

	/* The second goes. */
	ASSERT_EQ(0, ima_ctr_mount_fs(&self->ctr, "securityfs", self->mnt));
	ASSERT_LT(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_ASCII_LIST,
				  &list));
	ASSERT_EQ(0, ima_ctr_umount(&self->ctr, self->mnt));
	expect_instance(_metadata, &self->ctr, "/sys/kernel/security",
			self->id, list);
	free(list);
	EXPECT_EQ(0, access(path, F_OK));
	expect_measuring(_metadata, &self->ctr, self->id, &self->progs,
			 "/sys/kernel/security", "after-second");

	/* The first goes. */
	ASSERT_EQ(0, ima_ctr_mount_fs(&self->ctr, "securityfs", self->mnt));
	ASSERT_LT(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_ASCII_LIST,
				  &list));
	ASSERT_EQ(0, ima_ctr_umount(&self->ctr, "/sys/kernel/security"));
	expect_instance(_metadata, &self->ctr, self->mnt, self->id, list);
	free(list);
	EXPECT_EQ(0, access(path, F_OK));
	expect_measuring(_metadata, &self->ctr, self->id, &self->progs,
			 self->mnt, "after-first");
}

TEST_HARNESS_MAIN
