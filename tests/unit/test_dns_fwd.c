// SPDX-License-Identifier: MIT
/* test_dns_fwd.c - unit tests for the forwarding helpers (dns/dns_fwd.c) */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns/dns_fwd.h"
#include "test_dns_util.h"

/** an upstream's reply to "Example.COM" A: one answer */
struct reply {
	struct dns_hdr h;
	uint8_t qname[13];
	uint16_t qtype, qclass;
	uint16_t an_name;
	uint16_t an_type, an_class;
	uint32_t an_ttl;
	uint16_t an_rdlen;
	uint8_t an_addr[4];
} __attribute__((packed));

static struct reply base(void)
{
	struct reply r = {
		.h = { .id = htons(0x5151), .flags = htons(DNS_F_QR | DNS_F_RD | DNS_F_RA),
		       .qdcount = htons(1), .ancount = htons(1) },
		.qname = "\7Example\3COM",
		.qtype = htons(DNS_T_A), .qclass = htons(DNS_C_IN),
		.an_name = htons(0xc00c),
		.an_type = htons(DNS_T_A), .an_class = htons(DNS_C_IN),
		.an_ttl = htonl(300), .an_rdlen = htons(4),
		.an_addr = { 93, 184, 216, 34 },
	};

	return r;
}

static void prepare(struct dns_fwd *f, uint16_t udp)
{
	uint8_t q[512];
	size_t len = t_query(q, 0x1111, "Example.COM", DNS_T_A, udp);

	assert_int_equal(dns_fwd_prepare(q, len, 0x5151, f), 0);
	assert_int_equal(q[0] << 8 | q[1], 0x5151);	/* rewritten in place */
	assert_int_equal(f->client_id, 0x1111);
	assert_int_equal(f->upstream_id, 0x5151);
}

static void test_prepare(void **state)
{
	uint8_t q[512];
	struct dns_fwd f;
	size_t len;

	prepare(&f, 0);
	assert_int_equal(f.qtype, DNS_T_A);
	assert_false(f.edns);
	prepare(&f, 1232);
	assert_true(f.edns);
	/* not a well-formed query: refused, untouched */
	len = t_query(q, 0x1111, "example.com", DNS_T_A, 0);
	q[2] |= 0x80;
	assert_int_equal(dns_fwd_prepare(q, len, 0x5151, &f), -EBADMSG);
	assert_int_equal(q[0] << 8 | q[1], 0x1111);
	len = t_query(q, 0x1111, "example.com", DNS_T_A, 0);
	assert_int_equal(dns_fwd_prepare(q, len - 1, 0x5151, &f), -EBADMSG);
	assert_int_equal(dns_fwd_prepare(q, 5, 0x5151, &f), -EBADMSG);
}

static void test_reply(void **state)
{
	struct reply r = base();
	struct dns_fwd f;

	prepare(&f, 0);
	assert_int_equal(dns_fwd_reply(&f, (uint8_t *)&r, sizeof(r)), 0);
	assert_int_equal(ntohs(r.h.id), 0x1111);	/* the client's again */
	/* case of the echoed name does not matter */
	r = base();
	memcpy(r.qname, "\7example\3com", 13);
	assert_int_equal(dns_fwd_reply(&f, (uint8_t *)&r, sizeof(r)), 0);
	/* truncated: accepted, reported */
	r = base();
	r.h.flags |= htons(DNS_F_TC);
	assert_int_equal(dns_fwd_reply(&f, (uint8_t *)&r, sizeof(r)),
			 DNS_FWD_TRUNCATED);
	assert_int_equal(ntohs(r.h.id), 0x1111);
}

static void test_reply_mismatch(void **state)
{
	struct reply r = base();
	struct dns_fwd f;

	prepare(&f, 0);
	r.h.id = htons(0x5152);
	assert_int_equal(dns_fwd_reply(&f, (uint8_t *)&r, sizeof(r)), -ESRCH);
	assert_int_equal(ntohs(r.h.id), 0x5152);	/* dropped untouched */
	r = base();
	r.qname[1] = 'X';
	assert_int_equal(dns_fwd_reply(&f, (uint8_t *)&r, sizeof(r)), -ESRCH);
	r = base();
	r.qtype = htons(DNS_T_AAAA);
	assert_int_equal(dns_fwd_reply(&f, (uint8_t *)&r, sizeof(r)), -ESRCH);
	r = base();
	r.qclass = htons(3);
	assert_int_equal(dns_fwd_reply(&f, (uint8_t *)&r, sizeof(r)), -ESRCH);
	/* not a response */
	r = base();
	r.h.flags = htons(DNS_F_RD);
	assert_int_equal(dns_fwd_reply(&f, (uint8_t *)&r, sizeof(r)), -EBADMSG);
	/* malformed: no question, a record running off the end, cut header */
	r = base();
	r.h.qdcount = 0;
	assert_int_equal(dns_fwd_reply(&f, (uint8_t *)&r, sizeof(r)), -EBADMSG);
	r = base();
	r.an_rdlen = htons(5);
	assert_int_equal(dns_fwd_reply(&f, (uint8_t *)&r, sizeof(r)), -EBADMSG);
	r = base();
	r.an_name = htons(0xc0ff);	/* forward pointer */
	assert_int_equal(dns_fwd_reply(&f, (uint8_t *)&r, sizeof(r)), -EBADMSG);
	r = base();
	assert_int_equal(dns_fwd_reply(&f, (uint8_t *)&r, 11), -EBADMSG);
	assert_int_equal(ntohs(r.h.id), 0x5151);
}

static void test_servfail(void **state)
{
	uint8_t buf[512];
	struct t_resp r;
	struct dns_fwd f;
	size_t len;

	prepare(&f, 0);
	assert_int_equal(dns_fwd_servfail(&f, buf, sizeof(buf), &len), 0);
	assert_int_equal(t_parse(buf, len, &r), 0);
	assert_int_equal(r.id, 0x1111);
	assert_int_equal(r.flags, DNS_F_QR | DNS_F_RD | DNS_F_RA | DNS_R_SERVFAIL);
	assert_int_equal(r.qd, 1);
	assert_memory_equal(r.qwire, "\7Example\3COM", 13);
	assert_int_equal(r.qtype, DNS_T_A);
	assert_int_equal(r.an + r.ns + r.ar, 0);
	prepare(&f, 1232);
	assert_int_equal(dns_fwd_servfail(&f, buf, sizeof(buf), &len), 0);
	assert_int_equal(t_parse(buf, len, &r), 0);
	assert_int_equal(r.ar, 1);
	assert_int_equal(r.rr[DNS_AR][0].type, DNS_T_OPT);
	assert_int_equal(dns_fwd_servfail(&f, buf, 20, &len), -ENOBUFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prepare),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_reply_mismatch),
		cmocka_unit_test(test_servfail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
