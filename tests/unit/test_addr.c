// SPDX-License-Identifier: MIT
/*
 * test_addr.c - unit tests for common/addr.c
 *
 * Each rejection starts from a valid input and changes one thing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/addr.h"

static uint32_t ip(const char *s)
{
	uint32_t a = 0xdeadbeef;

	assert_int_equal(ip4_parse(s, &a), 0);
	return a;
}

static void ip_bad(const char *s)
{
	uint32_t a = 0xdeadbeef;

	if (ip4_parse(s, &a) != -EINVAL)
		fail_msg("ip4_parse(\"%s\") accepted", s);
	assert_int_equal(a, 0xdeadbeef);	/* untouched on failure */
}

static struct cidr4 net(const char *s)
{
	struct cidr4 c;

	assert_int_equal(cidr4_parse(s, &c), 0);
	return c;
}

static void net_bad(const char *s)
{
	struct cidr4 c = { 0xdeadbeef, 99 };

	if (cidr4_parse(s, &c) != -EINVAL)
		fail_msg("cidr4_parse(\"%s\") accepted", s);
	assert_int_equal(c.addr, 0xdeadbeef);
	assert_int_equal(c.prefix, 99);
}

static void test_ip4_parse(void **state)
{
	assert_int_equal(ip("10.20.30.40"), 0x0a141e28);
	assert_int_equal(ip("0.0.0.0"), 0);
	assert_int_equal(ip("255.255.255.255"), 0xffffffff);
	assert_int_equal(ip("1.0.0.0"), 0x01000000);
	assert_int_equal(ip("0.0.0.1"), 0x00000001);
}

static void test_ip4_parse_bad(void **state)
{
	ip_bad("");			/* empty */
	ip_bad("010.20.30.40");		/* leading zero */
	ip_bad("10.020.30.40");
	ip_bad("10.20.30.00");
	ip_bad("256.20.30.40");		/* > 255 */
	ip_bad("10.20.30.256");
	ip_bad("10.20.30.99999999999");	/* would overflow */
	ip_bad("10.20.30.40x");		/* trailing junk */
	ip_bad("10.20.30.40 ");
	ip_bad("10.20.30.40.");
	ip_bad("10.20.30.40.50");
	ip_bad(" 10.20.30.40");		/* leading junk */
	ip_bad("+10.20.30.40");
	ip_bad("-10.20.30.40");
	ip_bad("10.20.30");		/* too few parts */
	ip_bad("10.20..40");		/* empty part */
	ip_bad("10.20.30.");
	ip_bad("10,20.30.40");		/* wrong separator */
	ip_bad("0x0a.20.30.40");	/* no other bases */
}

static void test_ip4_format(void **state)
{
	char buf[IP4_STRLEN];

	assert_string_equal(ip4_format(0x0a141e28, buf), "10.20.30.40");
	assert_string_equal(ip4_format(0, buf), "0.0.0.0");
	assert_string_equal(ip4_format(0xffffffff, buf), "255.255.255.255");
	assert_int_equal(strlen(buf) + 1, IP4_STRLEN);
}

static void test_cidr4_parse(void **state)
{
	struct cidr4 c = net("10.50.0.0/24");

	assert_int_equal(c.addr, 0x0a320000);
	assert_int_equal(c.prefix, 24);
	c = net("10.0.0.0/8");			/* lower bound */
	assert_int_equal(c.prefix, 8);
	c = net("10.50.0.4/30");		/* upper bound */
	assert_int_equal(c.addr, 0x0a320004);
	assert_int_equal(c.prefix, 30);
}

static void test_cidr4_parse_bad(void **state)
{
	net_bad("10.50.0.1/24");	/* host bits set */
	net_bad("10.50.0.128/24");
	net_bad("10.50.0.2/30");
	net_bad("10.0.0.0/7");		/* prefix below 8 */
	net_bad("0.0.0.0/0");
	net_bad("10.50.0.0/31");	/* prefix above 30 */
	net_bad("10.50.0.1/32");
	net_bad("10.50.0.0/33");
	net_bad("10.50.0.0/024");	/* leading zero */
	net_bad("10.50.0.0/");		/* no prefix */
	net_bad("10.50.0.0");
	net_bad("10.50.0.0/24x");	/* trailing junk */
	net_bad("10.50.0.0/24 ");
	net_bad("10.50.0.0/24/24");
	net_bad("10.50.0.0 /24");
	net_bad("10.50.0/24");		/* bad address */
	net_bad("010.50.0.0/24");
	net_bad("10.50.0.0/-24");
	net_bad("");
}

static void test_cidr4_format(void **state)
{
	char buf[CIDR_STRLEN];
	struct cidr4 c = { 0x0a320000, 24 };

	assert_string_equal(cidr4_format(&c, buf), "10.50.0.0/24");
	c.addr = 0xffffffff;
	c.prefix = 32;
	assert_string_equal(cidr4_format(&c, buf), "255.255.255.255/32");
	assert_int_equal(strlen(buf) + 1, CIDR_STRLEN);
}

static void test_cidr4_mask(void **state)
{
	assert_int_equal(cidr4_mask(0), 0);
	assert_int_equal(cidr4_mask(1), 0x80000000);
	assert_int_equal(cidr4_mask(8), 0xff000000);
	assert_int_equal(cidr4_mask(24), 0xffffff00);
	assert_int_equal(cidr4_mask(30), 0xfffffffc);
	assert_int_equal(cidr4_mask(32), 0xffffffff);
}

static void test_cidr4_contains(void **state)
{
	struct cidr4 c = net("10.50.0.0/24");

	assert_true(cidr4_contains(&c, 0x0a320000));	/* network address */
	assert_true(cidr4_contains(&c, 0x0a320001));
	assert_true(cidr4_contains(&c, 0x0a3200ff));	/* broadcast */
	assert_false(cidr4_contains(&c, 0x0a320100));	/* one past */
	assert_false(cidr4_contains(&c, 0x0a31ffff));	/* one before */
	assert_false(cidr4_contains(&c, 0x0b320001));	/* other first octet */
}

static void test_cidr4_overlap(void **state)
{
	struct cidr4 a = net("10.50.0.0/24");
	struct cidr4 same = net("10.50.0.0/24");
	struct cidr4 inner = net("10.50.0.128/25");
	struct cidr4 outer = net("10.0.0.0/8");
	struct cidr4 next = net("10.50.1.0/24");
	struct cidr4 prev = net("10.49.255.0/24");

	assert_true(cidr4_overlap(&a, &same));
	assert_true(cidr4_overlap(&a, &inner));
	assert_true(cidr4_overlap(&inner, &a));		/* symmetric */
	assert_true(cidr4_overlap(&a, &outer));
	assert_true(cidr4_overlap(&outer, &a));
	assert_false(cidr4_overlap(&a, &next));		/* adjacent */
	assert_false(cidr4_overlap(&next, &a));
	assert_false(cidr4_overlap(&a, &prev));
}

static void test_cidr4_gateway_broadcast(void **state)
{
	struct cidr4 c = net("10.50.0.0/24");

	assert_int_equal(cidr4_gateway(&c), 0x0a320001);
	assert_int_equal(cidr4_broadcast(&c), 0x0a3200ff);
	c = net("10.50.0.4/30");
	assert_int_equal(cidr4_gateway(&c), 0x0a320005);
	assert_int_equal(cidr4_broadcast(&c), 0x0a320007);
	c = net("10.0.0.0/8");
	assert_int_equal(cidr4_gateway(&c), 0x0a000001);
	assert_int_equal(cidr4_broadcast(&c), 0x0affffff);
}

static void mac_bad(const char *s)
{
	uint8_t m[6] = { 1, 2, 3, 4, 5, 6 }, orig[6] = { 1, 2, 3, 4, 5, 6 };

	if (mac_parse(s, m) != -EINVAL)
		fail_msg("mac_parse(\"%s\") accepted", s);
	assert_memory_equal(m, orig, 6);
}

static void test_mac_parse(void **state)
{
	const uint8_t want[6] = { 0x02, 0xab, 0xcd, 0xef, 0x00, 0x9f };
	uint8_t m[6];

	assert_int_equal(mac_parse("02:ab:cd:ef:00:9f", m), 0);
	assert_memory_equal(m, want, 6);
	assert_int_equal(mac_parse("02:AB:cD:Ef:00:9F", m), 0);	/* any case */
	assert_memory_equal(m, want, 6);

	mac_bad("");
	mac_bad("02:ab:cd:ef:00");		/* too short */
	mac_bad("02:ab:cd:ef:00:9");
	mac_bad("02:ab:cd:ef:00:9f:");		/* trailing junk */
	mac_bad("02:ab:cd:ef:00:9f:11");
	mac_bad("02:ab:cd:ef:00:9fx");
	mac_bad("02-ab-cd-ef-00-9f");		/* wrong separator */
	mac_bad("02:ab:cd:ef:009f");		/* missing separator */
	mac_bad("2:ab:cd:ef:00:9f");		/* one digit */
	mac_bad("02:ag:cd:ef:00:9f");		/* not hex */
	mac_bad("02:ab:cd:ef:00: f");
}

static void test_mac_format(void **state)
{
	const uint8_t m[6] = { 0x02, 0xAB, 0xCD, 0xEF, 0x00, 0x9F };
	char buf[MAC_STRLEN];
	uint8_t back[6];

	assert_string_equal(mac_format(m, buf), "02:ab:cd:ef:00:9f");
	assert_int_equal(strlen(buf) + 1, MAC_STRLEN);
	assert_int_equal(mac_parse(buf, back), 0);	/* round trip */
	assert_memory_equal(back, m, 6);
}

static void test_sockaddr_parse(void **state)
{
	struct sockaddr_storage ss;
	socklen_t l;

	(void)state;
	assert_int_equal(sockaddr_parse("1.2.3.4", 53, &ss, &l), 0);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 53);
	assert_int_equal(sockaddr_parse("127.0.0.1:5353", 53, &ss, &l), 0);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 5353);
	assert_int_equal(sockaddr_parse("::1", 53, &ss, &l), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(sockaddr_parse("[fe80::1]:54", 53, &ss, &l), 0);
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 54);
	assert_int_equal(sockaddr_parse("1.2.3.4:0", 53, &ss, &l), -EINVAL);
	assert_int_equal(sockaddr_parse("1.2.3.4:", 53, &ss, &l), -EINVAL);
	assert_int_equal(sockaddr_parse("host", 53, &ss, &l), -EINVAL);
	assert_int_equal(sockaddr_parse("[::1", 53, &ss, &l), -EINVAL);
	assert_int_equal(sockaddr_parse("", 53, &ss, &l), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sockaddr_parse),
		cmocka_unit_test(test_ip4_parse),
		cmocka_unit_test(test_ip4_parse_bad),
		cmocka_unit_test(test_ip4_format),
		cmocka_unit_test(test_cidr4_parse),
		cmocka_unit_test(test_cidr4_parse_bad),
		cmocka_unit_test(test_cidr4_format),
		cmocka_unit_test(test_cidr4_mask),
		cmocka_unit_test(test_cidr4_contains),
		cmocka_unit_test(test_cidr4_overlap),
		cmocka_unit_test(test_cidr4_gateway_broadcast),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_mac_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
