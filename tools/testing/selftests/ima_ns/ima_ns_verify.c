// SPDX-License-Identifier: GPL-2.0-only
/*
 * Check an IMA namespace's measurement list against a TPM quote, as a
 * remote verifier does (Documentation/security/ima-namespaces.rst):
 *
 *   ima_ns_verify host --ak AK.pem --quote-msg MSG --quote-sig SIG
 *		--quote-pcrs PCRS --nonce HEX [--bank sha256]
 *		--host-list HOST_LIST --ns-list NS_LIST --ns-id ID
 *	The host TPM's quote of PCR 10 vouches for the host's list; the
 *	namespace's latest ima-ns-anchor entry in it vouches for the first
 *	<count> entries of the namespace's list (their vPCR).
 *
 *   ima_ns_verify vtpm --ak AK.pem --quote-msg MSG --quote-sig SIG
 *		--quote-pcrs PCRS --nonce HEX [--bank sha256] --ns-list NS_LIST
 *	The quote of the namespace's vTPM vouches for its PCR 10 entries.
 *
 * Lists are binary_runtime_measurements files. One line per namespace
 * entry ("vouched" or "unvouched"), then "OK: ..." and exit 0; or one
 * "FAIL: ..." line saying where the chain breaks and exit 1; usage
 * errors exit 2.
 */

#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <linux/types.h>
#include <openssl/evp.h>

#define QUOTED_PCR		10
#define SHA1_SIZE		20
#define MAX_DIGEST		64
/* IMA_TEMPLATE_NAME_LEN_MAX */
#define TEMPLATE_NAME_MAX	15
#define MAX_NONCE		64
#define ANCHOR_NAME		"ima-ns-anchor"
#define ANCHOR_FIELDS		4
#define CHECKQUOTE		"tpm2_checkquote"
/* The quote's signing hash: tpm2_quote and tpm2_checkquote "-g sha256". */
#define QUOTE_HASH		"sha256"
#define QUOTE_HASH_MD		EVP_sha256
#define TPM_GENERATED_VALUE	0xff544347
#define TPM_ST_ATTEST_QUOTE	0x8018
#define CHECKQUOTE_OUT_MAX	65536

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

enum {
	OPT_AK = 1,
	OPT_MSG,
	OPT_SIG,
	OPT_PCRS,
	OPT_NONCE,
	OPT_BANK,
	OPT_HOST_LIST,
	OPT_NS_LIST,
	OPT_NS_ID,
};

/**
 * struct bank - a TPM PCR bank the verifier can replay
 * @name: TPM bank name, as tpm2-tools and sysfs spell it
 * @alg_id: TPM_ALG_ID, as anchor records carry it
 * @size: digest size
 *
 * OpenSSL knows the hashes by the same names.
 */
struct bank {
	const char *name;
	__u16 alg_id;
	unsigned int size;
};

static const struct bank banks[] = {
	{ "sha1", 0x0004, 20 },
	{ "sha256", 0x000b, 32 },
	{ "sha384", 0x000c, 48 },
	{ "sha512", 0x000d, 64 },
};

/**
 * struct entry - one record of a binary measurement list
 * @pcr: PCR index it was extended into
 * @sha1: its SHA-1 template digest, as the list carries it
 * @template: template name, NUL terminated
 * @data: template data: fields, each a le32 length then the bytes
 * @data_len: size of @data
 * @violation: @sha1 is all zero: the TPM was extended with 0xff...
 * @digest: what it extends in the chosen bank
 */
struct entry {
	__u32 pcr;
	const __u8 *sha1;
	char template[TEMPLATE_NAME_MAX + 1];
	const __u8 *data;
	__u32 data_len;
	bool violation;
	__u8 digest[MAX_DIGEST];
};

/**
 * struct list - a parsed binary measurement list
 * @what: "host list" or "namespace list", for messages
 * @buf: the file's content
 * @len: size of @buf
 * @entries: its records, pointing into @buf
 * @count: number of @entries
 */
struct list {
	const char *what;
	__u8 *buf;
	size_t len;
	struct entry *entries;
	size_t count;
};

/**
 * struct anchor - an ima-ns-anchor entry of the host list
 * @host_idx: its index in the host list
 * @count: the namespace's first @count entries are covered
 * @vpcr: their aggregate in the chosen bank, pointing into the host list
 */
struct anchor {
	size_t host_idx;
	__u64 count;
	const __u8 *vpcr;
};

/**
 * struct options - the command line
 * @host: host mode (else vtpm mode)
 * @ak: the attestation key's public PEM
 * @msg: tpm2_quote's message (TPMS_ATTEST)
 * @sig: its signature
 * @pcrs: the PCR values tpm2_quote wrote
 * @nonce: the verifier's nonce, hex
 * @bank: the PCR bank that was quoted
 * @host_list: the host's binary list (host mode)
 * @ns_list: the namespace's binary list
 * @ns_id: the namespace's id (host mode)
 * @have_ns_id: --ns-id was given
 */
struct options {
	bool host;
	char *ak, *msg, *sig, *pcrs, *nonce;
	const struct bank *bank;
	const char *host_list, *ns_list;
	__u64 ns_id;
	bool have_ns_id;
};

static const char usage_text[] =
	"usage: ima_ns_verify host --ak AK.pem --quote-msg MSG --quote-sig SIG\n"
	"                          --quote-pcrs PCRS --nonce HEX [--bank sha256]\n"
	"                          --host-list HOST_LIST --ns-list NS_LIST --ns-id ID\n"
	"       ima_ns_verify vtpm --ak AK.pem --quote-msg MSG --quote-sig SIG\n"
	"                          --quote-pcrs PCRS --nonce HEX [--bank sha256]\n"
	"                          --ns-list NS_LIST\n";

static void usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

/* The verdict: where the chain breaks. */
static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("FAIL: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(1);
}

/* Not a verdict: the verifier could not do its job. */
static void die(const char *what, int err)
{
	fprintf(stderr, "ima_ns_verify: %s: %s\n", what, strerror(err));
	exit(2);
}

static void *xrealloc(void *ptr, size_t size)
{
	ptr = realloc(ptr, size);
	if (!ptr)
		die("realloc", ENOMEM);
	return ptr;
}

static __u16 get_le16(const __u8 *p)
{
	return p[0] | p[1] << 8;
}

static __u32 get_le32(const __u8 *p)
{
	return get_le16(p) | (__u32)get_le16(p + 2) << 16;
}

static __u64 get_le64(const __u8 *p)
{
	return get_le32(p) | (__u64)get_le32(p + 4) << 32;
}

static bool all_bytes(const __u8 *p, size_t len, __u8 value)
{
	while (len--)
		if (*p++ != value)
			return false;
	return true;
}

static void hash(const EVP_MD *md, const void *data, size_t len, __u8 *out)
{
	if (!EVP_Digest(data, len, out, NULL, md, NULL))
		die("EVP_Digest", EINVAL);
}

/* pcr = H(pcr || digest), as TPM2_PCR_Extend does. */
static void extend(const struct bank *bank, __u8 *pcr, const __u8 *digest)
{
	__u8 buf[2 * MAX_DIGEST];

	memcpy(buf, pcr, bank->size);
	memcpy(buf + bank->size, digest, bank->size);
	hash(EVP_get_digestbyname(bank->name), buf, 2 * bank->size, pcr);
}

static int hex2bin(__u8 *bin, size_t size, const char *hex)
{
	size_t len = strlen(hex), i;
	unsigned int byte;

	if (len % 2 || len / 2 > size)
		return -1;
	for (i = 0; i < len / 2; i++) {
		if (!isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]) ||
		    sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return -1;
		bin[i] = byte;
	}
	return len / 2;
}

static void read_file(const char *path, __u8 **buf, size_t *len)
{
	size_t size = 65536;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path, errno);
	*buf = xrealloc(NULL, size);
	*len = 0;
	/* securityfs files have no size: read until EOF. */
	for (;;) {
		if (*len == size) {
			size *= 2;
			*buf = xrealloc(*buf, size);
		}
		n = read(fd, *buf + *len, size - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(path, errno);
		if (!n)
			break;
		*len += n;
	}
	close(fd);
}

/*
 * Records are: pcr, SHA-1 template digest, template name length and name,
 * template data length and data; integers little endian (x86's native
 * order, and ima_canonical_fmt's everywhere).
 */
static void parse_list(struct list *list, const char *path)
{
	size_t off = 0, cap = 0;

	read_file(path, &list->buf, &list->len);
	while (off < list->len) {
		size_t i = list->count, start = off, left = list->len - off;
		struct entry *e;
		__u32 name_len;

		if (i == cap) {
			cap = cap ? 2 * cap : 256;
			list->entries = xrealloc(list->entries,
						 cap * sizeof(*e));
		}
		e = &list->entries[i];
		memset(e, 0, sizeof(*e));
		if (left < 4 + SHA1_SIZE + 4)
			fail("%s malformed at entry %zu (byte %zu): truncated",
			     list->what, i, start);
		e->pcr = get_le32(list->buf + off);
		e->sha1 = list->buf + off + 4;
		name_len = get_le32(list->buf + off + 4 + SHA1_SIZE);
		off += 4 + SHA1_SIZE + 4;
		left = list->len - off;
		if (!name_len || name_len > TEMPLATE_NAME_MAX ||
		    left < name_len + 4)
			fail("%s malformed at entry %zu (byte %zu): template name length %u",
			     list->what, i, start, name_len);
		memcpy(e->template, list->buf + off, name_len);
		if (strlen(e->template) != name_len)
			fail("%s malformed at entry %zu (byte %zu): NUL in the template name",
			     list->what, i, start);
		off += name_len;
		e->data_len = get_le32(list->buf + off);
		off += 4;
		if (list->len - off < e->data_len)
			fail("%s malformed at entry %zu (byte %zu): template data length %u",
			     list->what, i, start, e->data_len);
		e->data = list->buf + off;
		off += e->data_len;
		list->count++;
	}
}

/* Field @idx of a record's template data; false if it has none. */
static bool entry_field(const struct entry *e, unsigned int idx,
			const __u8 **field, __u32 *len)
{
	__u32 off = 0, flen;

	for (;;) {
		if (e->data_len - off < 4)
			return false;
		flen = get_le32(e->data + off);
		off += 4;
		if (e->data_len - off < flen)
			return false;
		if (!idx--) {
			*field = e->data + off;
			*len = flen;
			return true;
		}
		off += flen;
	}
}

static unsigned int entry_num_fields(const struct entry *e)
{
	const __u8 *field;
	unsigned int n = 0;
	__u32 len;

	while (entry_field(e, n, &field, &len))
		n++;
	return n;
}

/* The n-ng field (file or event name), with its NUL, of every template. */
static bool entry_name(const struct entry *e, const char **name, __u32 *len)
{
	const __u8 *field;

	if (!entry_field(e, 1, &field, len))
		return false;
	if (*len && !field[*len - 1])
		(*len)--;
	*name = (const char *)field;
	return true;
}

/*
 * Names come from the tenant: escape what could fake a line of our output
 * or a field separator.
 */
static bool is_boot_aggregate(const struct entry *e)
{
	static const char boot_aggregate[] = "boot_aggregate";
	const char *name;
	__u32 len;

	return entry_name(e, &name, &len) && len == strlen(boot_aggregate) &&
	       !memcmp(name, boot_aggregate, len);
}

static void print_name(const struct entry *e)
{
	const char *name;
	__u32 len, i;

	if (!entry_name(e, &name, &len)) {
		fputs("?", stdout);
		return;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = name[i];

		if (c <= ' ' || c >= 0x7f || c == '\\')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

/*
 * What the entry extends in @bank. The SHA-1 digest in the list must be
 * that of its data: else the data could change under an intact replay.
 */
static void check_entry(const struct list *list, size_t i,
			const struct bank *bank)
{
	struct entry *e = &list->entries[i];
	__u8 sha1[SHA1_SIZE];

	/* Its digest covers a different serialisation of the data. */
	if (!strcmp(e->template, "ima"))
		fail("%s entry %zu: template \"ima\" is not supported",
		     list->what, i);
	e->violation = all_bytes(e->sha1, SHA1_SIZE, 0);
	if (e->violation) {
		memset(e->digest, 0xff, bank->size);
		return;
	}
	hash(EVP_sha1(), e->data, e->data_len, sha1);
	if (memcmp(sha1, e->sha1, SHA1_SIZE)) {
		printf("FAIL: %s broken at entry %zu (%s ", list->what, i,
		       e->template);
		print_name(e);
		puts("): its template data does not match its digest");
		exit(1);
	}
	hash(EVP_get_digestbyname(bank->name), e->data, e->data_len, e->digest);
}

/* A cursor over the big-endian TPM structures of the quote. */
struct tpm_buf {
	const __u8 *p;
	size_t left;
};

static bool tpm_take(struct tpm_buf *b, size_t len, const __u8 **out)
{
	if (b->left < len)
		return false;
	if (out)
		*out = b->p;
	b->p += len;
	b->left -= len;
	return true;
}

static bool tpm_be(struct tpm_buf *b, size_t len, __u32 *val)
{
	const __u8 *p;

	if (!tpm_take(b, len, &p))
		return false;
	*val = 0;
	while (len--)
		*val = *val << 8 | *p++;
	return true;
}

/* A TPM2B: be16 size, then the bytes. */
static bool tpm_2b(struct tpm_buf *b, const __u8 **data, __u32 *len)
{
	return tpm_be(b, 2, len) && tpm_take(b, *len, data);
}

/*
 * tpm2_checkquote takes the PCR selection from the unsigned PCRS file: a
 * quote of another PCR passes relabelled as PCR 10. So check what was
 * signed here: the nonce, a selection of exactly PCR 10 of the bank, and
 * that the value tpm2_checkquote printed is the one whose digest the TPM
 * signed.
 */
static void check_attest(const struct options *opt, const __u8 *pcr)
{
	__u8 nonce[MAX_NONCE], pcr_digest[MAX_DIGEST];
	const __u8 *data, *select;
	__u32 val, len, hash_alg, select_len;
	struct tpm_buf b;
	__u8 *msg;
	size_t msg_len;
	int nonce_len;

	read_file(opt->msg, &msg, &msg_len);
	b.p = msg;
	b.left = msg_len;
	if (!tpm_be(&b, 4, &val) || val != TPM_GENERATED_VALUE ||
	    !tpm_be(&b, 2, &val) || val != TPM_ST_ATTEST_QUOTE)
		fail("quote: the message is not a TPM quote");
	/* qualifiedSigner, then extraData: the nonce */
	if (!tpm_2b(&b, &data, &len) || !tpm_2b(&b, &data, &len))
		fail("quote: the message is truncated");
	nonce_len = hex2bin(nonce, sizeof(nonce), opt->nonce);
	if (len != (__u32)nonce_len || memcmp(data, nonce, len))
		fail("quote: it does not carry the nonce %s", opt->nonce);
	/* clockInfo (17 bytes), firmwareVersion (8), one PCR selection */
	if (!tpm_take(&b, 17 + 8, NULL) || !tpm_be(&b, 4, &val) ||
	    !tpm_be(&b, 2, &hash_alg) || !tpm_be(&b, 1, &select_len) ||
	    !tpm_take(&b, select_len, &select))
		fail("quote: the message is truncated");
	if (val != 1 || hash_alg != opt->bank->alg_id || select_len < 2 ||
	    select[QUOTED_PCR / 8] != 1 << (QUOTED_PCR % 8) ||
	    !all_bytes(select, QUOTED_PCR / 8, 0) ||
	    !all_bytes(select + QUOTED_PCR / 8 + 1,
		       select_len - QUOTED_PCR / 8 - 1, 0))
		fail("quote: it does not select exactly %s PCR %d",
		     opt->bank->name, QUOTED_PCR);
	if (!tpm_2b(&b, &data, &len))
		fail("quote: the message is truncated");
	/* The TPM hashes the selected PCRs with the signing scheme's hash. */
	hash(QUOTE_HASH_MD(), pcr, opt->bank->size, pcr_digest);
	if (len != (__u32)EVP_MD_get_size(QUOTE_HASH_MD()) ||
	    memcmp(data, pcr_digest, len))
		fail("quote: its signed PCR digest is not that of the printed %s PCR %d",
		     opt->bank->name, QUOTED_PCR);
	free(msg);
}

/* tpm2_checkquote's stdout (at most @size - 1 bytes), and its status. */
static int run_checkquote(const struct options *opt, char *out, size_t size)
{
	char prog[] = CHECKQUOTE, u[] = "-u", m[] = "-m", s[] = "-s",
	     f[] = "-f", g[] = "-g", halg[] = QUOTE_HASH, q[] = "-q";
	char *const argv[] = { prog, u, opt->ak, m, opt->msg, s, opt->sig,
			       f, opt->pcrs, g, halg, q, opt->nonce, NULL };
	size_t len = 0;
	int fds[2], status;
	char discard[4096];
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		die("pipe", errno);
	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (!pid) {
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		execvp(prog, argv);
		fprintf(stderr, "ima_ns_verify: %s: %s\n", prog,
			strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	/* Drain it all, so that it never blocks on a full pipe. */
	for (;;) {
		if (len < size - 1)
			n = read(fds[0], out + len, size - 1 - len);
		else
			n = read(fds[0], discard, sizeof(discard));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len < size - 1)
			len += n;
	}
	out[len] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid", errno);
	return status;
}

/*
 * Its output lists the quoted values under "pcrs:", per bank:
 *	pcrs:
 *	  sha256:
 *	    10: 0x8C37...
 */
static void checkquote_pcr(const struct options *opt, char *out, __u8 *pcr)
{
	bool in_pcrs = false, in_bank = false, found = false;
	char *line, *save, *value;
	unsigned int index;

	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "pcrs:")) {
			in_pcrs = true;
			continue;
		}
		if (!in_pcrs)
			continue;
		if (line[0] != ' ') {
			in_pcrs = false;
		} else if (!strncmp(line, "  ", 2) && line[2] != ' ') {
			in_bank = !strncmp(line + 2, opt->bank->name,
					   strlen(opt->bank->name)) &&
				  !strcmp(line + 2 + strlen(opt->bank->name),
					  ":");
		} else if (in_bank && sscanf(line, " %u:", &index) == 1 &&
			   index == QUOTED_PCR) {
			value = strstr(line, "0x");
			if (found || !value ||
			    hex2bin(pcr, opt->bank->size, value + 2) !=
			    (int)opt->bank->size)
				fail("quote: tpm2_checkquote printed an unexpected %s PCR %d",
				     opt->bank->name, QUOTED_PCR);
			found = true;
		}
	}
	if (!found)
		fail("quote: tpm2_checkquote printed no %s PCR %d",
		     opt->bank->name, QUOTED_PCR);
}

/* The quoted PCR 10 of the bank, once the quote is known good. */
static void quoted_pcr(const struct options *opt, __u8 *pcr)
{
	char *out = xrealloc(NULL, CHECKQUOTE_OUT_MAX);
	int status;

	status = run_checkquote(opt, out, CHECKQUOTE_OUT_MAX);
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 127)
		fail("quote: could not run %s", CHECKQUOTE);
	if (WEXITSTATUS(status))
		fail("quote: %s rejects it (signature, nonce or PCR digest; its reason on stderr)",
		     CHECKQUOTE);
	checkquote_pcr(opt, out, pcr);
	free(out);
	check_attest(opt, pcr);
}

static void print_entry(const struct entry *e, size_t i, const char *how,
			const char *why)
{
	printf("%-9s %zu %s ", how, i, e->template);
	print_name(e);
	if (e->violation)
		fputs(" (violation: its name is not covered)", stdout);
	if (why)
		printf(" (%s)", why);
	putchar('\n');
}

/*
 * Replay the PCR 10 entries of @list to @quoted. When it does not match
 * but a prefix does, the entries after it are what the quote does not
 * cover: say from where.
 */
static void replay_to_quote(const struct list *list, const struct bank *bank,
			    const __u8 *quoted)
{
	size_t i, matched = 0, n = 0;
	bool prefix = false;
	__u8 pcr[MAX_DIGEST] = { 0 };

	for (i = 0; i < list->count; i++) {
		if (list->entries[i].pcr != QUOTED_PCR)
			continue;
		check_entry(list, i, bank);
		if (!memcmp(pcr, quoted, bank->size)) {
			prefix = true;
			matched = i;
		}
		extend(bank, pcr, list->entries[i].digest);
		n++;
	}
	if (!memcmp(pcr, quoted, bank->size))
		return;
	if (prefix) {
		const struct entry *e = &list->entries[matched];

		printf("FAIL: %s broken at entry %zu (%s ", list->what,
		       matched, e->template);
		print_name(e);
		printf("): the quoted %s PCR %d covers only the entries before it\n",
		       bank->name, QUOTED_PCR);
		exit(1);
	}
	fail("%s broken: its %zu PCR %d entries do not replay to the quoted %s PCR %d",
	     list->what, n, QUOTED_PCR, bank->name, QUOTED_PCR);
}

/* The anchor record of host entry @i, if it is one of namespace @ns_id. */
static bool parse_anchor(const struct list *host, size_t i, __u64 ns_id,
			 const struct bank *bank, struct anchor *anchor)
{
	const struct entry *e = &host->entries[i];
	const __u8 *nsid, *buf;
	__u32 nsid_len, buf_len, off;
	const char *name;
	__u64 id;
	__u32 len;
	__u16 nr_banks, alg, size;

	if (strcmp(e->template, ANCHOR_NAME))
		return false;
	/*
	 * Template names are not covered by the digest, and a violation's
	 * data by nothing: the data must be an anchor's, and hashed.
	 */
	if (e->violation)
		return false;
	if (entry_num_fields(e) != ANCHOR_FIELDS ||
	    !entry_name(e, &name, &len) || len != strlen(ANCHOR_NAME) ||
	    memcmp(name, ANCHOR_NAME, len) ||
	    !entry_field(e, 2, &nsid, &nsid_len) || nsid_len != sizeof(id) ||
	    !entry_field(e, 3, &buf, &buf_len) || buf_len < 8 + 2)
		fail("host list entry %zu: malformed %s entry", i, ANCHOR_NAME);
	/* Native endian, like every uint field of a template. */
	memcpy(&id, nsid, sizeof(id));
	if (id != ns_id)
		return false;
	anchor->host_idx = i;
	anchor->count = get_le64(buf);
	nr_banks = get_le16(buf + 8);
	for (off = 8 + 2; nr_banks--; off += 4 + size) {
		if (buf_len - off < 4 ||
		    buf_len - off - 4 < get_le16(buf + off + 2))
			fail("host list entry %zu: malformed anchor record", i);
		alg = get_le16(buf + off);
		size = get_le16(buf + off + 2);
		if (alg != bank->alg_id)
			continue;
		if (size != bank->size)
			fail("host list entry %zu: %s digest of %u bytes in the anchor",
			     i, bank->name, size);
		anchor->vpcr = buf + off + 4;
		return true;
	}
	fail("host list entry %zu: the anchor of namespace %llu has no %s vPCR",
	     i, (unsigned long long)ns_id, bank->name);
	return false;
}

/*
 * Every anchor of the namespace in the host list is a checkpoint of its
 * list: the first one that its replay misses says where it breaks.
 */
static void replay_to_anchors(const struct list *ns, const struct bank *bank,
			      const struct anchor *anchors, size_t nr_anchors)
{
	__u8 vpcr[MAX_DIGEST] = { 0 };
	size_t i = 0, a;
	__u64 from = 0;

	for (a = 0; a < nr_anchors; a++) {
		const struct anchor *anchor = &anchors[a];

		if (anchor->count > ns->count)
			fail("namespace list has %zu entries, host list entry %zu anchors %llu",
			     ns->count, anchor->host_idx,
			     (unsigned long long)anchor->count);
		if (anchor->count < from)
			fail("host list entry %zu: anchors fewer entries than an earlier one",
			     anchor->host_idx);
		for (; i < anchor->count; i++) {
			check_entry(ns, i, bank);
			extend(bank, vpcr, ns->entries[i].digest);
		}
		if (memcmp(vpcr, anchor->vpcr, bank->size)) {
			printf("FAIL: namespace list broken in entries %llu..%llu:",
			       (unsigned long long)from,
			       (unsigned long long)anchor->count - 1);
			printf(" they miss the %s vPCR anchored at host list entry %zu\n",
			       bank->name, anchor->host_idx);
			exit(1);
		}
		from = anchor->count;
	}
}

static int verify_host(const struct options *opt)
{
	struct list host = { .what = "host list" };
	struct list ns = { .what = "namespace list" };
	const struct bank *bank = opt->bank;
	struct anchor *anchors = NULL;
	size_t nr_anchors = 0, i;
	__u8 quoted[MAX_DIGEST];
	__u64 count;

	quoted_pcr(opt, quoted);
	parse_list(&host, opt->host_list);
	replay_to_quote(&host, bank, quoted);
	for (i = 0; i < host.count; i++) {
		struct anchor anchor;

		/*
		 * Namespace ids restart with each kernel: the list a kexec'd
		 * kernel carries holds the anchors of the one before, up to
		 * its own boot_aggregate.
		 */
		if (is_boot_aggregate(&host.entries[i])) {
			nr_anchors = 0;
			continue;
		}
		if (host.entries[i].pcr != QUOTED_PCR ||
		    !parse_anchor(&host, i, opt->ns_id, bank, &anchor))
			continue;
		anchors = xrealloc(anchors, (nr_anchors + 1) *
				   sizeof(*anchors));
		anchors[nr_anchors++] = anchor;
	}
	if (!nr_anchors)
		fail("no %s entry of namespace %llu in the host list",
		     ANCHOR_NAME, (unsigned long long)opt->ns_id);

	parse_list(&ns, opt->ns_list);
	replay_to_anchors(&ns, bank, anchors, nr_anchors);
	count = anchors[nr_anchors - 1].count;
	/* Unvouched entries are still checked, and shown as they are. */
	for (i = count; i < ns.count; i++)
		check_entry(&ns, i, bank);
	for (i = 0; i < ns.count; i++)
		print_entry(&ns.entries[i], i, i < count ? "vouched" : "unvouched",
			    i < count ? NULL : "after the latest anchor");
	printf("OK: %llu of %zu entries vouched", (unsigned long long)count,
	       ns.count);
	printf(" (latest anchor of namespace %llu at host list entry %zu, quoted %s PCR %d)\n",
	       (unsigned long long)opt->ns_id,
	       anchors[nr_anchors - 1].host_idx, bank->name, QUOTED_PCR);
	return 0;
}

static int verify_vtpm(const struct options *opt)
{
	struct list ns = { .what = "namespace list" };
	const struct bank *bank = opt->bank;
	__u8 quoted[MAX_DIGEST];
	size_t i, vouched = 0;
	char why[64];

	quoted_pcr(opt, quoted);
	parse_list(&ns, opt->ns_list);
	replay_to_quote(&ns, bank, quoted);
	for (i = 0; i < ns.count; i++) {
		const struct entry *e = &ns.entries[i];

		if (e->pcr == QUOTED_PCR) {
			print_entry(e, i, "vouched", NULL);
			vouched++;
			continue;
		}
		snprintf(why, sizeof(why), "PCR %u, not quoted", e->pcr);
		print_entry(e, i, "unvouched", why);
	}
	printf("OK: %zu of %zu entries vouched (the vTPM's quoted %s PCR %d)\n",
	       vouched, ns.count, bank->name, QUOTED_PCR);
	return 0;
}

static const struct bank *find_bank(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(banks); i++)
		if (!strcmp(banks[i].name, name))
			return &banks[i];
	return NULL;
}

static void parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "ak", required_argument, NULL, OPT_AK },
		{ "quote-msg", required_argument, NULL, OPT_MSG },
		{ "quote-sig", required_argument, NULL, OPT_SIG },
		{ "quote-pcrs", required_argument, NULL, OPT_PCRS },
		{ "nonce", required_argument, NULL, OPT_NONCE },
		{ "bank", required_argument, NULL, OPT_BANK },
		{ "host-list", required_argument, NULL, OPT_HOST_LIST },
		{ "ns-list", required_argument, NULL, OPT_NS_LIST },
		{ "ns-id", required_argument, NULL, OPT_NS_ID },
		{}
	};
	__u8 nonce[MAX_NONCE];
	char *end;
	int c;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "host"))
		opt->host = true;
	else if (strcmp(argv[1], "vtpm"))
		usage();
	opt->bank = find_bank("sha256");
	optind = 2;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_AK:
			opt->ak = optarg;
			break;
		case OPT_MSG:
			opt->msg = optarg;
			break;
		case OPT_SIG:
			opt->sig = optarg;
			break;
		case OPT_PCRS:
			opt->pcrs = optarg;
			break;
		case OPT_NONCE:
			opt->nonce = optarg;
			break;
		case OPT_BANK:
			opt->bank = find_bank(optarg);
			if (!opt->bank)
				usage();
			break;
		case OPT_HOST_LIST:
			opt->host_list = optarg;
			break;
		case OPT_NS_LIST:
			opt->ns_list = optarg;
			break;
		case OPT_NS_ID:
			errno = 0;
			opt->ns_id = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || *optarg == '-')
				usage();
			opt->have_ns_id = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !opt->ak || !opt->msg || !opt->sig ||
	    !opt->pcrs || !opt->nonce || !opt->ns_list)
		usage();
	/* A quote without a fresh nonce could be a replayed one. */
	if (hex2bin(nonce, sizeof(nonce), opt->nonce) <= 0)
		usage();
	if (opt->host != (opt->host_list && opt->have_ns_id) ||
	    (!opt->host && (opt->host_list || opt->have_ns_id)))
		usage();
}

int main(int argc, char **argv)
{
	struct options opt = {};

	parse_options(argc, argv, &opt);
	return opt.host ? verify_host(&opt) : verify_vtpm(&opt);
}
