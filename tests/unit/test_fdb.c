// SPDX-License-Identifier: MIT
/* test_fdb.c - unit tests for the switch's forwarding database */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vswitch/fdb.h"

#define SEC 1000000000ull

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static void mac_n(uint8_t mac[6], unsigned n)
{
	mac[0] = 0x02;
	mac[1] = 0x42;
	mac[2] = (uint8_t)(n >> 24);
	mac[3] = (uint8_t)(n >> 16);
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

static void test_learn_lookup(void **state)
{
	struct fdb *f;
	struct fdb_stats st;

	assert_int_equal(fdb_create(0, 0, &f), 0);
	assert_int_equal(fdb_lookup(f, mac_a, 0), -ENOENT);
	assert_int_equal(fdb_learn(f, mac_a, 3, 1), 0);
	assert_int_equal(fdb_learn(f, mac_b, 7, 1), 0);
	assert_int_equal(fdb_lookup(f, mac_a, 2), 3);
	assert_int_equal(fdb_lookup(f, mac_b, 2), 7);
	/* refreshing on the same port is not a move */
	assert_int_equal(fdb_learn(f, mac_a, 3, 5), 0);
	fdb_get_stats(f, &st);
	assert_int_equal(st.entries, 2);
	assert_int_equal(st.max, FDB_DEFAULT_MAX);
	assert_int_equal(st.learned, 2);
	assert_int_equal(st.moved, 0);
	fdb_destroy(f);
}

static void test_move(void **state)
{
	struct fdb *f;
	struct fdb_stats st;

	assert_int_equal(fdb_create(16, 0, &f), 0);
	assert_int_equal(fdb_learn(f, mac_a, 1, 0), 0);
	assert_int_equal(fdb_learn(f, mac_a, 2, 1), 1);
	assert_int_equal(fdb_lookup(f, mac_a, 1), 2);
	fdb_get_stats(f, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.moved, 1);
	fdb_destroy(f);
}

static void test_ageing(void **state)
{
	struct fdb *f;
	struct fdb_stats st;

	assert_int_equal(fdb_create(16, 10, &f), 0);
	assert_int_equal(fdb_learn(f, mac_a, 1, 100 * SEC), 0);
	assert_int_equal(fdb_learn(f, mac_b, 2, 105 * SEC), 0);
	/* just before the ageing time: still there */
	assert_int_equal(fdb_lookup(f, mac_a, 110 * SEC - 1), 1);
	/* at the ageing time: gone on lookup */
	assert_int_equal(fdb_lookup(f, mac_a, 110 * SEC), -ENOENT);
	/* a refresh keeps an entry alive */
	assert_int_equal(fdb_learn(f, mac_b, 2, 114 * SEC), 0);
	assert_int_equal(fdb_age(f, 120 * SEC), 0);
	assert_int_equal(fdb_lookup(f, mac_b, 120 * SEC), 2);
	/* the sweep removes what expired */
	assert_int_equal(fdb_age(f, 124 * SEC), 1);
	fdb_get_stats(f, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.aged, 2);
	fdb_destroy(f);
}

static void test_limit(void **state)
{
	struct fdb *f;
	struct fdb_stats st;
	uint8_t m[6];
	unsigned i;

	assert_int_equal(fdb_create(8, 0, &f), 0);
	for (i = 0; i < 8; i++) {
		mac_n(m, i);
		assert_int_equal(fdb_learn(f, m, i, 0), 0);
	}
	mac_n(m, 8);
	assert_int_equal(fdb_learn(f, m, 8, 0), -ENOSPC);
	assert_int_equal(fdb_lookup(f, m, 0), -ENOENT);
	mac_n(m, 9);
	assert_int_equal(fdb_learn(f, m, 9, 0), -ENOSPC);
	/* known MACs still refresh and move when full */
	mac_n(m, 3);
	assert_int_equal(fdb_learn(f, m, 4, 0), 1);
	fdb_get_stats(f, &st);
	assert_int_equal(st.entries, 8);
	assert_int_equal(st.full, 2);
	/* room again once one is flushed */
	assert_int_equal(fdb_flush_port(f, 0), 1);
	mac_n(m, 8);
	assert_int_equal(fdb_learn(f, m, 8, 0), 0);
	fdb_destroy(f);

	assert_int_equal(fdb_create(FDB_LIMIT + 1, 0, &f), -EINVAL);
}

static void test_flush_port(void **state)
{
	struct fdb *f;
	struct fdb_stats st;
	uint8_t m[6];
	unsigned i;

	assert_int_equal(fdb_create(1000, 0, &f), 0);
	for (i = 0; i < 1000; i++) {
		mac_n(m, i);
		assert_int_equal(fdb_learn(f, m, i % 3, 0), 0);
	}
	assert_int_equal(fdb_flush_port(f, 1), 333);
	fdb_get_stats(f, &st);
	assert_int_equal(st.entries, 667);
	/* everything else is still found (backward shift kept chains) */
	for (i = 0; i < 1000; i++) {
		mac_n(m, i);
		if (i % 3 == 1)
			assert_int_equal(fdb_lookup(f, m, 0), -ENOENT);
		else
			assert_int_equal(fdb_lookup(f, m, 0), (long)(i % 3));
	}
	assert_int_equal(fdb_flush_port(f, 1), 0);
	fdb_destroy(f);
}

static void test_multicast_not_learned(void **state)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const uint8_t ip6mc[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
	struct fdb *f;
	struct fdb_stats st;

	assert_int_equal(fdb_create(0, 0, &f), 0);
	assert_int_equal(fdb_learn(f, bcast, 1, 0), -EINVAL);
	assert_int_equal(fdb_learn(f, mcast, 1, 0), -EINVAL);
	assert_int_equal(fdb_learn(f, ip6mc, 1, 0), -EINVAL);
	assert_int_equal(fdb_lookup(f, bcast, 0), -ENOENT);
	fdb_get_stats(f, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.learned, 0);
	fdb_destroy(f);
}

/* churn: learn, age and flush many times; the table stays consistent */
static void test_churn(void **state)
{
	struct fdb *f;
	struct fdb_stats st;
	uint8_t m[6];
	unsigned round, i;

	assert_int_equal(fdb_create(256, 1, &f), 0);
	for (round = 0; round < 20; round++) {
		uint64_t t = round * 2 * SEC;

		for (i = 0; i < 300; i++) {
			mac_n(m, round * 1000 + i);
			fdb_learn(f, m, i & 7, t);
		}
		fdb_get_stats(f, &st);
		assert_int_equal(st.entries, 256);
		for (i = 0; i < 256; i++) {
			mac_n(m, round * 1000 + i);
			assert_int_equal(fdb_lookup(f, m, t), (long)(i & 7));
		}
		fdb_flush_port(f, round & 7);
		assert_int_equal(fdb_age(f, t + SEC), 224);
		fdb_get_stats(f, &st);
		assert_int_equal(st.entries, 0);
	}
	fdb_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_lookup),
		cmocka_unit_test(test_move),
		cmocka_unit_test(test_ageing),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_flush_port),
		cmocka_unit_test(test_multicast_not_learned),
		cmocka_unit_test(test_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
