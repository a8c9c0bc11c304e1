// SPDX-License-Identifier: MIT
/* dns_fwd.c - query ID rewriting, reply validation and SERVFAIL for forwarding */
#include <errno.h>

#include "dns/dns_fwd.h"
#include "dns/dns_msg.h"
#include "dns/dns_server.h"

static void put_id(uint8_t *msg, uint16_t id)
{
	msg[0] = (uint8_t)(id >> 8);
	msg[1] = (uint8_t)id;
}

int dns_fwd_prepare(uint8_t *msg, size_t len, uint16_t upstream_id,
		    struct dns_fwd *f)
{
	struct dns_query q;

	if (dns_query_parse(msg, len, &q) || (q.flags & DNS_F_QR) ||
	    DNS_OPCODE(q.flags) != DNS_OP_QUERY)
		return -EBADMSG;
	f->client_id = q.id;
	f->upstream_id = upstream_id;
	f->flags = q.flags;
	f->qtype = q.qtype;
	f->qclass = q.qclass;
	f->edns = q.edns;
	f->edns_udp = q.edns ? q.edns_udp : DNS_UDP_MIN;
	f->qname = q.qname;
	put_id(msg, upstream_id);
	return 0;
}

int dns_fwd_reply(const struct dns_fwd *f, uint8_t *msg, size_t len)
{
	struct dns_query r;

	/* the same structural checks as a query: one question, sound RRs */
	if (dns_query_parse(msg, len, &r) || !(r.flags & DNS_F_QR) ||
	    DNS_OPCODE(r.flags) != DNS_OP_QUERY)
		return -EBADMSG;
	/* RFC 5452 9.1: ID and question must match what we asked */
	if (r.id != f->upstream_id || r.qtype != f->qtype ||
	    r.qclass != f->qclass || !dns_name_eq(&r.qname, &f->qname))
		return -ESRCH;
	put_id(msg, f->client_id);
	return r.flags & DNS_F_TC ? DNS_FWD_TRUNCATED : 0;
}

int dns_fwd_servfail(const struct dns_fwd *f, uint8_t *resp, size_t resp_max,
		     size_t *resp_len)
{
	struct dns_builder b;
	uint16_t fl = DNS_F_QR | DNS_F_RA | (f->flags & (DNS_F_RD | DNS_F_CD)) |
		      DNS_R_SERVFAIL;

	if (dns_b_init(&b, resp, resp_max, f->client_id, fl))
		return -ENOBUFS;
	if (f->edns)
		dns_b_reserve(&b, DNS_OPT_LEN);
	if (dns_b_question(&b, &f->qname, f->qtype, f->qclass) ||
	    (f->edns && dns_b_opt(&b, DNS_EDNS_SIZE, DNS_R_SERVFAIL)))
		return -ENOBUFS;
	*resp_len = dns_b_finish(&b);
	return 0;
}
