// SPDX-License-Identifier: MIT
/* test_dhcp_lease.c - unit tests for the DHCP lease table (dhcp/dhcp_lease.c) */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "dhcp/dhcp_lease.h"

#define NET24	0x0a590000u	/* 10.89.0.0 */
#define GW	0x0a590001u	/* 10.89.0.1 */
#define T0	1700000000u	/* a wall-clock "now" */

static const uint8_t id_a[] = { 0xff, 0x12, 0x34, 0x56, 0x78 };

/* Client number @n: MAC 02:00:00:00:00:n, no client id */
static struct dhcp_client CL(uint8_t n)
{
	struct dhcp_client c = { .mac = { 0x02, 0, 0, 0, 0, n } };

	return c;
}

static struct dhcp_lease_table *table(uint8_t prefix, unsigned max_dyn)
{
	struct dhcp_lease_params p = {
		.subnet = { .addr = NET24, .prefix = prefix },
		.server_ip = GW,
		.max_dynamic = max_dyn,
	};
	struct dhcp_lease_table *t = NULL;

	assert_int_equal(dhcp_lease_table_new(&p, &t), 0);
	return t;
}

static uint32_t offer(struct dhcp_lease_table *t, struct dhcp_client c,
		      uint32_t req, uint64_t now)
{
	uint32_t ip = 0;

	assert_int_equal(dhcp_lease_offer(t, &c, req, now, &ip), 0);
	return ip;
}

static void test_new_invalid(void **state)
{
	struct dhcp_lease_params p = {
		.subnet = { .addr = NET24, .prefix = 24 }, .server_ip = GW,
	};
	struct dhcp_lease_table *t;

	p.subnet.prefix = 31;
	assert_int_equal(dhcp_lease_table_new(&p, &t), -EINVAL);
	p.subnet.prefix = 24;
	p.server_ip = 0x0a590100;
	assert_int_equal(dhcp_lease_table_new(&p, &t), -EINVAL);
	p.server_ip = GW;
	p.max_dynamic = DHCP_LEASE_MAX_LIMIT + 1;
	assert_int_equal(dhcp_lease_table_new(&p, &t), -EINVAL);
	p.max_dynamic = 0;
	p.subnet.addr = NET24 | 5;	/* host bits */
	assert_int_equal(dhcp_lease_table_new(&p, &t), -EINVAL);
}

static void test_static_by_mac_wins(void **state)
{
	struct dhcp_lease_table *t = table(24, 0);
	struct dhcp_client a = CL(1), b = CL(2);
	const struct dhcp_lease *l;

	assert_int_equal(dhcp_lease_static_add(t, a.mac, NET24 | 50, "web"), 0);
	/* whatever it asks for, and with a client id, A gets its address */
	assert_int_equal(offer(t, a, NET24 | 70, T0), NET24 | 50);
	a.id = id_a;
	a.id_len = sizeof(id_a);
	assert_int_equal(offer(t, a, 0, T0), NET24 | 50);
	l = dhcp_lease_find(t, &a);
	assert_non_null(l);
	assert_true(l->is_static);
	assert_string_equal(l->hostname, "web");
	assert_int_equal(dhcp_lease_bind(t, &a, NET24 | 50, 60, T0), 0);
	assert_int_equal(dhcp_lease_bind(t, &a, NET24 | 51, 60, T0),
			 -EADDRNOTAVAIL);
	/* never anyone else's, not even when asked for or long expired */
	assert_int_not_equal(offer(t, b, NET24 | 50, T0), NET24 | 50);
	assert_int_equal(dhcp_lease_bind(t, &b, NET24 | 50, 60, T0 + 99999),
			 -EADDRINUSE);
	assert_true(dhcp_lease_ip_in_use(t, NET24 | 50, T0 + 99999));
	/* removing it frees the address */
	assert_int_equal(dhcp_lease_static_remove(t, a.mac), 0);
	assert_int_equal(dhcp_lease_static_remove(t, a.mac), -ENOENT);
	assert_false(dhcp_lease_ip_in_use(t, NET24 | 50, T0));
	dhcp_lease_table_free(t);
}

static void test_static_add_rules(void **state)
{
	struct dhcp_lease_table *t = table(24, 0);
	struct dhcp_client a = CL(1), b = CL(2), c = CL(3);
	char longname[80];
	uint32_t ip;

	memset(longname, 'x', 64);
	longname[64] = '\0';
	assert_int_equal(dhcp_lease_static_add(t, a.mac, NET24, NULL), -EINVAL);
	assert_int_equal(dhcp_lease_static_add(t, a.mac, GW, NULL), -EINVAL);
	assert_int_equal(dhcp_lease_static_add(t, a.mac, NET24 | 255, NULL),
			 -EINVAL);
	assert_int_equal(dhcp_lease_static_add(t, a.mac, 0x0a5a0005, NULL),
			 -EINVAL);
	assert_int_equal(dhcp_lease_static_add(t, a.mac, NET24 | 5, longname),
			 -EINVAL);
	assert_int_equal(dhcp_lease_static_add(t, a.mac, NET24 | 5, NULL), 0);
	assert_int_equal(dhcp_lease_static_add(t, b.mac, NET24 | 5, NULL),
			 -EEXIST);
	/* moving A's static lease frees the old address */
	assert_int_equal(dhcp_lease_static_add(t, a.mac, NET24 | 6, "a"), 0);
	assert_null(dhcp_lease_find_ip(t, NET24 | 5));
	/* a static lease over a dynamic one takes the address */
	ip = offer(t, c, 0, T0);
	assert_int_equal(dhcp_lease_bind(t, &c, ip, 600, T0), 0);
	assert_int_equal(dhcp_lease_static_add(t, b.mac, ip, NULL), 0);
	assert_true(dhcp_lease_find(t, &c) == NULL);
	assert_int_equal(dhcp_lease_bind(t, &c, ip, 600, T0), -EADDRINUSE);
	dhcp_lease_table_free(t);
}

static void test_pool_exhaustion(void **state)
{
	/* 10.89.0.0/29: .1 is the gateway, .2 to .6 the pool */
	struct dhcp_lease_table *t = table(29, 0);
	struct dhcp_lease_stats st;
	struct dhcp_client c6 = CL(6);
	uint32_t seen = 0, ip;
	uint8_t i;

	for (i = 1; i <= 5; i++) {
		ip = offer(t, CL(i), 0, T0);
		assert_true(ip >= (NET24 | 2) && ip <= (NET24 | 6));
		assert_false(seen & (1u << (ip & 7)));
		seen |= 1u << (ip & 7);
	}
	assert_int_equal(dhcp_lease_offer(t, &c6, 0, T0, &ip), -EADDRNOTAVAIL);
	dhcp_lease_get_stats(t, &st);
	assert_int_equal(st.refused_pool, 1);
	assert_int_equal(st.refused_full, 0);
	assert_int_equal(st.n_dynamic, 5);
	/* offers are held DHCP_LEASE_OFFER_HOLD seconds, then reclaimable */
	assert_int_equal(dhcp_lease_offer(t, &c6, 0, T0 + 29, &ip),
			 -EADDRNOTAVAIL);
	assert_int_equal(dhcp_lease_offer(t, &c6, 0, T0 + 30, &ip), 0);
	dhcp_lease_table_free(t);
}

static void test_table_full(void **state)
{
	struct dhcp_lease_table *t = table(16, 4);
	struct dhcp_client c1 = CL(1), c5 = CL(5);
	struct dhcp_lease_stats st;
	uint32_t ip;
	uint8_t i;

	for (i = 1; i <= 4; i++)
		offer(t, CL(i), 0, T0);
	assert_int_equal(dhcp_lease_offer(t, &c5, 0, T0, &ip), -ENOSPC);
	assert_int_equal(dhcp_lease_bind(t, &c5, NET24 | 9, 60, T0), -ENOSPC);
	dhcp_lease_get_stats(t, &st);
	assert_int_equal(st.refused_full, 2);
	assert_int_equal(st.n_dynamic, 4);
	assert_int_equal(st.max_dynamic, 4);
	/* a bound lease is not reclaimed; an expired offer is */
	ip = offer(t, c1, 0, T0);
	assert_int_equal(dhcp_lease_bind(t, &c1, ip, 3600, T0), 0);
	assert_int_equal(dhcp_lease_offer(t, &c5, 0, T0 + 30, &ip), 0);
	assert_non_null(dhcp_lease_find(t, &c1));
	dhcp_lease_get_stats(t, &st);
	assert_int_equal(st.n_dynamic, 4);
	dhcp_lease_table_free(t);
}

static void test_decline_excluded(void **state)
{
	struct dhcp_lease_table *t = table(29, 0);
	struct dhcp_client a = CL(1), x = CL(9);
	uint32_t bad, ip;
	uint8_t i;

	bad = offer(t, a, 0, T0);
	assert_int_equal(dhcp_lease_bind(t, &a, bad, 600, T0), 0);
	assert_int_equal(dhcp_lease_decline(t, &x, bad, T0), -ENOENT);
	assert_int_equal(dhcp_lease_decline(t, &a, bad + 1, T0), -ENOENT);
	assert_int_equal(dhcp_lease_decline(t, &a, bad, T0), 0);
	assert_int_equal(dhcp_lease_find_ip(t, bad)->state, DHCP_LEASE_DECLINED);
	assert_null(dhcp_lease_find(t, &a));	/* no owner any more */
	/* four others get the four other addresses, never the declined one */
	for (i = 2; i <= 5; i++)
		assert_int_not_equal(offer(t, CL(i), bad, T0), bad);
	assert_int_equal(dhcp_lease_offer(t, &x, bad, T0 + 1, &ip),
			 -EADDRNOTAVAIL);
	assert_true(dhcp_lease_ip_in_use(t, bad, T0 + DHCP_LEASE_DECLINE_HOLD - 1));
	/* after the hold it is usable again */
	assert_int_equal(offer(t, x, bad, T0 + DHCP_LEASE_DECLINE_HOLD), bad);
	dhcp_lease_table_free(t);
}

static void test_expiry(void **state)
{
	struct dhcp_lease_table *t = table(24, 0);
	struct dhcp_client a = CL(1), b = CL(2);
	uint32_t ip = offer(t, a, 0, T0);

	assert_int_equal(dhcp_lease_bind(t, &a, ip, 60, T0), 0);
	assert_true(dhcp_lease_ip_in_use(t, ip, T0 + 59));
	assert_int_equal(dhcp_lease_bind(t, &b, ip, 60, T0 + 59), -EADDRINUSE);
	assert_false(dhcp_lease_ip_in_use(t, ip, T0 + 60));
	/* a returning client gets its previous address back */
	assert_int_equal(offer(t, a, 0, T0 + 1000), ip);
	assert_int_equal(dhcp_lease_find(t, &a)->state, DHCP_LEASE_OFFERED);
	/* once expired, someone else may take it */
	assert_int_equal(dhcp_lease_bind(t, &b, ip, 60, T0 + 2000), 0);
	assert_null(dhcp_lease_find(t, &a));
	dhcp_lease_table_free(t);
}

static void test_client_id_vs_mac(void **state)
{
	struct dhcp_lease_table *t = table(24, 0);
	struct dhcp_client with_id = CL(1), mac_only = CL(1), moved = CL(7);
	uint32_t ip;

	with_id.id = id_a;
	with_id.id_len = sizeof(id_a);
	moved.id = id_a;
	moved.id_len = sizeof(id_a);
	ip = offer(t, with_id, 0, T0);
	assert_int_equal(dhcp_lease_bind(t, &with_id, ip, 600, T0), 0);
	/* same MAC without the id: another client */
	assert_null(dhcp_lease_find(t, &mac_only));
	assert_int_not_equal(offer(t, mac_only, ip, T0), ip);
	/* same id on another NIC: the same client */
	assert_int_equal(offer(t, moved, 0, T0), ip);
	assert_int_equal(dhcp_lease_find(t, &moved)->mac[5], 1);
	dhcp_lease_table_free(t);
}

static void test_release(void **state)
{
	struct dhcp_lease_table *t = table(24, 0);
	struct dhcp_client a = CL(1), b = CL(2);
	uint32_t ip = offer(t, a, 0, T0);

	assert_int_equal(dhcp_lease_bind(t, &a, ip, 600, T0), 0);
	assert_int_equal(dhcp_lease_release(t, &b, ip, T0), -ENOENT);
	assert_int_equal(dhcp_lease_release(t, &a, ip + 1, T0), -ENOENT);
	assert_int_equal(dhcp_lease_release(t, &a, ip, T0 + 5), 0);
	assert_false(dhcp_lease_ip_in_use(t, ip, T0 + 5));
	assert_int_equal(offer(t, b, ip, T0 + 6), ip);
	dhcp_lease_table_free(t);
}

struct count_ctx {
	unsigned n;
};

static int count_one(const struct dhcp_lease *l, void *ctx)
{
	((struct count_ctx *)ctx)->n++;
	return 0;
}

static void test_export_import(void **state)
{
	struct dhcp_lease_table *t = table(24, 0), *u = table(24, 0);
	struct dhcp_client a = CL(1), b = CL(2), c = CL(3), d = CL(4), e = CL(5);
	struct json_object *j, *again;
	struct count_ctx cnt = { 0 };
	uint32_t ia, ib, ic;

	b.id = id_a;
	b.id_len = sizeof(id_a);
	ia = offer(t, a, 0, T0);
	ib = offer(t, b, 0, T0);
	ic = offer(t, c, 0, T0);
	offer(t, d, 0, T0);				/* offer: not kept */
	assert_int_equal(dhcp_lease_bind(t, &a, ia, 3600, T0), 0);
	assert_int_equal(dhcp_lease_bind(t, &b, ib, 7200, T0), 0);
	assert_int_equal(dhcp_lease_bind(t, &c, ic, 3600, T0), 0);
	assert_int_equal(dhcp_lease_decline(t, &c, ic, T0), 0);
	assert_int_equal(dhcp_lease_static_add(t, e.mac, NET24 | 200, NULL), 0);
	assert_int_equal(dhcp_lease_export(t, T0 + 10, &j), 0);

	assert_int_equal(dhcp_lease_import(u, j, T0 + 20), 3);
	assert_int_equal(dhcp_lease_find(u, &a)->ip, ia);
	assert_int_equal(dhcp_lease_find(u, &a)->expires, T0 + 3600);
	assert_int_equal(dhcp_lease_find(u, &b)->ip, ib);
	assert_int_equal(dhcp_lease_find(u, &b)->id_len, sizeof(id_a));
	assert_int_equal(dhcp_lease_find_ip(u, ic)->state, DHCP_LEASE_DECLINED);
	assert_null(dhcp_lease_find(u, &d));
	assert_null(dhcp_lease_find(u, &e));		/* statics: mvmd's */
	/* importing twice adds nothing; neither do expired entries */
	assert_int_equal(dhcp_lease_import(u, j, T0 + 20), 0);
	dhcp_lease_foreach(u, count_one, &cnt);
	assert_int_equal(cnt.n, 3);
	/* the round trip is stable */
	assert_int_equal(dhcp_lease_export(u, T0 + 10, &again), 0);
	assert_string_equal(json_object_to_json_string(j),
			    json_object_to_json_string(again));
	json_object_put(again);
	dhcp_lease_table_free(u);
	u = table(24, 0);
	assert_int_equal(dhcp_lease_import(u, j, T0 + 3600), 1);	/* b only */
	json_object_put(j);
	dhcp_lease_table_free(u);
	dhcp_lease_table_free(t);
}

static void test_import_rejects(void **state)
{
	struct dhcp_lease_table *t = table(24, 0);
	const char *bad_top[] = {
		"[]", "{}", "{\"version\":2,\"leases\":[]}",
		"{\"version\":1,\"leases\":{}}",
	};
	const char *entries = "{\"version\":1,\"leases\":["
		"{\"ip\":\"10.89.0.9\",\"mac\":\"02:00:00:00:00:09\","
		"\"state\":\"bound\",\"expires\":1800000000},"
		"{\"ip\":\"10.89.0.1\",\"mac\":\"02:00:00:00:00:01\","
		"\"state\":\"bound\",\"expires\":1800000000},"
		"{\"ip\":\"10.89.1.9\",\"mac\":\"02:00:00:00:00:02\","
		"\"state\":\"bound\",\"expires\":1800000000},"
		"{\"ip\":\"10.89.0.10\",\"mac\":\"02:00:00:00:00:03\","
		"\"state\":\"weird\",\"expires\":1800000000},"
		"{\"ip\":\"10.89.0.11\",\"mac\":\"02:00:00:00:00:04\","
		"\"client_id\":\"0g\",\"state\":\"bound\",\"expires\":1800000000},"
		"{\"ip\":\"10.89.0.12\",\"mac\":\"nope\","
		"\"state\":\"bound\",\"expires\":1800000000},"
		"{\"ip\":\"10.89.0.9\",\"mac\":\"02:00:00:00:00:05\","
		"\"state\":\"bound\",\"expires\":1800000000},"
		"7]}";
	struct json_object *j;
	size_t i;

	for (i = 0; i < sizeof(bad_top) / sizeof(bad_top[0]); i++) {
		j = json_tokener_parse(bad_top[i]);
		assert_int_equal(dhcp_lease_import(t, j, T0), -EINVAL);
		json_object_put(j);
	}
	assert_int_equal(dhcp_lease_import(t, NULL, T0), -EINVAL);
	j = json_tokener_parse(entries);
	assert_non_null(j);
	assert_int_equal(dhcp_lease_import(t, j, T0), 1);
	json_object_put(j);
	dhcp_lease_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_invalid),
		cmocka_unit_test(test_static_by_mac_wins),
		cmocka_unit_test(test_static_add_rules),
		cmocka_unit_test(test_pool_exhaustion),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_decline_excluded),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_client_id_vs_mac),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_export_import),
		cmocka_unit_test(test_import_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
