// SPDX-License-Identifier: GPL-2.0-only
/*
 * A vTPM per IMA namespace, bound from the host: the party that runs the
 * emulator (here the test, as a runtime would) issues
 * VTPM_PROXY_IOC_BIND_IMA_NS on the proxy's server side, naming the
 * container's user namespace, before the container activates its IMA
 * namespace; the server side never enters the container. The namespace's
 * boot_aggregate comes from that vTPM and its measurements extend that
 * vTPM's PCRs (pcr= honoured), never the host TPM's. A verifier replays
 * the container's list to its vTPM with evmctl, and the host's list to the
 * host TPM, also with several containers measuring in parallel.
 *
 * The binding is refused with the documented errnos, also to the
 * container's root holding a leaked server side; the bound chip's devices
 * serve only the namespace's tree and host root; a stopped emulator
 * delays its namespace's PCRs and nothing else; when it dies, the
 * container goes on, and so does its list, without a TPM.
 *
 * Each vTPM is a proxy device from /dev/vtpmx whose server side the test
 * hands to swtpm (swtpm chardev --fd). Needs root, CONFIG_IMA_NS,
 * CONFIG_TCG_VTPM_PROXY, swtpm, evmctl, a host TPM 2.0 with a SHA-256 PCR
 * bank, ima_policy=tcb and a scratch directory on a block filesystem
 * ($IMA_NS_SCRATCH); skips otherwise.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/vtpm_proxy.h>

#include "../kselftest_harness.h"
#include "ima_ns_audit.h"
#include "ima_ns_ctr.h"

/* The in-container connect of the first version: gone, never shipped. */
#define OLD_CONNECT_IOCTL	_IO(0xa1, 0x10)

#define VTPMX			"/dev/vtpmx"
#define TPM_CLASS		"/sys/class/tpm"
#define HOST_TPM		0
#define NR_PCRS			24
#define RULE_PCR		11
#define NR_PARALLEL		3
#define MAX_VTPMS		(NR_PARALLEL + 1)
#define MAX_CTRS		(NR_PARALLEL + 1)
/* swtpm and the kernel's probe of a new chip are slow under emulation. */
#define VTPM_READY_MS		60000
#define VTPM_GONE_MS		20000
#define EVMCTL_OUT_SIZE		65536
/* A container uid other than root. */
#define CTR_USER_UID		1000
/* A host uid without privilege. */
#define NOBODY_UID		65534
/* Owner of the file the host measures while an emulator is stopped. */
#define STALL_UID		4350
#define STR_(x)			#x
#define STR(x)			STR_(x)
/* How long the host's exec may take while the emulator is stopped. */
#define STALL_EXEC_MS		60000
/* How long the vTPM may take to catch up once the emulator runs again. */
#define CATCH_UP_MS		60000
#define ANCHOR			IMA_DIR "/anchor"

/* The container's policy: executions to PCR 10, reads to RULE_PCR. */
#define CTR_POLICY	"dont_measure fsmagic=0x73636673\n" \
			"measure func=BPRM_CHECK\n" \
			"measure func=FILE_CHECK mask=MAY_READ pcr=11\n"

/* op= of the audit record of a namespace's first failed extend. */
#define EXTEND_ERROR_OP	" op=ns_tpm_extend "

/**
 * struct vtpm - a vTPM proxy device and the swtpm serving it
 * @fd: the test's copy of the server side, -1 once closed
 * @num: N of /dev/tpmN
 * @swtpm: pid of swtpm, 0 if none runs
 * @state: swtpm's state directory, empty if none
 */
struct vtpm {
	int fd;
	unsigned int num;
	pid_t swtpm;
	char state[PATH_MAX];
};

/**
 * struct world - what a test started, stopped at teardown
 * @dir: where the test creates files, on the scratch filesystem
 * @true_prog: a "true" program to copy
 * @ctr: containers
 * @nr_ctrs: number of @ctr in use
 * @vtpm: vTPMs
 * @nr_vtpms: number of @vtpm in use
 * @ad: the test as the audit daemon, if it is (@ad.sock >= 0)
 */
struct world {
	char dir[256];
	char true_prog[PATH_MAX];
	struct ima_ctr ctr[MAX_CTRS];
	int nr_ctrs;
	struct vtpm vtpm[MAX_VTPMS];
	int nr_vtpms;
	struct ima_auditd ad;
};

static const char *vtpm_missing(void)
{
	const char *reason = ima_ns_missing();

	if (reason)
		return reason;
	if (access(VTPMX, R_OK | W_OK))
		return "no " VTPMX " (CONFIG_TCG_VTPM_PROXY)";
	if (!have_cmd("swtpm"))
		return "swtpm not found";
	if (!have_cmd("evmctl"))
		return "evmctl (ima-evm-utils) not found";
	if (access(IMA_TPM_PCR_SHA256 "/10", R_OK))
		return "no host TPM 2.0 with a SHA-256 PCR bank";
	return NULL;
}

static int tpm_path(unsigned int num, const char *file, char *buf,
		    size_t size)
{
	int len = snprintf(buf, size, TPM_CLASS "/tpm%u%s%s", num,
			   file ? "/" : "", file ?: "");

	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

/* PCR @idx of TPM @num's SHA-256 bank into @digest. */
static int read_pcr(unsigned int num, int idx, __u8 digest[SHA256_DIGEST_SIZE])
{
	char file[32], path[PATH_MAX], *buf;
	ssize_t len;
	int ret;

	snprintf(file, sizeof(file), "pcr-sha256/%d", idx);
	ret = tpm_path(num, file, path, sizeof(path));
	if (ret)
		return ret;
	len = read_file(path, &buf);
	if (len < 0)
		return len;
	ret = len < 2 * SHA256_DIGEST_SIZE ? -EINVAL :
	      hex2bin(digest, buf, SHA256_DIGEST_SIZE);
	free(buf);
	return ret;
}

/* All PCRs of TPM @num's SHA-256 bank, in the "PCR-NN: hex" form of evmctl. */
static int read_pcrs_text(unsigned int num, char *text, size_t size)
{
	__u8 digest[SHA256_DIGEST_SIZE];
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	size_t len = 0;
	int i, ret, n;

	for (i = 0; i < NR_PCRS; i++) {
		ret = read_pcr(num, i, digest);
		if (ret)
			return ret;
		bin2hex(hex, digest, sizeof(digest));
		n = snprintf(text + len, size - len, "PCR-%02d: %s\n", i, hex);
		if (n < 0 || (size_t)n >= size - len)
			return -ENOSPC;
		len += n;
	}
	return 0;
}

static bool digest_is_zero(const __u8 *digest, size_t len)
{
	while (len--)
		if (*digest++)
			return false;
	return true;
}

/**
 * vtpm_create() - a vTPM proxy device, served by swtpm if @serve
 * @w: the test's world, which the vTPM joins
 * @serve: start swtpm on the server side
 * @vp: set to the new vTPM
 *
 * swtpm gets a copy of the server side; the test keeps its own in @fd
 * until vtpm_close_fd(). Without @serve nothing answers the kernel's
 * probe, and the chip stays unregistered until the server side closes.
 *
 * Return: 0 or a negative errno.
 */
static int vtpm_create(struct world *w, bool serve, struct vtpm **vp)
{
	struct vtpm_proxy_new_dev new_dev = { .flags = VTPM_PROXY_FLAG_TPM2 };
	char fd_arg[16], state_arg[PATH_MAX + 8], log_arg[PATH_MAX + 16];
	struct vtpm *v;
	int vtpmx, ret;

	if (w->nr_vtpms == MAX_VTPMS)
		return -ENOSPC;
	v = &w->vtpm[w->nr_vtpms];
	memset(v, 0, sizeof(*v));
	v->fd = -1;

	vtpmx = open(VTPMX, O_RDWR | O_CLOEXEC);
	if (vtpmx < 0)
		return -errno;
	ret = ioctl(vtpmx, VTPM_PROXY_IOC_NEW_DEV, &new_dev) ? -errno : 0;
	close(vtpmx);
	if (ret)
		return ret;
	v->fd = new_dev.fd;
	v->num = new_dev.tpm_num;
	w->nr_vtpms++;
	*vp = v;
	if (!serve)
		return 0;

	snprintf(state_arg, sizeof(state_arg), "%s/swtpm-%u", w->dir, v->num);
	memcpy(v->state, state_arg, sizeof(v->state));
	if (mkdir(v->state, 0700))
		return -errno;
	/* swtpm serves the server side as its descriptor 3. */
	snprintf(fd_arg, sizeof(fd_arg), "%d", 3);
	snprintf(state_arg, sizeof(state_arg), "dir=%s", v->state);
	snprintf(log_arg, sizeof(log_arg), "file=%s/log", v->state);
	v->swtpm = fork();
	if (v->swtpm < 0) {
		v->swtpm = 0;
		return -errno;
	}
	if (!v->swtpm) {
		char *const argv[] = {
			"swtpm", "chardev", "--tpm2", "--fd", fd_arg,
			"--tpmstate", state_arg, "--flags", "startup-clear",
			/* A proxy's driver sets the locality of its commands. */
			"--locality", "allow-set-locality", "--log", log_arg,
			NULL
		};
		int null = open("/dev/null", O_RDWR);

		if (dup2(v->fd, 3) < 0 || null < 0)
			_exit(127);
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		/* Nothing else of the test's: no socket, no other vTPM. */
		close_range(4, ~0U, 0);
		execvp(argv[0], argv);
		_exit(127);
	}
	return 0;
}

/* Wait for the kernel to have registered the chip: its PCRs in sysfs. */
static int vtpm_wait_ready(struct vtpm *v)
{
	long deadline = now_ms() + VTPM_READY_MS;
	char path[PATH_MAX];
	int ret;

	ret = tpm_path(v->num, "pcr-sha256/10", path, sizeof(path));
	if (ret)
		return ret;
	while (access(path, R_OK)) {
		if (v->swtpm && waitpid(v->swtpm, NULL, WNOHANG) == v->swtpm) {
			v->swtpm = 0;
			return -ECHILD;
		}
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		sleep_ms(100);
	}
	return 0;
}

/* The test's copy of the server side: swtpm then holds the only one. */
static void vtpm_close_fd(struct vtpm *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

/* kill -9 swtpm, and wait for the kernel to have removed the chip. */
static int vtpm_kill(struct vtpm *v)
{
	long deadline = now_ms() + VTPM_GONE_MS;
	char path[PATH_MAX];
	int ret;

	ret = tpm_path(v->num, NULL, path, sizeof(path));
	if (ret)
		return ret;
	if (!v->swtpm)
		return -ESRCH;
	kill(v->swtpm, SIGKILL);
	waitpid(v->swtpm, NULL, 0);
	v->swtpm = 0;
	while (!access(path, F_OK)) {
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		sleep_ms(100);
	}
	return errno == ENOENT ? 0 : -errno;
}

static void vtpm_destroy(struct vtpm *v)
{
	vtpm_close_fd(v);
	if (v->swtpm) {
		kill(v->swtpm, SIGKILL);
		waitpid(v->swtpm, NULL, 0);
		v->swtpm = 0;
	}
	if (v->state[0])
		remove_tree(v->state);
}

/* The user namespace of process @pid. Return: a descriptor or -errno. */
static int open_user_ns(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* A pidfd of process @pid. Return: a descriptor or -errno. */
static int open_pidfd(pid_t pid)
{
	int fd = syscall(__NR_pidfd_open, pid, 0);

	return fd < 0 ? -errno : fd;
}

/* One VTPM_PROXY_IOC_BIND_IMA_NS. Return: 0 or the negative errno. */
static int bind_once(int server_fd, int user_ns_fd, __u32 flags)
{
	struct vtpm_proxy_ima_ns arg = {
		.user_ns_fd = user_ns_fd, .flags = flags,
	};

	return ioctl(server_fd, VTPM_PROXY_IOC_BIND_IMA_NS, &arg) ? -errno : 0;
}

/**
 * vtpm_bind() - bind a vTPM to a container's IMA namespace, from the host
 * @v: vTPM whose server side the test holds
 * @ctr: container, named by its user namespace
 * @wait_registered: retry while the chip is not registered yet (EAGAIN)
 *
 * As a runtime does it: the test runs the emulator and issues the ioctl
 * itself; the container never gets the server side.
 *
 * Return: 0, or the negative errno of the ioctl or of a step before it.
 */
static int vtpm_bind(struct vtpm *v, struct ima_ctr *ctr, bool wait_registered)
{
	int user_ns, ret;

	user_ns = open_user_ns(ctr->pid);
	if (user_ns < 0)
		return user_ns;
	if (wait_registered)
		ret = ima_vtpm_bind(v->fd, user_ns, VTPM_READY_MS);
	else
		ret = bind_once(v->fd, user_ns, 0);
	close(user_ns);
	return ret;
}

/*
 * Run @fn(@arg) in a child of the test, which may change its credentials
 * or namespaces for it. Return: what @fn returned, or -ECHILD.
 */
static int in_child(int (*fn)(void *arg), void *arg)
{
	int pipefd[2], ret;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return ret;
	}
	if (!pid) {
		close(pipefd[0]);
		ret = fn(arg);
		_exit(write(pipefd[1], &ret, sizeof(ret)) != sizeof(ret));
	}
	close(pipefd[1]);
	if (read(pipefd[0], &ret, sizeof(ret)) != sizeof(ret))
		ret = -ECHILD;
	close(pipefd[0]);
	waitpid(pid, NULL, 0);
	return ret;
}

/* Become a host user without any privilege. */
static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) ||
	    setresgid(NOBODY_UID, NOBODY_UID, NOBODY_UID) ||
	    setresuid(NOBODY_UID, NOBODY_UID, NOBODY_UID))
		return -errno;
	return 0;
}

/**
 * struct bind_attempt - a binding tried by someone other than the runtime
 * @server_fd: the server side, leaked to the child that tries
 * @target: the container whose user namespace the ioctl names
 * @enter: the container whose root tries, or NULL for host user nobody
 */
struct bind_attempt {
	int server_fd;
	struct ima_ctr *target;
	struct ima_ctr *enter;
};

static int try_bind(void *arg)
{
	struct bind_attempt *a = arg;
	int user_ns, ret;

	user_ns = open_user_ns(a->target->pid);
	if (user_ns < 0)
		return user_ns;
	ret = a->enter ? ima_ctr_enter(a->enter, false) : drop_to_nobody();
	if (!ret)
		ret = bind_once(a->server_fd, user_ns, 0);
	close(user_ns);
	return ret;
}

static void world_setup(struct __test_metadata *_metadata, struct world *w)
{
	const char *reason = vtpm_missing();
	char scratch[PATH_MAX];
	const char *unusable;

	w->nr_ctrs = 0;
	w->nr_vtpms = 0;
	w->dir[0] = '\0';
	w->ad.sock = -1;
	if (reason)
		SKIP(return, "%s", reason);
	ASSERT_EQ(0, ima_scratch_dir(scratch, sizeof(scratch)));
	unusable = ima_scratch_unusable(scratch);
	if (unusable)
		SKIP(return, "%.200s: %s", scratch, unusable);
	if (find_true(w->true_prog))
		SKIP(return, "no 'true' program to execute");
	ASSERT_GT(sizeof(w->dir),
		  snprintf(w->dir, sizeof(w->dir), "%s/vtpm-XXXXXX", scratch));
	ASSERT_NE(NULL, mkdtemp(w->dir));
	ASSERT_EQ(0, chmod(w->dir, 01777));
}

static void world_teardown(struct world *w)
{
	/* The namespaces go first, with the references they hold. */
	while (w->nr_ctrs)
		ima_ctr_stop(&w->ctr[--w->nr_ctrs]);
	while (w->nr_vtpms)
		vtpm_destroy(&w->vtpm[--w->nr_vtpms]);
	ima_auditd_stop(&w->ad);
	if (w->dir[0])
		remove_tree(w->dir);
}

/* A container whose securityfs is mounted: its IMA namespace exists. */
static struct ima_ctr *start_ctr(struct world *w)
{
	struct ima_ctr *ctr;

	if (w->nr_ctrs == MAX_CTRS)
		return NULL;
	ctr = &w->ctr[w->nr_ctrs];
	if (ima_ctr_start(ctr, &ima_ctr_rootful))
		return NULL;
	w->nr_ctrs++;
	if (ima_ctr_mount(ctr))
		return NULL;
	return ctr;
}

static int activate(struct ima_ctr *ctr, const char *policy)
{
	int ret;

	ret = ima_ctr_write_str(ctr, IMA_NS_HASH, "sha256");
	if (!ret)
		ret = ima_ctr_write_str(ctr, IMA_NS_ACTIVE, "1");
	if (!ret && policy)
		ret = ima_ctr_policy_write(ctr, policy);
	return ret;
}

/* A served vTPM, ready for binding. */
static struct vtpm *start_vtpm(struct __test_metadata *_metadata,
			       struct world *w)
{
	long deadline = now_ms() + VTPM_READY_MS;
	struct vtpm *v = NULL;

	EXPECT_EQ(0, vtpm_create(w, true, &v));
	if (!v)
		return NULL;
	EXPECT_EQ(0, vtpm_wait_ready(v)) {
		char path[PATH_MAX + 8], *log = NULL;

		snprintf(path, sizeof(path), "%s/log", v->state);
		read_file(path, &log);
		TH_LOG("tpm%u never registered; swtpm's log: %s", v->num,
		       log ?: "(none)");
		free(log);
		return NULL;
	}
	/*
	 * The proxy calls the chip registered a little after its sysfs files
	 * appear: until then a binding fails with EAGAIN, even one naming no
	 * descriptor, which fails with EBADF afterwards.
	 */
	while (bind_once(v->fd, -1, 0) == -EAGAIN) {
		if (now_ms() > deadline) {
			TH_LOG("tpm%u: EAGAIN for %d ms", v->num,
			       VTPM_READY_MS);
			return NULL;
		}
		sleep_ms(100);
	}
	return v;
}

/*
 * A container with a vTPM of its own, its namespace active with
 * CTR_POLICY: the way a runtime sets one up, binding from the host. The
 * test's copy of the server side is closed then: swtpm holds the only one.
 */
static void start_attested_ctr(struct __test_metadata *_metadata,
			       struct world *w, struct ima_ctr **ctrp,
			       struct vtpm **vp)
{
	struct ima_ctr *ctr;
	struct vtpm *v;

	ctr = start_ctr(w);
	ASSERT_NE(NULL, ctr);
	v = start_vtpm(_metadata, w);
	ASSERT_NE(NULL, v);
	ASSERT_EQ(0, vtpm_bind(v, ctr, true));
	vtpm_close_fd(v);
	ASSERT_EQ(0, activate(ctr, CTR_POLICY));
	*ctrp = ctr;
	*vp = v;
}

/*
 * Work in a container that its policy measures: @n new files read (to
 * RULE_PCR) and @n new programs executed (to PCR 10), named after @tag.
 * Return: 0 or a negative errno; no assertion, so that a child may run it.
 */
static int ctr_measure(struct world *w, struct ima_ctr *ctr, const char *tag,
		       int n)
{
	char path[PATH_MAX];
	ssize_t len;
	char *buf;
	int i, ret;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s-file-%d", w->dir, tag, i);
		ret = write_file(path, path, strlen(path), O_CREAT | O_EXCL,
				 0644);
		if (ret)
			return ret;
		len = ima_ctr_read(ctr, IMA_CTR_ROOT, path, &buf);
		if (len < 0)
			return len;
		free(buf);

		snprintf(path, sizeof(path), "%s/%s-prog-%d", w->dir, tag, i);
		ret = copy_file(w->true_prog, path, 0755);
		if (ret)
			return ret;
		ret = ima_ctr_exec(ctr, IMA_CTR_ROOT, path);
		if (ret)
			return ret < 0 ? ret : -ECHILD;
	}
	return 0;
}

/* The host's path of a container's binary_runtime_measurements. */
static int ctr_list_path(struct ima_ctr *ctr, char *path, size_t size)
{
	__u64 id;
	int ret;

	ret = ima_ctr_ns_id(ctr, &id);
	if (!ret)
		ret = ima_host_ns_path(id, "binary_runtime_measurements", path,
				       size);
	return ret;
}

/**
 * snapshot() - copy a list and the PCRs of a TPM as one consistent state
 * @w: world, whose directory gets the copies
 * @list: binary list to copy
 * @tpm: N of the TPM whose SHA-256 bank to read
 * @tag: names the copies: @tag.list and @tag.pcrs
 *
 * The PCRs did not change while the list was copied: what evmctl later
 * does (and the host measures) changes neither copy.
 *
 * Return: 0 or a negative errno; -EAGAIN if the PCRs kept changing.
 */
static int snapshot(struct world *w, const char *list, unsigned int tpm,
		    const char *tag)
{
	static char before[NR_PCRS * 80], after[NR_PCRS * 80];
	char path[PATH_MAX];
	int try, ret;
	ssize_t len;
	char *buf;

	for (try = 0; try < 5; try++) {
		ret = read_pcrs_text(tpm, before, sizeof(before));
		if (ret)
			return ret;
		len = read_file(list, &buf);
		if (len < 0)
			return len;
		ret = read_pcrs_text(tpm, after, sizeof(after));
		if (!ret && strcmp(before, after))
			ret = -EAGAIN;
		if (!ret) {
			snprintf(path, sizeof(path), "%s/%s.list", w->dir, tag);
			ret = write_file(path, buf, len, O_CREAT | O_TRUNC,
					 0600);
		}
		free(buf);
		if (ret != -EAGAIN)
			break;
	}
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/%s.pcrs", w->dir, tag);
	return write_file(path, after, strlen(after), O_CREAT | O_TRUNC, 0600);
}

/*
 * evmctl replays the list of snapshot @list_tag to the PCRs of snapshot
 * @pcrs_tag. evmctl exits 0 even when it could read no PCR: a match is
 * its words "Matched per TPM bank" and no failure.
 */
static bool replays(struct __test_metadata *_metadata, struct world *w,
		    const char *list_tag, const char *pcrs_tag, bool log)
{
	char list[PATH_MAX], pcrs[PATH_MAX + 8];
	static char out[EVMCTL_OUT_SIZE];
	char *const argv[] = {
		"evmctl", "ima_measurement", "--ignore-violations",
		"--pcrs", pcrs, list, NULL
	};
	bool matched;
	int ret;

	snprintf(list, sizeof(list), "%s/%s.list", w->dir, list_tag);
	snprintf(pcrs, sizeof(pcrs), "sha256,%s/%s.pcrs", w->dir, pcrs_tag);
	ret = run_cmd(argv, out, sizeof(out));
	matched = !ret && strstr(out, "Matched per TPM bank") &&
		  !strstr(out, "Failed");
	if (!matched && log) {
		size_t len = strlen(out);

		TH_LOG("evmctl (%d) on %s: ...%s", ret, list_tag,
		       len > 1500 ? out + len - 1500 : out);
	}
	return matched;
}

/* Snapshot and replay a container's list to its vTPM. */
static void expect_ctr_replays(struct __test_metadata *_metadata,
			       struct world *w, struct ima_ctr *ctr,
			       struct vtpm *v, const char *tag)
{
	char path[PATH_MAX];

	ASSERT_EQ(0, ctr_list_path(ctr, path, sizeof(path)));
	ASSERT_EQ(0, snapshot(w, path, v->num, tag));
	EXPECT_TRUE(replays(_metadata, w, tag, tag, true));
}

/* Snapshot and replay the host's list to the host TPM. */
static void expect_host_replays(struct __test_metadata *_metadata,
				struct world *w, const char *tag)
{
	ASSERT_EQ(0, snapshot(w, IMA_BINARY_LIST, HOST_TPM, tag));
	EXPECT_TRUE(replays(_metadata, w, tag, tag, true));
}

/* Parse the copy of a snapshot's list. */
static int read_snapshot_list(struct world *w, const char *tag,
			      struct ima_list *list)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s.list", w->dir, tag);
	return ima_list_read(path, SHA1_DIGEST_SIZE, list);
}

static int count_pcr(const struct ima_list *list, __u32 pcr)
{
	size_t i;
	int n = 0;

	for (i = 0; i < list->count; i++)
		n += list->entries[i].pcr == pcr;
	return n;
}

/* The sha256 boot_aggregate opening a container's list into @digest. */
static void read_boot_aggregate(struct __test_metadata *_metadata,
				struct ima_ctr *ctr,
				__u8 digest[SHA256_DIGEST_SIZE])
{
	struct ima_list list;
	struct ima_ng ng;

	ASSERT_EQ(0, ima_ctr_list(ctr, &list));
	ASSERT_LT(0, list.count);
	ASSERT_EQ(0, ima_entry_ng(&list.entries[0], &ng));
	EXPECT_STREQ("boot_aggregate", ng.name);
	EXPECT_EQ(IMA_MEASURE_PCR, list.entries[0].pcr);
	EXPECT_STREQ("sha256", ng.algo);
	ASSERT_EQ(SHA256_DIGEST_SIZE, ng.digest_len);
	memcpy(digest, ng.digest, SHA256_DIGEST_SIZE);
	ima_list_free(&list);
}

/* What a TPM's boot_aggregate is: sha256 of PCRs 0-9 of its SHA-256 bank. */
static void expected_boot_aggregate(struct __test_metadata *_metadata,
				    unsigned int tpm,
				    __u8 digest[SHA256_DIGEST_SIZE])
{
	__u8 pcrs[10][SHA256_DIGEST_SIZE];
	int i;

	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, read_pcr(tpm, i, pcrs[i]));
	sha256(pcrs, sizeof(pcrs), digest);
}

/*
 * Records of failed vTPM extends (@tagged: of those, the ones that name
 * namespace @id) the kernel sent since the last sync. Return: the count,
 * or a negative errno.
 */
static int extend_failures(struct ima_auditd *ad, __u64 id, int *tagged)
{
	struct ima_audit_records recs = { 0 };
	int i, n = 0, ret;

	ret = ima_audit_sync(ad, &recs);
	for (i = 0; !ret && i < recs.count; i++) {
		if (recs.type[i] != AUDIT_INTEGRITY_PCR ||
		    !strstr(recs.text[i], EXTEND_ERROR_OP))
			continue;
		n++;
		*tagged += ima_audit_record_ns(recs.text[i]) == (long long)id;
	}
	ima_audit_records_free(&recs);
	return ret ?: n;
}

/*
 * The value of line "@key <n>" of the namespace's anchor file, read by
 * its root. Return: 0 or a negative errno; -ENOENT without that line.
 */
static int read_anchor(struct ima_ctr *ctr, const char *key,
		       unsigned long long *val)
{
	char *buf, *line, pattern[32];
	ssize_t len;
	int ret = -ENOENT;

	len = ima_ctr_read(ctr, IMA_CTR_ROOT, ANCHOR, &buf);
	if (len < 0)
		return len;
	snprintf(pattern, sizeof(pattern), "%s %%llu", key);
	for (line = buf; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (sscanf(line, pattern, val) == 1) {
			ret = 0;
			break;
		}
	}
	free(buf);
	return ret;
}

/* TPM2_GetRandom of 8 bytes: a command that changes no PCR. */
static const __u8 get_random_cmd[] = {
	0x80, 0x01, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x01, 0x7b,
	0x00, 0x08,
};

/* TPM2_PCR_Extend of PCR 10, SHA-256 bank, password session. */
static const __u8 pcr10_extend_cmd[] = {
	0x80, 0x02, 0x00, 0x00, 0x00, 0x41, 0x00, 0x00, 0x01, 0x82,
	0x00, 0x00, 0x00, 0x0a,
	0x00, 0x00, 0x00, 0x09, 0x40, 0x00, 0x00, 0x09,
	0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x0b,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
};

/* /dev/tpmN, or /dev/tpmrmN if @rm. */
static void chip_dev(unsigned int num, bool rm, char *buf, size_t size)
{
	snprintf(buf, size, "/dev/tpm%s%u", rm ? "rm" : "", num);
}

/*
 * Open a chip's device and send it TPM2_GetRandom, in the calling process.
 * Return: 0, or the negative errno of open(), write() or read().
 */
static int use_chip_here(const char *dev)
{
	__u8 rsp[64];
	ssize_t n;
	int fd, ret = 0;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, get_random_cmd, sizeof(get_random_cmd));
	if (n != sizeof(get_random_cmd))
		ret = n < 0 ? -errno : -EIO;
	else if (read(fd, rsp, sizeof(rsp)) < 10)
		ret = -EIO;
	close(fd);
	return ret;
}

static int use_chip_as_nobody(void *dev)
{
	int ret = drop_to_nobody();

	return ret ?: use_chip_here(dev);
}

/*
 * Open a chip's device in a container, as its root, and send it
 * TPM2_GetRandom. Return: 0, or the negative errno of open() or write().
 */
static int use_chip_in(struct ima_ctr *ctr, const char *dev)
{
	ssize_t n;
	int fd;

	fd = ima_ctr_open(ctr, IMA_CTR_ROOT, dev, O_RDWR);
	if (fd < 0)
		return fd;
	n = ima_ctr_fd_write(ctr, fd, get_random_cmd, sizeof(get_random_cmd));
	ima_ctr_close(ctr, fd);
	if (n < 0)
		return n;
	return n == sizeof(get_random_cmd) ? 0 : -EIO;
}

/* Whether process @pid holds a vTPM proxy's server side ("[vtpms]"). */
static bool holds_server_side(pid_t pid)
{
	char dir[64], path[PATH_MAX], target[256];
	struct dirent *d;
	bool found = false;
	ssize_t len;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	fds = opendir(dir);
	if (!fds)
		return false;
	while ((d = readdir(fds))) {
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (strstr(target, "vtpms"))
			found = true;
	}
	closedir(fds);
	return found;
}

/*
 * Snapshot the container's list and its vTPM's PCRs until they replay,
 * for at most @ms: the vTPM's extends are queued and may lag.
 */
static bool ctr_catches_up(struct __test_metadata *_metadata,
			   struct world *w, struct ima_ctr *ctr,
			   struct vtpm *v, const char *tag, long ms)
{
	long deadline = now_ms() + ms;
	char path[PATH_MAX];
	bool last;

	if (ctr_list_path(ctr, path, sizeof(path)))
		return false;
	do {
		last = now_ms() > deadline;
		if (!snapshot(w, path, v->num, tag) &&
		    replays(_metadata, w, tag, tag, last))
			return true;
		sleep_ms(500);
	} while (!last);
	return false;
}

FIXTURE(vtpm) {
	struct world w;
};

FIXTURE_SETUP(vtpm)
{
	world_setup(_metadata, &self->w);
}

FIXTURE_TEARDOWN(vtpm)
{
	world_teardown(&self->w);
}

/*
 * The container's list replays to its vTPM, PCR 10 and the pcr= rule's
 * PCR alike; the host TPM's PCR of that rule is untouched, and the list
 * does not replay to the host TPM.
 */
TEST_F_TIMEOUT(vtpm, list_replays_to_its_vtpm, 240)
{
	__u8 host_before[SHA256_DIGEST_SIZE], host_after[SHA256_DIGEST_SIZE];
	__u8 rule_pcr[SHA256_DIGEST_SIZE];
	struct world *w = &self->w;
	struct ima_list list;
	struct ima_ctr *ctr;
	struct vtpm *v;

	start_attested_ctr(_metadata, w, &ctr, &v);
	ASSERT_EQ(0, read_pcr(HOST_TPM, RULE_PCR, host_before));
	ASSERT_EQ(0, ctr_measure(w, ctr, "a", 3));

	expect_ctr_replays(_metadata, w, ctr, v, "ctr");
	ASSERT_EQ(0, read_snapshot_list(w, "ctr", &list));
	/* boot_aggregate and 3 programs; 3 files and what exec reads. */
	EXPECT_LE(4, count_pcr(&list, IMA_MEASURE_PCR));
	EXPECT_LE(3, count_pcr(&list, RULE_PCR));
	EXPECT_LE(0, ima_list_find(&list, 0, "boot_aggregate", NULL));
	ima_list_free(&list);
	ASSERT_EQ(0, read_pcr(v->num, RULE_PCR, rule_pcr));
	EXPECT_FALSE(digest_is_zero(rule_pcr, sizeof(rule_pcr)));

	ASSERT_EQ(0, read_pcr(HOST_TPM, RULE_PCR, host_after));
	EXPECT_EQ(0, memcmp(host_before, host_after, sizeof(host_after))) {
		TH_LOG("the container's pcr= rule extended the host TPM");
	}
	/* A verifier holding the host's PCRs cannot attest the container. */
	ASSERT_EQ(0, snapshot(w, IMA_BINARY_LIST, HOST_TPM, "host"));
	EXPECT_FALSE(replays(_metadata, w, "ctr", "host", false));
}

/*
 * boot_aggregate opens the container's list, computed from PCRs 0-9 of its
 * vTPM like the host's from the host TPM; the host's PCRs differ.
 */
TEST_F_TIMEOUT(vtpm, boot_aggregate_from_its_vtpm, 240)
{
	__u8 got[SHA256_DIGEST_SIZE], want[SHA256_DIGEST_SIZE];
	__u8 host[SHA256_DIGEST_SIZE];
	struct world *w = &self->w;
	struct ima_ctr *ctr;
	struct vtpm *v;

	start_attested_ctr(_metadata, w, &ctr, &v);
	read_boot_aggregate(_metadata, ctr, got);
	expected_boot_aggregate(_metadata, v->num, want);
	expected_boot_aggregate(_metadata, HOST_TPM, host);
	EXPECT_EQ(0, memcmp(got, want, sizeof(want))) {
		TH_LOG("boot_aggregate is not sha256(vTPM PCR 0..9)");
	}
	if (!memcmp(host, want, sizeof(want)))
		TH_LOG("host and vTPM PCRs 0-9 agree: weaker check");
	else
		EXPECT_NE(0, memcmp(got, host, sizeof(host)));
}

/*
 * Without a vTPM nothing in the namespace extends a TPM: a zero
 * boot_aggregate, the host TPM's pcr= PCR untouched, the host's list
 * still replays to the host TPM.
 */
TEST_F_TIMEOUT(vtpm, no_vtpm_no_tpm, 240)
{
	__u8 before[SHA256_DIGEST_SIZE], after[SHA256_DIGEST_SIZE];
	__u8 aggregate[SHA256_DIGEST_SIZE];
	struct world *w = &self->w;
	struct ima_ctr *ctr;

	ctr = start_ctr(w);
	ASSERT_NE(NULL, ctr);
	ASSERT_EQ(0, activate(ctr, CTR_POLICY));
	read_boot_aggregate(_metadata, ctr, aggregate);
	EXPECT_TRUE(digest_is_zero(aggregate, sizeof(aggregate)));

	ASSERT_EQ(0, read_pcr(HOST_TPM, RULE_PCR, before));
	ASSERT_EQ(0, ctr_measure(w, ctr, "n", 2));
	ASSERT_EQ(0, read_pcr(HOST_TPM, RULE_PCR, after));
	EXPECT_EQ(0, memcmp(before, after, sizeof(after)));
	expect_host_replays(_metadata, w, "host");
}

/*
 * Containers with vTPMs of their own measure in parallel: each list
 * replays to its own vTPM and holds nothing of the others, and the host's
 * list replays to the host TPM.
 */
TEST_F_TIMEOUT(vtpm, parallel_containers, 480)
{
	struct ima_ctr *ctr[NR_PARALLEL];
	struct world *w = &self->w;
	struct vtpm *v[NR_PARALLEL];
	pid_t pid[NR_PARALLEL];
	char tag[NR_PARALLEL][8], path[PATH_MAX];
	struct ima_list list;
	int i, j, status;

	for (i = 0; i < NR_PARALLEL; i++) {
		snprintf(tag[i], sizeof(tag[i]), "p%d", i);
		start_attested_ctr(_metadata, w, &ctr[i], &v[i]);
	}
	for (i = 0; i < NR_PARALLEL; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i])
			_exit(ctr_measure(w, ctr[i], tag[i], 4) ? 1 : 0);
	}
	for (i = 0; i < NR_PARALLEL; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	}

	for (i = 0; i < NR_PARALLEL; i++) {
		expect_ctr_replays(_metadata, w, ctr[i], v[i], tag[i]);
		ASSERT_EQ(0, read_snapshot_list(w, tag[i], &list));
		for (j = 0; j < NR_PARALLEL; j++) {
			snprintf(path, sizeof(path), "%s/%s-file-0", w->dir,
				 tag[j]);
			if (i == j) {
				EXPECT_LE(0, ima_list_find(&list, 0, path,
							   NULL));
			} else {
				EXPECT_EQ(-ENOENT, ima_list_find(&list, 0, path,
								 NULL));
			}
		}
		ima_list_free(&list);
	}
	expect_host_replays(_metadata, w, "host");
}

/*
 * kill -9 of the vTPM's swtpm while the container runs: the chip goes
 * away, the container goes on and so does its list; the first extend that
 * fails is audited once, with the namespace's id, and counted in the
 * namespace's anchor file (tpm_errors), and no TPM is extended for the
 * namespace any more (not the host's either). The namespace keeps the
 * chip it was given: another vTPM cannot be bound.
 */
TEST_F_TIMEOUT(vtpm, vtpm_killed, 240)
{
	unsigned long long errors = ~0ULL;
	int audit, tagged = 0, failures;
	struct world *w = &self->w;
	char path[PATH_MAX];
	struct ima_list list;
	struct ima_ctr *ctr;
	struct vtpm *v, *v2;
	size_t count;
	__u64 id;

	start_attested_ctr(_metadata, w, &ctr, &v);
	ASSERT_EQ(0, ima_ctr_ns_id(ctr, &id));
	ASSERT_EQ(0, ctr_measure(w, ctr, "k", 1));
	ASSERT_TRUE(ctr_catches_up(_metadata, w, ctr, v, "before",
				   CATCH_UP_MS));
	ASSERT_EQ(0, read_anchor(ctr, "tpm_errors", &errors));
	EXPECT_EQ(0, errors);
	ASSERT_EQ(0, read_snapshot_list(w, "before", &list));
	count = list.count;
	ima_list_free(&list);

	/* The container's root is host root: its failure is audited. */
	audit = ima_auditd_start(&w->ad);
	if (audit)
		TH_LOG("no audit daemon of the test's (%d): audit not checked",
		       audit);
	else
		ASSERT_LE(0, extend_failures(&w->ad, id, &tagged));
	tagged = 0;
	ASSERT_EQ(0, vtpm_kill(v));
	ASSERT_EQ(0, tpm_path(v->num, NULL, path, sizeof(path)));
	EXPECT_EQ(-1, access(path, F_OK));
	EXPECT_EQ(ENOENT, errno);

	/* The container still runs and measures into its list. */
	ASSERT_EQ(0, ctr_measure(w, ctr, "after", 2));
	ASSERT_EQ(0, ima_ctr_list(ctr, &list));
	EXPECT_LE(count + 4, list.count);
	snprintf(path, sizeof(path), "%s/after-file-1", w->dir);
	EXPECT_LE(0, ima_list_find(&list, 0, path, NULL));
	ima_list_free(&list);

	/* The extends are queued: give the failing ones time to be counted. */
	errors = 0;
	for (count = 0; count < 100 && !errors; count++) {
		ASSERT_EQ(0, read_anchor(ctr, "tpm_errors", &errors));
		if (!errors)
			sleep_ms(200);
	}
	EXPECT_LT(0, errors) {
		TH_LOG("anchor's tpm_errors stays 0 with the vTPM dead");
	}

	/* Once: the namespace no longer tries, nor audits. */
	ASSERT_EQ(0, ctr_measure(w, ctr, "later", 1));
	sleep_ms(1000);
	if (!audit) {
		failures = extend_failures(&w->ad, id, &tagged);
		EXPECT_EQ(1, failures) {
			TH_LOG("%d audit records of a failed extend", failures);
		}
		EXPECT_EQ(1, tagged) {
			TH_LOG("the record does not say ima_ns=%llu",
			       (unsigned long long)id);
		}
	}

	expect_host_replays(_metadata, w, "host");

	v2 = start_vtpm(_metadata, w);
	ASSERT_NE(NULL, v2);
	EXPECT_EQ(-EBUSY, vtpm_bind(v2, ctr, true));
}

/*
 * kill -9 of swtpm while the container is measuring, so that an extend
 * may be waiting for its answer: the container's work finishes, nothing
 * hangs, and every entry is in the list.
 */
TEST_F_TIMEOUT(vtpm, vtpm_killed_while_measuring, 240)
{
	struct world *w = &self->w;
	char path[PATH_MAX];
	struct ima_list list;
	struct ima_ctr *ctr;
	struct vtpm *v;
	int status;
	pid_t pid;

	start_attested_ctr(_metadata, w, &ctr, &v);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(ctr_measure(w, ctr, "busy", 8) ? 1 : 0);
	sleep_ms(1000);
	EXPECT_EQ(0, vtpm_kill(v));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));

	ASSERT_EQ(0, ctr_measure(w, ctr, "after", 1));
	ASSERT_EQ(0, ima_ctr_list(ctr, &list));
	snprintf(path, sizeof(path), "%s/busy-file-7", w->dir);
	EXPECT_LE(0, ima_list_find(&list, 0, path, NULL));
	snprintf(path, sizeof(path), "%s/after-file-0", w->dir);
	EXPECT_LE(0, ima_list_find(&list, 0, path, NULL));
	ima_list_free(&list);
	expect_host_replays(_metadata, w, "host");
}

/*
 * The binding creates the IMA namespace of a user namespace that has not
 * mounted securityfs yet: the instance the container mounts later is that
 * namespace, with the vTPM, whose PCRs make its boot_aggregate.
 */
TEST_F_TIMEOUT(vtpm, bind_before_securityfs, 240)
{
	__u8 got[SHA256_DIGEST_SIZE], want[SHA256_DIGEST_SIZE];
	struct world *w = &self->w;
	struct ima_ctr *ctr;
	struct vtpm *v;

	ctr = &w->ctr[w->nr_ctrs];
	ASSERT_EQ(0, ima_ctr_start(ctr, &ima_ctr_rootful));
	w->nr_ctrs++;
	v = start_vtpm(_metadata, w);
	ASSERT_NE(NULL, v);
	ASSERT_EQ(0, vtpm_bind(v, ctr, true));
	vtpm_close_fd(v);
	EXPECT_FALSE(holds_server_side(ctr->pid));

	ASSERT_EQ(0, ima_ctr_mount(ctr));
	ASSERT_EQ(0, activate(ctr, CTR_POLICY));
	read_boot_aggregate(_metadata, ctr, got);
	expected_boot_aggregate(_metadata, v->num, want);
	EXPECT_EQ(0, memcmp(got, want, sizeof(want))) {
		TH_LOG("boot_aggregate is not sha256(vTPM PCR 0..9)");
	}
	ASSERT_EQ(0, ctr_measure(w, ctr, "b", 1));
	EXPECT_TRUE(ctr_catches_up(_metadata, w, ctr, v, "ctr", CATCH_UP_MS));
}

/*
 * A pidfd of a task of the container names its user namespace as well as
 * /proc/PID/ns/user does.
 */
TEST_F_TIMEOUT(vtpm, bind_with_pidfd, 240)
{
	__u8 got[SHA256_DIGEST_SIZE], want[SHA256_DIGEST_SIZE];
	struct world *w = &self->w;
	struct ima_ctr *ctr;
	struct vtpm *v;
	int pidfd;

	ctr = start_ctr(w);
	ASSERT_NE(NULL, ctr);
	v = start_vtpm(_metadata, w);
	ASSERT_NE(NULL, v);
	pidfd = open_pidfd(ctr->pid);
	ASSERT_LE(0, pidfd);
	EXPECT_EQ(0, bind_once(v->fd, pidfd, 0));
	close(pidfd);
	vtpm_close_fd(v);

	ASSERT_EQ(0, activate(ctr, CTR_POLICY));
	read_boot_aggregate(_metadata, ctr, got);
	expected_boot_aggregate(_metadata, v->num, want);
	EXPECT_EQ(0, memcmp(got, want, sizeof(want))) {
		TH_LOG("boot_aggregate is not sha256(vTPM PCR 0..9)");
	}
}

/*
 * Once bound, the chip's devices serve the namespace's tree and host root
 * only. An unrelated container's root, which could open them before, and
 * an unprivileged host user are refused (EPERM); a descriptor the
 * outsider opened before the binding can no longer send a command. The
 * container's root, a container nested in it and host root use the chip.
 * No PCR extend of the outsider's reached the chip: the container's list
 * replays to it.
 */
TEST_F_TIMEOUT(vtpm, exclusive_chip, 240)
{
	struct ima_ctr *ctr, *outsider, *nested;
	char dev[2][32];
	struct world *w = &self->w;
	struct vtpm *v;
	int early, rm;
	ssize_t n;

	ctr = start_ctr(w);
	ASSERT_NE(NULL, ctr);
	outsider = start_ctr(w);
	ASSERT_NE(NULL, outsider);
	v = start_vtpm(_metadata, w);
	ASSERT_NE(NULL, v);
	for (rm = 0; rm < 2; rm++) {
		chip_dev(v->num, rm, dev[rm], sizeof(dev[rm]));
		/* So that only the binding can refuse an unprivileged user. */
		ASSERT_EQ(0, chmod(dev[rm], 0666));
	}

	/* Unbound, the chip is anyone's. */
	ASSERT_EQ(0, use_chip_in(outsider, dev[1]));
	early = ima_ctr_open(outsider, IMA_CTR_ROOT, dev[0], O_RDWR);
	ASSERT_LE(0, early);

	ASSERT_EQ(0, vtpm_bind(v, ctr, true));
	vtpm_close_fd(v);
	n = ima_ctr_fd_write(outsider, early, pcr10_extend_cmd,
			     sizeof(pcr10_extend_cmd));
	EXPECT_EQ(-EPERM, n) {
		TH_LOG("a descriptor opened before the binding sent a command");
	}
	ASSERT_EQ(0, ima_ctr_close(outsider, early));

	for (rm = 0; rm < 2; rm++) {
		EXPECT_EQ(-EPERM, use_chip_in(outsider, dev[rm])) {
			TH_LOG("an unrelated container opened %s", dev[rm]);
		}
		EXPECT_EQ(-EPERM, in_child(use_chip_as_nobody, dev[rm])) {
			TH_LOG("an unprivileged host user opened %s", dev[rm]);
		}
		EXPECT_EQ(0, use_chip_in(ctr, dev[rm]));
		EXPECT_EQ(0, use_chip_here(dev[rm]));
	}
	nested = &w->ctr[w->nr_ctrs];
	ASSERT_EQ(0, ima_ctr_spawn(ctr, nested, &ima_ctr_rootful));
	w->nr_ctrs++;
	EXPECT_EQ(0, use_chip_in(nested, dev[1]));

	ASSERT_EQ(0, activate(ctr, CTR_POLICY));
	ASSERT_EQ(0, ctr_measure(w, ctr, "x", 1));
	EXPECT_TRUE(ctr_catches_up(_metadata, w, ctr, v, "ctr", CATCH_UP_MS));
}

/**
 * struct stall_step - a process that touches the stall test's file
 * @ctr: the container that reads it, or NULL for host root executing it
 * @path: the file
 */
struct stall_step {
	struct ima_ctr *ctr;
	const char *path;
};

static int stall_step(void *arg)
{
	char *const argv[] = { "true", NULL };
	struct stall_step *step = arg;
	ssize_t len;
	char *buf;

	if (!step->ctr)
		return exec_status(step->path, argv);
	len = ima_ctr_read(step->ctr, CTR_USER_UID, step->path, &buf);
	if (len < 0)
		return len;
	free(buf);
	return 0;
}

/* Start @fn(@arg) in a child; its result is its exit status. */
static pid_t start_child(int (*fn)(void *arg), void *arg)
{
	pid_t pid = fork();

	if (!pid)
		_exit(fn(arg) ? 1 : 0);
	return pid;
}

/* Wait at most @ms for child @pid. Return: it exited 0, else false. */
static bool child_done(pid_t pid, long ms, bool *ok)
{
	long deadline = now_ms() + ms;
	int status;

	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			*ok = WIFEXITED(status) && !WEXITSTATUS(status);
			return true;
		}
		if (now_ms() > deadline)
			return false;
		sleep_ms(50);
	}
}

/*
 * With the vTPM's emulator stopped (SIGSTOP), the container measures a
 * file F, then host root executes F, which the host's policy measures: the
 * host's exec finishes while the emulator is still stopped, and so does
 * the container's read; both lists hold F. A kernel that sends the vTPM's
 * extend while holding a lock the host's exec takes keeps the exec waiting
 * for as long as the emulator is stopped. The extend that met the stall
 * then completes, or times out in the TPM core and is counted.
 */
TEST_F_TIMEOUT(vtpm, stalled_emulator_does_not_block_host, 360)
{
	bool read_done, read_ok = false, exec_done, exec_ok = false;
	unsigned long long errors = ~0ULL;
	struct stall_step read_step, exec_step;
	struct world *w = &self->w;
	pid_t reader, executor;
	char file[PATH_MAX];
	struct ima_list list;
	struct ima_ctr *ctr;
	struct vtpm *v;
	long started;
	int ret;

	ret = ima_policy_add_rule("measure func=BPRM_CHECK fowner="
				  STR(STALL_UID));
	if (ret == -EACCES)
		SKIP(return, "the host's policy cannot be read back");
	ASSERT_EQ(0, ret);
	start_attested_ctr(_metadata, w, &ctr, &v);
	snprintf(file, sizeof(file), "%s/stalled", w->dir);
	ASSERT_EQ(0, copy_file(w->true_prog, file, 0755));
	ASSERT_EQ(0, chown(file, STALL_UID, STALL_UID));
	ASSERT_TRUE(ctr_catches_up(_metadata, w, ctr, v, "before",
				   CATCH_UP_MS));

	ASSERT_EQ(0, kill(v->swtpm, SIGSTOP));
	read_step = (struct stall_step){ .ctr = ctr, .path = file };
	reader = start_child(stall_step, &read_step);
	ASSERT_LE(0, reader);
	/* Let the container's measurement reach the vTPM first. */
	read_done = child_done(reader, 2000, &read_ok);
	exec_step = (struct stall_step){ .ctr = NULL, .path = file };
	started = now_ms();
	executor = start_child(stall_step, &exec_step);
	ASSERT_LE(0, executor) {
		kill(v->swtpm, SIGCONT);
	}
	exec_done = child_done(executor, STALL_EXEC_MS, &exec_ok);
	TH_LOG("host exec with the emulator stopped: %s after %ld ms",
	       exec_done ? "finished" : "still waiting", now_ms() - started);
	if (!read_done)
		read_done = child_done(reader, 1000, &read_ok);
	kill(v->swtpm, SIGCONT);
	if (!exec_done)
		waitpid(executor, NULL, 0);
	if (!read_done)
		waitpid(reader, NULL, 0);

	EXPECT_TRUE(exec_done) {
		TH_LOG("the host's exec waited for the stopped emulator");
	}
	EXPECT_TRUE(exec_ok);
	EXPECT_TRUE(read_done) {
		TH_LOG("the container's read waited for the stopped emulator");
	}
	EXPECT_TRUE(read_ok);

	ASSERT_EQ(0, ima_list_read(IMA_BINARY_LIST, SHA1_DIGEST_SIZE, &list));
	EXPECT_LE(0, ima_list_find(&list, 0, file, NULL)) {
		TH_LOG("the host did not measure its exec of %s", file);
	}
	ima_list_free(&list);
	ASSERT_EQ(0, ima_ctr_list(ctr, &list));
	EXPECT_LE(0, ima_list_find(&list, 0, file, NULL));
	ima_list_free(&list);

	/*
	 * The extend that met the stall either finished within the core's
	 * 750 ms, and the list replays to the vTPM, or timed out and was
	 * counted: the emulator may still apply it, so the namespace stops
	 * extending rather than risk extending twice.
	 */
	sleep_ms(2000);
	ASSERT_EQ(0, read_anchor(ctr, "tpm_errors", &errors));
	if (errors)
		TH_LOG("the stalled extend timed out: %llu not extended",
		       errors);
	else
		EXPECT_TRUE(ctr_catches_up(_metadata, w, ctr, v, "after",
					   CATCH_UP_MS));
}

/* What a binding is tried with, and what must come of it. */
enum bind_case {
	BAD_FLAGS,
	NOT_USER_NS,
	NOT_NS,
	DEAD_PIDFD,
	INIT_USER_NS,
	BAD_FD,
	BAD_POINTER,
	FROM_INSIDE,
	FROM_NESTED,
	UNPRIVILEGED,
	NOT_REGISTERED,
	ACTIVE,
	TWICE,
	SHARED_CHIP,
	VTPM_DIED,
	OLD_IOCTL,
};

FIXTURE(bind_ioctl) {
	struct world w;
};

FIXTURE_VARIANT(bind_ioctl) {
	enum bind_case what;
	int expected;
};

FIXTURE_SETUP(bind_ioctl)
{
	world_setup(_metadata, &self->w);
}

FIXTURE_TEARDOWN(bind_ioctl)
{
	world_teardown(&self->w);
}

FIXTURE_VARIANT_ADD(bind_ioctl, bad_flags) {
	.what = BAD_FLAGS, .expected = -EINVAL,
};

/* A mount namespace's descriptor. */
FIXTURE_VARIANT_ADD(bind_ioctl, not_user_ns) {
	.what = NOT_USER_NS, .expected = -EINVAL,
};

/* A regular file's descriptor. */
FIXTURE_VARIANT_ADD(bind_ioctl, not_ns) {
	.what = NOT_NS, .expected = -EINVAL,
};

/* The pidfd of a task that has exited. */
FIXTURE_VARIANT_ADD(bind_ioctl, dead_pidfd) {
	.what = DEAD_PIDFD, .expected = -EINVAL,
};

/* The host has its own TPM: its namespace cannot be bound to one. */
FIXTURE_VARIANT_ADD(bind_ioctl, init_user_ns) {
	.what = INIT_USER_NS, .expected = -EINVAL,
};

FIXTURE_VARIANT_ADD(bind_ioctl, bad_fd) {
	.what = BAD_FD, .expected = -EBADF,
};

FIXTURE_VARIANT_ADD(bind_ioctl, bad_pointer) {
	.what = BAD_POINTER, .expected = -EFAULT,
};

/* The container's root, with CAP_SYS_ADMIN there and a leaked server side. */
FIXTURE_VARIANT_ADD(bind_ioctl, from_inside) {
	.what = FROM_INSIDE, .expected = -EPERM,
};

/* The root of a container nested in the target, as above. */
FIXTURE_VARIANT_ADD(bind_ioctl, from_nested) {
	.what = FROM_NESTED, .expected = -EPERM,
};

/* A host user without CAP_SYS_ADMIN over the container. */
FIXTURE_VARIANT_ADD(bind_ioctl, unprivileged) {
	.what = UNPRIVILEGED, .expected = -EPERM,
};

/* Nothing answered the kernel's probe of the chip yet. */
FIXTURE_VARIANT_ADD(bind_ioctl, not_registered) {
	.what = NOT_REGISTERED, .expected = -EAGAIN,
};

FIXTURE_VARIANT_ADD(bind_ioctl, active) {
	.what = ACTIVE, .expected = -EBUSY,
};

/* A second vTPM for the same namespace. */
FIXTURE_VARIANT_ADD(bind_ioctl, twice) {
	.what = TWICE, .expected = -EBUSY,
};

/* The same vTPM for a second namespace. */
FIXTURE_VARIANT_ADD(bind_ioctl, shared_chip) {
	.what = SHARED_CHIP, .expected = -EBUSY,
};

/* The vTPM died between binding and activation: activation fails. */
FIXTURE_VARIANT_ADD(bind_ioctl, vtpm_died) {
	.what = VTPM_DIED, .expected = -ENODEV,
};

/* The in-container connect of the first version is gone. */
FIXTURE_VARIANT_ADD(bind_ioctl, old_ioctl) {
	.what = OLD_IOCTL, .expected = -ENOTTY,
};

TEST_F_TIMEOUT(bind_ioctl, errnos, 240)
{
	struct bind_attempt attempt = { .enter = NULL };
	struct world *w = &self->w;
	struct ima_ctr *ctr, *other;
	struct vtpm *v, *v2;
	int ret = -EINVAL, fd;
	char *buf;
	pid_t pid;

	ctr = start_ctr(w);
	ASSERT_NE(NULL, ctr);
	if (variant->what == NOT_REGISTERED) {
		ASSERT_EQ(0, vtpm_create(w, false, &v));
	} else {
		v = start_vtpm(_metadata, w);
		ASSERT_NE(NULL, v);
	}
	attempt.server_fd = v->fd;
	attempt.target = ctr;

	switch (variant->what) {
	case BAD_FLAGS:
		fd = open_user_ns(ctr->pid);
		ASSERT_LE(0, fd);
		ret = bind_once(v->fd, fd, 1);
		close(fd);
		break;
	case NOT_USER_NS:
		fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ret = bind_once(v->fd, fd, 0);
		close(fd);
		break;
	case NOT_NS:
		fd = open(w->true_prog, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ret = bind_once(v->fd, fd, 0);
		close(fd);
		break;
	case DEAD_PIDFD:
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid)
			_exit(0);
		fd = open_pidfd(pid);
		waitpid(pid, NULL, 0);
		ASSERT_LE(0, fd);
		ret = bind_once(v->fd, fd, 0);
		close(fd);
		break;
	case INIT_USER_NS:
		fd = open_user_ns(getpid());
		ASSERT_LE(0, fd);
		ret = bind_once(v->fd, fd, 0);
		close(fd);
		break;
	case BAD_FD:
		ret = bind_once(v->fd, -1, 0);
		break;
	case BAD_POINTER:
		ret = ioctl(v->fd, VTPM_PROXY_IOC_BIND_IMA_NS, NULL) ?
		      -errno : 0;
		break;
	case FROM_INSIDE:
		attempt.enter = ctr;
		ret = in_child(try_bind, &attempt);
		break;
	case FROM_NESTED:
		other = &w->ctr[w->nr_ctrs];
		ASSERT_EQ(0, ima_ctr_spawn(ctr, other, &ima_ctr_rootful));
		w->nr_ctrs++;
		attempt.enter = other;
		ret = in_child(try_bind, &attempt);
		break;
	case UNPRIVILEGED:
		ret = in_child(try_bind, &attempt);
		break;
	case NOT_REGISTERED:
		ret = vtpm_bind(v, ctr, false);
		break;
	case ACTIVE:
		ASSERT_EQ(0, activate(ctr, NULL));
		ret = vtpm_bind(v, ctr, true);
		break;
	case TWICE:
		ASSERT_EQ(0, vtpm_bind(v, ctr, true));
		v2 = start_vtpm(_metadata, w);
		ASSERT_NE(NULL, v2);
		ret = vtpm_bind(v2, ctr, true);
		break;
	case SHARED_CHIP:
		ASSERT_EQ(0, vtpm_bind(v, ctr, true));
		other = start_ctr(w);
		ASSERT_NE(NULL, other);
		ret = vtpm_bind(v, other, true);
		/* Refused there, the chip still serves the first one. */
		ASSERT_EQ(0, activate(other, NULL));
		break;
	case VTPM_DIED:
		ASSERT_EQ(0, vtpm_bind(v, ctr, true));
		vtpm_close_fd(v);
		ASSERT_EQ(0, vtpm_kill(v));
		ret = activate(ctr, NULL);
		/* The namespace stays inactive. */
		ASSERT_EQ(2, ima_ctr_read(ctr, IMA_CTR_ROOT, IMA_NS_ACTIVE,
					  &buf));
		EXPECT_STREQ("0\n", buf);
		free(buf);
		break;
	case OLD_IOCTL:
		ret = ioctl(v->fd, OLD_CONNECT_IOCTL, 0) ? -errno : 0;
		break;
	}
	EXPECT_EQ(variant->expected, ret);
	if (variant->what < NOT_REGISTERED) {
		__u8 aggregate[SHA256_DIGEST_SIZE];

		/* Refused, it left the namespace without a TPM. */
		ASSERT_EQ(0, activate(ctr, NULL));
		read_boot_aggregate(_metadata, ctr, aggregate);
		EXPECT_TRUE(digest_is_zero(aggregate, sizeof(aggregate)));
	}
}

TEST_HARNESS_MAIN
