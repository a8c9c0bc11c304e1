// SPDX-License-Identifier: MIT
/* test_subnet.c - unit tests for host-aware subnet choice (mvmd/subnet.c) */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/addr.h"
#include "common/util.h"
#include "mvmd/subnet.h"

/* "A.B.C.D/N" to a cidr4, accepting any prefix (host prefixes may be /32) */
static struct cidr4 P(const char *s)
{
	char ip[IP4_STRLEN] = "";
	struct cidr4 c;
	uint32_t a;
	unsigned n;

	assert_int_equal(sscanf(s, "%15[0-9.]/%u", ip, &n), 2);
	assert_int_equal(ip4_parse(ip, &a), 0);
	c.prefix = (uint8_t)n;
	c.addr = a & cidr4_mask(c.prefix);
	return c;
}

static void assert_choice(const struct cidr4 *used, size_t n, const char *want)
{
	char buf[CIDR_STRLEN];
	struct cidr4 c;

	assert_int_equal(subnet_choose(used, n, &c), 0);
	assert_string_equal(cidr4_format(&c, buf), want);
}

static void test_choose_empty(void **state)
{
	assert_choice(NULL, 0, "10.89.0.0/24");
}

static void test_choose_skips_used(void **state)
{
	struct cidr4 u[] = { P("10.89.0.0/24"), P("10.89.1.0/24"),
			     P("10.89.3.0/24") };

	assert_choice(u, 1, "10.89.1.0/24");
	assert_choice(u, 2, "10.89.2.0/24");
	assert_choice(u, 3, "10.89.2.0/24");
}

static void test_choose_overlapping(void **state)
{
	/* not /24s: anything that overlaps a candidate rules it out */
	struct cidr4 u1[] = { P("10.89.0.0/23") };
	struct cidr4 u2[] = { P("10.89.0.128/25") };
	struct cidr4 u3[] = { P("10.89.0.77/32") };
	struct cidr4 u4[] = { P("10.88.0.0/16"), P("10.89.5.0/24") };

	assert_choice(u1, 1, "10.89.2.0/24");
	assert_choice(u2, 1, "10.89.1.0/24");
	assert_choice(u3, 1, "10.89.1.0/24");
	assert_choice(u4, 2, "10.89.0.0/24");	/* neighbours do not count */
}

static void test_choose_whole_pool(void **state)
{
	/* a /16 covering the first pool moves on to the second */
	struct cidr4 u1[] = { P("10.89.0.0/16") };
	/* a /8 covering the first two pools moves on to the third */
	struct cidr4 u2[] = { P("10.0.0.0/8") };
	struct cidr4 u3[] = { P("10.0.0.0/8"), P("172.16.0.0/12") };
	struct cidr4 u4[] = { P("10.89.0.0/16"), P("10.90.0.0/16"),
			      P("10.91.0.0/17") };

	assert_choice(u1, 1, "10.90.0.0/24");
	assert_choice(u2, 1, "172.30.0.0/24");
	assert_choice(u3, 2, "192.168.128.0/24");
	assert_choice(u4, 3, "10.91.128.0/24");
}

static void test_choose_enospc(void **state)
{
	struct cidr4 u1[] = { P("10.0.0.0/8"), P("172.16.0.0/12"),
			      P("192.168.0.0/16") };
	struct cidr4 u2[] = { P("0.0.0.0/1"), P("128.0.0.0/1") };
	struct cidr4 u3[] = { P("0.0.0.0/0") };
	struct cidr4 c = { 0x01020300, 24 };

	assert_int_equal(subnet_choose(u1, 3, &c), -ENOSPC);
	assert_int_equal(subnet_choose(u2, 2, &c), -ENOSPC);
	assert_int_equal(subnet_choose(u3, 1, &c), -ENOSPC);
	/* @out is left alone on failure */
	assert_int_equal(c.addr, 0x01020300);
	assert_int_equal(c.prefix, 24);
}

static void test_choose_last(void **state)
{
	/* everything but the very last /24 of the last pool */
	struct cidr4 u[] = { P("10.0.0.0/8"), P("172.16.0.0/12"),
			     P("192.168.0.0/17"), P("192.168.128.0/18"),
			     P("192.168.192.0/19"), P("192.168.224.0/20"),
			     P("192.168.240.0/21"), P("192.168.248.0/22"),
			     P("192.168.252.0/23"), P("192.168.254.0/24") };

	assert_choice(u, ARRAY_SIZE(u), "192.168.255.0/24");
}

static void test_find_conflict(void **state)
{
	struct cidr4 u[] = { P("192.168.1.0/24"), P("10.0.0.0/8"),
			     P("10.1.2.3/32") };
	struct cidr4 c;

	c = P("10.1.2.0/24");
	assert_int_equal(subnet_find_conflict(&c, u, 3), 1);	/* first wins */
	assert_int_equal(subnet_find_conflict(&c, u + 2, 1), 0);
	c = P("192.168.0.0/16");				/* covers u[0] */
	assert_int_equal(subnet_find_conflict(&c, u, 3), 0);
	c = P("192.168.2.0/24");
	assert_int_equal(subnet_find_conflict(&c, u, 3), -1);
	c = P("11.0.0.0/24");					/* just past the /8 */
	assert_int_equal(subnet_find_conflict(&c, u, 3), -1);
	c = P("9.255.255.0/24");				/* just before */
	assert_int_equal(subnet_find_conflict(&c, u, 3), -1);
	assert_int_equal(subnet_find_conflict(&c, NULL, 0), -1);
}

static void test_host_prefixes(void **state)
{
	struct cidr4 *v = NULL, lo = P("127.0.0.0/8");
	size_t n = 0, i;
	int found = 0, ret;

	ret = subnet_host_prefixes(&v, &n);
	assert_int_equal(ret, 0);
	assert_true(n == 0 || v != NULL);
	for (i = 0; i < n; i++) {
		assert_int_not_equal(v[i].prefix, 0);	/* no default routes */
		assert_int_equal(v[i].addr & ~cidr4_mask(v[i].prefix), 0);
		if (v[i].addr == lo.addr && v[i].prefix == 8)
			found = 1;
	}
	if (!found && !n) {
		/* a fresh netns (unshare -n) has lo down and no address */
		print_message("no IPv4 prefix at all in this netns: skipped\n");
		free(v);
		skip();
	}
	assert_true(found);
	/* what the host uses is never chosen */
	{
		struct cidr4 c;

		if (!subnet_choose(v, n, &c))
			assert_int_equal(subnet_find_conflict(&c, v, n), -1);
	}
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choose_empty),
		cmocka_unit_test(test_choose_skips_used),
		cmocka_unit_test(test_choose_overlapping),
		cmocka_unit_test(test_choose_whole_pool),
		cmocka_unit_test(test_choose_enospc),
		cmocka_unit_test(test_choose_last),
		cmocka_unit_test(test_find_conflict),
		cmocka_unit_test(test_host_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
