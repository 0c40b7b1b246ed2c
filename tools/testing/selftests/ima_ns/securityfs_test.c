// SPDX-License-Identifier: GPL-2.0-only
/*
 * securityfs in user namespaces: each user namespace mounts an instance of
 * its own, owned by its root, the host's instance is unchanged, and a
 * filesystem context cannot create the instance of another user namespace.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "ima_ns_util.h"

#define HOST_SECURITYFS	"/sys/kernel/security"
/* An unprivileged user on the host: the container's root maps to it. */
#define CONTAINER_UID	1000

static int write_str(const char *path, const char *str)
{
	int fd = open(path, O_WRONLY);
	ssize_t len = strlen(str);

	if (fd < 0)
		return -errno;
	if (write(fd, str, len) != len) {
		int err = -errno;

		close(fd);
		return err;
	}
	return close(fd) ? -errno : 0;
}

/*
 * Become root of new user and mount namespaces whose root is @uid outside,
 * as an unprivileged container runtime would, with a private tmpfs on /tmp.
 */
static int enter_container(uid_t uid)
{
	char map[32];
	int err;

	if (setgid(uid) || setuid(uid))
		return -errno;
	/* setuid() made us undumpable: /proc/self would belong to root. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return -errno;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		return -errno;
	snprintf(map, sizeof(map), "0 %u 1", uid);
	err = write_str("/proc/self/setgroups", "deny");
	if (!err)
		err = write_str("/proc/self/uid_map", map);
	if (!err)
		err = write_str("/proc/self/gid_map", map);
	if (err)
		return err;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", "/tmp", "tmpfs", 0, NULL))
		return -errno;
	return 0;
}

static int mount_securityfs(const char *dir)
{
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return mount("securityfs", dir, "securityfs", 0, NULL) ? -errno : 0;
}

/* Entries of a securityfs directory other than IMA's own. */
static int count_foreign_entries(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strcmp(de->d_name, "ima") && strcmp(de->d_name, "integrity"))
			n++;
	closedir(d);
	return n;
}

TEST(host_instance_unchanged)
{
	struct stat st;

	if (stat(HOST_SECURITYFS "/lsm", &st))
		SKIP(return, "no securityfs at " HOST_SECURITYFS);
	EXPECT_EQ(0, stat(HOST_SECURITYFS "/ima", &st));
	EXPECT_EQ(0, st.st_uid);
}

TEST(mount_in_user_namespace)
{
	struct stat st;

	ASSERT_EQ(0, enter_container(CONTAINER_UID));
	EXPECT_EQ(0, mount_securityfs("/tmp/security"));
	/* A new instance: none of the host's files, at most IMA's own. */
	EXPECT_EQ(0, count_foreign_entries("/tmp/security"));
	/* Owned by the container's root, as seen from inside. */
	ASSERT_EQ(0, stat("/tmp/security", &st));
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
}

TEST(one_instance_per_user_namespace)
{
	struct stat host, first, second;

	ASSERT_EQ(0, stat(HOST_SECURITYFS, &host));
	ASSERT_EQ(0, enter_container(CONTAINER_UID));
	ASSERT_EQ(0, mount_securityfs("/tmp/first"));
	ASSERT_EQ(0, mount_securityfs("/tmp/second"));
	ASSERT_EQ(0, stat("/tmp/first", &first));
	ASSERT_EQ(0, stat("/tmp/second", &second));
	/* Two mounts in one user namespace share its superblock... */
	EXPECT_EQ(first.st_dev, second.st_dev);
	/* ...which is not the host's. */
	EXPECT_NE(host.st_dev, first.st_dev);
}

/* Two containers alive at once have instances of their own. */
TEST(sibling_instances_differ)
{
	int report[2], release[2];
	pid_t pids[2];
	dev_t devs[2];
	int i, status;

	ASSERT_EQ(0, pipe(release));
	for (i = 0; i < 2; i++) {
		struct stat st;

		ASSERT_EQ(0, pipe(report));
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (!pids[i]) {
			char byte;

			close(report[0]);
			close(release[1]);
			if (enter_container(CONTAINER_UID + i) ||
			    mount_securityfs("/tmp/security") ||
			    stat("/tmp/security", &st) ||
			    write(report[1], &st.st_dev, sizeof(st.st_dev)) !=
			    sizeof(st.st_dev))
				_exit(1);
			/* Keep the instance until both were looked at. */
			_exit(read(release[0], &byte, 1) != 0);
		}
		close(report[1]);
		ASSERT_EQ(sizeof(devs[i]),
			  read(report[0], &devs[i], sizeof(devs[i])));
		close(report[0]);
	}
	close(release[1]);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_EQ(0, status);
	}
	EXPECT_NE(devs[0], devs[1]);
}

/*
 * A container's root opens a securityfs context and hands it to host root:
 * the instance it would create belongs to the container's user namespace,
 * and host root is not in it.
 */
TEST(fscontext_of_another_user_namespace)
{
	int sock[2], fd, status;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sock));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		close(sock[0]);
		if (enter_container(CONTAINER_UID))
			_exit(1);
		fd = fsopen("securityfs", FSOPEN_CLOEXEC);
		if (fd < 0 || send_fd(sock[1], fd))
			_exit(2);
		/* Stay alive, so is the user namespace, until the test ends. */
		_exit(read(sock[1], &status, 1) < 0);
	}
	close(sock[1]);
	fd = recv_fd(sock[0]);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	close(sock[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
}

TEST_HARNESS_MAIN
