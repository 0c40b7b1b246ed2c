// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test as the audit daemon: see ima_ns_audit.h.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ima_ns_audit.h"

#define AUDIT_TIMEOUT_MS	10000
#define MAX_RECORD		8192
/* Records kept between two syncs: more is a flood the test reports. */
#define MAX_RECORDS		65536
/*
 * Receive buffer: a flood of a few hundred records must wait there for
 * the next sync rather than be lost by kauditd.
 */
#define AUDIT_RCVBUF		(16 << 20)

static int audit_send(struct ima_auditd *ad, __u16 type, __u16 flags,
		      const void *data, size_t len)
{
	struct {
		struct nlmsghdr nlh;
		char data[MAX_RECORD];
	} req = {};
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	ssize_t size = NLMSG_SPACE(len);

	if (len > sizeof(req.data))
		return -EINVAL;
	req.nlh.nlmsg_len = NLMSG_LENGTH(len);
	req.nlh.nlmsg_type = type;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	req.nlh.nlmsg_seq = ++ad->seq;
	memcpy(NLMSG_DATA(&req.nlh), data, len);
	if (sendto(ad->sock, &req, size, 0, (struct sockaddr *)&addr,
		   sizeof(addr)) != size)
		return -errno;
	return 0;
}

/* Receive one datagram within @timeout_ms: its length or -errno. */
static ssize_t audit_recv(struct ima_auditd *ad, void *buf, size_t size,
			  int timeout_ms)
{
	struct pollfd pfd = { .fd = ad->sock, .events = POLLIN };
	ssize_t len;
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (!ret)
		return -ETIMEDOUT;
	len = recv(ad->sock, buf, size, 0);
	return len < 0 ? -errno : len;
}

/*
 * The kernel sends one message per datagram. Records are not quite
 * netlink messages (their nlmsg_len leaves the header out): take what
 * follows the header, up to the end of the datagram.
 */
static ssize_t audit_recv_msg(struct ima_auditd *ad, struct nlmsghdr **nlh,
			      int timeout_ms)
{
	static union {
		struct nlmsghdr nlh;
		char buf[MAX_RECORD * 4];
	} msg;
	ssize_t len;

	len = audit_recv(ad, msg.buf, sizeof(msg.buf) - 1, timeout_ms);
	if (len < 0)
		return len;
	if (len < NLMSG_HDRLEN)
		return -EBADMSG;
	msg.buf[len] = '\0';
	*nlh = &msg.nlh;
	return len - NLMSG_HDRLEN;
}

/*
 * Read messages until the reply to the last request (of @type, or the
 * error or ack for it). Records read meanwhile are dropped: only setup and
 * teardown ask the kernel something.
 */
static int audit_reply(struct ima_auditd *ad, __u16 type, void *data,
		       size_t size)
{
	struct nlmsghdr *nlh;
	ssize_t len;

	for (;;) {
		len = audit_recv_msg(ad, &nlh, AUDIT_TIMEOUT_MS);
		if (len < 0)
			return len;
		if (nlh->nlmsg_seq != ad->seq)
			continue;
		if (nlh->nlmsg_type == NLMSG_ERROR &&
		    len >= sizeof(struct nlmsgerr)) {
			struct nlmsgerr *err = NLMSG_DATA(nlh);

			if (err->error || !type)
				return err->error;
			continue;
		}
		if (nlh->nlmsg_type != type || len < size)
			continue;
		memcpy(data, NLMSG_DATA(nlh), size);
		return 0;
	}
}

static int audit_set(struct ima_auditd *ad, __u32 mask, __u32 enabled,
		     pid_t pid)
{
	struct audit_status st = {
		.mask = mask, .enabled = enabled, .pid = pid,
	};
	int ret;

	ret = audit_send(ad, AUDIT_SET, NLM_F_ACK, &st, sizeof(st));
	return ret ? ret : audit_reply(ad, 0, NULL, 0);
}

/**
 * ima_auditd_start() - become the audit daemon, auditing enabled
 * @ad: set up; stop with ima_auditd_stop()
 *
 * Return: 0, -EEXIST if another audit daemon runs, -EPROTONOSUPPORT or
 * -ECONNREFUSED without CONFIG_AUDIT, or another negative errno.
 */
int ima_auditd_start(struct ima_auditd *ad)
{
	struct audit_status st;
	int ret, size = AUDIT_RCVBUF;

	ad->seq = 0;
	ad->barrier = 0;
	ad->sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (ad->sock < 0)
		return -errno;
	/* Beyond net.core.rmem_max needs CAP_NET_ADMIN: then take less. */
	if (setsockopt(ad->sock, SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)))
		setsockopt(ad->sock, SOL_SOCKET, SO_RCVBUF, &size,
			   sizeof(size));
	ret = audit_send(ad, AUDIT_GET, 0, NULL, 0);
	if (!ret)
		ret = audit_reply(ad, AUDIT_GET, &st, sizeof(st));
	if (!ret) {
		ad->enabled = st.enabled;
		ret = audit_set(ad, AUDIT_STATUS_ENABLED | AUDIT_STATUS_PID, 1,
				getpid());
	}
	if (ret) {
		close(ad->sock);
		ad->sock = -1;
	}
	return ret;
}

/**
 * ima_auditd_stop() - stop being the audit daemon, restore audit_enabled
 * @ad: the daemon; stopping it twice is harmless
 */
void ima_auditd_stop(struct ima_auditd *ad)
{
	if (ad->sock < 0)
		return;
	audit_set(ad, AUDIT_STATUS_ENABLED | AUDIT_STATUS_PID, ad->enabled, 0);
	close(ad->sock);
	ad->sock = -1;
}

static bool is_barrier(const struct nlmsghdr *nlh, int barrier)
{
	char want[64];

	if (nlh->nlmsg_type != AUDIT_USER)
		return false;
	snprintf(want, sizeof(want), "ima_ns_selftest barrier %d'", barrier);
	return strstr(NLMSG_DATA(nlh), want);
}

static int records_add(struct ima_audit_records *recs, int type,
		       const char *text, size_t len)
{
	int size;
	void *p;

	if (recs->count == recs->size) {
		if (recs->size == MAX_RECORDS)
			return -E2BIG;
		size = recs->size ? recs->size * 2 : 256;
		p = realloc(recs->type, size * sizeof(*recs->type));
		if (!p)
			return -ENOMEM;
		recs->type = p;
		p = realloc(recs->text, size * sizeof(*recs->text));
		if (!p)
			return -ENOMEM;
		recs->text = p;
		recs->size = size;
	}
	recs->text[recs->count] = strndup(text, len);
	if (!recs->text[recs->count])
		return -ENOMEM;
	recs->type[recs->count++] = type;
	return 0;
}

/**
 * ima_audit_sync() - receive the IMA records logged so far
 * @ad: the daemon
 * @recs: the INTEGRITY_RULE, _PCR and _DATA records are added here
 *
 * Return: 0, or -errno (-ETIMEDOUT if the barrier never came, -E2BIG if
 * @recs would hold more than MAX_RECORDS).
 */
int ima_audit_sync(struct ima_auditd *ad, struct ima_audit_records *recs)
{
	struct nlmsghdr *nlh;
	char msg[64];
	ssize_t len;
	int ret;

	snprintf(msg, sizeof(msg), "ima_ns_selftest barrier %d", ++ad->barrier);
	ret = audit_send(ad, AUDIT_USER, 0, msg, strlen(msg) + 1);
	if (ret)
		return ret;
	for (;;) {
		len = audit_recv_msg(ad, &nlh, AUDIT_TIMEOUT_MS);
		if (len < 0)
			return len;
		if (is_barrier(nlh, ad->barrier))
			return 0;
		if (nlh->nlmsg_type != AUDIT_INTEGRITY_RULE &&
		    nlh->nlmsg_type != AUDIT_INTEGRITY_PCR &&
		    nlh->nlmsg_type != AUDIT_INTEGRITY_DATA)
			continue;
		ret = records_add(recs, nlh->nlmsg_type, NLMSG_DATA(nlh), len);
		if (ret)
			return ret;
	}
}

/* Free the records received: @recs is then empty, ready for a sync. */
void ima_audit_records_free(struct ima_audit_records *recs)
{
	while (recs->count)
		free(recs->text[--recs->count]);
	free(recs->type);
	free(recs->text);
	recs->type = NULL;
	recs->text = NULL;
	recs->size = 0;
}

/**
 * ima_audit_record_ns() - the namespace a record says it is about
 * @text: record text
 *
 * Return: the value of " ima_ns=", or -1 if none or more than one.
 */
long long ima_audit_record_ns(const char *text)
{
	const char *p = strstr(text, " ima_ns=");
	char *end;
	long long id;

	if (!p || strstr(p + 1, " ima_ns="))
		return -1;
	id = strtoll(p + 8, &end, 10);
	if (end == p + 8 || (*end && *end != ' '))
		return -1;
	return id;
}

/**
 * ima_audit_count() - count records
 * @recs: records received
 * @type: record type
 * @name: file="@name" or name="@name" in the record
 * @ns: ima_ns=@ns in the record, or -1 for any
 * @op: op=@op in the record, or NULL for any
 *
 * Return: the number of records that match.
 */
int ima_audit_count(const struct ima_audit_records *recs, int type,
		    const char *name, long long ns, const char *op)
{
	char file[PATH_MAX + 16], named[PATH_MAX + 16], opt[64];
	int i, n = 0;

	snprintf(file, sizeof(file), "file=\"%s\"", name);
	snprintf(named, sizeof(named), "name=\"%s\"", name);
	snprintf(opt, sizeof(opt), " op=%s ", op ? op : "");
	for (i = 0; i < recs->count; i++) {
		if (recs->type[i] != type ||
		    (!strstr(recs->text[i], file) &&
		     !strstr(recs->text[i], named)))
			continue;
		if (op && !strstr(recs->text[i], opt))
			continue;
		if (ns < 0 || ima_audit_record_ns(recs->text[i]) == ns)
			n++;
	}
	return n;
}
