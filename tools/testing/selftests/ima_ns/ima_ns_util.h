/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the IMA namespace selftests: file and command helpers,
 * a self-contained SHA-256, the measurement list parser, policy writes and
 * the keys used for appraisal.
 *
 * Every helper returns 0 (or a length) on success and a negative errno on
 * failure, so that tests can report it with ASSERT_EQ(0, ...) or SKIP().
 */
#ifndef IMA_NS_UTIL_H
#define IMA_NS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <linux/vtpm_proxy.h>
#include <sys/types.h>

/* Host securityfs view of IMA. */
#define IMA_DIR			"/sys/kernel/security/ima"
#define IMA_ASCII_LIST		IMA_DIR "/ascii_runtime_measurements"
#define IMA_BINARY_LIST		IMA_DIR "/binary_runtime_measurements"
#define IMA_BINARY_LIST_SHA256	IMA_BINARY_LIST "_sha256"
#define IMA_COUNT		IMA_DIR "/runtime_measurements_count"
#define IMA_POLICY		IMA_DIR "/policy"

/* Scratch directory: must be on a block filesystem (IMA ignores tmpfs). */
#define IMA_SCRATCH_ENV		"IMA_NS_SCRATCH"
#define IMA_SCRATCH_DEFAULT	"/var/tmp/ima-ns"

#define IMA_TPM_PCR_SHA256	"/sys/class/tpm/tpm0/pcr-sha256"
#define IMA_MEASURE_PCR		10

/* Headers older than the host-side binding of a vTPM. */
#ifndef VTPM_PROXY_IOC_BIND_IMA_NS
struct vtpm_proxy_ima_ns {
	__s32 user_ns_fd;
	__u32 flags;
};

#define VTPM_PROXY_IOC_BIND_IMA_NS \
	_IOW(0xa1, 0x01, struct vtpm_proxy_ima_ns)
#endif

#define SHA1_DIGEST_SIZE	20
#define SHA256_DIGEST_SIZE	32

/**
 * struct sha256_ctx - state of an incremental SHA-256 computation
 * @state: chaining value
 * @count: number of bytes hashed so far
 * @buf: pending input that does not fill a block yet
 */
struct sha256_ctx {
	__u32 state[8];
	__u64 count;
	__u8 buf[64];
};

void sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len);
void sha256_final(struct sha256_ctx *ctx, __u8 out[SHA256_DIGEST_SIZE]);
void sha256(const void *data, size_t len, __u8 out[SHA256_DIGEST_SIZE]);
int sha256_file(const char *path, __u8 out[SHA256_DIGEST_SIZE]);

void bin2hex(char *hex, const __u8 *bin, size_t len);
int hex2bin(__u8 *bin, const char *hex, size_t len);

ssize_t read_fd(int fd, char **buf);
ssize_t read_file(const char *path, char **buf);
int write_file(const char *path, const void *buf, size_t len, int flags,
	       mode_t mode);
int copy_file(const char *src, const char *dst, mode_t mode);
int remove_tree(const char *path);
int read_u64_file(const char *path, __u64 *val);

bool have_cmd(const char *name);
int find_cmd(const char *name, char *path, size_t size);
int run_cmd(char *const argv[], char *out, size_t size);
int exec_status(const char *path, char *const argv[]);

long now_ms(void);
void sleep_ms(long ms);
int ima_vtpm_bind(int server_fd, int user_ns_fd, long timeout_ms);

int send_fd(int sock, int fd);
int recv_fd(int sock);

int ima_securityfs_ready(void);
int ima_scratch_dir(char *path, size_t size);
int ima_scratch_is_measurable(const char *path);
const char *ima_scratch_unusable(const char *path);
int find_true(char *path);

/**
 * struct ima_entry - one record of binary_runtime_measurements
 * @pcr: PCR the record was extended into
 * @digest: template digest (SHA-1 in the default list)
 * @digest_len: size of @digest
 * @template: template name, NUL terminated
 * @data: template data (fields, each a u32 length then bytes)
 * @data_len: size of @data
 */
struct ima_entry {
	__u32 pcr;
	const __u8 *digest;
	__u32 digest_len;
	char template[16];
	const __u8 *data;
	__u32 data_len;
};

/**
 * struct ima_list - a parsed binary measurement list
 * @buf: raw list as read from securityfs
 * @len: size of @buf
 * @entries: records, pointing into @buf
 * @count: number of @entries
 */
struct ima_list {
	__u8 *buf;
	size_t len;
	struct ima_entry *entries;
	size_t count;
};

/**
 * struct ima_ng - the fields of an ima-ng (or ima-sig) record
 * @algo: hash algorithm name of the file digest, NUL terminated
 * @digest: file digest
 * @digest_len: size of @digest
 * @name: file name (or event name, e.g. "boot_aggregate"), NUL terminated
 */
struct ima_ng {
	char algo[16];
	const __u8 *digest;
	__u32 digest_len;
	const char *name;
};

int ima_list_read(const char *path, __u32 digest_len, struct ima_list *list);
int ima_list_from_buf(struct ima_list *list, char *buf, size_t len,
		      __u32 digest_len);
void ima_list_free(struct ima_list *list);
int ima_entry_field(const struct ima_entry *e, unsigned int idx,
		    const __u8 **field, __u32 *len);
int ima_entry_ng(const struct ima_entry *e, struct ima_ng *ng);
ssize_t ima_list_find(const struct ima_list *list, size_t from,
		      const char *name, struct ima_ng *ng);
int ima_list_count_violations(const struct ima_list *list, const char *name);
size_t ima_ascii_count_lines(const char *buf, size_t len);

extern const char *const ima_tcb_rules[];
char *ima_policy_text(const char *const *base, const char *const *rules);
int ima_policy_write(const char *text);
int ima_policy_has_rule(const char *rule);
int ima_policy_add_rule(const char *rule);

/*
 * Sizes of the stress tests: IMA_NS_STRESS="key=value,..." (set by /init
 * from ima_ns.stress= on the kernel command line). A key not named there
 * takes the quick value that "make test" runs.
 */
#define IMA_STRESS_ENV		"IMA_NS_STRESS"
long ima_stress_param(const char *key, long quick);

int ima_test_key(const char *dir, char *priv, char *cert, size_t size);
int ima_keyring_add_cert(const char *cert_der);

#endif /* IMA_NS_UTIL_H */
