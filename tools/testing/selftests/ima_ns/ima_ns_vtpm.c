// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a container runtime does, on the host, to give a container's IMA
 * namespace a vTPM served by swtpm, for shell scripts (the OCI hook, make
 * demo):
 *
 *   ima_ns_vtpm bind PID STATEDIR
 *	As host root, before the IMA namespace of PID's user namespace is
 *	activated: create a vTPM proxy device, serve it with swtpm (state
 *	and log in STATEDIR), wait until the kernel has registered the chip,
 *	bind it to that namespace (VTPM_PROXY_IOC_BIND_IMA_NS) and print
 *	"tpmN SWTPM_PID". swtpm goes on in a session of its own, holding the
 *	only copy of the proxy's server side: nothing of the container ever
 *	gets it. Killing swtpm ends the vTPM.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ima_ns_util.h"

#define VTPMX		"/dev/vtpmx"
#define SERVER_FD	3
/* swtpm and the kernel's probe of a new chip are slow under emulation. */
#define READY_MS	60000
#define POLL_MS		100

static const char usage_text[] =
	"Usage: ima_ns_vtpm bind PID STATEDIR\n";

static int usage(void)
{
	fputs(usage_text, stderr);
	return 2;
}

/*
 * swtpm on @server_fd as its descriptor 3, in a session of its own and
 * away from the caller's output, which a hook's runtime may wait on:
 * swtpm outlives the caller. Signal masks and ignored signals survive
 * exec, and a runtime may run its hooks with SIGTERM blocked: reset them,
 * so that the stop hook's SIGTERM ends swtpm. Never returns.
 */
static void exec_swtpm(int server_fd, const char *state_dir)
{
	char state_arg[PATH_MAX + 8], log_arg[PATH_MAX + 16];
	char *const argv[] = {
		"swtpm", "chardev", "--tpm2", "--fd", "3",
		"--tpmstate", state_arg, "--flags", "startup-clear",
		/* The proxy's driver sets the locality of its commands. */
		"--locality", "allow-set-locality", "--log", log_arg, NULL
	};
	int null = open("/dev/null", O_RDWR);
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	snprintf(state_arg, sizeof(state_arg), "dir=%s", state_dir);
	snprintf(log_arg, sizeof(log_arg), "file=%s/log", state_dir);
	if (null < 0 || dup2(server_fd, SERVER_FD) < 0)
		_exit(127);
	setsid();
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	close_range(SERVER_FD + 1, ~0U, 0);
	execvp(argv[0], argv);
	_exit(127);
}

/* Wait for the chip's PCRs in sysfs, or for swtpm to have died. */
static int wait_registered(unsigned int tpm_num, pid_t swtpm)
{
	long deadline = now_ms() + READY_MS;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/tpm/tpm%u/pcr-sha256/10",
		 tpm_num);
	while (access(path, R_OK)) {
		if (waitpid(swtpm, NULL, WNOHANG) == swtpm) {
			fprintf(stderr, "ima_ns_vtpm: swtpm exited\n");
			return -1;
		}
		if (now_ms() > deadline) {
			fprintf(stderr, "ima_ns_vtpm: tpm%u not registered\n",
				tpm_num);
			return -1;
		}
		sleep_ms(POLL_MS);
	}
	return 0;
}

static int parse_pid(const char *arg, pid_t *pid)
{
	char *end;
	long val;

	errno = 0;
	val = strtol(arg, &end, 10);
	if (errno || *end || val <= 0 || val > INT_MAX)
		return -EINVAL;
	*pid = val;
	return 0;
}

static int cmd_bind(const char *pid_arg, const char *state_dir)
{
	struct vtpm_proxy_new_dev new_dev = { .flags = VTPM_PROXY_FLAG_TPM2 };
	char path[64];
	int vtpmx, user_ns, ret;
	pid_t pid, swtpm;

	if (parse_pid(pid_arg, &pid))
		return usage();
	/* Named first: the process may exit, its user namespace stays. */
	snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
	user_ns = open(path, O_RDONLY | O_CLOEXEC);
	if (user_ns < 0) {
		perror(path);
		return 1;
	}
	if (mkdir(state_dir, 0700) && errno != EEXIST) {
		perror(state_dir);
		return 1;
	}
	vtpmx = open(VTPMX, O_RDWR | O_CLOEXEC);
	if (vtpmx < 0 || ioctl(vtpmx, VTPM_PROXY_IOC_NEW_DEV, &new_dev)) {
		perror(VTPMX);
		return 1;
	}
	close(vtpmx);
	swtpm = fork();
	if (swtpm < 0) {
		perror("fork");
		return 1;
	}
	if (!swtpm)
		exec_swtpm(new_dev.fd, state_dir);
	ret = wait_registered(new_dev.tpm_num, swtpm);
	if (!ret) {
		ret = ima_vtpm_bind(new_dev.fd, user_ns, READY_MS);
		if (ret)
			fprintf(stderr, "ima_ns_vtpm: VTPM_PROXY_IOC_BIND_IMA_NS: %s\n",
				strerror(-ret));
	}
	/* From here on swtpm holds the only copy of the server side. */
	close(new_dev.fd);
	close(user_ns);
	if (ret) {
		kill(swtpm, SIGKILL);
		waitpid(swtpm, NULL, 0);
		return 1;
	}
	printf("tpm%u %d\n", new_dev.tpm_num, swtpm);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "bind"))
		return cmd_bind(argv[2], argv[3]);
	return usage();
}
