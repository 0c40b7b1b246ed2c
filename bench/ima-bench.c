// SPDX-License-Identifier: GPL-2.0-only
/*
 * ima-bench: micro-benchmarks of IMA and IMA namespaces, run as root in a
 * QEMU guest booted with ima_policy=tcb and -icount (guest time counts
 * instructions, so CLOCK_MONOTONIC deltas repeat from run to run).
 *
 *   ima-bench [all] [DIR]   every workload below, working files in DIR
 *                           (default $IMA_NS_SCRATCH, else /var/tmp/ima-bench;
 *                           it must be on a filesystem IMA measures: ext4)
 *   ima-bench noop          exit at once (the exec target of fork_exec)
 *
 * Workloads, one JSON object per line on stdout:
 *   open_read      open + read 4 KiB + close of an already-measured file
 *   fork_exec      fork + exec of this (already-measured, static) binary
 *   first_measure  first open of new 1 MiB files, MiB/s
 *   raw_sha256     the kernel's sha256 (AF_ALG) over the same bytes, MiB/s
 *   ns_lifecycle   user ns + mount ns + securityfs mount [+ activate + rule]
 *                  + exit, per namespace
 *   open_read_rules  open_read with 1024 non-matching rules in the namespace
 *   mem_per_ns     slab + percpu bytes per empty active namespace
 *   mem_per_1000_entries  slab + percpu bytes per 1000 measurement entries
 *
 * Configurations: "host" (no namespace), "ima-ns" (DEPTH nested user
 * namespaces, each with its own securityfs, activated, with a FILE_CHECK +
 * BPRM_CHECK measure policy) and "userns" (the same nesting without IMA: what
 * the user namespaces cost by themselves). A configuration the kernel does
 * not support is reported as {"status":"n/a","reason":...}: no number is made
 * up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/if_alg.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define SECURITYFS	"/sys/kernel/security"
#define HOST_COUNT	SECURITYFS "/ima/runtime_measurements_count"
#define CGROUP_ROOT	"/sys/fs/cgroup"
#define CGROUP_BENCH	CGROUP_ROOT "/ima-bench"
#define SLAB_SYSFS	"/sys/kernel/slab"

#define SMALL_SIZE	4096
#define MIB		(1024 * 1024)
#define BIG_SIZE	MIB
#define MAX_REPS	16
#define WHY_LEN		200
#define UNPRIV_UID	1000
#define MAX_RULES	1024
#define MEM_NAMESPACES	128
#define MEM_ENTRIES	1000

/* How a reason starts when the kernel lacks the feature altogether. */
#define UNSUPPORTED	"not supported by this kernel: "

/* The namespace policy of the "ima-ns" configurations. */
static const char ns_policy[] =
	"measure func=FILE_CHECK\n"
	"measure func=BPRM_CHECK\n";

static const int depths[] = { 1, 2, 4, 8, 16, 32 };

static char work_dir[256];
static char self_exe[256];

/**
 * struct ns_spec - the namespaces a measurement runs in
 * @depth: nested user (+ mount) namespaces; 0 runs on the host
 * @ima: mount securityfs in each level (this creates its IMA namespace)
 * @activate: write 1 to ima/active in each level
 * @policy: written to ima/policy of each level after activation, or NULL
 * @rules: non-matching rules added to the innermost level's policy
 * @host_uid: the host uid the outermost namespace root maps to
 */
struct ns_spec {
	int depth;
	bool ima;
	bool activate;
	const char *policy;
	int rules;
	uid_t host_uid;
};

/**
 * struct samples - what a measurement in a child process reports
 * @ok: the namespaces were set up and the task ran
 * @why: why not, when !@ok
 * @n: number of valid entries in @v
 * @v: per-repetition values (ns per operation, or bytes)
 * @aux: a workload-specific count (measurement entries added)
 */
struct samples {
	int ok;
	char why[WHY_LEN];
	int n;
	double v[MAX_REPS];
	long aux;
};

/**
 * struct holder - a child process that keeps namespaces alive
 * @pid: its pid
 * @to_child: write end: one byte starts the task, EOF lets it exit
 * @from_child: read end: a struct samples after setup and after the task
 */
struct holder {
	pid_t pid;
	int to_child;
	int from_child;
};

typedef int (*task_fn)(void *arg, struct samples *out);

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int set_why(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, WHY_LEN, fmt, ap);
	va_end(ap);
	return -1;
}

/* Write all of @len bytes of @buf; 0 or -errno. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int err;

	if (fd < 0)
		return -errno;
	err = write_all(fd, text, strlen(text));
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/*
 * IMA parses each write(2) to a policy file as whole lines, and takes at
 * most a page per write: write @text in chunks that end at a newline.
 */
static int write_policy(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(text);
	int err = 0;

	if (fd < 0)
		return -errno;
	while (len && !err) {
		size_t chunk = len < 2048 ? len : 2048;

		while (chunk < len && text[chunk - 1] != '\n')
			chunk--;
		err = write_all(fd, text, chunk);
		text += chunk;
		len -= chunk;
	}
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static long read_long(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const struct samples *s, double *min, double *max)
{
	double v[MAX_REPS];

	memcpy(v, s->v, s->n * sizeof(v[0]));
	qsort(v, s->n, sizeof(v[0]), cmp_double);
	*min = v[0];
	*max = v[s->n - 1];
	return s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
}

/* Output: one JSON object per result. */

static void emit_head(const char *workload, const char *config, int depth)
{
	printf("{\"workload\":\"%s\",\"config\":\"%s\",\"depth\":%d",
	       workload, config, depth);
}

static void emit_na(const char *workload, const char *config, int depth,
		    const char *why)
{
	const char *p;

	emit_head(workload, config, depth);
	printf(",\"status\":\"n/a\",\"reason\":\"");
	for (p = why; *p; p++) {
		if (*p == '"' || *p == '\\')
			putchar('\\');
		if ((unsigned char)*p >= ' ')
			putchar(*p);
	}
	printf("\"}\n");
	fflush(stdout);
}

/*
 * A result from @s: the median of its repetitions with the spread. @extra,
 * if not NULL, is more JSON members (",\"key\":value...").
 */
static void emit(const char *workload, const char *config, int depth,
		 const char *unit, const struct samples *s, int iters,
		 const char *extra)
{
	double min, max, med;

	if (!s->ok || !s->n) {
		emit_na(workload, config, depth, s->ok ? "no samples" : s->why);
		return;
	}
	med = median(s, &min, &max);
	emit_head(workload, config, depth);
	printf(",\"status\":\"ok\",\"unit\":\"%s\",\"value\":%.7g", unit, med);
	printf(",\"min\":%.7g,\"max\":%.7g,\"reps\":%d,\"iters\":%d%s}\n",
	       min, max, s->n, iters, extra ? extra : "");
	fflush(stdout);
}

/* Namespaces. */

static int write_id_maps(uid_t outer_uid, gid_t outer_gid, char *why)
{
	char map[32];
	int err;

	err = write_file("/proc/self/setgroups", "deny");
	if (err)
		return set_why(why, "setgroups deny: %s", strerror(-err));
	snprintf(map, sizeof(map), "0 %u 1\n", outer_uid);
	err = write_file("/proc/self/uid_map", map);
	if (err)
		return set_why(why, "uid_map: %s", strerror(-err));
	snprintf(map, sizeof(map), "0 %u 1\n", outer_gid);
	err = write_file("/proc/self/gid_map", map);
	if (err)
		return set_why(why, "gid_map: %s", strerror(-err));
	return 0;
}

/* @rules fsmagic rules that match nothing IMA sees here (ext4 is 0xef53). */
static char *nonmatching_rules(int rules)
{
	size_t size = (size_t)rules * 48 + 1;
	char *text = malloc(size);
	size_t off = 0;
	int i;

	if (!text)
		return NULL;
	text[0] = '\0';
	for (i = 0; i < rules; i++)
		off += snprintf(text + off, size - off,
				"measure func=FILE_CHECK fsmagic=0x%x\n",
				0x10000 + i);
	return text;
}

static int setup_ima(const struct ns_spec *spec, bool innermost, char *why)
{
	char *rules;
	int err;

	if (mount("securityfs", SECURITYFS, "securityfs", 0, NULL))
		return set_why(why, "%smount securityfs in a user namespace: %s",
			       errno == EPERM ? UNSUPPORTED : "", strerror(errno));
	if (access(SECURITYFS "/ima/active", F_OK))
		return set_why(why, UNSUPPORTED "no ima/active in a namespace's securityfs");
	if (!spec->activate)
		return 0;
	err = write_file(SECURITYFS "/ima/active", "1");
	if (err)
		return set_why(why, "activate: %s", strerror(-err));
	if (spec->policy) {
		err = write_policy(SECURITYFS "/ima/policy", spec->policy);
		if (err)
			return set_why(why, "policy write: %s", strerror(-err));
	}
	if (!innermost || !spec->rules)
		return 0;
	rules = nonmatching_rules(spec->rules);
	if (!rules)
		return set_why(why, "out of memory");
	err = write_policy(SECURITYFS "/ima/policy", rules);
	free(rules);
	if (err)
		return set_why(why, "writing %d rules: %s", spec->rules,
			       strerror(-err));
	return 0;
}

/* Move the calling process into @spec's namespaces; 0 or -1 with @why. */
static int enter_namespaces(const struct ns_spec *spec, char *why)
{
	uid_t outer_uid = spec->host_uid;
	gid_t outer_gid = spec->host_uid;
	int level;

	if (spec->depth && spec->host_uid) {
		/* Keep /proc/self writable by us once we are not root. */
		if (setgroups(0, NULL) || setresgid(outer_gid, outer_gid, outer_gid) ||
		    setresuid(outer_uid, outer_uid, outer_uid) ||
		    prctl(PR_SET_DUMPABLE, 1))
			return set_why(why, "drop to uid %u: %s", outer_uid,
				       strerror(errno));
	}
	for (level = 1; level <= spec->depth; level++) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
			return set_why(why, "unshare at level %d: %s", level,
				       strerror(errno));
		if (write_id_maps(outer_uid, outer_gid, why))
			return -1;
		outer_uid = 0;
		outer_gid = 0;
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			return set_why(why, "make / private: %s", strerror(errno));
		if (spec->ima && setup_ima(spec, level == spec->depth, why))
			return -1;
	}
	return 0;
}

/* Close every descriptor above stderr but @a and @b (@a < @b). */
static void close_fds_except(int a, int b)
{
	if (a > 3)
		close_range(3, a - 1, 0);
	close_range(a + 1, b - 1, 0);
	close_range(b + 1, ~0U, 0);
}

/*
 * Fork a child that enters @spec's namespaces and reports whether that
 * worked; on a byte from the parent it runs @task and reports its samples,
 * then waits for EOF and exits (its namespaces live until then).
 */
static int holder_start(struct holder *h, const struct ns_spec *spec,
			task_fn task, void *arg, struct samples *out)
{
	int down[2], up[2];
	char go;

	memset(out, 0, sizeof(*out));
	*h = (struct holder){ .pid = -1, .to_child = -1, .from_child = -1 };
	if (pipe2(down, O_CLOEXEC))
		return set_why(out->why, "pipe: %s", strerror(errno));
	if (pipe2(up, O_CLOEXEC)) {
		close(down[0]);
		close(down[1]);
		return set_why(out->why, "pipe: %s", strerror(errno));
	}
	h->to_child = down[1];
	h->from_child = up[0];
	fflush(NULL);
	h->pid = fork();
	if (h->pid < 0) {
		close(down[0]);
		close(up[1]);
		return set_why(out->why, "fork: %s", strerror(errno));
	}
	if (!h->pid) {
		/* Other holders' pipes too: their EOF must not wait for us. */
		close_fds_except(down[0] < up[1] ? down[0] : up[1],
				 down[0] < up[1] ? up[1] : down[0]);
		out->ok = !enter_namespaces(spec, out->why);
		write_all(up[1], (char *)out, sizeof(*out));
		if (out->ok && read(down[0], &go, 1) == 1 && task) {
			out->ok = !task(arg, out);
			write_all(up[1], (char *)out, sizeof(*out));
		}
		while (read(down[0], &go, 1) > 0)
			;
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	if (read_all(h->from_child, out, sizeof(*out))) {
		out->ok = 0;
		snprintf(out->why, WHY_LEN, "holder died during setup");
	}
	return out->ok ? 0 : -1;
}

/* Run the task of a started holder and collect its samples. */
static int holder_run(struct holder *h, struct samples *out)
{
	if (write_all(h->to_child, "g", 1) ||
	    read_all(h->from_child, out, sizeof(*out))) {
		out->ok = 0;
		snprintf(out->why, WHY_LEN, "holder died during the task");
	}
	return out->ok ? 0 : -1;
}

/* Let the holder exit and reap it; also after a failed holder_start(). */
static void holder_stop(struct holder *h)
{
	if (h->to_child >= 0)
		close(h->to_child);
	if (h->from_child >= 0)
		close(h->from_child);
	if (h->pid > 0)
		waitpid(h->pid, NULL, 0);
}

/* Run @task in @spec's namespaces in a child; results in @out. */
static void run_in(const struct ns_spec *spec, task_fn task, void *arg,
		   struct samples *out)
{
	struct holder h;

	if (!holder_start(&h, spec, task, arg, out))
		holder_run(&h, out);
	holder_stop(&h);
}

/* Workloads 1, 2 and 5: repeated operations. */

/**
 * struct loop - a timed loop of one operation
 * @op: the operation; 0 or -errno
 * @path: the file it works on
 * @iters: operations per repetition
 * @reps: repetitions (one untimed warm-up runs first)
 */
struct loop {
	int (*op)(const char *path);
	const char *path;
	int iters;
	int reps;
};

static int op_open_read(const char *path)
{
	char buf[SMALL_SIZE];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == sizeof(buf) ? 0 : -EIO;
}

static int op_fork_exec(const char *path)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (!pid) {
		execl(path, path, "noop", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -ECHILD;
}

static int task_loop(void *arg, struct samples *out)
{
	const struct loop *l = arg;
	int rep, i, err;

	for (rep = -1; rep < l->reps; rep++) {
		unsigned long long t0 = now_ns();

		for (i = 0; i < l->iters; i++) {
			err = l->op(l->path);
			if (err)
				return set_why(out->why, "%s: %s", l->path,
					       strerror(-err));
		}
		if (rep >= 0)
			out->v[out->n++] = (double)(now_ns() - t0) / l->iters;
	}
	return 0;
}

static int make_file(const char *path, size_t size, unsigned int seed)
{
	static char buf[BIG_SIZE];
	unsigned int x = seed * 2654435761u + 1;
	size_t i;
	int fd, err;

	/* xorshift32: every file gets its own content, hence its own digest. */
	for (i = 0; i < size; i += 4) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		memcpy(buf + i, &x, 4);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	err = write_all(fd, buf, size);
	close(fd);
	return err;
}

/* Let deferred frees (RCU, workqueues) and writeback finish. */
static void settle(void)
{
	sync();
	sleep(1);
}

/*
 * Each row starts once the previous row's namespaces are torn down: their
 * deferred frees would otherwise run, and be counted, inside this one.
 */
static void bench_loop(const char *workload, const char *config,
		       const struct ns_spec *spec, struct loop *l,
		       const char *extra)
{
	struct samples s;

	settle();
	run_in(spec, task_loop, l, &s);
	emit(workload, config, spec->depth, "ns/op", &s, l->iters, extra);
}

static void bench_repeated_ops(void)
{
	char file[512];
	struct loop open_read = { op_open_read, file, 2000, 5 };
	struct loop fork_exec = { op_fork_exec, self_exe, 100, 7 };
	struct ns_spec spec = { 0 };
	size_t i;

	snprintf(file, sizeof(file), "%s/small", work_dir);
	if (make_file(file, SMALL_SIZE, 1)) {
		emit_na("open_read", "host", 0, "cannot create the test file");
		return;
	}
	sync();
	bench_loop("open_read", "host", &spec, &open_read, NULL);
	bench_loop("fork_exec", "host", &spec, &fork_exec, NULL);
	for (i = 0; i < ARRAY_SIZE(depths); i++) {
		spec = (struct ns_spec){ .depth = depths[i] };
		bench_loop("open_read", "userns", &spec, &open_read, NULL);
		bench_loop("fork_exec", "userns", &spec, &fork_exec, NULL);
		spec.ima = true;
		spec.activate = true;
		spec.policy = ns_policy;
		bench_loop("open_read", "ima-ns", &spec, &open_read, NULL);
		bench_loop("fork_exec", "ima-ns", &spec, &fork_exec, NULL);
	}
	spec = (struct ns_spec){ .depth = 1, .ima = true, .activate = true,
				 .rules = MAX_RULES };
	bench_loop("open_read_rules", "ima-ns", &spec, &open_read,
		   ",\"rules\":1024");
}

/* Workload 3: first measurement against the raw hash rate. */

#define BIG_FILES 6

/**
 * struct big_files - the files of one first-measurement run
 * @count: how many
 * @path: their paths
 * @counter: the runtime_measurements_count file of the namespace to check
 */
struct big_files {
	int count;
	char path[BIG_FILES][512];
	const char *counter;
};

static double mib_per_s(unsigned long long ns)
{
	return (double)BIG_SIZE / MIB / ((double)ns / 1e9);
}

static int task_first_measure(void *arg, struct samples *out)
{
	const struct big_files *f = arg;
	long before = read_long(f->counter);
	int i, fd;

	for (i = 0; i < f->count; i++) {
		unsigned long long t0 = now_ns();

		fd = open(f->path[i], O_RDONLY);
		if (fd < 0)
			return set_why(out->why, "open: %s", strerror(errno));
		close(fd);
		out->v[out->n++] = mib_per_s(now_ns() - t0);
	}
	out->aux = read_long(f->counter) - before;
	if (before < 0 || out->aux < f->count)
		return set_why(out->why, "%s grew by %ld for %d new files: no measurement to time",
			       f->counter, out->aux, f->count);
	return 0;
}

static int task_raw_sha256(void *arg, struct samples *out)
{
	struct sockaddr_alg sa = {
		.salg_family = AF_ALG,
		.salg_type = "hash",
		.salg_name = "sha256",
	};
	const struct big_files *f = arg;
	static char buf[BIG_SIZE];
	unsigned char digest[32];
	int i, tfm, op, fd, err = 0;

	tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (tfm < 0)
		return set_why(out->why, "AF_ALG socket: %s", strerror(errno));
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa))) {
		close(tfm);
		return set_why(out->why, "AF_ALG sha256: %s", strerror(errno));
	}
	op = accept(tfm, NULL, 0);
	for (i = 0; op >= 0 && i < f->count && !err; i++) {
		unsigned long long t0;

		fd = open(f->path[i], O_RDONLY);
		err = fd < 0 ? -errno : read_all(fd, buf, sizeof(buf));
		if (fd >= 0)
			close(fd);
		if (err)
			break;
		t0 = now_ns();
		err = write_all(op, buf, sizeof(buf));
		if (!err && read(op, digest, sizeof(digest)) != sizeof(digest))
			err = -EIO;
		out->v[out->n++] = mib_per_s(now_ns() - t0);
	}
	if (op < 0)
		err = -errno;
	else
		close(op);
	close(tfm);
	return err ? set_why(out->why, "AF_ALG hash: %s", strerror(-err)) : 0;
}

static int make_big_files(struct big_files *f, const char *tag)
{
	static unsigned int seed = 100;
	int i;

	f->count = BIG_FILES;
	for (i = 0; i < f->count; i++) {
		snprintf(f->path[i], sizeof(f->path[i]), "%s/big-%s-%d",
			 work_dir, tag, i);
		if (make_file(f->path[i], BIG_SIZE, seed++))
			return -1;
	}
	/* Nothing left to write back while we time. */
	sync();
	return 0;
}

static void bench_first_measure(void)
{
	struct ns_spec host = { 0 };
	struct ns_spec ns = { .depth = 1, .ima = true, .activate = true,
			      .policy = ns_policy };
	struct big_files f;
	struct samples s;
	char extra[64];

	if (make_big_files(&f, "host")) {
		emit_na("first_measure", "host", 0, "cannot create test files");
		return;
	}
	f.counter = HOST_COUNT;
	run_in(&host, task_first_measure, &f, &s);
	snprintf(extra, sizeof(extra), ",\"entries\":%ld", s.aux);
	emit("first_measure", "host", 0, "MiB/s", &s, 1, extra);
	run_in(&host, task_raw_sha256, &f, &s);
	emit("raw_sha256", "host", 0, "MiB/s", &s, 1, NULL);

	if (make_big_files(&f, "ns")) {
		emit_na("first_measure", "ima-ns", 1, "cannot create test files");
		return;
	}
	f.counter = SECURITYFS "/ima/runtime_measurements_count";
	run_in(&ns, task_first_measure, &f, &s);
	snprintf(extra, sizeof(extra), ",\"entries\":%ld", s.aux);
	emit("first_measure", "ima-ns", 1, "MiB/s", &s, 1, extra);
}

/* Workload 4: namespace lifecycle. */

static int lifecycle_once(const struct ns_spec *spec, char *why)
{
	struct samples s;
	int down[2], status;
	pid_t pid;

	if (pipe2(down, O_CLOEXEC))
		return set_why(why, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		return set_why(why, "fork: %s", strerror(errno));
	if (!pid) {
		close(down[0]);
		if (enter_namespaces(spec, s.why)) {
			write_all(down[1], s.why, strlen(s.why) + 1);
			_exit(1);
		}
		_exit(0);
	}
	close(down[1]);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && !WEXITSTATUS(status)) {
		close(down[0]);
		return 0;
	}
	if (read(down[0], why, WHY_LEN) <= 0)
		snprintf(why, WHY_LEN, "child failed");
	why[WHY_LEN - 1] = '\0';
	close(down[0]);
	return -1;
}

static void bench_lifecycle(const char *config, const struct ns_spec *spec)
{
	const int iters = 50, reps = 5;
	struct samples s = { .ok = 1 };
	int rep, i;

	fflush(NULL);
	for (rep = -1; rep < reps && s.ok; rep++) {
		unsigned long long t0 = now_ns();

		for (i = 0; i < iters && s.ok; i++)
			s.ok = !lifecycle_once(spec, s.why);
		if (rep >= 0)
			s.v[s.n++] = (double)(now_ns() - t0) / iters;
	}
	emit("ns_lifecycle", config, spec->depth, "ns/op", &s, iters, NULL);
}

static void bench_lifecycles(void)
{
	static const char rule[] = "measure func=FILE_CHECK\n";
	struct ns_spec userns = { .depth = 1 };
	struct ns_spec inactive = { .depth = 1, .ima = true };
	struct ns_spec active = { .depth = 1, .ima = true, .activate = true,
				  .policy = rule };

	bench_lifecycle("userns", &userns);
	bench_lifecycle("inactive", &inactive);
	bench_lifecycle("active", &active);
}

/* Workload 6: memory. */

/**
 * struct mem - kernel memory counters
 * @memcg: slab + percpu bytes of the benchmark's memory cgroup, or -1
 * @global: bytes of the slab objects in use on the whole machine plus the
 *	percpu pages; -1 if unknown
 */
struct mem {
	long long memcg;
	long long global;
};

static bool have_memcg;
static bool have_global;

/* A memory cgroup of our own: what the kernel charges to it is ours. */
static void setup_memcg(void)
{
	struct statfs st;
	char pid[32];

	if (statfs(CGROUP_ROOT, &st) || st.f_type != CGROUP2_SUPER_MAGIC) {
		if (mount("cgroup2", CGROUP_ROOT, "cgroup2", 0, NULL))
			return;
	}
	if (write_file(CGROUP_ROOT "/cgroup.subtree_control", "+memory"))
		return;
	if (mkdir(CGROUP_BENCH, 0755) && errno != EEXIST)
		return;
	snprintf(pid, sizeof(pid), "%d\n", getpid());
	have_memcg = !write_file(CGROUP_BENCH "/cgroup.procs", pid);
}

/* Sum of the values of @keys (0-terminated list) in a "key value" file. */
static long long sum_keys(const char *path, const char *const *keys,
			  long long scale)
{
	FILE *f = fopen(path, "re");
	char line[256], name[128];
	long long sum = 0, v;
	int found = 0, i;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127[^: ]%*[: ]%lld", name, &v) != 2)
			continue;
		for (i = 0; keys[i]; i++) {
			if (!strcmp(name, keys[i])) {
				sum += v * scale;
				found++;
			}
		}
	}
	fclose(f);
	return found ? sum : -1;
}

/*
 * Objects in use times their size, over every slab cache (an alias of a
 * merged cache is a symlink: skip it). Unlike meminfo's Slab, which counts
 * whole slab pages, this does not jump by a page for one more object.
 */
static long long slab_object_bytes(void)
{
	DIR *dir = opendir(SLAB_SYSFS);
	char path[512];
	struct dirent *d;
	long long sum = 0;
	long objects, size;

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SLAB_SYSFS "/%s/objects", d->d_name);
		objects = read_long(path);
		snprintf(path, sizeof(path), SLAB_SYSFS "/%s/slab_size", d->d_name);
		size = read_long(path);
		if (objects < 0 || size < 0) {
			sum = -1;
			break;
		}
		sum += (long long)objects * size;
	}
	closedir(dir);
	return sum;
}

static void read_mem(struct mem *m)
{
	static const char *const memcg_keys[] = { "slab", "percpu", NULL };
	static const char *const percpu_key[] = { "Percpu", NULL };
	long long slab, percpu;

	/* Fold the per-cpu vmstat deltas into the global counters. */
	write_file("/proc/sys/vm/stat_refresh", "1");
	m->memcg = have_memcg ?
		sum_keys(CGROUP_BENCH "/memory.stat", memcg_keys, 1) : -1;
	slab = slab_object_bytes();
	percpu = sum_keys("/proc/meminfo", percpu_key, 1024);
	m->global = slab < 0 || percpu < 0 ? -1 : slab + percpu;
}

/*
 * Before a memory reading: the previous workload's namespaces are freed
 * in deferred work (RCU, workqueues) that can outlast settle()'s second;
 * a free landing in the measured window would count against it. Wait
 * until the global count holds still (within 4 KiB), at most 30 s.
 */
static void settle_mem(void)
{
	struct mem m;
	long long last;
	int i;

	settle();
	read_mem(&m);
	for (i = 0; i < 30; i++) {
		last = m.global;
		sleep(1);
		read_mem(&m);
		if (last >= 0 && llabs(m.global - last) < 4096)
			break;
	}
}

/* Whether this kernel shows what the global count needs. */
static void setup_global(void)
{
	struct mem m;

	read_mem(&m);
	have_global = m.global >= 0;
}

static void emit_mem(const char *workload, const char *config, int depth,
		     double bytes, int count, const char *extra)
{
	struct samples s = { .ok = 1, .n = 1, .v = { bytes } };

	emit(workload, config, depth, "bytes", &s, count, extra);
}

/* Bytes per namespace-holding process of @spec (@n of them at once). */
static int mem_per_holder(const struct ns_spec *spec, int n, struct mem *per,
			  char *why)
{
	struct holder *h = calloc(n, sizeof(*h));
	struct mem before, after;
	struct samples s;
	int i, started = 0, err = 0;

	if (!h)
		return set_why(why, "out of memory");
	settle_mem();
	read_mem(&before);
	for (i = 0; i < n && !err; i++, started++)
		err = holder_start(&h[i], spec, NULL, NULL, &s);
	read_mem(&after);
	for (i = 0; i < started; i++)
		holder_stop(&h[i]);
	free(h);
	if (err)
		return set_why(why, "%s", s.why);
	per->memcg = before.memcg < 0 ? -1 : (after.memcg - before.memcg) / n;
	per->global = (after.global - before.global) / n;
	return 0;
}

static void bench_mem_per_ns(void)
{
	struct ns_spec userns = { .depth = 1 };
	struct ns_spec active = { .depth = 1, .ima = true, .activate = true };
	struct mem base, ima;
	char why[WHY_LEN], extra[160];

	if (mem_per_holder(&userns, MEM_NAMESPACES, &base, why) ||
	    mem_per_holder(&active, MEM_NAMESPACES, &ima, why)) {
		emit_na("mem_per_ns", "memcg", 1, why);
		emit_na("mem_per_ns", "global", 1, why);
		return;
	}
	snprintf(extra, sizeof(extra),
		 ",\"userns_bytes\":%lld,\"ima_ns_bytes\":%lld",
		 base.memcg, ima.memcg);
	if (have_memcg)
		emit_mem("mem_per_ns", "memcg", 1, ima.memcg - base.memcg,
			 MEM_NAMESPACES, extra);
	else
		emit_na("mem_per_ns", "memcg", 1, "no memory cgroup");
	snprintf(extra, sizeof(extra),
		 ",\"userns_bytes\":%lld,\"ima_ns_bytes\":%lld",
		 base.global, ima.global);
	if (have_global)
		emit_mem("mem_per_ns", "global", 1, ima.global - base.global,
			 MEM_NAMESPACES, extra);
	else
		emit_na("mem_per_ns", "global", 1, "no " SLAB_SYSFS);
}

/**
 * struct entry_files - small new files, each measured once
 * @dir: their directory
 * @counter: the runtime_measurements_count file of the namespace to check
 */
struct entry_files {
	char dir[512];
	const char *counter;
};

static int make_entry_files(struct entry_files *e, const char *tag)
{
	char path[600], text[64];
	int i, fd;

	snprintf(e->dir, sizeof(e->dir), "%s/entries-%s", work_dir, tag);
	if (mkdir(e->dir, 0755) && errno != EEXIST)
		return -1;
	for (i = 0; i < MEM_ENTRIES; i++) {
		snprintf(path, sizeof(path), "%s/%d", e->dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			return -1;
		snprintf(text, sizeof(text), "%s entry %d\n", tag, i);
		write_all(fd, text, strlen(text));
		close(fd);
	}
	sync();
	return 0;
}

static int task_open_entries(void *arg, struct samples *out)
{
	const struct entry_files *e = arg;
	long before = read_long(e->counter);
	char path[600];
	int i, fd;

	for (i = 0; i < MEM_ENTRIES; i++) {
		snprintf(path, sizeof(path), "%s/%d", e->dir, i);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return set_why(out->why, "open: %s", strerror(errno));
		close(fd);
	}
	out->aux = read_long(e->counter) - before;
	if (before < 0 || out->aux < MEM_ENTRIES)
		return set_why(out->why, "%ld entries for %d new files",
			       out->aux, MEM_ENTRIES);
	return 0;
}

/* Memory charged while @spec's namespace measures MEM_ENTRIES new files. */
static void mem_entries(const char *tag, const struct ns_spec *spec,
			const char *counter)
{
	struct entry_files e = { .counter = counter };
	struct mem before, after;
	struct samples s;
	struct holder h;
	char config[32], extra[64];
	long host_before = read_long(HOST_COUNT);

	if (make_entry_files(&e, tag)) {
		emit_na("mem_per_1000_entries", tag, spec->depth,
			"cannot create test files");
		return;
	}
	if (holder_start(&h, spec, task_open_entries, &e, &s)) {
		holder_stop(&h);
		snprintf(config, sizeof(config), "%s-memcg", tag);
		emit_na("mem_per_1000_entries", config, spec->depth, s.why);
		snprintf(config, sizeof(config), "%s-global", tag);
		emit_na("mem_per_1000_entries", config, spec->depth, s.why);
		return;
	}
	settle_mem();
	read_mem(&before);
	holder_run(&h, &s);
	read_mem(&after);
	holder_stop(&h);
	snprintf(extra, sizeof(extra), ",\"entries\":%ld,\"host_entries\":%ld",
		 s.aux, read_long(HOST_COUNT) - host_before);
	snprintf(config, sizeof(config), "%s-memcg", tag);
	if (!s.ok)
		emit_na("mem_per_1000_entries", config, spec->depth, s.why);
	else if (before.memcg < 0)
		emit_na("mem_per_1000_entries", config, spec->depth,
			"no memory cgroup");
	else
		emit_mem("mem_per_1000_entries", config, spec->depth,
			 (double)(after.memcg - before.memcg) * 1000 / s.aux,
			 MEM_ENTRIES, extra);
	snprintf(config, sizeof(config), "%s-global", tag);
	if (!s.ok)
		emit_na("mem_per_1000_entries", config, spec->depth, s.why);
	else if (!have_global)
		emit_na("mem_per_1000_entries", config, spec->depth,
			"no " SLAB_SYSFS);
	else
		emit_mem("mem_per_1000_entries", config, spec->depth,
			 (double)(after.global - before.global) * 1000 / s.aux,
			 MEM_ENTRIES, extra);
}

static void bench_memory(void)
{
	static const char rule[] = "measure func=FILE_CHECK\n";
	struct ns_spec host = { 0 };
	/* Unprivileged container: the host's tcb policy (uid=0) stays out. */
	struct ns_spec ns = { .depth = 1, .ima = true, .activate = true,
			      .policy = rule, .host_uid = UNPRIV_UID };

	setup_memcg();
	setup_global();
	bench_mem_per_ns();
	mem_entries("host", &host, HOST_COUNT);
	mem_entries("ima-ns", &ns, SECURITYFS "/ima/runtime_measurements_count");
}

static void print_kernel(void)
{
	struct utsname u;

	uname(&u);
	printf("{\"kernel_release\":\"%s\",\"kernel_version\":\"%s\",\"host_measurements\":%ld}\n",
	       u.release, u.version, read_long(HOST_COUNT));
	fflush(stdout);
}

static int set_work_dir(const char *dir)
{
	ssize_t n;

	if (!dir)
		dir = getenv("IMA_NS_SCRATCH");
	if (!dir)
		dir = "/var/tmp/ima-bench";
	snprintf(work_dir, sizeof(work_dir), "%s", dir);
	if (mkdir(work_dir, 0755) && errno != EEXIST)
		return -1;
	chmod(work_dir, 0755);
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n < 0)
		return -1;
	self_exe[n] = '\0';
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "all";

	if (!strcmp(cmd, "noop"))
		return 0;
	if (strcmp(cmd, "all") || argc > 3) {
		fprintf(stderr, "usage: %s [all [DIR]] | noop\n", argv[0]);
		return 2;
	}
	if (set_work_dir(argc > 2 ? argv[2] : NULL)) {
		perror(work_dir);
		return 1;
	}
	print_kernel();
	/* Let boot-time background work finish. */
	sync();
	sleep(2);
	bench_repeated_ops();
	bench_first_measure();
	bench_lifecycles();
	bench_memory();
	printf("{\"done\":true}\n");
	return 0;
}
