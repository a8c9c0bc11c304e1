// SPDX-License-Identifier: MIT
/* test_dhcp_msg.c - unit tests for the DHCP wire format (dhcp/dhcp_msg.c) */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dhcp/dhcp_msg.h"

/* A request as on the wire: header, cookie, options */
struct pkt {
	struct dhcp_hdr h;
	uint8_t cookie[4];
	uint8_t opts[320];
} __attribute__((packed));

#define OPT_OFF offsetof(struct pkt, opts)

/* A udhcpc-shaped DISCOVER: type, client id, requested options, end */
static struct pkt discover(void)
{
	struct pkt p = {
		.h = {
			.op = DHCP_BOOTREQUEST, .htype = 1, .hlen = 6,
			.xid = htonl(0x11223344), .secs = htons(3),
			.flags = htons(DHCP_FLAG_BROADCAST),
			.chaddr = { 0x02, 0, 0, 0, 0, 0x01 },
		},
		.cookie = { 0x63, 0x82, 0x53, 0x63 },
		.opts = { 53, 1, DHCP_DISCOVER,
			  61, 7, 1, 0x02, 0, 0, 0, 0, 0x01,
			  55, 4, 1, 3, 6, 15,
			  255 },
	};

	return p;
}

static int parse(const struct pkt *p, size_t len, struct dhcp_msg *m)
{
	return dhcp_msg_parse((const uint8_t *)p, len, m);
}

static void test_parse_discover(void **state)
{
	struct pkt p = discover();
	struct dhcp_msg m;

	assert_int_equal(parse(&p, sizeof(p), &m), 0);
	assert_int_equal(m.op, DHCP_BOOTREQUEST);
	assert_int_equal(m.type, DHCP_DISCOVER);
	assert_int_equal(m.xid, 0x11223344);
	assert_int_equal(m.secs, 3);
	assert_int_equal(m.flags, DHCP_FLAG_BROADCAST);
	assert_int_equal(m.chaddr[5], 0x01);
	assert_true(m.have & DHCP_HAVE_CLIENT_ID);
	assert_int_equal(m.client_id_len, 7);
	assert_int_equal(m.client_id[0], 1);
	assert_int_equal(m.prl_len, 4);
	assert_true(dhcp_msg_requested(&m, 15));
	assert_false(dhcp_msg_requested(&m, 121));
	assert_false(m.have & DHCP_HAVE_REQUESTED_IP);
}

static void test_parse_truncated(void **state)
{
	struct pkt p = discover();
	struct dhcp_msg m;

	assert_int_equal(parse(&p, 0, &m), -EBADMSG);
	assert_int_equal(parse(&p, DHCP_HDR_LEN - 1, &m), -EBADMSG);
	assert_int_equal(parse(&p, DHCP_HDR_LEN, &m), -EBADMSG);
	assert_int_equal(parse(&p, DHCP_MIN_LEN - 1, &m), -EBADMSG);
	/* header and cookie with no option at all: well formed, no type */
	assert_int_equal(parse(&p, DHCP_MIN_LEN, &m), 0);
	assert_int_equal(m.type, 0);
}

static void test_parse_bad_cookie(void **state)
{
	struct pkt p = discover();
	struct dhcp_msg m;

	p.cookie[3] = 0x64;
	assert_int_equal(parse(&p, sizeof(p), &m), -EBADMSG);
}

static void test_parse_bad_hlen(void **state)
{
	struct pkt p = discover();
	struct dhcp_msg m;

	p.h.hlen = 16;
	assert_int_equal(parse(&p, sizeof(p), &m), 0);
	p.h.hlen = 17;
	assert_int_equal(parse(&p, sizeof(p), &m), -EBADMSG);
}

static void test_parse_option_past_end(void **state)
{
	struct pkt p = discover();
	struct dhcp_msg m;
	const uint8_t o[] = { 53, 1, 1, 12, 10, 'a', 'b' };

	memset(p.opts, 0, sizeof(p.opts));
	memcpy(p.opts, o, sizeof(o));
	/* the host name claims 10 bytes, 2 are left */
	assert_int_equal(parse(&p, OPT_OFF + sizeof(o), &m), -EBADMSG);
	/* a code with no length byte */
	assert_int_equal(parse(&p, OPT_OFF + 4, &m), -EBADMSG);
	/* cut just after a complete option: accepted (missing end) */
	assert_int_equal(parse(&p, OPT_OFF + 3, &m), 0);
	assert_int_equal(m.type, DHCP_DISCOVER);
}

static void test_parse_missing_end(void **state)
{
	struct pkt p = discover();
	struct dhcp_msg m;

	/* options run to the end of the buffer without 255 */
	p.opts[18] = 0;
	assert_int_equal(parse(&p, OPT_OFF + 18, &m), 0);
	assert_int_equal(m.type, DHCP_DISCOVER);
	assert_int_equal(m.prl_len, 4);
}

static void test_parse_pads_and_after_end(void **state)
{
	struct pkt p = discover();
	struct dhcp_msg m;
	const uint8_t o[] = { 0, 0, 0, 53, 1, 3, 0, 0, 255, 53, 1, 1, 50, 9 };

	memset(p.opts, 0, sizeof(p.opts));
	memcpy(p.opts, o, sizeof(o));
	assert_int_equal(parse(&p, OPT_OFF + sizeof(o), &m), 0);
	assert_int_equal(m.type, DHCP_REQUEST);	/* nothing after 255 read */
	/* only pads, no end */
	memset(p.opts, 0, sizeof(p.opts));
	assert_int_equal(parse(&p, sizeof(p), &m), 0);
	assert_int_equal(m.type, 0);
}

static void test_parse_client_id(void **state)
{
	struct pkt p = discover();
	struct dhcp_msg m;

	/* 255 bytes is the most one option holds */
	memset(p.opts, 0, sizeof(p.opts));
	p.opts[0] = 61;
	p.opts[1] = 255;
	p.opts[257] = 255;
	assert_int_equal(parse(&p, sizeof(p), &m), 0);
	assert_int_equal(m.client_id_len, 255);
	/* RFC 2132 9.14: shorter than 2 bytes is invalid */
	p = discover();
	p.opts[4] = 1;
	p.opts[5] = 0x01;
	p.opts[6] = 255;
	assert_int_equal(parse(&p, sizeof(p), &m), -EBADMSG);
	p.opts[4] = 0;
	p.opts[5] = 255;
	assert_int_equal(parse(&p, sizeof(p), &m), -EBADMSG);
}

static void test_parse_overlong_client_id(void **state)
{
	struct pkt p;
	struct dhcp_msg m;

	/* RFC 3396: repeated options concatenate; 200 + 100 > 255 */
	memset(&p, 0, sizeof(p));
	p = discover();
	memset(p.opts, 0, sizeof(p.opts));
	p.opts[0] = 61;
	p.opts[1] = 200;
	p.opts[202] = 61;
	p.opts[203] = 100;
	p.opts[304] = 255;
	assert_int_equal(parse(&p, sizeof(p), &m), -EBADMSG);
	p.opts[203] = 55;	/* 200 + 55 = 255: fits */
	p.opts[304] = 0;
	p.opts[259] = 255;
	assert_int_equal(parse(&p, sizeof(p), &m), 0);
	assert_int_equal(m.client_id_len, 255);
}

/* Parse @o (a complete options list) after the base header */
static int parse_opts(const uint8_t *o, size_t n, struct dhcp_msg *m)
{
	struct pkt p = discover();

	memset(p.opts, 0, sizeof(p.opts));
	memcpy(p.opts, o, n);
	return parse(&p, OPT_OFF + n, m);
}

static void test_parse_each_option(void **state)
{
	const uint8_t o50[] = { 53, 1, 3, 50, 4, 10, 89, 0, 7, 255 };
	const uint8_t o54[] = { 53, 1, 3, 54, 4, 10, 89, 0, 1, 255 };
	const uint8_t o51[] = { 53, 1, 1, 51, 4, 0, 0, 0x0e, 0x10, 255 };
	const uint8_t o57[] = { 53, 1, 1, 57, 2, 0x05, 0xdc, 255 };
	const uint8_t o12[] = { 53, 1, 1, 12, 3, 'w', 'e', 'b', 255 };
	const uint8_t o55[] = { 53, 1, 1, 55, 2, 121, 1, 55, 1, 3, 255 };
	struct dhcp_msg m;

	assert_int_equal(parse_opts(o50, sizeof(o50), &m), 0);
	assert_true(m.have & DHCP_HAVE_REQUESTED_IP);
	assert_int_equal(m.requested_ip, 0x0a590007);
	assert_int_equal(parse_opts(o54, sizeof(o54), &m), 0);
	assert_true(m.have & DHCP_HAVE_SERVER_ID);
	assert_int_equal(m.server_id, 0x0a590001);
	assert_int_equal(parse_opts(o51, sizeof(o51), &m), 0);
	assert_int_equal(m.lease_time, 3600);
	assert_int_equal(parse_opts(o57, sizeof(o57), &m), 0);
	assert_int_equal(m.max_size, 1500);
	assert_int_equal(dhcp_msg_max_reply(&m), 1472);
	assert_int_equal(parse_opts(o12, sizeof(o12), &m), 0);
	assert_string_equal(m.hostname, "web");
	assert_int_equal(parse_opts(o55, sizeof(o55), &m), 0);
	assert_int_equal(m.prl_len, 3);	/* concatenated: 121, 1, 3 */
	assert_int_equal(m.prl[2], 3);
}

static void test_parse_bad_fixed_lengths(void **state)
{
	const uint8_t bad50[] = { 53, 1, 3, 50, 3, 10, 89, 0, 255 };
	const uint8_t bad53[] = { 53, 2, 3, 0, 255 };
	const uint8_t dup53[] = { 53, 1, 3, 53, 1, 1, 255 };
	const uint8_t zero53[] = { 53, 1, 0, 255 };
	const uint8_t bad57[] = { 53, 1, 1, 57, 4, 0, 0, 5, 0xdc, 255 };
	const uint8_t bad52[] = { 53, 1, 1, 52, 1, 4, 255 };
	struct dhcp_msg m;

	assert_int_equal(parse_opts(bad50, sizeof(bad50), &m), -EBADMSG);
	assert_int_equal(parse_opts(bad53, sizeof(bad53), &m), -EBADMSG);
	assert_int_equal(parse_opts(dup53, sizeof(dup53), &m), -EBADMSG);
	assert_int_equal(parse_opts(zero53, sizeof(zero53), &m), -EBADMSG);
	assert_int_equal(parse_opts(bad57, sizeof(bad57), &m), -EBADMSG);
	assert_int_equal(parse_opts(bad52, sizeof(bad52), &m), -EBADMSG);
}

static void test_parse_overload(void **state)
{
	struct pkt p = discover();
	const uint8_t in_file[] = { 53, 1, DHCP_INFORM, 255 };
	const uint8_t in_sname[] = { 12, 2, 'v', 'm', 255 };
	struct dhcp_msg m;

	memset(p.opts, 0, sizeof(p.opts));
	p.opts[0] = 52;
	p.opts[1] = 1;
	p.opts[2] = 1;	/* file holds options */
	p.opts[3] = 255;
	memcpy(p.h.file, in_file, sizeof(in_file));
	memcpy(p.h.sname, in_sname, sizeof(in_sname));
	assert_int_equal(parse(&p, sizeof(p), &m), 0);
	assert_int_equal(m.type, DHCP_INFORM);
	assert_false(m.have & DHCP_HAVE_HOSTNAME);
	p.opts[2] = 3;	/* file and sname */
	assert_int_equal(parse(&p, sizeof(p), &m), 0);
	assert_string_equal(m.hostname, "vm");
	/* a broken option inside file breaks the message */
	p.h.file[1] = 200;
	assert_int_equal(parse(&p, sizeof(p), &m), -EBADMSG);
}

static void test_max_reply(void **state)
{
	struct dhcp_msg m = { 0 };

	assert_int_equal(dhcp_msg_max_reply(&m), 548);
	m.have = DHCP_HAVE_MAX_SIZE;
	m.max_size = 300;	/* below the legal minimum: 576 */
	assert_int_equal(dhcp_msg_max_reply(&m), 548);
	m.max_size = 9000;
	assert_int_equal(dhcp_msg_max_reply(&m), 9000 - 28);
}

static void test_build_header(void **state)
{
	struct pkt p = discover();
	struct dhcp_builder b;
	struct dhcp_msg m;
	uint8_t buf[600];
	struct dhcp_hdr h;
	size_t len;

	p.h.giaddr = htonl(0x0a590002);
	assert_int_equal(parse(&p, sizeof(p), &m), 0);
	assert_int_equal(dhcp_build_start(&b, buf, 299, &m, DHCP_OFFER, 0, 1),
			 -ENOSPC);
	assert_int_equal(dhcp_build_start(&b, buf, sizeof(buf), &m, DHCP_OFFER,
					  0, 0x0a590007), 0);
	len = dhcp_build_end(&b);
	assert_int_equal(len, DHCP_BOOTP_MIN_LEN);
	memcpy(&h, buf, sizeof(h));
	assert_int_equal(h.op, DHCP_BOOTREPLY);
	assert_int_equal(h.htype, 1);
	assert_int_equal(h.hlen, 6);
	assert_int_equal(h.xid, htonl(0x11223344));
	assert_int_equal(h.flags, htons(DHCP_FLAG_BROADCAST));
	assert_int_equal(h.yiaddr, htonl(0x0a590007));
	assert_int_equal(h.ciaddr, 0);
	assert_int_equal(h.giaddr, htonl(0x0a590002));
	assert_memory_equal(h.chaddr, p.h.chaddr, 16);
	assert_memory_equal(buf + DHCP_HDR_LEN, "\x63\x82\x53\x63", 4);
	assert_memory_equal(buf + DHCP_MIN_LEN, "\x35\x01\x02\xff", 4);
	/* and it parses back */
	assert_int_equal(dhcp_msg_parse(buf, len, &m), 0);
	assert_int_equal(m.type, DHCP_OFFER);
}

static void test_build_limit(void **state)
{
	struct dhcp_msg m = { .htype = 1, .hlen = 6 };
	uint8_t buf[400], data[100] = { 0 };
	struct dhcp_builder b;
	int n = 0;

	assert_int_equal(dhcp_build_start(&b, buf, 400, &m, DHCP_ACK, 0, 0), 0);
	/* 243 used; each option takes 102; room is kept for the end */
	while (dhcp_build_opt(&b, 200, data, sizeof(data)) == 0)
		n++;
	assert_int_equal(n, 1);
	assert_int_equal(dhcp_build_opt(&b, 200, data, 53), -ENOSPC);
	assert_int_equal(dhcp_build_opt(&b, 200, data, 52), 0); /* to 399 */
	assert_int_equal(dhcp_build_opt(&b, 200, data, 1), -ENOSPC);
	assert_int_equal(dhcp_build_end(&b), 400);
	assert_int_equal(buf[399], 255);
	assert_int_equal(dhcp_build_opt(&b, 0, data, 1), -EINVAL);
}

static void test_build_split_long_option(void **state)
{
	struct dhcp_msg m = { .htype = 1, .hlen = 6 };
	uint8_t buf[1000], data[300];
	struct dhcp_builder b;

	memset(data, 0xab, sizeof(data));
	assert_int_equal(dhcp_build_start(&b, buf, sizeof(buf), &m, DHCP_ACK,
					  0, 0), 0);
	assert_int_equal(dhcp_build_opt(&b, 119, data, sizeof(data)), 0);
	/* RFC 3396: 255 bytes, then the remaining 45 under the same code */
	assert_int_equal(buf[243], 119);
	assert_int_equal(buf[244], 255);
	assert_int_equal(buf[243 + 257], 119);
	assert_int_equal(buf[243 + 258], 45);
	assert_int_equal(b.len, 243 + 257 + 47);
}

static void test_encode_search_rfc3397(void **state)
{
	/* RFC 3397 section 2, the example */
	const char *names[] = { "eng.apple.com", "marketing.apple.com." };
	const uint8_t want[] = {
		3, 'e', 'n', 'g', 5, 'a', 'p', 'p', 'l', 'e', 3, 'c', 'o', 'm',
		0, 9, 'm', 'a', 'r', 'k', 'e', 't', 'i', 'n', 'g', 0xc0, 0x04,
	};
	uint8_t out[64];

	assert_int_equal(dhcp_encode_search(names, 2, out, sizeof(out)),
			 sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	/* too small an output buffer */
	assert_int_equal(dhcp_encode_search(names, 2, out, 20), -ENOSPC);
}

static void test_encode_search_same_and_case(void **state)
{
	const char *names[] = { "net.mvm", "NET.mvm", "mvm" };
	const uint8_t want[] = { 3, 'n', 'e', 't', 3, 'm', 'v', 'm', 0,
				 0xc0, 0x00, 0xc0, 0x04 };
	uint8_t out[64];

	assert_int_equal(dhcp_encode_search(names, 3, out, sizeof(out)),
			 sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

static void test_encode_search_invalid(void **state)
{
	char label[80];
	const char *empty[] = { "" }, *dots[] = { "a..b" };
	const char *lead[] = { ".a" }, *longl[] = { label };
	uint8_t out[300];

	memset(label, 'x', 64);
	label[64] = '\0';
	assert_int_equal(dhcp_encode_search(empty, 1, out, sizeof(out)), -EINVAL);
	assert_int_equal(dhcp_encode_search(dots, 1, out, sizeof(out)), -EINVAL);
	assert_int_equal(dhcp_encode_search(lead, 1, out, sizeof(out)), -EINVAL);
	assert_int_equal(dhcp_encode_search(longl, 1, out, sizeof(out)), -EINVAL);
	label[63] = '\0';
	assert_int_equal(dhcp_encode_search(longl, 1, out, sizeof(out)), 65);
	assert_int_equal(dhcp_encode_search(empty, 9, out, sizeof(out)), -EINVAL);
}

static void test_encode_routes_rfc3442(void **state)
{
	/* RFC 3442 section 2: the destination descriptor examples, each
	 * followed by the router 10.0.0.1 */
	const struct dhcp_route r[] = {
		{ 0x00000000, 0, 0x0a000001 },
		{ 0x0a000000, 8, 0x0a000001 },
		{ 0x0a000000, 24, 0x0a000001 },
		{ 0x0a110000, 16, 0x0a000001 },
		{ 0x0a1b8100, 24, 0x0a000001 },
		{ 0x0ae50080, 25, 0x0a000001 },
		{ 0x0ac67a2f, 32, 0x0a000001 },
	};
	const uint8_t want[] = {
		0, 10, 0, 0, 1,
		8, 10, 10, 0, 0, 1,
		24, 10, 0, 0, 10, 0, 0, 1,
		16, 10, 17, 10, 0, 0, 1,
		24, 10, 27, 129, 10, 0, 0, 1,
		25, 10, 229, 0, 128, 10, 0, 0, 1,
		32, 10, 198, 122, 47, 10, 0, 0, 1,
	};
	struct dhcp_route bad = { 0x0a000001, 24, 0 };
	uint8_t out[128];

	assert_int_equal(dhcp_encode_routes(r, 7, out, sizeof(out)),
			 sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(dhcp_encode_routes(r, 7, out, sizeof(want) - 1),
			 -ENOSPC);
	assert_int_equal(dhcp_encode_routes(&bad, 1, out, sizeof(out)), -EINVAL);
	bad.dest = 0x0a000000;
	bad.prefix = 33;
	assert_int_equal(dhcp_encode_routes(&bad, 1, out, sizeof(out)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_discover),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_parse_bad_cookie),
		cmocka_unit_test(test_parse_bad_hlen),
		cmocka_unit_test(test_parse_option_past_end),
		cmocka_unit_test(test_parse_missing_end),
		cmocka_unit_test(test_parse_pads_and_after_end),
		cmocka_unit_test(test_parse_client_id),
		cmocka_unit_test(test_parse_overlong_client_id),
		cmocka_unit_test(test_parse_each_option),
		cmocka_unit_test(test_parse_bad_fixed_lengths),
		cmocka_unit_test(test_parse_overload),
		cmocka_unit_test(test_max_reply),
		cmocka_unit_test(test_build_header),
		cmocka_unit_test(test_build_limit),
		cmocka_unit_test(test_build_split_long_option),
		cmocka_unit_test(test_encode_search_rfc3397),
		cmocka_unit_test(test_encode_search_same_and_case),
		cmocka_unit_test(test_encode_search_invalid),
		cmocka_unit_test(test_encode_routes_rfc3442),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
