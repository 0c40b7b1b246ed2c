// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a container runtime does to give a container's IMA namespace a vTPM
 * served by swtpm, for shell scripts (make demo):
 *
 *   ima_ns_vtpm new STATEDIR COMMAND [ARG...]
 *	Create a vTPM proxy device, serve it with swtpm (state in STATEDIR),
 *	wait until the kernel has registered the chip, then run COMMAND with
 *	the proxy's server side as descriptor 3 and, in its environment,
 *	IMA_NS_VTPM=tpmN and IMA_NS_VTPM_SWTPM=<swtpm's pid>.
 *
 *   ima_ns_vtpm connect FD
 *	As the root of a new IMA namespace, after mounting its securityfs
 *	and before activating it: connect the vTPM whose server side is FD.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/vtpm_proxy.h>

#include "ima_ns_util.h"

#define VTPMX		"/dev/vtpmx"
#define SERVER_FD	3
/* swtpm and the kernel's probe of a new chip are slow under emulation. */
#define READY_MS	60000
#define POLL_MS		100

static const char usage_text[] =
	"Usage: ima_ns_vtpm new STATEDIR COMMAND [ARG...]\n"
	"       ima_ns_vtpm connect FD\n";

static int usage(void)
{
	fputs(usage_text, stderr);
	return 2;
}

/* swtpm on @server_fd as its descriptor 3; never returns. */
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

	snprintf(state_arg, sizeof(state_arg), "dir=%s", state_dir);
	snprintf(log_arg, sizeof(log_arg), "file=%s/log", state_dir);
	if (null < 0 || dup2(server_fd, SERVER_FD) < 0)
		_exit(127);
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
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

static int cmd_new(const char *state_dir, char **command)
{
	struct vtpm_proxy_new_dev new_dev = { .flags = VTPM_PROXY_FLAG_TPM2 };
	char value[32];
	pid_t swtpm;
	int vtpmx;

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
	if (wait_registered(new_dev.tpm_num, swtpm))
		return 1;
	if (new_dev.fd != SERVER_FD) {
		if (dup2(new_dev.fd, SERVER_FD) < 0) {
			perror("dup2");
			return 1;
		}
		close(new_dev.fd);
	}
	snprintf(value, sizeof(value), "tpm%u", new_dev.tpm_num);
	setenv("IMA_NS_VTPM", value, 1);
	snprintf(value, sizeof(value), "%d", swtpm);
	setenv("IMA_NS_VTPM_SWTPM", value, 1);
	execvp(command[0], command);
	perror(command[0]);
	return 127;
}

/* Retried while the chip is not registered yet (EAGAIN). */
static int cmd_connect(const char *fd_arg)
{
	char *end;
	long fd;
	int ret;

	errno = 0;
	fd = strtol(fd_arg, &end, 10);
	if (errno || *end || fd < 0 || fd > INT_MAX)
		return usage();
	ret = ima_vtpm_connect((int)fd, READY_MS);
	if (ret) {
		fprintf(stderr, "ima_ns_vtpm: VTPM_PROXY_IOC_CONNECT_TO_IMA_NS: %s\n",
			strerror(-ret));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "new"))
		return cmd_new(argv[2], argv + 3);
	if (argc == 3 && !strcmp(argv[1], "connect"))
		return cmd_connect(argv[2]);
	return usage();
}
