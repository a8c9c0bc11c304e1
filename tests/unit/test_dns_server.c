// SPDX-License-Identifier: MIT
/* test_dns_server.c - unit tests for the DNS server core (dns/dns_server.c) */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns/dns_server.h"
#include "test_dns_util.h"

#define NET(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

/** struct env - two networks: "lab" (this guest's) and "other" */
struct env {
	struct dns_zone *lab, *other;
	struct dns_zone *both[2];
	struct dns_view nat, internal, two;
	uint8_t q[512], resp[DNS_TCP_MAX];
	size_t qlen, rlen;
	struct t_resp r;
};

static int setup(void **state)
{
	struct dns_zone_cfg lab = {
		.domain = "lab.mvm", .subnet = { NET(10, 89, 0, 0), 24 },
		.host_access = 1, .host_addr = NET(10, 89, 0, 1),
	};
	struct dns_zone_cfg other = {
		.domain = "other.mvm", .subnet = { NET(10, 90, 0, 0), 24 },
	};
	const char *www[] = { "www", "api" }, *api[] = { "api" };
	struct dns_owner web = { .id = 1, .name = "web", .aliases = www,
				 .n_aliases = 2, .has_v4 = 1,
				 .v4 = NET(10, 89, 0, 2) };
	struct dns_owner db = { .id = 2, .name = "db", .aliases = api,
				.n_aliases = 1, .has_v4 = 1,
				.v4 = NET(10, 89, 0, 3), .has_v6 = 1,
				.v6 = { 0xfd, 0x00, [15] = 3 } };
	struct dns_owner secret = { .id = 1, .name = "secret", .has_v4 = 1,
				    .v4 = NET(10, 90, 0, 2) };
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	assert_int_equal(dns_zone_new(&lab, &e->lab), 0);
	assert_int_equal(dns_zone_new(&other, &e->other), 0);
	assert_int_equal(dns_zone_add(e->lab, &web), 0);
	assert_int_equal(dns_zone_add(e->lab, &db), 0);
	assert_int_equal(dns_zone_add(e->other, &secret), 0);
	e->both[0] = e->lab;
	e->both[1] = e->other;
	e->nat = (struct dns_view){ e->both, 1, 1, 0 };
	e->internal = (struct dns_view){ e->both, 1, 0, 0 };
	e->two = (struct dns_view){ e->both, 2, 1, 0 };
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	dns_zone_free(e->lab);
	dns_zone_free(e->other);
	free(e);
	return 0;
}

/* ask @v; returns dns_server_answer()'s verdict, the response in e->r */
static int ask_raw(struct env *e, const struct dns_view *v, int tcp)
{
	int ret = dns_server_answer(v, e->q, e->qlen, tcp, e->resp,
				    tcp ? DNS_TCP_MAX : 4096, &e->rlen);

	if (ret == DNS_ANSWER)
		assert_int_equal(t_parse(e->resp, e->rlen, &e->r), 0);
	else
		assert_int_equal(e->rlen, 0);
	return ret;
}

static int ask(struct env *e, const struct dns_view *v, const char *name,
	       uint16_t type, uint16_t udp)
{
	e->qlen = t_query(e->q, 0xbeef, name, type, udp);
	return ask_raw(e, v, 0);
}

#define RCODE(e)	((e)->r.flags & DNS_F_RCODE)
#define AN(e, i)	(&(e)->r.rr[DNS_AN][i])
#define NS(e, i)	(&(e)->r.rr[DNS_NS][i])

static void assert_a(const struct t_rr *rr, const char *name, uint32_t a)
{
	uint8_t w[4] = { a >> 24, a >> 16 & 0xff, a >> 8 & 0xff, a & 0xff };

	assert_string_equal(rr->name, name);
	assert_int_equal(rr->type, DNS_T_A);
	assert_int_equal(rr->class, DNS_C_IN);
	assert_int_equal(rr->ttl, DNS_TTL_DEFAULT);
	assert_int_equal(rr->rdlen, 4);
	assert_memory_equal(rr->rdata, w, 4);
}

/* a negative answer: the SOA of @apex in the authority section */
static void assert_negative(struct env *e, uint16_t rcode, const char *apex)
{
	char rname[DNS_NAME_STRLEN];

	assert_int_equal(RCODE(e), rcode);
	assert_true(e->r.flags & DNS_F_AA);
	assert_int_equal(e->r.an, 0);
	assert_int_equal(e->r.ns, 1);
	assert_int_equal(NS(e, 0)->type, DNS_T_SOA);
	assert_string_equal(NS(e, 0)->name, apex);
	assert_string_equal(NS(e, 0)->target, apex);
	snprintf(rname, sizeof(rname), "hostmaster.%s", apex);
	assert_string_equal(NS(e, 0)->target2, rname);
	/* RFC 2308 5: TTL and MINIMUM both the negative TTL */
	assert_int_equal(NS(e, 0)->ttl, DNS_NEG_TTL_DEFAULT);
	assert_memory_equal(NS(e, 0)->rdata + NS(e, 0)->rdlen - 4,
			    "\0\0\0\5", 4);
}

static void test_a_fqdn(void **state)
{
	struct env *e = *state;

	assert_int_equal(ask(e, &e->nat, "web.lab.mvm", DNS_T_A, 0), DNS_ANSWER);
	assert_int_equal(e->r.id, 0xbeef);
	assert_int_equal(e->r.flags, DNS_F_QR | DNS_F_AA | DNS_F_RD | DNS_F_RA);
	assert_int_equal(e->r.qd, 1);
	assert_string_equal(e->r.qname, "web.lab.mvm");
	assert_int_equal(e->r.an, 1);
	assert_int_equal(e->r.ns, 0);
	assert_int_equal(e->r.ar, 0);
	assert_a(AN(e, 0), "web.lab.mvm", NET(10, 89, 0, 2));
	/* an alias, without CNAME */
	assert_int_equal(ask(e, &e->nat, "www.lab.mvm", DNS_T_A, 0), DNS_ANSWER);
	assert_int_equal(e->r.an, 1);
	assert_a(AN(e, 0), "www.lab.mvm", NET(10, 89, 0, 2));
}

static void test_a_bare(void **state)
{
	struct env *e = *state;

	assert_int_equal(ask(e, &e->nat, "web", DNS_T_A, 0), DNS_ANSWER);
	assert_int_equal(RCODE(e), DNS_R_NOERROR);
	assert_true(e->r.flags & DNS_F_AA);
	assert_int_equal(e->r.an, 1);
	assert_a(AN(e, 0), "web", NET(10, 89, 0, 2));
	/* "web." is the same wire name */
	assert_int_equal(ask(e, &e->nat, "web.", DNS_T_A, 0), DNS_ANSWER);
	assert_int_equal(e->r.an, 1);
	/* bare and missing: not ours to say, so forwarded */
	assert_int_equal(ask(e, &e->nat, "nope", DNS_T_A, 0), DNS_FORWARD);
	assert_int_equal(ask(e, &e->internal, "nope", DNS_T_A, 0), DNS_ANSWER);
	assert_int_equal(RCODE(e), DNS_R_REFUSED);
}

static void test_case(void **state)
{
	struct env *e = *state;

	assert_int_equal(ask(e, &e->nat, "wEb.LaB.mVm", DNS_T_A, 0), DNS_ANSWER);
	assert_int_equal(e->r.an, 1);
	/* the question and the owner echo the case of the query (0x20) */
	assert_memory_equal(e->r.qwire, "\3wEb\3LaB\3mVm", 13);
	assert_string_equal(AN(e, 0)->name, "wEb.LaB.mVm");
}

static void test_aaaa(void **state)
{
	struct env *e = *state;
	static const uint8_t v6[16] = { 0xfd, 0x00, [15] = 3 };

	/* web has only IPv4: NODATA, not NXDOMAIN */
	assert_int_equal(ask(e, &e->nat, "web.lab.mvm", DNS_T_AAAA, 0), DNS_ANSWER);
	assert_negative(e, DNS_R_NOERROR, "lab.mvm");
	assert_int_equal(ask(e, &e->nat, "db", DNS_T_AAAA, 0), DNS_ANSWER);
	assert_int_equal(RCODE(e), DNS_R_NOERROR);
	assert_int_equal(e->r.an, 1);
	assert_int_equal(AN(e, 0)->type, DNS_T_AAAA);
	assert_int_equal(AN(e, 0)->rdlen, 16);
	assert_memory_equal(AN(e, 0)->rdata, v6, 16);
	/* other types of a name that exists: NODATA */
	assert_int_equal(ask(e, &e->nat, "web.lab.mvm", DNS_T_ANY, 0), DNS_ANSWER);
	assert_negative(e, DNS_R_NOERROR, "lab.mvm");
	assert_int_equal(ask(e, &e->nat, "web.lab.mvm", 16 /* TXT */, 0), DNS_ANSWER);
	assert_negative(e, DNS_R_NOERROR, "lab.mvm");
}

static void test_nxdomain(void **state)
{
	struct env *e = *state;

	assert_int_equal(ask(e, &e->nat, "nope.lab.mvm", DNS_T_A, 0), DNS_ANSWER);
	assert_negative(e, DNS_R_NXDOMAIN, "lab.mvm");
	/* never forwarded, even from a NAT network */
	assert_int_equal(ask(e, &e->nat, "a.b.web.lab.mvm", DNS_T_A, 0), DNS_ANSWER);
	assert_negative(e, DNS_R_NXDOMAIN, "lab.mvm");
	assert_int_equal(ask(e, &e->nat, "we_b.lab.mvm", DNS_T_A, 0), DNS_ANSWER);
	assert_negative(e, DNS_R_NXDOMAIN, "lab.mvm");
}

static void test_apex(void **state)
{
	struct env *e = *state;

	assert_int_equal(ask(e, &e->nat, "lab.mvm", DNS_T_A, 0), DNS_ANSWER);
	assert_negative(e, DNS_R_NOERROR, "lab.mvm");
	assert_int_equal(ask(e, &e->nat, "lab.mvm", DNS_T_SOA, 0), DNS_ANSWER);
	assert_int_equal(RCODE(e), DNS_R_NOERROR);
	assert_int_equal(e->r.an, 1);
	assert_int_equal(e->r.ns, 0);
	assert_int_equal(AN(e, 0)->type, DNS_T_SOA);
	assert_int_equal(AN(e, 0)->ttl, DNS_TTL_DEFAULT);
}

static void test_ptr(void **state)
{
	struct env *e = *state;

	assert_int_equal(ask(e, &e->nat, "2.0.89.10.in-addr.arpa", DNS_T_PTR, 0),
			 DNS_ANSWER);
	assert_int_equal(RCODE(e), DNS_R_NOERROR);
	assert_true(e->r.flags & DNS_F_AA);
	assert_int_equal(e->r.an, 1);
	assert_int_equal(AN(e, 0)->type, DNS_T_PTR);
	assert_string_equal(AN(e, 0)->target, "web.lab.mvm");
	assert_int_equal(ask(e, &e->nat, "3.0.89.10.IN-ADDR.ARPA", DNS_T_PTR, 0),
			 DNS_ANSWER);
	assert_string_equal(AN(e, 0)->target, "db.lab.mvm");
	/* an unused address of ours */
	assert_int_equal(ask(e, &e->nat, "9.0.89.10.in-addr.arpa", DNS_T_PTR, 0),
			 DNS_ANSWER);
	assert_negative(e, DNS_R_NXDOMAIN, "0.89.10.in-addr.arpa");
	/* a used one, another type */
	assert_int_equal(ask(e, &e->nat, "2.0.89.10.in-addr.arpa", DNS_T_A, 0),
			 DNS_ANSWER);
	assert_negative(e, DNS_R_NOERROR, "0.89.10.in-addr.arpa");
	/* not a 4-octet address: "02", "256", letters */
	assert_int_equal(ask(e, &e->nat, "02.0.89.10.in-addr.arpa", DNS_T_PTR, 0),
			 DNS_ANSWER);
	assert_negative(e, DNS_R_NXDOMAIN, "0.89.10.in-addr.arpa");
	assert_int_equal(ask(e, &e->nat, "x.0.89.10.in-addr.arpa", DNS_T_PTR, 0),
			 DNS_ANSWER);
	assert_negative(e, DNS_R_NXDOMAIN, "0.89.10.in-addr.arpa");
	/* somebody else's addresses go upstream */
	assert_int_equal(ask(e, &e->nat, "8.8.8.8.in-addr.arpa", DNS_T_PTR, 0),
			 DNS_FORWARD);
	assert_int_equal(ask(e, &e->internal, "8.8.8.8.in-addr.arpa", DNS_T_PTR, 0),
			 DNS_ANSWER);
	assert_int_equal(RCODE(e), DNS_R_REFUSED);
}

static void test_scope(void **state)
{
	struct env *e = *state;

	/* "secret" lives on a network this guest is not attached to */
	assert_int_equal(ask(e, &e->nat, "secret.other.mvm", DNS_T_A, 0), DNS_ANSWER);
	assert_int_equal(RCODE(e), DNS_R_NXDOMAIN);
	assert_int_equal(e->r.an, 0);
	assert_string_equal(NS(e, 0)->name, "mvm");
	assert_int_equal(ask(e, &e->internal, "secret.other.mvm", DNS_T_A, 0),
			 DNS_ANSWER);
	assert_int_equal(RCODE(e), DNS_R_NXDOMAIN);
	assert_int_equal(ask(e, &e->nat, "2.0.90.10.in-addr.arpa", DNS_T_PTR, 0),
			 DNS_FORWARD);
	assert_int_equal(ask(e, &e->internal, "secret", DNS_T_A, 0), DNS_ANSWER);
	assert_int_equal(RCODE(e), DNS_R_REFUSED);
	/* attached to both: both resolve */
	assert_int_equal(ask(e, &e->two, "secret.other.mvm", DNS_T_A, 0), DNS_ANSWER);
	assert_int_equal(e->r.an, 1);
	assert_a(AN(e, 0), "secret.other.mvm", NET(10, 90, 0, 2));
	assert_int_equal(ask(e, &e->two, "secret", DNS_T_A, 0), DNS_ANSWER);
	assert_int_equal(e->r.an, 1);
	assert_int_equal(ask(e, &e->two, "2.0.90.10.in-addr.arpa", DNS_T_PTR, 0),
			 DNS_ANSWER);
	assert_string_equal(AN(e, 0)->target, "secret.other.mvm");
}

static void test_forward(void **state)
{
	struct env *e = *state;

	assert_int_equal(ask(e, &e->nat, "example.com", DNS_T_A, 0), DNS_FORWARD);
	assert_int_equal(ask(e, &e->nat, "example.com", DNS_T_AAAA, 1232),
			 DNS_FORWARD);
	/* internal networks never forward: REFUSED, no AA, no RA */
	assert_int_equal(ask(e, &e->internal, "example.com", DNS_T_A, 0), DNS_ANSWER);
	assert_int_equal(RCODE(e), DNS_R_REFUSED);
	assert_int_equal(e->r.flags, DNS_F_QR | DNS_F_RD | DNS_R_REFUSED);
	assert_int_equal(e->r.qd, 1);
	assert_int_equal(e->r.an + e->r.ns + e->r.ar, 0);
	/* zone transfers and other classes are refused everywhere */
	assert_int_equal(ask(e, &e->nat, "lab.mvm", DNS_T_AXFR, 0), DNS_ANSWER);
	assert_int_equal(RCODE(e), DNS_R_REFUSED);
	assert_int_equal(ask(e, &e->nat, "example.com", DNS_T_IXFR, 0), DNS_ANSWER);
	assert_int_equal(RCODE(e), DNS_R_REFUSED);
	e->qlen = t_query(e->q, 1, "version.bind", 16, 0);
	e->q[e->qlen - 1] = 3;	/* QCLASS CH */
	assert_int_equal(ask_raw(e, &e->nat, 0), DNS_ANSWER);
	assert_int_equal(RCODE(e), DNS_R_REFUSED);
}

static void test_host_internal(void **state)
{
	struct env *e = *state;
	struct dns_view other = { &e->both[1], 1, 1, 0 };

	assert_int_equal(ask(e, &e->nat, DNS_HOST_NAME, DNS_T_A, 0), DNS_ANSWER);
	assert_int_equal(e->r.an, 1);
	assert_a(AN(e, 0), DNS_HOST_NAME, NET(10, 89, 0, 1));
	assert_int_equal(ask(e, &e->nat, DNS_HOST_NAME, DNS_T_AAAA, 0), DNS_ANSWER);
	assert_negative(e, DNS_R_NOERROR, "mvm.internal");
	assert_int_equal(ask(e, &e->nat, "x.mvm.internal", DNS_T_A, 0), DNS_ANSWER);
	assert_negative(e, DNS_R_NXDOMAIN, "mvm.internal");
	/* no host access on "other": the name does not exist there */
	assert_int_equal(ask(e, &other, DNS_HOST_NAME, DNS_T_A, 0), DNS_ANSWER);
	assert_negative(e, DNS_R_NXDOMAIN, "mvm.internal");
	dns_zone_set_host(e->lab, 0, 0);
	assert_int_equal(ask(e, &e->nat, DNS_HOST_NAME, DNS_T_A, 0), DNS_ANSWER);
	assert_negative(e, DNS_R_NXDOMAIN, "mvm.internal");
}

static void test_round_robin(void **state)
{
	struct env *e = *state;
	uint8_t first[2][4];
	int i;

	for (i = 0; i < 2; i++) {
		assert_int_equal(ask(e, &e->nat, "api", DNS_T_A, 0), DNS_ANSWER);
		assert_int_equal(e->r.an, 2);
		memcpy(first[i], AN(e, 0)->rdata, 4);
		assert_memory_not_equal(AN(e, 0)->rdata, AN(e, 1)->rdata, 4);
	}
	assert_memory_not_equal(first[0], first[1], 4);
	/* a guest stops: its names go, the alias stays with the other */
	assert_int_equal(dns_zone_remove(e->lab, 1), 3);
	assert_int_equal(ask(e, &e->nat, "api", DNS_T_A, 0), DNS_ANSWER);
	assert_int_equal(e->r.an, 1);
	assert_a(AN(e, 0), "api", NET(10, 89, 0, 3));
	assert_int_equal(ask(e, &e->nat, "web", DNS_T_A, 0), DNS_FORWARD);
	assert_int_equal(ask(e, &e->nat, "web.lab.mvm", DNS_T_A, 0), DNS_ANSWER);
	assert_int_equal(RCODE(e), DNS_R_NXDOMAIN);
}

static void test_opcode_and_malformed(void **state)
{
	struct env *e = *state;
	struct dns_hdr h;

	/* STATUS (2), NOTIFY (4), UPDATE (5): NOTIMP, opcode and ID echoed */
	e->qlen = t_query(e->q, 0x4242, "lab.mvm", DNS_T_SOA, 0);
	e->q[2] = (uint8_t)(e->q[2] | 5 << 3);
	assert_int_equal(ask_raw(e, &e->nat, 0), DNS_ANSWER);
	assert_int_equal(e->r.id, 0x4242);
	assert_int_equal(RCODE(e), DNS_R_NOTIMP);
	assert_int_equal(DNS_OPCODE(e->r.flags), 5);
	assert_true(e->r.flags & DNS_F_QR);
	assert_int_equal(e->r.qd, 0);

	/* FORMERR when the header can be read */
	e->qlen = t_query(e->q, 0x4242, "web.lab.mvm", DNS_T_A, 0);
	memcpy(&h, e->q, sizeof(h));
	h.qdcount = htons(2);
	memcpy(e->q, &h, sizeof(h));
	assert_int_equal(ask_raw(e, &e->nat, 0), DNS_ANSWER);
	assert_int_equal(RCODE(e), DNS_R_FORMERR);
	assert_int_equal(e->r.id, 0x4242);
	assert_int_equal(e->r.qd, 0);
	e->qlen = t_query(e->q, 0x4242, "web.lab.mvm", DNS_T_A, 0);
	e->q[DNS_HDR_LEN] = 0xc0;	/* a pointer into the header */
	assert_int_equal(ask_raw(e, &e->nat, 0), DNS_ANSWER);
	assert_int_equal(RCODE(e), DNS_R_FORMERR);
	e->qlen = t_query(e->q, 0x4242, "web.lab.mvm", DNS_T_A, 0) - 1;
	assert_int_equal(ask_raw(e, &e->nat, 0), DNS_ANSWER);	/* cut short */
	assert_int_equal(RCODE(e), DNS_R_FORMERR);

	/* dropped: no header, or a response */
	e->qlen = DNS_HDR_LEN - 1;
	assert_int_equal(ask_raw(e, &e->nat, 0), DNS_DROP);
	e->qlen = t_query(e->q, 0x4242, "web.lab.mvm", DNS_T_A, 0);
	e->q[2] |= 0x80;
	assert_int_equal(ask_raw(e, &e->nat, 0), DNS_DROP);
	e->q[DNS_HDR_LEN] = 0xc0;	/* a malformed response: still dropped */
	assert_int_equal(ask_raw(e, &e->nat, 0), DNS_DROP);

	/* arguments */
	assert_int_equal(dns_server_answer(NULL, e->q, e->qlen, 0, e->resp,
					   512, &e->rlen), -EINVAL);
	e->qlen = t_query(e->q, 0x4242, "web.lab.mvm", DNS_T_A, 0);
	assert_int_equal(dns_server_answer(&e->nat, e->q, e->qlen, 0, e->resp,
					   20, &e->rlen), -ENOBUFS);
}

static void test_edns(void **state)
{
	struct env *e = *state;

	/* OPT echoed with our size, whatever the client offered */
	assert_int_equal(ask(e, &e->nat, "web", DNS_T_A, 4096), DNS_ANSWER);
	assert_int_equal(e->r.an, 1);
	assert_int_equal(e->r.ar, 1);
	assert_int_equal(e->r.rr[DNS_AR][0].type, DNS_T_OPT);
	assert_int_equal(e->r.rr[DNS_AR][0].class, DNS_EDNS_SIZE);
	assert_int_equal(e->r.rr[DNS_AR][0].ttl, 0);
	/* ... also on negative answers and refusals */
	assert_int_equal(ask(e, &e->nat, "nope.lab.mvm", DNS_T_A, 1400), DNS_ANSWER);
	assert_int_equal(e->r.ar, 1);
	assert_int_equal(ask(e, &e->internal, "example.com", DNS_T_A, 1400),
			 DNS_ANSWER);
	assert_int_equal(e->r.ar, 1);
	/* a view's own size */
	e->nat.edns_size = 9000;
	assert_int_equal(ask(e, &e->nat, "web", DNS_T_A, 1400), DNS_ANSWER);
	assert_int_equal(e->r.rr[DNS_AR][0].class, DNS_EDNS_SIZE_MAX);
	/* no OPT in, none out */
	assert_int_equal(ask(e, &e->nat, "web", DNS_T_A, 0), DNS_ANSWER);
	assert_int_equal(e->r.ar, 0);
}

static void test_badvers(void **state)
{
	struct env *e = *state;

	e->qlen = t_query(e->q, 7, "web.lab.mvm", DNS_T_A, 1232);
	e->q[e->qlen - 5] = 1;		/* OPT VERSION 1 */
	assert_int_equal(ask_raw(e, &e->nat, 0), DNS_ANSWER);
	assert_int_equal(RCODE(e), 0);	/* the low 4 bits of 16 */
	assert_int_equal(e->r.an, 0);
	assert_int_equal(e->r.ar, 1);
	/* RFC 6891 6.1.3: EXTENDED-RCODE 1 (BADVERS), VERSION 0 */
	assert_int_equal(e->r.rr[DNS_AR][0].ttl, 1u << 24);
}

/* 40 guests sharing "many": 40 A records do not fit 512 bytes */
static void add_many(struct env *e)
{
	const char *alias[] = { "many" };
	char name[8];
	uint32_t i;

	for (i = 0; i < 40; i++) {
		struct dns_owner o = { .id = 100 + i, .name = name,
				       .aliases = alias, .n_aliases = 1,
				       .has_v4 = 1, .v4 = NET(10, 89, 0, 10 + i) };

		snprintf(name, sizeof(name), "m%u", i);
		assert_int_equal(dns_zone_add(e->lab, &o), 0);
	}
}

static void test_truncation(void **state)
{
	struct env *e = *state;

	add_many(e);
	/* UDP without EDNS: 512; the whole RRset or nothing, TC=1 */
	assert_int_equal(ask(e, &e->nat, "many.lab.mvm", DNS_T_A, 0), DNS_ANSWER);
	assert_true(e->rlen <= DNS_UDP_MIN);
	assert_true(e->r.flags & DNS_F_TC);
	assert_int_equal(RCODE(e), DNS_R_NOERROR);
	assert_int_equal(e->r.an, 0);
	assert_int_equal(e->r.ns, 0);	/* no SOA: that would say NODATA */
	/* the client's 600 bytes are not enough either; the OPT stays */
	assert_int_equal(ask(e, &e->nat, "many.lab.mvm", DNS_T_A, 600), DNS_ANSWER);
	assert_true(e->rlen <= 600);
	assert_true(e->r.flags & DNS_F_TC);
	assert_int_equal(e->r.an, 0);
	assert_int_equal(e->r.ar, 1);
	/* EDNS0 with room: all of it */
	assert_int_equal(ask(e, &e->nat, "many.lab.mvm", DNS_T_A, 4096), DNS_ANSWER);
	assert_false(e->r.flags & DNS_F_TC);
	assert_int_equal(e->r.an, 40);
	assert_true(e->rlen <= DNS_EDNS_SIZE);
	/* TCP: no truncation */
	e->qlen = t_query(e->q, 9, "many.lab.mvm", DNS_T_A, 0);
	assert_int_equal(ask_raw(e, &e->nat, 1), DNS_ANSWER);
	assert_false(e->r.flags & DNS_F_TC);
	assert_int_equal(e->r.an, 40);
	assert_true(e->rlen > DNS_UDP_MIN);
	/* compressed: each record is a pointer, then 14 bytes */
	assert_int_equal(e->rlen, DNS_HDR_LEN + 14 + 4 + 40 * 16);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_a_fqdn), T(test_a_bare), T(test_case), T(test_aaaa),
		T(test_nxdomain), T(test_apex), T(test_ptr), T(test_scope),
		T(test_forward), T(test_host_internal), T(test_round_robin),
		T(test_opcode_and_malformed), T(test_edns), T(test_badvers),
		T(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
