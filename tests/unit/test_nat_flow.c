// SPDX-License-Identifier: MIT
/*
 * test_nat_flow.c - unit tests for the NAT flow table, UDP mappings and
 * the keyed hash behind them
 *
 * Keys are struct literals; each assertion changes one field of a key
 * that is known to be present, so every key field is shown to matter.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nat/nat_flow.h"
#include "nat/nat_hash.h"
#include "nat/nat_udp.h"

#define GUEST1	0x0a590002u
#define GUEST2	0x0a590003u
#define REMOTE	0x5db8d822u

static const struct nat_hash_key hkey = { 0x0706050403020100ull,
					  0x0f0e0d0c0b0a0908ull };

static struct nat_flow_key key_good(void)
{
	struct nat_flow_key k = {
		.guest_ip = GUEST1, .guest_port = 40000,
		.remote_ip = REMOTE, .remote_port = 80,
		.proto = NAT_PROTO_TCP,
	};
	return k;
}

/* the reference vectors of the SipHash paper (key 00..0f, msg 00..n-1) */
static void test_siphash_vectors(void **state)
{
	uint8_t msg[16];
	unsigned i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	assert_true(nat_siphash(&hkey, msg, 0) == 0x726fdb47dd0e0e31ull);
	assert_true(nat_siphash(&hkey, msg, 1) == 0x74f839c593dc67fdull);
	assert_true(nat_siphash(&hkey, msg, 8) == 0x93f5f5799a932462ull);
	assert_true(nat_siphash(&hkey, msg, 15) == 0xa129ca6149be45e5ull);
}

static void test_insert_lookup_remove(void **state)
{
	struct nat_flow_table *t;
	struct nat_flow_key k = key_good(), o;
	struct nat_flow *f, *g;
	struct nat_flow_stats st;

	assert_int_equal(nat_flow_table_create(8, 8, &hkey, &t), 0);
	assert_null(nat_flow_lookup(t, &k));
	assert_int_equal(nat_flow_insert(t, &k, &f), 0);
	assert_int_equal(f->host_id, -1);
	assert_true(f->in_use);
	assert_ptr_equal(nat_flow_lookup(t, &k), f);
	assert_ptr_equal(nat_flow_get(t, f->idx, f->gen), f);
	assert_null(nat_flow_get(t, f->idx, f->gen + 1));
	assert_null(nat_flow_get(t, 8, f->gen));

	/* one field changed per lookup: each one is part of the key */
	o = k; o.guest_ip = GUEST2;	assert_null(nat_flow_lookup(t, &o));
	o = k; o.guest_port = 40001;	assert_null(nat_flow_lookup(t, &o));
	o = k; o.remote_ip = REMOTE + 1; assert_null(nat_flow_lookup(t, &o));
	o = k; o.remote_port = 443;	assert_null(nat_flow_lookup(t, &o));
	o = k; o.proto = NAT_PROTO_UDP;	assert_null(nat_flow_lookup(t, &o));

	/* the same key twice is refused and counted */
	assert_int_equal(nat_flow_insert(t, &k, &g), -EEXIST);
	nat_flow_get_stats(t, &st);
	assert_int_equal(st.flows, 1);
	assert_int_equal(st.tcp, 1);
	assert_int_equal(st.udp, 0);
	assert_int_equal(st.drop_exists, 1);

	nat_flow_remove(t, f);
	assert_null(nat_flow_lookup(t, &k));
	assert_null(nat_flow_get(t, f->idx, f->gen));
	nat_flow_get_stats(t, &st);
	assert_int_equal(st.flows, 0);
	assert_int_equal(st.tcp, 0);
	assert_int_equal(st.created, 1);
	assert_int_equal(nat_flow_guest_count(t, GUEST1), 0);
	nat_flow_table_destroy(t);
}

static void test_limits(void **state)
{
	struct nat_flow_table *t;
	struct nat_flow_key k = key_good();
	struct nat_flow *f[4], *x;
	struct nat_flow_stats st;
	unsigned i;

	assert_int_equal(nat_flow_table_create(0, 1, &hkey, &t), -EINVAL);
	assert_int_equal(nat_flow_table_create(4, 0, &hkey, &t), -EINVAL);
	assert_int_equal(nat_flow_table_create(4, 5, &hkey, &t), -EINVAL);
	assert_int_equal(nat_flow_table_create(NAT_FLOW_MAX + 1, 1, &hkey, &t),
			 -EINVAL);

	assert_int_equal(nat_flow_table_create(4, 3, &hkey, &t), 0);
	/* guest 1 may have 3 flows, the fourth is over its limit */
	for (i = 0; i < 3; i++) {
		k.guest_port = (uint16_t)(40000 + i);
		assert_int_equal(nat_flow_insert(t, &k, &f[i]), 0);
	}
	assert_int_equal(nat_flow_guest_count(t, GUEST1), 3);
	k.guest_port = 40003;
	assert_int_equal(nat_flow_insert(t, &k, &x), -EDQUOT);
	nat_flow_get_stats(t, &st);
	assert_int_equal(st.drop_guest, 1);

	/* guest 2 takes the last entry; then the table is full for all */
	k.guest_ip = GUEST2;
	assert_int_equal(nat_flow_insert(t, &k, &f[3]), 0);
	k.guest_port = 40004;
	assert_int_equal(nat_flow_insert(t, &k, &x), -ENOSPC);
	nat_flow_get_stats(t, &st);
	assert_int_equal(st.flows, 4);
	assert_int_equal(st.drop_full, 1);
	assert_int_equal(st.drop_guest, 1);
	assert_int_equal(nat_flow_guest_count(t, GUEST2), 1);

	/* a removal frees room for guest 1 again */
	nat_flow_remove(t, f[0]);
	k.guest_ip = GUEST1;
	assert_int_equal(nat_flow_insert(t, &k, &x), 0);
	assert_int_equal(nat_flow_guest_count(t, GUEST1), 3);
	nat_flow_table_destroy(t);
}

static void test_collisions(void **state)
{
	struct nat_flow_table *t;
	struct nat_flow_key k = key_good(), same[3];
	struct nat_flow *f[3];
	uint32_t b, port;
	unsigned n = 0, i;

	assert_int_equal(nat_flow_table_create(16, 16, &hkey, &t), 0);
	/* find three keys in one bucket */
	b = nat_flow_bucket_of(t, &k);
	for (port = 1; n < 3 && port < 65536; port++) {
		k.guest_port = (uint16_t)port;
		if (nat_flow_bucket_of(t, &k) == b)
			same[n++] = k;
	}
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(nat_flow_insert(t, &same[i], &f[i]), 0);
	for (i = 0; i < 3; i++)
		assert_ptr_equal(nat_flow_lookup(t, &same[i]), f[i]);
	/* unlink from the middle, the head and the tail of the chain */
	nat_flow_remove(t, f[1]);
	assert_null(nat_flow_lookup(t, &same[1]));
	assert_ptr_equal(nat_flow_lookup(t, &same[0]), f[0]);
	assert_ptr_equal(nat_flow_lookup(t, &same[2]), f[2]);
	nat_flow_remove(t, f[2]);
	assert_ptr_equal(nat_flow_lookup(t, &same[0]), f[0]);
	nat_flow_remove(t, f[0]);
	assert_null(nat_flow_lookup(t, &same[0]));
	nat_flow_table_destroy(t);
}

static void test_free_list_and_iteration(void **state)
{
	struct nat_flow_table *t;
	struct nat_flow_key k = key_good();
	struct nat_flow *f[3], *g, *it;
	uint32_t idx, gen;
	unsigned i, seen;

	assert_int_equal(nat_flow_table_create(3, 3, &hkey, &t), 0);
	for (i = 0; i < 3; i++) {
		k.guest_port = (uint16_t)(1000 + i);
		assert_int_equal(nat_flow_insert(t, &k, &f[i]), 0);
		assert_int_equal(f[i]->idx, i);
	}
	seen = 0;
	for (it = nat_flow_first(t); it; it = nat_flow_next(t, it))
		seen |= 1u << it->idx;
	assert_int_equal(seen, 7);

	/* the entry freed last is reused first, with a new generation */
	idx = f[1]->idx;
	gen = f[1]->gen;
	f[1]->host_id = 42;
	f[1]->tcp.rcv_nxt = 1234;
	nat_flow_remove(t, f[1]);
	k.guest_port = 2000;
	assert_int_equal(nat_flow_insert(t, &k, &g), 0);
	assert_int_equal(g->idx, idx);
	assert_int_not_equal(g->gen, gen);
	assert_null(nat_flow_get(t, idx, gen));
	assert_ptr_equal(nat_flow_get(t, idx, g->gen), g);
	/* and comes back clean */
	assert_int_equal(g->host_id, -1);
	assert_int_equal(g->tcp.rcv_nxt, 0);

	/* removing while iterating, fetching next first */
	for (it = nat_flow_first(t); it; it = g) {
		g = nat_flow_next(t, it);
		nat_flow_remove(t, it);
	}
	assert_null(nat_flow_first(t));
	nat_flow_table_destroy(t);
}

static void closed_cb(void *ctx, struct nat_flow *f)
{
	int *n = ctx;

	assert_int_equal(f->host_id, 7);
	(*n)++;
}

static void test_udp(void **state)
{
	struct nat_flow_table *t;
	struct nat_flow_key k = key_good();
	struct nat_flow *f, *tcp;
	struct nat_flow_stats st;
	const uint64_t s = 1000000000ull;
	int closed = 0;

	assert_int_equal(nat_flow_table_create(4, 4, &hkey, &t), 0);
	assert_int_equal(nat_udp_open(t, &k, 7, 30 * s, 0, &f), -EINVAL);
	assert_int_equal(nat_flow_insert(t, &k, &tcp), 0);	/* TCP beside */
	k.proto = NAT_PROTO_UDP;
	k.remote_port = 53;
	assert_int_equal(nat_udp_open(t, &k, 7, 30 * s, 10 * s, &f), 0);
	assert_int_equal(f->host_id, 7);
	assert_ptr_equal(nat_flow_lookup(t, &k), f);
	assert_true(nat_udp_deadline(f) == 40 * s);
	assert_true(nat_udp_next_deadline(t) == 40 * s);

	nat_udp_touch(f, 20 * s, 1);
	nat_udp_touch(f, 25 * s, 0);
	assert_int_equal(f->udp.to_guest, 1);
	assert_int_equal(f->udp.to_host, 1);
	assert_true(nat_udp_deadline(f) == 55 * s);

	/* not yet; then it expires and only the UDP entry goes */
	assert_int_equal(nat_udp_expire(t, 55 * s - 1, closed_cb, &closed), 0);
	assert_int_equal(nat_udp_expire(t, 55 * s, closed_cb, &closed), 1);
	assert_int_equal(closed, 1);
	assert_null(nat_flow_lookup(t, &k));
	assert_true(nat_udp_next_deadline(t) == UINT64_MAX);
	nat_flow_get_stats(t, &st);
	assert_int_equal(st.flows, 1);
	assert_int_equal(st.tcp, 1);
	assert_int_equal(st.udp, 0);
	nat_flow_table_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_insert_lookup_remove),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_collisions),
		cmocka_unit_test(test_free_list_and_iteration),
		cmocka_unit_test(test_udp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
