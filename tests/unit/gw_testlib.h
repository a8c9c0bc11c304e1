/* SPDX-License-Identifier: MIT */
/*
 * gw_testlib.h - a switch with its gateway, for the tests that drive both
 *
 * testlib_switch() makes what mvmd makes for a network: a switch and a
 * gateway attached to it at @gw_ip. testlib_gw() finds the gateway of a
 * switch made here again, so tests can keep passing the switch around.
 */
#ifndef MVM_TESTS_GW_TESTLIB_H
#define MVM_TESTS_GW_TESTLIB_H

#include <stdlib.h>
#include <string.h>

#include "gateway/gateway.h"
#include "vswitch/vsw.h"

#define TESTLIB_SWITCHES	8

static struct {
	struct vsw *sw;
	struct gw *gw;
} testlib_sw[TESTLIB_SWITCHES];

/* a switch named @name with a gateway @mac at @gw_ip on @net/24 */
static inline struct vsw *testlib_switch(const char *name, uint32_t gw_ip,
					 uint32_t net, unsigned fdb_max,
					 const uint8_t mac[6])
{
	struct vsw_config vc = { .name = name, .fdb_max = fdb_max };
	struct gw_config gc = {
		.ip = gw_ip, .subnet = { .addr = net, .prefix = 24 },
		.mtu = 1500,
	};
	struct vsw *sw = NULL;
	struct gw *gw = NULL;
	unsigned i;

	memcpy(gc.mac, mac, 6);
	if (vsw_create(&vc, &sw) || gw_attach(sw, &gc, &gw))
		abort();
	for (i = 0; i < TESTLIB_SWITCHES; i++) {
		if (!testlib_sw[i].sw || testlib_sw[i].sw == sw) {
			testlib_sw[i].sw = sw;
			testlib_sw[i].gw = gw;
			return sw;
		}
	}
	abort();
}

/* the gateway of @sw (made by testlib_switch()) */
static inline struct gw *testlib_gw(struct vsw *sw)
{
	unsigned i;

	for (i = 0; i < TESTLIB_SWITCHES; i++)
		if (testlib_sw[i].sw == sw)
			return testlib_sw[i].gw;
	abort();
}

/* vsw_destroy() and forget the pair */
static inline void testlib_switch_destroy(struct vsw *sw)
{
	unsigned i;

	for (i = 0; i < TESTLIB_SWITCHES; i++)
		if (testlib_sw[i].sw == sw)
			testlib_sw[i].sw = NULL;
	vsw_destroy(sw);
}

/* vsw_stats() with the gateway's counters, as mvmd shows them */
static inline struct json_object *testlib_stats(struct vsw *sw)
{
	struct json_object *o = vsw_stats(sw);

	gw_stats_json(testlib_gw(sw), o);
	return o;
}

#endif
