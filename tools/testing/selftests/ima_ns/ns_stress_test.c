// SPDX-License-Identifier: GPL-2.0-only
/*
 * IMA namespaces under load and at teardown: many namespaces alive and
 * measuring at once, namespaces created and torn down while others
 * measure shared files that the host keeps changing and while inodes are
 * evicted, policy writes racing the file hooks, namespaces dying with
 * their securityfs files open or passed on, with a securityfs context or
 * a detached mount held by the host; and the limits: max_ima_namespaces
 * and the memory cgroup that pays for a container's measurement list.
 *
 * "make test" runs the quick sizes; "make stress" sets IMA_NS_STRESS
 * (keys: ns, workers, rounds, secs, teardowns, entries) for the long
 * ones. Every test prints what it reached on a "# stress:" line. Kernel
 * splats and kmemleak reports are caught by the runner.
 *
 * Needs root and a kernel with CONFIG_IMA_NS; skips otherwise.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/mount.h>

#include "../kselftest_harness.h"
#include "ima_ns_ctr.h"

#define SHIFT_BASE	100000
#define SHIFT_COUNT	65536
#define NR_SHARED	4
#define MAX_NS		1024
#define SYSCTL_DROP	"/proc/sys/vm/drop_caches"
#define CGROUP_ROOT	"/sys/fs/cgroup"

static const struct ima_ctr_ids shifted = {
	.owner = IMA_CTR_KEEP_UID, .base = SHIFT_BASE, .count = SHIFT_COUNT,
};

static const char measure_policy[] =
	"measure func=FILE_CHECK mask=MAY_READ\n"
	"measure func=FILE_CHECK mask=MAY_WRITE\n"
	"dont_appraise fsmagic=0x1234\n";

/*
 * A namespace whose root is the host's may audit, too; one in eight does,
 * as every record also goes to the console.
 */
static const char audit_policy[] =
	"measure func=FILE_CHECK mask=MAY_READ\n"
	"measure func=FILE_CHECK mask=MAY_WRITE\n"
	"dont_appraise fsmagic=0x1234\n"
	"audit func=FILE_CHECK mask=MAY_READ\n";

static const char *policy_for(const struct ima_ctr_ids *ids, long n)
{
	return ids == &ima_ctr_rootful && n % 8 == 0 ? audit_policy :
						     measure_policy;
}

/* Templates and hashes the namespaces of the churn cycle through. */
static const char *const templates[] = { NULL, "ima-ns", "ima-sig", "ima" };
static const char *const hashes[] = { NULL, "sha256", "sha1", NULL };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void stress_note(const char *fmt, ...)
{
	va_list ap;

	printf("# stress: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Start a container with @ids, activate it and give it @policy. */
static int start_ns(struct ima_ctr *ctr, const struct ima_ctr_ids *ids,
		    const char *hash, const char *template, const char *policy)
{
	int ret;

	ret = ima_ctr_start(ctr, ids);
	if (ret)
		return ret;
	ret = ima_ctr_activate(ctr, hash, template);
	if (!ret && policy)
		ret = ima_ctr_policy_write(ctr, policy);
	if (ret)
		ima_ctr_stop(ctr);
	return ret;
}

/* Write @len bytes of fresh content to @path (created 0666). */
static int write_fresh(const char *path, unsigned int seed)
{
	char buf[64];
	int len = snprintf(buf, sizeof(buf), "content %u %ld\n", seed,
			   random());

	return write_file(path, buf, len, O_CREAT | O_TRUNC, 0666);
}

/* A child that calls @fn until it is killed; returns its pid. */
static pid_t start_loop(void (*fn)(void *arg), void *arg)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	/* Hold no container's socket: its end must close with the test's. */
	close_range(3, ~0U, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	srandom(getpid());
	for (;;)
		fn(arg);
}

static void stop_loop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Evict what the dcache and icache can let go. */
static void evict_inodes(void *arg)
{
	write_file(SYSCTL_DROP, "2\n", 2, 0, 0);
	usleep(50000);
}

struct shared_files {
	char path[NR_SHARED][PATH_MAX];
};

/* The host rewrites the shared files that the containers measure. */
static void rewrite_shared(void *arg)
{
	struct shared_files *shared = arg;
	int i;

	for (i = 0; i < NR_SHARED; i++)
		write_fresh(shared->path[i], i);
	usleep(2000);
}

FIXTURE(stress) {
	char dir[PATH_MAX / 4];
	struct shared_files shared;
	pid_t writer, evictor;
	/* max_ima_namespaces before the test raised it, or "". */
	char saved_limit[32];
};

/*
 * The long sizes run more namespaces at once (and, freed asynchronously,
 * in a row) than the default max_ima_namespaces (128) allows one user:
 * lift it for the test, which is not about the limit.
 */
static int lift_ns_limit(char *saved, size_t size)
{
	char *buf, want[32];
	ssize_t len;

	len = read_file(IMA_NS_SYSCTL, &buf);
	if (len < 0)
		return len;
	snprintf(saved, size, "%s", buf);
	free(buf);
	snprintf(want, sizeof(want), "%d\n", 4 * MAX_NS);
	return write_file(IMA_NS_SYSCTL, want, strlen(want), 0, 0);
}

FIXTURE_SETUP(stress)
{
	const char *reason = ima_ns_missing();
	int i;

	self->writer = -1;
	self->evictor = -1;
	self->saved_limit[0] = '\0';
	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, lift_ns_limit(self->saved_limit,
				   sizeof(self->saved_limit)));
	ASSERT_EQ(0, ima_scratch_dir(self->dir, sizeof(self->dir)));
	if (ima_scratch_is_measurable(self->dir))
		SKIP(return, "scratch on tmpfs: set %s", IMA_SCRATCH_ENV);
	ASSERT_EQ(0, chmod(self->dir, 0777));
	for (i = 0; i < NR_SHARED; i++) {
		snprintf(self->shared.path[i], PATH_MAX, "%s/shared%d",
			 self->dir, i);
		ASSERT_EQ(0, write_fresh(self->shared.path[i], i));
	}
}

FIXTURE_TEARDOWN(stress)
{
	stop_loop(self->writer);
	stop_loop(self->evictor);
	if (self->saved_limit[0])
		write_file(IMA_NS_SYSCTL, self->saved_limit,
			   strlen(self->saved_limit), 0, 0);
}

/*
 * One round of a container's life: read the shared files, write and read
 * a private one, and find the private one in the namespace's own list.
 * Return: 0, or a negative errno with a message on stderr.
 */
static int measure_round(struct ima_ctr *ctr, const struct shared_files *sh,
			 const char *private, unsigned int seed)
{
	char *buf;
	ssize_t len;
	int i, ret;

	for (i = 0; i < NR_SHARED; i++) {
		len = ima_ctr_read(ctr, IMA_CTR_ROOT, sh->path[i], &buf);
		if (len < 0) {
			fprintf(stderr, "# read %s: %zd\n", sh->path[i], len);
			return len;
		}
		free(buf);
	}
	ret = ima_ctr_write(ctr, IMA_CTR_ROOT, private, &seed, sizeof(seed),
			    O_CREAT | O_TRUNC, 0644);
	if (ret) {
		fprintf(stderr, "# write %s: %d\n", private, ret);
		return ret;
	}
	len = ima_ctr_read(ctr, IMA_CTR_ROOT, private, &buf);
	if (len < 0) {
		fprintf(stderr, "# read %s: %zd\n", private, len);
		return len;
	}
	free(buf);
	len = ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_ASCII_LIST, &buf);
	if (len < 0) {
		fprintf(stderr, "# read own list: %zd\n", len);
		return len;
	}
	ret = strstr(buf, private) ? 0 : -ENOENT;
	if (ret)
		fprintf(stderr, "# %s not in its namespace's list\n", private);
	free(buf);
	return ret;
}

/*
 * Hundreds of namespaces alive at once, several processes driving them in
 * parallel, while the host rewrites the files they measure and evicts
 * inodes; then all of them die together.
 */
TEST_F_TIMEOUT(stress, many_alive, 7200)
{
	long nr = ima_stress_param("ns", 24), rounds =
		ima_stress_param("rounds", 2);
	long drivers = ima_stress_param("workers", 4);
	static struct ima_ctr ctrs[MAX_NS];
	char private[PATH_MAX];
	int i, d, status, failed = 0;
	double start = now();
	pid_t pid[64];

	if (nr > MAX_NS)
		nr = MAX_NS;
	if (drivers > 64)
		drivers = 64;
	for (i = 0; i < nr; i++) {
		const struct ima_ctr_ids *ids = i % 2 ? &shifted :
						&ima_ctr_rootful;

		ASSERT_EQ(0, start_ns(&ctrs[i], ids, hashes[i % 4],
				      templates[i % 4], policy_for(ids, i))) {
			TH_LOG("namespace %d of %ld", i, nr);
		}
	}
	stress_note("many_alive: %ld namespaces active after %.1fs", nr,
		    now() - start);
	self->writer = start_loop(rewrite_shared, &self->shared);
	self->evictor = start_loop(evict_inodes, NULL);
	for (d = 0; d < drivers; d++) {
		pid[d] = fork();
		ASSERT_LE(0, pid[d]);
		if (pid[d])
			continue;
		for (long r = 0; r < rounds; r++) {
			for (i = d; i < nr; i += drivers) {
				snprintf(private, sizeof(private),
					 "%s/private%d", self->dir, i);
				if (measure_round(&ctrs[i], &self->shared,
						  private, r))
					_exit(1);
			}
		}
		_exit(0);
	}
	for (d = 0; d < drivers; d++) {
		ASSERT_EQ(pid[d], waitpid(pid[d], &status, 0));
		failed += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	EXPECT_EQ(0, failed);
	for (i = 0; i < nr; i++)
		ima_ctr_stop(&ctrs[i]);
	stress_note("many_alive: %ld namespaces x %ld rounds, %ld drivers, %.1fs",
		    nr, rounds, drivers, now() - start);
}

/*
 * Workers create, activate, use and tear down namespaces as fast as they
 * can, while the host rewrites the shared files and evicts inodes.
 */
TEST_F_TIMEOUT(stress, churn, 7200)
{
	long workers = ima_stress_param("workers", 4);
	long rounds = ima_stress_param("rounds", 2) * 2;
	char private[PATH_MAX];
	int w, status, failed = 0;
	double start = now();
	pid_t pid[64];

	if (workers > 64)
		workers = 64;
	self->writer = start_loop(rewrite_shared, &self->shared);
	self->evictor = start_loop(evict_inodes, NULL);
	for (w = 0; w < workers; w++) {
		pid[w] = fork();
		ASSERT_LE(0, pid[w]);
		if (pid[w])
			continue;
		for (long r = 0; r < rounds; r++) {
			const struct ima_ctr_ids *ids =
				(w + r) % 2 ? &shifted : &ima_ctr_rootful;
			struct ima_ctr ctr;
			int ret;

			/* Its own file: the other ids may not write it. */
			snprintf(private, sizeof(private), "%s/churn%d.%ld",
				 self->dir, w, r);
			ret = start_ns(&ctr, ids, hashes[r % 4],
				       templates[(w + r) % 4],
				       policy_for(ids, w + r));
			if (ret) {
				fprintf(stderr, "# worker %d: start: %d\n", w,
					ret);
				_exit(1);
			}
			ret = measure_round(&ctr, &self->shared, private, r);
			ima_ctr_stop(&ctr);
			if (ret)
				_exit(1);
		}
		_exit(0);
	}
	for (w = 0; w < workers; w++) {
		ASSERT_EQ(pid[w], waitpid(pid[w], &status, 0));
		failed += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	EXPECT_EQ(0, failed);
	stress_note("churn: %ld workers x %ld namespaces = %ld, %.1fs",
		    workers, rounds, workers * rounds, now() - start);
}

struct policy_race {
	char path[PATH_MAX];
	int accepted, rejected, errors;
};

/* Host root appends to a container's policy, one rule per session. */
static void append_rules(struct policy_race *race, double until)
{
	char rule[96];
	int i, ret;

	for (i = 0; race->accepted < 1000 && now() < until; i++) {
		if (i % 3 == 2) {
			ret = write_file(race->path, "measure func=BOGUS\n", 19,
					 0, 0);
			if (ret == -EINVAL)
				race->rejected++;
			else
				race->errors++;
			continue;
		}
		snprintf(rule, sizeof(rule),
			 "measure func=FILE_CHECK mask=MAY_READ fowner=%d\n",
			 i + 1);
		ret = write_file(race->path, rule, strlen(rule), 0, 0);
		if (!ret)
			race->accepted++;
		else
			race->errors++;
	}
}

/*
 * Rules are appended to a namespace's policy while its processes open
 * files, the host rewrites them and inodes are evicted: the hooks walk a
 * list that grows under them.
 */
TEST_F_TIMEOUT(stress, policy_races_hooks, 7200)
{
	long secs = ima_stress_param("secs", 5);
	struct policy_race race = {};
	struct ima_ctr ctr;
	double until = now() + secs;
	int pipefd[2], status, reads = 0;
	char *buf, *p;
	pid_t writer;
	long lines = 0;

	ASSERT_EQ(0, start_ns(&ctr, &ima_ctr_rootful, NULL, NULL,
			      "measure func=FILE_CHECK mask=MAY_WRITE\n"));
	ASSERT_EQ(0, ima_ctr_path(&ctr, IMA_POLICY, race.path,
				  sizeof(race.path)));
	self->writer = start_loop(rewrite_shared, &self->shared);
	self->evictor = start_loop(evict_inodes, NULL);
	ASSERT_EQ(0, pipe(pipefd));
	writer = fork();
	ASSERT_LE(0, writer);
	if (!writer) {
		append_rules(&race, until);
		_exit(write(pipefd[1], &race, sizeof(race)) != sizeof(race));
	}
	close(pipefd[1]);
	while (now() < until) {
		ASSERT_LE(0, ima_ctr_read(&ctr, IMA_CTR_ROOT,
					  self->shared.path[reads % NR_SHARED],
					  &buf));
		free(buf);
		reads++;
	}
	ASSERT_EQ(sizeof(race), read(pipefd[0], &race, sizeof(race)));
	close(pipefd[0]);
	ASSERT_EQ(writer, waitpid(writer, &status, 0));
	EXPECT_EQ(0, race.errors);
	ASSERT_LE(0, ima_ctr_read(&ctr, IMA_CTR_ROOT, IMA_POLICY, &buf));
	for (p = buf; *p; p++)
		lines += *p == '\n';
	free(buf);
	/* The first rule, then every accepted one. */
	EXPECT_EQ(1 + race.accepted, lines);
	ima_ctr_stop(&ctr);
	stress_note("policy_races_hooks: %d rules appended, %d rejected, %d reads, %lds",
		    race.accepted, race.rejected, reads, secs);
}

/* Wait up to 20 s for @path to go; return whether it went. */
static bool wait_gone(const char *path)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (access(path, F_OK) && errno == ENOENT)
			return true;
		usleep(100000);
	}
	return false;
}

static ssize_t pread_all(int fd, char **buf)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	return read_fd(fd, buf);
}

/*
 * A namespace dies with its files open: the lists and policy passed to the
 * host, the list passed on to a sibling container, the host view open.
 * Whoever holds them still reads what was there; once they are closed the
 * namespace goes, host view and all. Inodes are evicted meanwhile.
 */
TEST_F_TIMEOUT(stress, teardown_open_files, 7200)
{
	static const char *const rules[] = {
		"measure func=FILE_CHECK mask=MAY_READ",
		"measure func=FILE_CHECK mask=MAY_WRITE",
		"dont_appraise fsmagic=0x1234", NULL
	};
	char *policy_text = ima_policy_text(NULL, rules);
	long rounds = ima_stress_param("teardowns", 6);
	char view[PATH_MAX], private[PATH_MAX], *before, *after;
	struct ima_ctr ctr, sibling;
	int list, policy, hostview, in_sibling;
	double start = now();
	__u64 id;
	long r;

	ASSERT_NE(NULL, policy_text);
	self->evictor = start_loop(evict_inodes, NULL);
	ASSERT_EQ(0, start_ns(&sibling, &shifted, NULL, NULL, NULL));
	for (r = 0; r < rounds; r++) {
		snprintf(private, sizeof(private), "%s/teardown%ld", self->dir,
			 r);
		ASSERT_EQ(0, start_ns(&ctr, r % 2 ? &shifted : &ima_ctr_rootful,
				      NULL, NULL, measure_policy));
		ASSERT_EQ(0, measure_round(&ctr, &self->shared, private, r));
		ASSERT_EQ(0, ima_ctr_ns_id(&ctr, &id));
		ASSERT_EQ(0, ima_host_ns_path(id, "ascii_runtime_measurements",
					      view, sizeof(view)));
		list = ima_ctr_pass_fd(&ctr, IMA_CTR_ROOT, IMA_ASCII_LIST,
				       O_RDONLY);
		ASSERT_LE(0, list);
		policy = ima_ctr_pass_fd(&ctr, IMA_CTR_ROOT, IMA_POLICY,
					 O_RDONLY);
		ASSERT_LE(0, policy);
		hostview = open(view, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, hostview);
		in_sibling = ima_ctr_take_fd(&sibling, list);
		ASSERT_LE(0, in_sibling);
		ASSERT_LE(0, pread_all(list, &before));

		ima_ctr_stop(&ctr);

		ASSERT_LE(0, pread_all(list, &after));
		EXPECT_STREQ(before, after);
		free(after);
		ASSERT_LE(0, pread_all(hostview, &after));
		EXPECT_STREQ(before, after);
		free(after);
		ASSERT_LE(0, ima_ctr_fd_read(&sibling, in_sibling, &after));
		EXPECT_STREQ(before, after);
		free(after);
		ASSERT_LE(0, pread_all(policy, &after));
		EXPECT_STREQ(policy_text, after);
		free(after);
		free(before);

		close(list);
		close(policy);
		EXPECT_EQ(0, ima_ctr_close(&sibling, in_sibling));
		/* The host view holds the namespace alone now. */
		ASSERT_LE(0, pread_all(hostview, &after));
		free(after);
		close(hostview);
		view[strlen(view) - strlen("/ascii_runtime_measurements")] = 0;
		EXPECT_TRUE(wait_gone(view)) {
			TH_LOG("%s outlived its namespace (round %ld)", view,
			       r);
		}
	}
	ima_ctr_stop(&sibling);
	free(policy_text);
	stress_note("teardown_open_files: %ld namespaces died with files open, %.1fs",
		    rounds, now() - start);
}

/* Write all of @buf to @fd; the policy takes a rule per write(). */
static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t ret;

	while (len) {
		ret = write(fd, buf, len);
		if (ret <= 0)
			return ret ? -errno : -EIO;
		buf += ret;
		len -= ret;
	}
	return 0;
}

/*
 * In a child: become @ctr's root, open a securityfs context, create the
 * instance and mount it detached if @mount, and send the descriptor over
 * @sock. Return: the child's pid, or -errno.
 */
static pid_t give_securityfs(struct ima_ctr *ctr, int sock, bool mount)
{
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid < 0 ? -errno : pid;
	if (ima_ctr_enter(ctr, true))
		_exit(2);
	fd = fsopen("securityfs", FSOPEN_CLOEXEC);
	if (fd < 0)
		_exit(3);
	if (mount) {
		if (fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
			_exit(4);
		fd = fsmount(fd, FSMOUNT_CLOEXEC, 0);
		if (fd < 0)
			_exit(5);
	}
	_exit(send_fd(sock, fd) ? 6 : 0);
}

/* Start a container and take a securityfs descriptor of its root's. */
static int take_securityfs(struct ima_ctr *ctr, const struct ima_ctr_ids *ids,
			   bool mount)
{
	int sock[2], status, fd, ret;
	pid_t pid;

	ret = ima_ctr_start(ctr, ids);
	if (ret)
		return ret;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock)) {
		ret = -errno;
		ima_ctr_stop(ctr);
		return ret;
	}
	pid = give_securityfs(ctr, sock[1], mount);
	close(sock[1]);
	fd = pid < 0 ? pid : recv_fd(sock[0]);
	close(sock[0]);
	if (pid > 0 && (waitpid(pid, &status, 0) != pid || status))
		fd = fd < 0 ? fd : (close(fd), -ECHILD);
	ima_ctr_stop(ctr);
	return fd;
}

/*
 * A container's root gives the host a securityfs context and dies: the
 * context cannot create the instance from the host's user namespace, and
 * the user namespace goes with the context. Another gives a detached
 * mount of its instance and dies: the mount keeps the namespace alive,
 * host root may still activate and configure it through it, and the
 * namespace goes, host view and all, when the mount is closed.
 */
TEST_F_TIMEOUT(stress, fscontext_and_mount_outlive_container, 600)
{
	long rounds = ima_stress_param("teardowns", 6);
	char view[PATH_MAX], *buf;
	struct ima_ctr ctr;
	int fd, mnt, file;
	__u64 id;
	long r;

	for (r = 0; r < rounds; r++) {
		const struct ima_ctr_ids *ids = r % 2 ? &shifted :
						&ima_ctr_rootful;

		fd = take_securityfs(&ctr, ids, false);
		ASSERT_LE(0, fd);
		EXPECT_EQ(-1, fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
		EXPECT_EQ(EINVAL, errno);
		close(fd);

		mnt = take_securityfs(&ctr, ids, true);
		ASSERT_LE(0, mnt);
		file = openat(mnt, "integrity/ima/active", O_WRONLY);
		ASSERT_LE(0, file);
		EXPECT_EQ(1, write(file, "1", 1));
		close(file);
		file = openat(mnt, "integrity/ima/policy", O_WRONLY);
		ASSERT_LE(0, file);
		EXPECT_EQ(0, write_all(file, measure_policy,
				       sizeof(measure_policy) - 1));
		EXPECT_EQ(0, close(file));
		file = openat(mnt, "integrity/ima/ns_id", O_RDONLY);
		ASSERT_LE(0, file);
		ASSERT_LT(0, read_fd(file, &buf));
		close(file);
		id = strtoull(buf, NULL, 10);
		free(buf);
		ASSERT_EQ(0, ima_host_ns_path(id, NULL, view, sizeof(view)));
		EXPECT_EQ(0, access(view, F_OK));
		close(mnt);
		EXPECT_TRUE(wait_gone(view)) {
			TH_LOG("%s outlived its last mount", view);
		}
	}
	stress_note("fscontext_and_mount_outlive_container: %ld rounds", rounds);
}

FIXTURE(limit) {
	char saved[32];
	bool restore;
	struct ima_ctr ctrs[8];
	int nr;
};

FIXTURE_SETUP(limit)
{
	const char *reason = ima_ns_missing();
	char *buf;
	ssize_t len;

	self->restore = false;
	self->nr = 0;
	if (reason)
		SKIP(return, "%s", reason);
	len = read_file(IMA_NS_SYSCTL, &buf);
	ASSERT_LT(0, len);
	snprintf(self->saved, sizeof(self->saved), "%s", buf);
	free(buf);
	self->restore = true;
}

FIXTURE_TEARDOWN(limit)
{
	int i;

	for (i = 0; i < self->nr; i++)
		ima_ctr_stop(&self->ctrs[i]);
	if (self->restore)
		write_file(IMA_NS_SYSCTL, self->saved, strlen(self->saved), 0,
			   0);
}

/*
 * Mount securityfs in a new container, retrying while namespaces of
 * earlier tests are still being freed (they count until then).
 */
static int mount_new(struct ima_ctr *ctr, bool retry)
{
	int i, ret = -ENOSPC;

	for (i = 0; i < (retry ? 100 : 1); i++) {
		ret = ima_ctr_start(ctr, &ima_ctr_rootful);
		if (ret)
			return ret;
		ret = ima_ctr_mount(ctr);
		if (ret != -ENOSPC)
			break;
		ima_ctr_stop(ctr);
		usleep(100000);
	}
	return ret;
}

/*
 * Any user may create namespaces: the default is fanotify's 128 groups
 * per user, not the max_threads / 2 of other ucounts. (Read as the boot
 * left it: every test restores what it changed.)
 */
TEST_F(limit, small_default)
{
	EXPECT_STREQ("128\n", self->saved);
}

/* max_ima_namespaces: the next namespace is refused until one dies. */
TEST_F_TIMEOUT(limit, max_ima_namespaces, 120)
{
	struct ima_ctr extra;
	int i;

	ASSERT_EQ(0, write_file(IMA_NS_SYSCTL, "3\n", 2, 0, 0));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, mount_new(&self->ctrs[i], true));
		self->nr++;
	}
	ASSERT_EQ(0, ima_ctr_start(&extra, &ima_ctr_rootful));
	EXPECT_EQ(-ENOSPC, ima_ctr_mount(&extra));
	ima_ctr_stop(&extra);

	ima_ctr_stop(&self->ctrs[0]);
	EXPECT_EQ(0, mount_new(&self->ctrs[0], true));
}

/* A container's root lowers the limit for its own descendants. */
TEST_F_TIMEOUT(limit, nested_limit, 120)
{
	struct ima_ctr child;

	ASSERT_EQ(0, mount_new(&self->ctrs[0], true));
	self->nr = 1;
	ASSERT_EQ(0, ima_ctr_write_str(&self->ctrs[0], IMA_NS_SYSCTL, "0\n"));
	ASSERT_EQ(0, ima_ctr_spawn(&self->ctrs[0], &child, &ima_ctr_rootful));
	EXPECT_EQ(-ENOSPC, ima_ctr_mount(&child));
	ima_ctr_stop(&child);
	ASSERT_EQ(0, ima_ctr_write_str(&self->ctrs[0], IMA_NS_SYSCTL, "1\n"));
	ASSERT_EQ(0, ima_ctr_spawn(&self->ctrs[0], &child, &ima_ctr_rootful));
	EXPECT_EQ(0, ima_ctr_mount(&child));
	ima_ctr_stop(&child);
}

FIXTURE(memcg) {
	char cgroup[PATH_MAX / 4];
	char mounted[PATH_MAX / 4];
	char dir[PATH_MAX / 4];
	struct ima_ctr ctr;
};

/* The memory cgroup v2 root: the mounted one, or one we mount. */
static int cgroup_root(char *root, size_t size, char *mounted)
{
	char path[PATH_MAX / 4];

	mounted[0] = '\0';
	snprintf(path, sizeof(path), CGROUP_ROOT "/cgroup.controllers");
	if (!access(path, F_OK)) {
		snprintf(root, size, CGROUP_ROOT);
		return 0;
	}
	snprintf(root, size, "/run/ima-ns-cgroup");
	if (mkdir(root, 0755) && errno != EEXIST)
		return -errno;
	if (mount("cgroup2", root, "cgroup2", 0, NULL))
		return -errno;
	snprintf(mounted, PATH_MAX / 4, "%s", root);
	return 0;
}

FIXTURE_SETUP(memcg)
{
	const char *reason = ima_ns_missing();
	char root[PATH_MAX / 8], path[PATH_MAX], *buf;
	int ret;

	self->ctr.sock = -1;
	self->cgroup[0] = '\0';
	self->mounted[0] = '\0';
	if (reason)
		SKIP(return, "%s", reason);
	ret = cgroup_root(root, sizeof(root), self->mounted);
	if (ret)
		SKIP(return, "no cgroup v2: %d", ret);
	snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	ASSERT_LE(0, read_file(path, &buf));
	if (!strstr(buf, "memory")) {
		free(buf);
		SKIP(return, "no memory controller (CONFIG_MEMCG)");
	}
	free(buf);
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", root);
	ASSERT_EQ(0, write_file(path, "+memory", 7, 0, 0));
	snprintf(self->cgroup, sizeof(self->cgroup), "%s/ima-ns-memcg", root);
	ASSERT_EQ(0, mkdir(self->cgroup, 0755));
	ASSERT_EQ(0, ima_scratch_dir(self->dir, sizeof(self->dir)));
	if (ima_scratch_is_measurable(self->dir))
		SKIP(return, "scratch on tmpfs: set %s", IMA_SCRATCH_ENV);
	ASSERT_EQ(0, chmod(self->dir, 0777));
}

FIXTURE_TEARDOWN(memcg)
{
	ima_ctr_stop(&self->ctr);
	if (self->cgroup[0]) {
		/* Charges of the dead are reparented: rmdir may wait. */
		for (int i = 0; i < 50 && rmdir(self->cgroup); i++)
			usleep(100000);
	}
	if (self->mounted[0])
		umount(self->mounted);
}

static long cgroup_long(const char *cgroup, const char *file, const char *key)
{
	char path[PATH_MAX], *buf, *p;
	long val = -1;

	snprintf(path, sizeof(path), "%s/%s", cgroup, file);
	if (read_file(path, &buf) < 0)
		return -1;
	if (!key) {
		val = strtol(buf, NULL, 10);
	} else {
		for (p = buf; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
			if (!strncmp(p, key, strlen(key)) &&
			    p[strlen(key)] == ' ') {
				val = strtol(p + strlen(key) + 1, NULL, 10);
				break;
			}
	}
	free(buf);
	return val;
}

/*
 * A container in a memory cgroup pays for its measurement list: every
 * entry (its template data, not only the list node) is charged there. The
 * entries record one file with a long name rewritten again and again, so
 * that nothing else grows with them.
 */
TEST_F_TIMEOUT(memcg, list_charged_to_container, 1800)
{
	long entries = ima_stress_param("entries", 1000);
	char path[PATH_MAX], procs[PATH_MAX], name[NAME_MAX + 1], *buf;
	long before, after, count0, count1, i, per_entry;
	int ret;

	memset(name, 'm', 200);
	name[200] = '\0';
	snprintf(path, sizeof(path), "%s/%s", self->dir, name);
	ASSERT_EQ(0, ima_ctr_start(&self->ctr, &shifted));
	snprintf(name, sizeof(name), "%d\n", self->ctr.pid);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", self->cgroup);
	ASSERT_EQ(0, write_file(procs, name, strlen(name), 0, 0));
	ASSERT_EQ(0, ima_ctr_activate(&self->ctr, NULL, NULL));
	ASSERT_EQ(0, ima_ctr_policy_write(&self->ctr,
					  "measure func=FILE_CHECK mask=MAY_READ\n"));
	ASSERT_EQ(0, ima_ctr_write(&self->ctr, IMA_CTR_ROOT, path, "0", 1,
				   O_CREAT | O_TRUNC, 0644));
	ASSERT_LE(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, path, &buf));
	free(buf);
	ASSERT_LE(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_COUNT, &buf));
	count0 = strtol(buf, NULL, 10);
	free(buf);
	before = cgroup_long(self->cgroup, "memory.stat", "slab_unreclaimable");
	ASSERT_LE(0, before);
	for (i = 0; i < entries; i++) {
		char data[32];
		int len = snprintf(data, sizeof(data), "%ld", i + 1);

		ret = ima_ctr_write(&self->ctr, IMA_CTR_ROOT, path, data, len,
				    O_TRUNC, 0);
		ASSERT_EQ(0, ret);
		ASSERT_LE(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, path,
					  &buf));
		free(buf);
	}
	after = cgroup_long(self->cgroup, "memory.stat", "slab_unreclaimable");
	ASSERT_LE(0, ima_ctr_read(&self->ctr, IMA_CTR_ROOT, IMA_COUNT, &buf));
	count1 = strtol(buf, NULL, 10);
	free(buf);
	ASSERT_LE(entries, count1 - count0);
	per_entry = (after - before) / (count1 - count0);
	/*
	 * An entry is its queue node (32 bytes), the entry with its field
	 * array, the template digests, and the fields: a d-ng digest
	 * ("sha256:" and 32 bytes) and the 200-odd-byte name, some 600
	 * bytes of slab. Uncharged template data leaves some 100.
	 */
	EXPECT_LE(400, per_entry) {
		TH_LOG("%ld entries charged %ld bytes of slab (%ld each)",
		       count1 - count0, after - before, per_entry);
	}
	stress_note("memcg: %ld entries, %ld bytes of slab charged each",
		    count1 - count0, per_entry);
}

/* So is its policy: a thousand rules are charged there too. */
TEST_F_TIMEOUT(memcg, rules_charged_to_container, 600)
{
	char procs[PATH_MAX], pid[16], *text;
	long before, after, per_rule;
	size_t len = 0, size = 1000 * 64;
	int i;

	ASSERT_EQ(0, ima_ctr_start(&self->ctr, &shifted));
	snprintf(pid, sizeof(pid), "%d\n", self->ctr.pid);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", self->cgroup);
	ASSERT_EQ(0, write_file(procs, pid, strlen(pid), 0, 0));
	ASSERT_EQ(0, ima_ctr_activate(&self->ctr, NULL, NULL));
	text = malloc(size);
	ASSERT_NE(NULL, text);
	for (i = 0; i < 1000; i++)
		len += snprintf(text + len, size - len,
				"dont_measure fsmagic=0x%x\n", i + 1);
	before = cgroup_long(self->cgroup, "memory.stat", "slab_unreclaimable");
	ASSERT_LE(0, before);
	ASSERT_EQ(0, ima_ctr_policy_write(&self->ctr, text));
	after = cgroup_long(self->cgroup, "memory.stat", "slab_unreclaimable");
	free(text);
	per_rule = (after - before) / 1000;
	/* struct ima_rule_entry is some 200 bytes. */
	EXPECT_LE(128, per_rule) {
		TH_LOG("1000 rules charged %ld bytes of slab", after - before);
	}
	stress_note("memcg: 1000 rules, %ld bytes of slab charged each",
		    per_rule);
}

TEST_HARNESS_MAIN
