// SPDX-License-Identifier: MIT
/*
 * dns_server.c - the embedded DNS server: authoritative answers for the
 *		  domains of the querying guest's networks
 *
 * Theory of operation
 *
 * A query is parsed (dns_msg.c), then its lowercased QNAME is classified,
 * first match wins:
 *
 *   1. mvm.internal and below: host.mvm.internal where host access is on
 *   2. a view zone's domain and below ("web.lab.mvm", the apex "lab.mvm")
 *   3. in-addr.arpa names under a view zone's subnet: PTR from its A records
 *   4. a bare name ("web", "web.") found in a view zone, the first wins
 *   5. the "mvm" TLD and below: NXDOMAIN - another network's names are
 *      not this guest's business, and they must not leak upstream
 *   6. anything else: forwarded when the view allows it, else REFUSED
 *      (RFC 1035 4.1.1: "refuses to perform the specified operation for
 *      policy reasons"; NXDOMAIN would be a lie we are not authoritative
 *      for, and would be cached as one)
 *
 * Cases 1-5 produce a struct result (RCODE, the apex for the SOA, the
 * answer RRset) which one function writes out. Nothing is allocated; the
 * response is written straight into the caller's buffer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "common/util.h"
#include "dns/dns_msg.h"
#include "dns/dns_server.h"

/* names we know without a zone, as wire forms */
static const struct dns_name n_internal = { 14, "\3mvm\10internal" };
static const struct dns_name n_mvm = { 5, "\3mvm" };
static const struct dns_name n_inaddr = { 14, "\7in-addr\4arpa" };

/* SOA timers (RFC 1035 3.3.13): nobody transfers these zones */
#define SOA_REFRESH	3600
#define SOA_RETRY	600
#define SOA_EXPIRE	86400

/** struct result - what to say about a name we are authoritative for */
struct result {
	uint16_t rcode;			/* NOERROR or NXDOMAIN */
	const struct dns_name *apex;	/* SOA owner */
	uint32_t serial, ttl, neg_ttl;
	uint16_t type;			/* of @rec: A, AAAA, PTR, SOA or 0 */
	size_t n;
	const struct dns_zone_rec *rec[DNS_RRSET_MAX];
	struct dns_zone_rec host;	/* host.mvm.internal */
	struct dns_name target;		/* PTR target */
};

/* the relative part of @n before offset @off as "a.b", or -1 if it cannot
 * be a stored name (too long, bytes outside [a-z0-9-]) */
static int rel_str(const struct dns_name *n, int off, char *buf, size_t size)
{
	size_t i = 0, o = 0;

	while (i < (size_t)off) {
		size_t l = n->wire[i++], k;

		if (o && o < size)
			buf[o++] = '.';
		for (k = 0; k < l; k++, i++) {
			uint8_t c = n->wire[i];

			if (o + 1 >= size ||
			    !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			      c == '-'))
				return -1;
			buf[o++] = (char)c;
		}
	}
	buf[o] = '\0';
	return (int)o;
}

/* "d.c.b.a.in-addr.arpa" (exactly) to a host-order address; -1 if not */
static int rev_addr(const struct dns_name *n, uint32_t *a)
{
	size_t i = 0;
	int k;

	if (dns_name_labels(n) != 6 || dns_name_suffix(n, &n_inaddr) < 0)
		return -1;
	*a = 0;
	for (k = 0; k < 4; k++) {
		size_t l = n->wire[i++], j;
		unsigned v = 0;

		if (l < 1 || l > 3 || (l > 1 && n->wire[i] == '0'))
			return -1;
		for (j = 0; j < l; j++, i++) {
			if (n->wire[i] < '0' || n->wire[i] > '9')
				return -1;
			v = v * 10 + (unsigned)(n->wire[i] - '0');
		}
		if (v > 255)
			return -1;
		*a |= (uint32_t)v << (8 * k);
	}
	return 0;
}

/* what a zone's records say about @qtype */
static void fill(struct result *r, uint16_t qtype, size_t n)
{
	size_t i, k = 0;

	r->rcode = n ? DNS_R_NOERROR : DNS_R_NXDOMAIN;
	r->type = (qtype == DNS_T_A || qtype == DNS_T_AAAA) ? qtype : 0;
	for (i = 0; i < n && i < DNS_RRSET_MAX; i++)
		if ((qtype == DNS_T_A && r->rec[i]->has_v4) ||
		    (qtype == DNS_T_AAAA && r->rec[i]->has_v6))
			r->rec[k++] = r->rec[i];
	r->n = k;
}

static void from_zone(struct result *r, const struct dns_zone *z,
		      const struct dns_name *apex)
{
	r->apex = apex;
	r->serial = z->serial;
	r->ttl = z->ttl;
	r->neg_ttl = z->neg_ttl;
}

/* the apex itself exists: SOA on request, NODATA otherwise */
static void at_apex(struct result *r, uint16_t qtype)
{
	r->rcode = DNS_R_NOERROR;
	r->type = qtype == DNS_T_SOA ? DNS_T_SOA : 0;
	r->n = 0;
}

/* PTR for @a inside @z's subnet (RFC 1035 3.5) */
static void ptr(struct result *r, const struct dns_zone *z, uint32_t a,
		uint16_t qtype)
{
	const struct dns_zone_rec *rec = dns_zone_find_v4(z, a);
	struct dns_name t;

	from_zone(r, z, &z->rev_apex);
	if (!rec || dns_name_from_str(rec->name, &t) ||
	    t.len - 1 + z->domain.len > DNS_NAME_MAX) {
		r->rcode = DNS_R_NXDOMAIN;
		return;
	}
	r->rcode = DNS_R_NOERROR;
	if (qtype != DNS_T_PTR)
		return;
	memcpy(r->target.wire, t.wire, t.len - 1u);
	memcpy(r->target.wire + t.len - 1, z->domain.wire, z->domain.len);
	r->target.len = (uint16_t)(t.len - 1 + z->domain.len);
	r->type = DNS_T_PTR;
	r->n = 1;
}

/* cases 1-5 of the theory of operation; 0 if the name is ours, -1 if not */
static int classify(const struct dns_view *v, const struct dns_query *q,
		    const struct dns_name *name, struct result *r)
{
	char rel[DNS_ZONE_NAME_MAX + 1];
	uint32_t a;
	size_t i;
	int off;

	if ((off = dns_name_suffix(name, &n_internal)) >= 0) {
		r->apex = &n_internal;
		r->serial = 1;
		r->ttl = DNS_TTL_DEFAULT;
		r->neg_ttl = DNS_NEG_TTL_DEFAULT;
		if (!off)
			return at_apex(r, q->qtype), 0;
		r->rec[0] = &r->host;
		if (rel_str(name, off, rel, sizeof(rel)) < 0 || strcmp(rel, "host"))
			return fill(r, q->qtype, 0), 0;
		for (i = 0; i < v->n_zones && !v->zones[i]->host_access; i++)
			;
		if (i < v->n_zones) {
			r->host.has_v4 = 1;
			r->host.v4 = v->zones[i]->host_addr;
			r->ttl = v->zones[i]->ttl;
		}
		return fill(r, q->qtype, i < v->n_zones), 0;
	}
	for (i = 0; i < v->n_zones; i++) {
		struct dns_zone *z = v->zones[i];

		if ((off = dns_name_suffix(name, &z->domain)) < 0)
			continue;
		from_zone(r, z, &z->domain);
		if (!off)
			return at_apex(r, q->qtype), 0;
		r->n = 0;
		if (rel_str(name, off, rel, sizeof(rel)) > 0)
			r->n = dns_zone_lookup(z, rel, strlen(rel), r->rec,
					       DNS_RRSET_MAX);
		return fill(r, q->qtype, r->n), 0;
	}
	for (i = 0; i < v->n_zones; i++) {
		struct dns_zone *z = v->zones[i];

		if ((off = dns_name_suffix(name, &z->rev_apex)) < 0)
			continue;
		if (!rev_addr(name, &a) && cidr4_contains(&z->subnet, a))
			return ptr(r, z, a, q->qtype), 0;
		from_zone(r, z, &z->rev_apex);
		/* the apex, or an empty non-terminal above our addresses
		 * (RFC 8020: NXDOMAIN there would deny the whole subtree) */
		if (!off || dns_name_labels(name) < 6)
			return at_apex(r, q->qtype), 0;
		return fill(r, q->qtype, 0), 0;
	}
	off = name->len - 1;
	if (off > 0 && rel_str(name, off, rel, sizeof(rel)) > 0) {
		for (i = 0; i < v->n_zones; i++) {
			struct dns_zone *z = v->zones[i];

			r->n = dns_zone_lookup(z, rel, strlen(rel), r->rec,
					       DNS_RRSET_MAX);
			if (r->n) {
				from_zone(r, z, &z->domain);
				return fill(r, q->qtype, r->n), 0;
			}
		}
	}
	if ((off = dns_name_suffix(name, &n_mvm)) >= 0) {
		r->apex = &n_mvm;
		r->serial = 1;
		r->ttl = DNS_TTL_DEFAULT;
		r->neg_ttl = DNS_NEG_TTL_DEFAULT;
		if (!off)
			return at_apex(r, q->qtype), 0;
		return fill(r, q->qtype, 0), 0;
	}
	return -1;
}

/* RFC 2308 3: negative answers carry the SOA, TTL the SOA MINIMUM */
static int soa(struct dns_builder *b, enum dns_section s,
	       const struct result *r)
{
	static const struct dns_name hm = { 12, "\12hostmaster" };
	uint32_t t[5] = { htonl(r->serial), htonl(SOA_REFRESH),
			  htonl(SOA_RETRY), htonl(SOA_EXPIRE),
			  htonl(r->neg_ttl) };
	struct dns_name rname;

	/* MNAME the apex itself, RNAME hostmaster.<apex> */
	memcpy(rname.wire, hm.wire, 11);
	if (r->apex->len + 11 > DNS_NAME_MAX)
		return -EMSGSIZE;
	memcpy(rname.wire + 11, r->apex->wire, r->apex->len);
	rname.len = (uint16_t)(11 + r->apex->len);
	return dns_b_rr(b, s, r->apex, DNS_T_SOA, DNS_C_IN,
			s == DNS_AN ? r->ttl : r->neg_ttl, r->apex, &rname,
			t, sizeof(t));
}

/* the answer RRset, whole or not at all (RFC 2181 9) */
static void rrset(struct dns_builder *b, const struct dns_query *q,
		  const struct result *r)
{
	size_t i;
	int err = 0;

	dns_b_mark(b);
	for (i = 0; i < r->n && !err; i++) {
		uint32_t v4;

		if (r->type == DNS_T_A) {
			v4 = htonl(r->rec[i]->v4);
			err = dns_b_rr(b, DNS_AN, &q->qname, DNS_T_A, DNS_C_IN,
				       r->ttl, NULL, NULL, &v4, 4);
		} else if (r->type == DNS_T_AAAA) {
			err = dns_b_rr(b, DNS_AN, &q->qname, DNS_T_AAAA,
				       DNS_C_IN, r->ttl, NULL, NULL,
				       r->rec[i]->v6, 16);
		} else if (r->type == DNS_T_PTR)
			err = dns_b_rr(b, DNS_AN, &q->qname, DNS_T_PTR,
				       DNS_C_IN, r->ttl, &r->target, NULL,
				       NULL, 0);
	}
	if (r->type == DNS_T_SOA && !err)
		err = soa(b, DNS_AN, r);
	if (err) {
		dns_b_rollback(b);
		dns_b_truncated(b);
	}
}

/* a response with no question: FORMERR, NOTIMP (RFC 1035 4.1.1) */
static int bare(const struct dns_view *v, const struct dns_query *q,
		uint16_t rcode, uint8_t *resp, size_t resp_max, size_t *resp_len)
{
	struct dns_builder b;
	uint16_t f = DNS_F_QR | (q->flags & (DNS_F_OPCODE | DNS_F_RD)) | rcode;

	if (dns_b_init(&b, resp, resp_max, q->id, f | (v->forward ? DNS_F_RA : 0)))
		return -ENOBUFS;
	*resp_len = dns_b_finish(&b);
	return DNS_ANSWER;
}

int dns_server_answer(const struct dns_view *v, const uint8_t *query,
		      size_t len, int over_tcp, uint8_t *resp, size_t resp_max,
		      size_t *resp_len)
{
	size_t ours, limit;
	struct dns_builder b;
	struct dns_name name;
	struct dns_query q;
	struct result r;
	uint16_t rcode, f;
	int ret, local;

	if (!v || !query || !resp || !resp_len)
		return -EINVAL;
	*resp_len = 0;
	ret = dns_query_parse(query, len, &q);
	if (ret == -EMSGSIZE || (q.flags & DNS_F_QR))
		return DNS_DROP;
	if (ret)
		return bare(v, &q, DNS_R_FORMERR, resp, resp_max, resp_len);
	if (DNS_OPCODE(q.flags) != DNS_OP_QUERY)
		return bare(v, &q, DNS_R_NOTIMP, resp, resp_max, resp_len);

	name = q.qname;
	dns_name_lower(&name);
	memset(&r, 0, sizeof(r));
	rcode = DNS_R_REFUSED;
	local = 0;
	if (q.edns && q.edns_version > 0) {
		rcode = DNS_R_BADVERS;
	} else if ((q.qclass == DNS_C_IN || q.qclass == DNS_C_ANY) &&
		   q.qtype != DNS_T_AXFR && q.qtype != DNS_T_IXFR) {
		local = !classify(v, &q, &name, &r);
		if (!local && v->forward)
			return DNS_FORWARD;
		if (local)
			rcode = r.rcode;
	}

	/* RFC 6891 6.2.5: at least 512, at most what both ends accept */
	ours = v->edns_size ? MIN(v->edns_size, DNS_EDNS_SIZE_MAX) : DNS_EDNS_SIZE;
	ours = MAX(ours, DNS_UDP_MIN);
	limit = over_tcp ? DNS_TCP_MAX :
		q.edns ? MIN((size_t)q.edns_udp, ours) : DNS_UDP_MIN;
	limit = MIN(limit, resp_max);

	f = DNS_F_QR | (q.flags & DNS_F_RD) | (rcode & DNS_F_RCODE) |
	    (v->forward ? DNS_F_RA : 0) | (local ? DNS_F_AA : 0);
	if (dns_b_init(&b, resp, limit, q.id, f))
		return -ENOBUFS;
	if (q.edns)	/* RFC 6891 7: the OPT survives truncation */
		dns_b_reserve(&b, DNS_OPT_LEN);
	if (dns_b_question(&b, &q.qname, q.qtype, q.qclass))
		return -ENOBUFS;
	if (local) {
		rrset(&b, &q, &r);
		/* NXDOMAIN or NODATA: the SOA, if it fits (RFC 2181 9: no TC
		 * for leaving out what is not the answer) */
		if (r.rcode == DNS_R_NXDOMAIN || (!r.n && r.type != DNS_T_SOA))
			soa(&b, DNS_NS, &r);
	}
	if (q.edns && dns_b_opt(&b, (uint16_t)ours, rcode))
		return -ENOBUFS;
	*resp_len = dns_b_finish(&b);
	return DNS_ANSWER;
}
