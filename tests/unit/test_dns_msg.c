// SPDX-License-Identifier: MIT
/*
 * test_dns_msg.c - unit tests for DNS names, query parsing and the
 *		    response builder (dns/dns_name.c, dns/dns_msg.c)
 *
 * Queries are packed struct literals; each assertion changes one field of
 * a valid one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns/dns_msg.h"

/** a query for "web.lab.mvm" A IN with an OPT RR */
struct q_opt {
	struct dns_hdr h;
	uint8_t qname[13];
	uint16_t qtype, qclass;
	uint8_t opt_name;
	uint16_t opt_type, opt_class;
	uint32_t opt_ttl;
	uint16_t opt_rdlen;
} __attribute__((packed));

static struct q_opt base(void)
{
	struct q_opt q = {
		.h = { .id = htons(0x1234), .flags = htons(DNS_F_RD),
		       .qdcount = htons(1), .arcount = htons(1) },
		.qname = "\3web\3lab\3mvm",
		.qtype = htons(DNS_T_A), .qclass = htons(DNS_C_IN),
		.opt_name = 0, .opt_type = htons(DNS_T_OPT),
		.opt_class = htons(1232), .opt_ttl = htonl(0x8000),
		.opt_rdlen = 0,
	};

	return q;
}

static int parse(const void *p, size_t len, struct dns_query *q)
{
	return dns_query_parse(p, len, q);
}

static void test_parse_valid(void **state)
{
	struct q_opt m = base();
	struct dns_query q;
	char s[DNS_NAME_STRLEN];

	assert_int_equal(parse(&m, sizeof(m), &q), 0);
	assert_int_equal(q.id, 0x1234);
	assert_int_equal(q.flags, DNS_F_RD);
	assert_int_equal(q.qtype, DNS_T_A);
	assert_int_equal(q.qclass, DNS_C_IN);
	assert_int_equal(dns_name_to_str(&q.qname, s, sizeof(s)), 11);
	assert_string_equal(s, "web.lab.mvm");
	assert_true(q.edns);
	assert_int_equal(q.edns_udp, 1232);
	assert_int_equal(q.edns_version, 0);
	assert_true(q.edns_do);
}

static void test_parse_header(void **state)
{
	struct q_opt m = base();
	struct dns_query q;

	assert_int_equal(parse(&m, DNS_HDR_LEN - 1, &q), -EMSGSIZE);
	assert_int_equal(parse(&m, 0, &q), -EMSGSIZE);
	/* header only: the question is missing */
	assert_int_equal(parse(&m, DNS_HDR_LEN, &q), -EBADMSG);
	assert_int_equal(q.id, 0x1234);		/* enough for a FORMERR */

	m = base();
	m.h.qdcount = htons(0);
	assert_int_equal(parse(&m, sizeof(m), &q), -EBADMSG);
	m = base();
	m.h.qdcount = htons(2);
	assert_int_equal(parse(&m, sizeof(m), &q), -EBADMSG);
	/* another opcode: only the header is looked at */
	m = base();
	m.h.flags = htons(2 << 11);
	m.h.qdcount = htons(0);
	assert_int_equal(parse(&m, sizeof(m), &q), 0);
	assert_int_equal(DNS_OPCODE(q.flags), 2);
	assert_int_equal(q.qname.len, 0);
}

static void test_parse_question(void **state)
{
	struct q_opt m = base();
	struct dns_query q;

	/* cut inside the name, inside QTYPE, inside QCLASS */
	assert_int_equal(parse(&m, DNS_HDR_LEN + 6, &q), -EBADMSG);
	assert_int_equal(parse(&m, DNS_HDR_LEN + 13 + 1, &q), -EBADMSG);
	assert_int_equal(parse(&m, DNS_HDR_LEN + 13 + 3, &q), -EBADMSG);
	/* a label longer than what is left */
	m = base();
	m.qname[8] = 20;
	assert_int_equal(parse(&m, sizeof(m), &q), -EBADMSG);
	/* label types 0x40 and 0x80 do not exist */
	m = base();
	m.qname[0] = 0x43;
	assert_int_equal(parse(&m, sizeof(m), &q), -EBADMSG);
	m = base();
	m.qname[0] = 0x83;
	assert_int_equal(parse(&m, sizeof(m), &q), -EBADMSG);
	/* case is kept as received */
	m = base();
	m.qname[1] = 'W';
	assert_int_equal(parse(&m, sizeof(m), &q), 0);
	assert_int_equal(q.qname.wire[1], 'W');
	dns_name_lower(&q.qname);
	assert_int_equal(q.qname.wire[1], 'w');
}

static void test_parse_pointer_in_question(void **state)
{
	struct q_opt m = base();
	struct dns_query q;

	/* the question is the first name: any pointer goes into the header
	 * or forward */
	m.qname[4] = 0xc0;
	m.qname[5] = 0x00;		/* into the header */
	assert_int_equal(parse(&m, sizeof(m), &q), -EBADMSG);
	m.qname[5] = 0x0c;		/* to the start of its own run */
	assert_int_equal(parse(&m, sizeof(m), &q), -EBADMSG);
	m.qname[5] = 0x14;		/* forward */
	assert_int_equal(parse(&m, sizeof(m), &q), -EBADMSG);
	m.qname[4] = 0xc0;
	m.qname[5] = 0x00;
	assert_int_equal(parse(&m, DNS_HDR_LEN + 5, &q), -EBADMSG); /* cut pointer */
}

/** a query whose additional section holds an A record named by a pointer */
struct q_ptr {
	struct dns_hdr h;
	uint8_t qname[13];
	uint16_t qtype, qclass;
	uint8_t an_name[6];		/* "\3www" then a pointer */
	uint16_t an_type, an_class;
	uint32_t an_ttl;
	uint16_t an_rdlen;
	uint8_t an_addr[4];
} __attribute__((packed));

static struct q_ptr base_ptr(void)
{
	struct q_ptr q = {
		.h = { .id = htons(7), .qdcount = htons(1), .arcount = htons(1) },
		.qname = "\3web\3lab\3mvm",
		.qtype = htons(DNS_T_A), .qclass = htons(DNS_C_IN),
		.an_name = { 3, 'w', 'w', 'w', 0xc0, 0x10 }, /* -> lab.mvm */
		.an_type = htons(DNS_T_A), .an_class = htons(DNS_C_IN),
		.an_rdlen = htons(4), .an_addr = { 10, 0, 0, 1 },
	};

	return q;
}

static void test_parse_pointers(void **state)
{
	struct q_ptr m = base_ptr();
	struct dns_query q;
	struct dns_name n;
	struct cursor c;
	char s[DNS_NAME_STRLEN];

	assert_int_equal(parse(&m, sizeof(m), &q), 0);
	c = cur_init(m.an_name, sizeof(m) - offsetof(struct q_ptr, an_name));
	assert_int_equal(dns_name_read((uint8_t *)&m, sizeof(m), &c, &n), 0);
	assert_ptr_equal(c.p, (uint8_t *)&m + offsetof(struct q_ptr, an_type));
	dns_name_to_str(&n, s, sizeof(s));
	assert_string_equal(s, "www.lab.mvm");

	m.an_name[5] = 0x0c;	/* to the question's start: fine */
	assert_int_equal(parse(&m, sizeof(m), &q), 0);
	m.an_name[5] = offsetof(struct q_ptr, an_name);	/* itself: a loop */
	assert_int_equal(parse(&m, sizeof(m), &q), -EBADMSG);
	m.an_name[5] = offsetof(struct q_ptr, an_type);	/* forward */
	assert_int_equal(parse(&m, sizeof(m), &q), -EBADMSG);
	m.an_name[5] = 0x0b;	/* into the header */
	assert_int_equal(parse(&m, sizeof(m), &q), -EBADMSG);
	m = base_ptr();
	m.an_rdlen = htons(5);	/* RDATA runs past the end */
	assert_int_equal(parse(&m, sizeof(m), &q), -EBADMSG);
	m = base_ptr();
	m.h.arcount = htons(2);	/* a record that is not there */
	assert_int_equal(parse(&m, sizeof(m), &q), -EBADMSG);
	m = base_ptr();
	m.h.arcount = 0;
	m.h.ancount = htons(1);	/* the same record in the answer section */
	assert_int_equal(parse(&m, sizeof(m), &q), 0);
	m.h.ancount = 0;	/* uncounted trailing bytes are ignored */
	assert_int_equal(parse(&m, sizeof(m), &q), 0);
}

/* a message of pointers, each to the one before; the last is read */
static int chain(int hops)
{
	uint8_t m[DNS_HDR_LEN + 5 + 2 * 40] = { 0 };
	struct dns_name n;
	struct cursor c;
	size_t o = DNS_HDR_LEN;
	int i;

	memcpy(m + o, "\3abc", 5);	/* "abc." */
	o += 5;
	for (i = 0; i < hops; i++, o += 2) {
		size_t to = i ? o - 2 : DNS_HDR_LEN;

		m[o] = (uint8_t)(0xc0 | to >> 8);
		m[o + 1] = (uint8_t)to;
	}
	c = cur_init(m + o - 2, 2);
	return dns_name_read(m, o, &c, &n);
}

static void test_pointer_hops(void **state)
{
	assert_int_equal(chain(DNS_PTR_HOPS), 0);
	assert_int_equal(chain(DNS_PTR_HOPS + 1), -EBADMSG);
}

static void test_name_lengths(void **state)
{
	uint8_t m[DNS_HDR_LEN + 300] = { 0 };
	struct dns_name n;
	struct cursor c;
	size_t o = DNS_HDR_LEN;
	int i;

	/* 3 labels of 63 and one of 61: 4 * 64 - 2 + 1 = 255 octets */
	for (i = 0; i < 4; i++) {
		m[o] = i < 3 ? 63 : 61;
		memset(m + o + 1, 'a', m[o]);
		o += 1 + m[o];
	}
	m[o++] = 0;
	c = cur_init(m + DNS_HDR_LEN, o - DNS_HDR_LEN);
	assert_int_equal(dns_name_read(m, o, &c, &n), 0);
	assert_int_equal(n.len, 255);
	/* one octet more */
	m[DNS_HDR_LEN + 3 * 64] = 62;
	memset(m + DNS_HDR_LEN + 3 * 64 + 1, 'a', 62);
	m[DNS_HDR_LEN + 3 * 64 + 63] = 0;
	c = cur_init(m + DNS_HDR_LEN, 3 * 64 + 64);
	assert_int_equal(dns_name_read(m, sizeof(m), &c, &n), -EBADMSG);
}

static void test_opt(void **state)
{
	struct q_opt m = base();
	struct dns_query q;

	m.opt_class = htons(100);	/* below 512 counts as 512 */
	assert_int_equal(parse(&m, sizeof(m), &q), 0);
	assert_int_equal(q.edns_udp, 512);
	m = base();
	m.opt_ttl = htonl(1 << 16);	/* version 1: reported */
	assert_int_equal(parse(&m, sizeof(m), &q), 0);
	assert_int_equal(q.edns_version, 1);
	assert_false(q.edns_do);
	m = base();
	m.opt_name = 3;			/* not owned by the root */
	assert_int_equal(parse(&m, sizeof(m), &q), -EBADMSG);
	m = base();
	m.opt_rdlen = htons(3);		/* RDATA past the end */
	assert_int_equal(parse(&m, sizeof(m), &q), -EBADMSG);
	m = base();
	m.h.arcount = 0;		/* OPT not counted: no EDNS */
	assert_int_equal(parse(&m, sizeof(m), &q), 0);
	assert_false(q.edns);
	m = base();
	m.h.ancount = htons(1);		/* OPT in the answer section: ignored */
	m.h.arcount = 0;
	assert_int_equal(parse(&m, sizeof(m), &q), 0);
	assert_false(q.edns);
}

static void test_opt_twice_and_options(void **state)
{
	struct {
		struct q_opt q;
		uint8_t opt2[11];
	} __attribute__((packed)) m2 = { base(), { 0, 0, 41, 4, 0xd0 } };
	struct {
		struct q_opt q;
		uint8_t opt[12];	/* a COOKIE option, 8 bytes */
	} __attribute__((packed)) mo = { base(), { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 } };
	struct dns_query q;

	assert_int_equal(parse(&m2, sizeof(m2), &q), 0);	/* not counted */
	m2.q.h.arcount = htons(2);
	assert_int_equal(parse(&m2, sizeof(m2), &q), -EBADMSG); /* RFC 6891 6.1.1 */

	mo.q.opt_rdlen = htons(12);
	assert_int_equal(parse(&mo, sizeof(mo), &q), 0);
	mo.q.opt_rdlen = htons(11);	/* option overruns RDATA */
	assert_int_equal(parse(&mo, sizeof(mo), &q), -EBADMSG);
	mo.q.opt_rdlen = htons(3);	/* a partial option header */
	assert_int_equal(parse(&mo, sizeof(mo), &q), -EBADMSG);
}

static void test_name_text(void **state)
{
	struct dns_name a, b;
	char s[DNS_NAME_STRLEN];

	assert_int_equal(dns_name_from_str("Web.Lab.MVM.", &a), 0);
	assert_int_equal(a.len, 13);
	assert_memory_equal(a.wire, "\3web\3lab\3mvm", 13);
	assert_int_equal(dns_name_from_str("", &b), 0);
	assert_int_equal(b.len, 1);
	assert_int_equal(dns_name_to_str(&b, s, sizeof(s)), 1);
	assert_string_equal(s, ".");
	assert_int_equal(dns_name_from_str(".", &b), 0);
	assert_int_equal(b.len, 1);
	assert_int_equal(dns_name_from_str("a..b", &b), -EINVAL);
	assert_int_equal(dns_name_from_str(".a", &b), -EINVAL);
	assert_int_equal(dns_name_from_str("a..", &b), -EINVAL);
	memset(s, 'x', 64);
	s[64] = '\0';
	assert_int_equal(dns_name_from_str(s, &b), -EINVAL);	/* label 64 */
	s[63] = '\0';
	assert_int_equal(dns_name_from_str(s, &b), 0);

	/* escapes: a dot inside a label, a backslash, a control byte */
	memcpy(b.wire, "\3a.\\\1\1\0", 7);
	b.len = 7;
	assert_int_equal(dns_name_to_str(&b, s, sizeof(s)), 10);
	assert_string_equal(s, "a\\.\\\\.\\001");
	assert_int_equal(dns_name_to_str(&a, s, 5), -ENAMETOOLONG);
}

static void test_name_compare(void **state)
{
	struct dns_name a, b, c;

	dns_name_from_str("web.lab.mvm", &a);
	dns_name_from_str("lab.mvm", &b);
	memcpy(c.wire, "\3WEB\3lab\3mvm", 13);
	c.len = 13;
	assert_true(dns_name_eq(&a, &c));
	assert_false(dns_name_eq(&a, &b));
	assert_int_equal(dns_name_suffix(&a, &b), 4);
	assert_int_equal(dns_name_suffix(&c, &b), 4);
	assert_int_equal(dns_name_suffix(&b, &b), 0);
	assert_int_equal(dns_name_suffix(&b, &a), -1);
	dns_name_from_str("xlab.mvm", &c);	/* not at a label boundary */
	assert_int_equal(dns_name_suffix(&c, &b), -1);
	dns_name_from_str("", &c);
	assert_int_equal(dns_name_suffix(&a, &c), 12);
	assert_int_equal(dns_name_labels(&a), 3);
	assert_int_equal(dns_name_labels(&c), 0);
}

static void test_build_compression(void **state)
{
	uint8_t buf[512];
	struct dns_builder b;
	struct dns_name q, t;
	uint8_t addr[4] = { 10, 89, 0, 2 };
	static const uint8_t want[] = {
		0x12, 0x34, 0x84, 0x00, 0, 1, 0, 2, 0, 0, 0, 0,
		3, 'W', 'e', 'b', 3, 'l', 'a', 'b', 3, 'm', 'v', 'm', 0,
		0, 12, 0, 1,
		/* A: owner is the question */
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 10, 0, 4, 10, 89, 0, 2,
		/* PTR: "db" then lab.mvm from the question */
		0xc0, 12, 0, 12, 0, 1, 0, 0, 0, 10, 0, 5,
		2, 'd', 'b', 0xc0, 16,
	};
	size_t len;

	memcpy(q.wire, "\3Web\3lab\3mvm", 13);	/* echoed verbatim */
	q.len = 13;
	dns_name_from_str("db.LAB.mvm", &t);
	assert_int_equal(dns_b_init(&b, buf, sizeof(buf), 0x1234,
				    DNS_F_QR | DNS_F_AA), 0);
	assert_int_equal(dns_b_question(&b, &q, DNS_T_PTR, DNS_C_IN), 0);
	assert_int_equal(dns_b_rr(&b, DNS_AN, &t, DNS_T_A, DNS_C_IN, 10,
				  NULL, NULL, addr, 4), 0);
	len = dns_b_finish(&b);
	/* "db.lab.mvm" as owner: a new label, then a pointer */
	assert_int_equal(len, 12 + 17 + 5 + 10 + 4);
	assert_memory_equal(buf + 29, "\2db\xc0\x10", 5);

	assert_int_equal(dns_b_init(&b, buf, sizeof(buf), 0x1234,
				    DNS_F_QR | DNS_F_AA), 0);
	assert_int_equal(dns_b_question(&b, &q, DNS_T_PTR, DNS_C_IN), 0);
	assert_int_equal(dns_b_rr(&b, DNS_AN, &q, DNS_T_A, DNS_C_IN, 10,
				  NULL, NULL, addr, 4), 0);
	assert_int_equal(dns_b_rr(&b, DNS_AN, &q, DNS_T_PTR, DNS_C_IN, 10,
				  &t, NULL, NULL, 0), 0);
	len = dns_b_finish(&b);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void test_build_truncation(void **state)
{
	uint8_t buf[512], addr[4] = { 10, 0, 0, 1 };
	struct dns_builder b;
	struct dns_query r;
	struct dns_name q;
	size_t len;
	int i, err = 0;

	dns_name_from_str("api.lab.mvm", &q);
	assert_int_equal(dns_b_init(&b, buf, 100, 1, DNS_F_QR), 0);
	dns_b_reserve(&b, DNS_OPT_LEN);
	assert_int_equal(dns_b_question(&b, &q, DNS_T_A, DNS_C_IN), 0);
	dns_b_mark(&b);
	/* 12 + 17 = 29, + 11 reserved: 60 left, room for 3 records of 16 */
	for (i = 0; i < 4 && !err; i++)
		err = dns_b_rr(&b, DNS_AN, &q, DNS_T_A, DNS_C_IN, 10, NULL,
			       NULL, addr, 4);
	assert_int_equal(err, -EMSGSIZE);
	assert_int_equal(i, 4);
	dns_b_rollback(&b);
	dns_b_truncated(&b);
	assert_int_equal(dns_b_opt(&b, 1232, DNS_R_NOERROR), 0);
	len = dns_b_finish(&b);
	assert_int_equal(len, 12 + 17 + 11);
	assert_int_equal(dns_query_parse(buf, len, &r), 0);
	assert_true(r.flags & DNS_F_TC);
	assert_int_equal(r.ancount, 0);
	assert_int_equal(r.arcount, 1);
	assert_true(r.edns);
	/* a limit below a header */
	assert_int_equal(dns_b_init(&b, buf, 11, 1, 0), -EMSGSIZE);
	/* too small for the question */
	assert_int_equal(dns_b_init(&b, buf, 20, 1, 0), 0);
	assert_int_equal(dns_b_question(&b, &q, DNS_T_A, DNS_C_IN), -EMSGSIZE);
}

static void test_build_opt(void **state)
{
	uint8_t buf[512];
	struct dns_builder b;
	struct dns_name q, root = { .len = 1 };
	static const uint8_t opt_badvers[] = { 0, 0, 41, 0x04, 0xd0, 1, 0, 0, 0, 0, 0 };
	size_t len;

	dns_name_from_str("x.mvm", &q);
	dns_b_init(&b, buf, sizeof(buf), 1, DNS_F_QR);
	dns_b_reserve(&b, DNS_OPT_LEN);
	dns_b_question(&b, &q, DNS_T_A, DNS_C_IN);
	assert_int_equal(dns_b_opt(&b, 1232, DNS_R_BADVERS), 0);
	len = dns_b_finish(&b);
	assert_int_equal(len, 12 + 11 + 11);
	assert_memory_equal(buf + len - 11, opt_badvers, 11);
	assert_int_equal(buf[7], 0);	/* ANCOUNT */
	assert_int_equal(buf[11], 1);	/* ARCOUNT */
	/* sections go in order */
	assert_int_equal(dns_b_rr(&b, DNS_AN, &root, DNS_T_A, DNS_C_IN, 0,
				  NULL, NULL, "\0\0\0\0", 4), -EINVAL);
	assert_int_equal(dns_b_question(&b, &q, DNS_T_A, DNS_C_IN), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_header),
		cmocka_unit_test(test_parse_question),
		cmocka_unit_test(test_parse_pointer_in_question),
		cmocka_unit_test(test_parse_pointers),
		cmocka_unit_test(test_pointer_hops),
		cmocka_unit_test(test_name_lengths),
		cmocka_unit_test(test_opt),
		cmocka_unit_test(test_opt_twice_and_options),
		cmocka_unit_test(test_name_text),
		cmocka_unit_test(test_name_compare),
		cmocka_unit_test(test_build_compression),
		cmocka_unit_test(test_build_truncation),
		cmocka_unit_test(test_build_opt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
