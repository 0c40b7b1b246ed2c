/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The test as the audit daemon, for the IMA namespace selftests: it
 * registers its netlink socket with AUDIT_SET and reads the records the
 * kernel sends. To know that every record of an action arrived, it then
 * logs a USER record of its own (a barrier) and reads up to it: the kernel
 * delivers records in order.
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure, so that tests can ASSERT_EQ(0, ...) on them.
 */
#ifndef IMA_NS_AUDIT_H
#define IMA_NS_AUDIT_H

#include <linux/types.h>

/**
 * struct ima_audit_records - IMA audit records received
 * @count: number of @type and @text in use
 * @size: number of @type and @text allocated
 * @type: record types (AUDIT_INTEGRITY_RULE, _PCR, _DATA)
 * @text: record texts, NUL terminated
 */
struct ima_audit_records {
	int count;
	int size;
	int *type;
	char **text;
};

/**
 * struct ima_auditd - the test as the audit daemon
 * @sock: NETLINK_AUDIT socket registered with AUDIT_SET, or -1
 * @seq: last request sequence number
 * @barrier: last barrier number
 * @enabled: audit_enabled before the test
 */
struct ima_auditd {
	int sock;
	__u32 seq;
	int barrier;
	__u32 enabled;
};

int ima_auditd_start(struct ima_auditd *ad);
void ima_auditd_stop(struct ima_auditd *ad);
int ima_audit_sync(struct ima_auditd *ad, struct ima_audit_records *recs);
void ima_audit_records_free(struct ima_audit_records *recs);
long long ima_audit_record_ns(const char *text);
int ima_audit_count(const struct ima_audit_records *recs, int type,
		    const char *name, long long ns, const char *op);

#endif /* IMA_NS_AUDIT_H */
