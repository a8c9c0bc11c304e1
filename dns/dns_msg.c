// SPDX-License-Identifier: MIT
/*
 * dns_msg.c - DNS message parsing (queries) and building (responses)
 *
 * Every byte of a query is read through a struct cursor; the builder
 * checks every write against its limit, so neither side can overrun the
 * buffers it was given, whatever arrives.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "dns/dns_msg.h"

/* skip (or, with @type/@class/@ttl/@rd non-NULL, read) one RR */
static int read_rr(const uint8_t *msg, size_t len, struct cursor *c,
		   struct dns_name *owner, uint16_t *type, uint16_t *class,
		   uint32_t *ttl, struct cursor *rd)
{
	uint16_t rdlen;

	if (dns_name_read(msg, len, c, owner) || cur_be16(c, type) ||
	    cur_be16(c, class) || cur_be32(c, ttl) || cur_be16(c, &rdlen) ||
	    cur_sub(c, rdlen, rd))
		return -EBADMSG;
	return 0;
}

/* RFC 6891 6.1.2, 6.1.3: the fixed part and the options of an OPT RR */
static int parse_opt(struct dns_query *q, const struct dns_name *owner,
		     uint16_t class, uint32_t ttl, struct cursor rd)
{
	if (q->edns || owner->len != 1)
		return -EBADMSG;	/* a second OPT, or not owned by root */
	q->edns = 1;
	q->edns_udp = class < DNS_UDP_MIN ? DNS_UDP_MIN : class; /* 6.2.3 */
	q->edns_version = (uint8_t)(ttl >> 16);
	q->edns_do = !!(ttl & 0x8000);
	while (rd.left) {
		uint16_t code, olen;

		if (cur_be16(&rd, &code) || cur_be16(&rd, &olen) ||
		    !cur_pull(&rd, olen))
			return -EBADMSG;	/* options must fill RDATA exactly */
	}
	return 0;
}

int dns_query_parse(const uint8_t *msg, size_t len, struct dns_query *q)
{
	struct cursor c = cur_init(msg, len);
	struct dns_name owner;
	struct dns_hdr h;
	uint32_t i, n;

	if (cur_copy(&c, &h, sizeof(h)))
		return -EMSGSIZE;
	memset(q, 0, sizeof(*q));
	q->id = ntohs(h.id);
	q->flags = ntohs(h.flags);
	q->qdcount = ntohs(h.qdcount);
	q->ancount = ntohs(h.ancount);
	q->nscount = ntohs(h.nscount);
	q->arcount = ntohs(h.arcount);
	if (DNS_OPCODE(q->flags) != DNS_OP_QUERY)
		return 0;
	if (q->qdcount != 1)
		return -EBADMSG;
	if (dns_name_read(msg, len, &c, &q->qname) ||
	    cur_be16(&c, &q->qtype) || cur_be16(&c, &q->qclass))
		return -EBADMSG;

	n = (uint32_t)q->ancount + q->nscount + q->arcount;
	for (i = 0; i < n; i++) {
		uint16_t type, class;
		struct cursor rd;
		uint32_t ttl;

		if (read_rr(msg, len, &c, &owner, &type, &class, &ttl, &rd))
			return -EBADMSG;
		if (i >= n - q->arcount && type == DNS_T_OPT &&
		    parse_opt(q, &owner, class, ttl, rd))
			return -EBADMSG;
	}
	return 0;
}

/* builder */

static uint8_t lc(uint8_t ch)
{
	return ch >= 'A' && ch <= 'Z' ? (uint8_t)(ch - 'A' + 'a') : ch;
}

static int b_put(struct dns_builder *b, const void *p, size_t n)
{
	if (b->len + b->reserve + n > b->limit)
		return -EMSGSIZE;
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	return 0;
}

static int b_be16(struct dns_builder *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return b_put(b, x, 2);
}

static int b_be32(struct dns_builder *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	return b_put(b, x, 4);
}

/* an earlier name in the message equal to @n from @off on, or -1 */
static int b_find(const struct dns_builder *b, const struct dns_name *n,
		  size_t off)
{
	size_t want = n->len - off, k;
	unsigned i;

	for (i = 0; i < b->n_comp; i++) {
		struct cursor c = cur_init(b->buf + b->comp[i],
					   b->len - b->comp[i]);
		struct dns_name t;

		/* our own output, read back with the same checked decoder */
		if (dns_name_read(b->buf, b->len, &c, &t) || t.len != want)
			continue;
		for (k = 0; k < want; k++)
			if (lc(t.wire[k]) != lc(n->wire[off + k]))
				break;
		if (k == want)
			return b->comp[i];
	}
	return -1;
}

/* write @n, ending with a pointer to the longest suffix already written */
static int b_name(struct dns_builder *b, const struct dns_name *n)
{
	uint16_t pos[DNS_NAME_MAX / 2];
	unsigned np = 0, i;
	size_t off = 0;
	int at = -1;

	while (off < n->len && n->wire[off]) {
		at = b_find(b, n, off);
		if (at >= 0)
			break;
		if (b->len < 0x4000)	/* pointers hold 14 bits */
			pos[np++] = (uint16_t)b->len;
		if (b_put(b, n->wire + off, 1 + (size_t)n->wire[off]))
			return -EMSGSIZE;
		off += 1 + (size_t)n->wire[off];
	}
	if (at >= 0 ? b_be16(b, (uint16_t)(0xc000 | at)) : b_put(b, "", 1))
		return -EMSGSIZE;
	for (i = 0; i < np && b->n_comp < DNS_COMP_MAX; i++)
		b->comp[b->n_comp++] = pos[i];
	return 0;
}

int dns_b_init(struct dns_builder *b, uint8_t *buf, size_t limit,
	       uint16_t id, uint16_t flags)
{
	if (limit < DNS_HDR_LEN)
		return -EMSGSIZE;
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->limit = limit;
	b->flags = flags;
	b->len = DNS_HDR_LEN;
	memset(buf, 0, DNS_HDR_LEN);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	return 0;
}

void dns_b_reserve(struct dns_builder *b, size_t n)
{
	b->reserve = n;
}

int dns_b_question(struct dns_builder *b, const struct dns_name *name,
		   uint16_t qtype, uint16_t qclass)
{
	size_t len = b->len, off;

	if (b->qd || b->count[DNS_AN] || b->count[DNS_NS] || b->count[DNS_AR])
		return -EINVAL;
	/* verbatim, no compression: the first name in the message */
	if (b_put(b, name->wire, name->len) || b_be16(b, qtype) ||
	    b_be16(b, qclass)) {
		b->len = len;
		return -EMSGSIZE;
	}
	/* every suffix of the question can be pointed to */
	for (off = 0; off < name->len && name->wire[off] &&
	     len + off < 0x4000 && b->n_comp < DNS_COMP_MAX;
	     off += 1 + (size_t)name->wire[off])
		b->comp[b->n_comp++] = (uint16_t)(len + off);
	b->qd = 1;
	return 0;
}

void dns_b_mark(struct dns_builder *b)
{
	b->m_len = b->len;
	memcpy(b->m_count, b->count, sizeof(b->count));
	b->m_comp = b->n_comp;
}

void dns_b_rollback(struct dns_builder *b)
{
	b->len = b->m_len;
	memcpy(b->count, b->m_count, sizeof(b->count));
	b->n_comp = b->m_comp;
}

int dns_b_rr(struct dns_builder *b, enum dns_section sect,
	     const struct dns_name *owner, uint16_t type, uint16_t class,
	     uint32_t ttl, const struct dns_name *name1,
	     const struct dns_name *name2, const void *rdata, uint16_t rdlen)
{
	size_t len = b->len, rdpos;
	unsigned n_comp = b->n_comp;
	int s;

	for (s = (int)sect + 1; s <= DNS_AR; s++)
		if (b->count[s])
			return -EINVAL;
	if (b_name(b, owner) || b_be16(b, type) || b_be16(b, class) ||
	    b_be32(b, ttl) || b_be16(b, 0))
		goto full;
	rdpos = b->len;
	if ((name1 && b_name(b, name1)) || (name2 && b_name(b, name2)) ||
	    (rdlen && b_put(b, rdata, rdlen)))
		goto full;
	b->buf[rdpos - 2] = (uint8_t)((b->len - rdpos) >> 8);
	b->buf[rdpos - 1] = (uint8_t)(b->len - rdpos);
	b->count[sect]++;
	return 0;
full:
	b->len = len;
	b->n_comp = n_comp;
	return -EMSGSIZE;
}

int dns_b_opt(struct dns_builder *b, uint16_t udp, uint16_t rcode)
{
	static const struct dns_name root = { .len = 1 };

	b->reserve = 0;
	/* TTL: EXTENDED-RCODE, VERSION 0, DO 0 (we do not do DNSSEC) */
	return dns_b_rr(b, DNS_AR, &root, DNS_T_OPT, udp,
			(uint32_t)(rcode >> 4) << 24, NULL, NULL, NULL, 0);
}

void dns_b_truncated(struct dns_builder *b)
{
	b->flags |= DNS_F_TC;
}

size_t dns_b_finish(struct dns_builder *b)
{
	struct dns_hdr h;

	memcpy(&h, b->buf, sizeof(h));
	h.flags = htons(b->flags);
	h.qdcount = htons(b->qd);
	h.ancount = htons(b->count[DNS_AN]);
	h.nscount = htons(b->count[DNS_NS]);
	h.arcount = htons(b->count[DNS_AR]);
	memcpy(b->buf, &h, sizeof(h));
	return b->len;
}
