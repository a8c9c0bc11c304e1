/* SPDX-License-Identifier: MIT */
/*
 * dns_msg.h - DNS messages (RFC 1035 4): header, query parsing with EDNS0
 *	       (RFC 6891), and a bounds-checked response builder with name
 *	       compression and truncation
 */
#ifndef MVM_DNS_MSG_H
#define MVM_DNS_MSG_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dns_name.h"

/** struct dns_hdr - the message header as on the wire (RFC 1035 4.1.1) */
struct dns_hdr {
	uint16_t id;		/* network byte order, all fields */
	uint16_t flags;
	uint16_t qdcount;
	uint16_t ancount;
	uint16_t nscount;
	uint16_t arcount;
} __attribute__((packed));
static_assert(sizeof(struct dns_hdr) == DNS_HDR_LEN, "DNS header is 12 octets");

/* header flags, host order (RFC 1035 4.1.1, RFC 2535 6.1 for AD/CD) */
#define DNS_F_QR	0x8000
#define DNS_F_OPCODE	0x7800
#define DNS_F_AA	0x0400
#define DNS_F_TC	0x0200
#define DNS_F_RD	0x0100
#define DNS_F_RA	0x0080
#define DNS_F_AD	0x0020
#define DNS_F_CD	0x0010
#define DNS_F_RCODE	0x000f
#define DNS_OPCODE(f)	(((f) & DNS_F_OPCODE) >> 11)

#define DNS_OP_QUERY	0

/* RCODEs (RFC 1035 4.1.1; BADVERS is 12 bits, RFC 6891 6.1.3) */
#define DNS_R_NOERROR	0
#define DNS_R_FORMERR	1
#define DNS_R_SERVFAIL	2
#define DNS_R_NXDOMAIN	3
#define DNS_R_NOTIMP	4
#define DNS_R_REFUSED	5
#define DNS_R_BADVERS	16

/* TYPEs and CLASSes used here (RFC 1035 3.2.2, RFC 3596, RFC 6891) */
#define DNS_T_A		1
#define DNS_T_NS	2
#define DNS_T_CNAME	5
#define DNS_T_SOA	6
#define DNS_T_PTR	12
#define DNS_T_AAAA	28
#define DNS_T_OPT	41
#define DNS_T_IXFR	251
#define DNS_T_AXFR	252
#define DNS_T_ANY	255
#define DNS_C_IN	1
#define DNS_C_ANY	255

#define DNS_UDP_MIN	512	/* without EDNS0 (RFC 1035 4.2.1) */
#define DNS_TCP_MAX	65535	/* a message over TCP (RFC 1035 4.2.2) */
#define DNS_OPT_LEN	11	/* an OPT RR without options */

/**
 * struct dns_query - what a query asks, as parsed by dns_query_parse()
 * Header fields are in host order. The question and EDNS0 fields are only
 * filled for opcode QUERY.
 */
struct dns_query {
	uint16_t id;
	uint16_t flags;
	uint16_t qdcount, ancount, nscount, arcount;
	struct dns_name qname;	/* as received: case kept, pointers expanded */
	uint16_t qtype;
	uint16_t qclass;
	uint8_t edns;		/* an OPT RR was present */
	uint8_t edns_version;	/* its VERSION */
	uint8_t edns_do;	/* its DO bit (RFC 3225) */
	uint16_t edns_udp;	/* requestor's UDP payload size, at least 512 */
};

/**
 * dns_query_parse() - parse a query message
 * @msg:	the message bytes (from a guest: untrusted)
 * @len:	their length
 * @q:		receives the header and, for opcode QUERY, the question and
 *		the EDNS0 parameters
 *
 * For QUERY, QDCOUNT must be 1 (RFC 9619); the answer and authority
 * sections are walked and ignored; in the additional section one OPT RR
 * is understood (owner the root, RFC 6891 6.1.1; a second OPT is an
 * error, 6.1.1) and other records skipped. Bytes after the last counted
 * record are ignored. The EDNS version is reported, not judged: answering
 * BADVERS is the server's business.
 *
 * Return: 0; -EMSGSIZE if not even the header is there (@q untouched:
 * drop the message); -EBADMSG if the header is readable but the rest is
 * malformed (@q has the header: answer FORMERR)
 */
int dns_query_parse(const uint8_t *msg, size_t len, struct dns_query *q);

#define DNS_COMP_MAX	32	/* name positions remembered for compression */

/** enum dns_section - where a record goes */
enum dns_section { DNS_AN = 0, DNS_NS = 1, DNS_AR = 2 };

/**
 * struct dns_builder - a response being written into a caller's buffer
 * All fields are private to dns_msg.c; the buffer belongs to the caller.
 */
struct dns_builder {
	uint8_t *buf;
	size_t limit;		/* the message may not grow past this */
	size_t reserve;		/* kept free at the end (for the OPT RR) */
	size_t len;
	uint16_t flags;
	uint16_t qd, count[3];
	unsigned n_comp;
	uint16_t comp[DNS_COMP_MAX];	/* offsets of names already written */
	/* dns_b_mark() state */
	size_t m_len;
	uint16_t m_count[3];
	unsigned m_comp;
};

/**
 * dns_b_init() - start a response
 * @b:		the builder
 * @buf:	where the message is written (caller-owned, @limit bytes)
 * @limit:	the largest message allowed (the transport's limit)
 * @id:		message ID
 * @flags:	header flags, host order (QR, opcode, AA, RD, RA, RCODE...);
 *		TC is set by dns_b_finish() when a record set was dropped
 * Return: 0, or -EMSGSIZE if @limit cannot even hold a header
 */
int dns_b_init(struct dns_builder *b, uint8_t *buf, size_t limit,
	       uint16_t id, uint16_t flags);

/** dns_b_reserve() - keep @n bytes free at the end for dns_b_opt() */
void dns_b_reserve(struct dns_builder *b, size_t n);

/**
 * dns_b_question() - write the question (call once, before any record)
 * @name:	the QNAME as received, so that its case is echoed verbatim
 * Return: 0, or -EMSGSIZE
 */
int dns_b_question(struct dns_builder *b, const struct dns_name *name,
		   uint16_t qtype, uint16_t qclass);

/**
 * dns_b_mark() - remember the current end, to drop a whole RRset later
 * (RFC 2181 9: a truncated response never holds part of an RRset)
 */
void dns_b_mark(struct dns_builder *b);

/** dns_b_rollback() - forget everything written since dns_b_mark() */
void dns_b_rollback(struct dns_builder *b);

/**
 * dns_b_rr() - append one resource record
 * @b:		the builder; sections must be written in order
 * @sect:	DNS_AN, DNS_NS or DNS_AR
 * @owner:	owner name (compressed against names already written)
 * @type:	TYPE
 * @class:	CLASS (for OPT: the UDP payload size)
 * @ttl:	TTL (for OPT: extended RCODE, version and flags)
 * @name1:	a name at the start of RDATA (PTRDNAME, SOA MNAME), or NULL;
 *		compressed (RFC 1035 4.1.4 allows it for these types)
 * @name2:	a second name after @name1 (SOA RNAME), or NULL
 * @rdata:	bytes copied after the names (an address, SOA's numbers);
 *		may be NULL when @rdlen is 0
 * @rdlen:	their length
 * Return: 0; -EMSGSIZE if it does not fit (the builder is then unchanged);
 * -EINVAL if a later section already has records
 */
int dns_b_rr(struct dns_builder *b, enum dns_section sect,
	     const struct dns_name *owner, uint16_t type, uint16_t class,
	     uint32_t ttl, const struct dns_name *name1,
	     const struct dns_name *name2, const void *rdata, uint16_t rdlen);

/**
 * dns_b_opt() - append the OPT RR (RFC 6891 6.1.2), using the reserve
 * @udp:	our UDP payload size
 * @rcode:	the full 12-bit RCODE of the response (upper 8 bits go here)
 * Return: 0 or -EMSGSIZE
 */
int dns_b_opt(struct dns_builder *b, uint16_t udp, uint16_t rcode);

/** dns_b_truncated() - mark the response truncated (TC=1) */
void dns_b_truncated(struct dns_builder *b);

/**
 * dns_b_finish() - write the header; the message is buf[0..return)
 * Return: the message length
 */
size_t dns_b_finish(struct dns_builder *b);

#endif
