/* SPDX-License-Identifier: MIT */
/*
 * test_dns_util.h - helpers shared by the DNS unit tests: a client-side
 *		     query builder and a response reader
 */
#ifndef MVM_TEST_DNS_UTIL_H
#define MVM_TEST_DNS_UTIL_H

#include <arpa/inet.h>
#include <string.h>

#include "dns/dns_msg.h"

#define T_RR_MAX 64

/** struct t_rr - one record of a response, names in presentation form */
struct t_rr {
	char name[DNS_NAME_STRLEN];
	uint16_t type, class;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t rdata[64];
	char target[DNS_NAME_STRLEN];	/* PTR name, SOA MNAME */
	char target2[DNS_NAME_STRLEN];	/* SOA RNAME */
};

/** struct t_resp - a response as the tests look at it */
struct t_resp {
	uint16_t id, flags, qd, an, ns, ar;
	char qname[DNS_NAME_STRLEN];
	uint8_t qwire[DNS_NAME_MAX];
	uint16_t qtype;
	struct t_rr rr[3][T_RR_MAX];
};

/* a query as a stub resolver sends it; @udp 0 = no OPT RR */
static inline size_t t_query(uint8_t *buf, uint16_t id, const char *name,
			     uint16_t type, uint16_t udp)
{
	struct dns_builder b;
	struct dns_name n;
	size_t i = 0, o = 0, l;

	/* like dns_name_from_str() but keeping case (0x20 tests) */
	while (name[i]) {
		for (l = 0; name[i + l] && name[i + l] != '.'; l++)
			;
		n.wire[o++] = (uint8_t)l;
		memcpy(n.wire + o, name + i, l);
		o += l;
		i += l + (name[i + l] == '.');
	}
	n.wire[o++] = 0;
	n.len = (uint16_t)o;
	dns_b_init(&b, buf, 512, id, DNS_F_RD);
	if (udp)
		dns_b_reserve(&b, DNS_OPT_LEN);
	dns_b_question(&b, &n, type, DNS_C_IN);
	if (udp)
		dns_b_opt(&b, udp, 0);
	return dns_b_finish(&b);
}

static inline int t_name(const uint8_t *m, size_t len, struct cursor *c,
			 char *out)
{
	struct dns_name n;

	if (dns_name_read(m, len, c, &n))
		return -1;
	dns_name_to_str(&n, out, DNS_NAME_STRLEN);
	return 0;
}

/* read a response completely; 0, or -1 if it is malformed */
static inline int t_parse(const uint8_t *m, size_t len, struct t_resp *r)
{
	struct cursor c = cur_init(m, len);
	uint16_t *cnt[3] = { &r->an, &r->ns, &r->ar };
	struct dns_hdr h;
	int s, i;

	memset(r, 0, sizeof(*r));
	if (cur_copy(&c, &h, sizeof(h)))
		return -1;
	r->id = ntohs(h.id);
	r->flags = ntohs(h.flags);
	r->qd = ntohs(h.qdcount);
	r->an = ntohs(h.ancount);
	r->ns = ntohs(h.nscount);
	r->ar = ntohs(h.arcount);
	if (r->qd > 1)
		return -1;
	if (r->qd) {
		struct cursor q = c;
		struct dns_name n;
		uint16_t qc;

		if (dns_name_read(m, len, &q, &n))
			return -1;
		memcpy(r->qwire, n.wire, n.len);
		if (t_name(m, len, &c, r->qname) || cur_be16(&c, &r->qtype) ||
		    cur_be16(&c, &qc))
			return -1;
	}
	for (s = 0; s < 3; s++) {
		if (*cnt[s] > T_RR_MAX)
			return -1;
		for (i = 0; i < *cnt[s]; i++) {
			struct t_rr *rr = &r->rr[s][i];
			struct cursor rd;

			if (t_name(m, len, &c, rr->name) ||
			    cur_be16(&c, &rr->type) || cur_be16(&c, &rr->class) ||
			    cur_be32(&c, &rr->ttl) || cur_be16(&c, &rr->rdlen) ||
			    cur_sub(&c, rr->rdlen, &rd))
				return -1;
			memcpy(rr->rdata, rd.p, rr->rdlen < 64 ? rr->rdlen : 64);
			if ((rr->type == DNS_T_PTR || rr->type == DNS_T_SOA) &&
			    t_name(m, len, &rd, rr->target))
				return -1;
			if (rr->type == DNS_T_SOA &&
			    (t_name(m, len, &rd, rr->target2) || rd.left != 20))
				return -1;
			if (rr->type == DNS_T_PTR && rd.left)
				return -1;
		}
	}
	return c.left ? -1 : 0;
}

#endif
