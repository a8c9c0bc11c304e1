// SPDX-License-Identifier: MIT
/*
 * test_services.c - mvmd's side of the gateway services (mvmd/services.c):
 * aliases, static leases, names and views following the guests, upstreams
 * from the environment, leases in state.json
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mvmd_testlib.h"

#include "mvmd/guest.h"
#include "mvmd/network.h"
#include "mvmd/services.h"
#include "mvmd/state.h"
#include "gateway/gateway.h"
#include "vswitch/vsw.h"

static void test_aliases(void **state)
{
	struct json_object *r, *a;
	struct tmvmd t;

	(void)state;
	tmvmd_start(&t, NULL, 0);
	r = call_ok(&t, "{\"op\":\"guest.create\",\"args\":{\"name\":\"web\","
		    "\"aliases\":[\"www\",\"api\"]}}");
	assert_true(json_object_object_get_ex(reply_result(r), "aliases", &a));
	assert_int_equal(json_object_array_length(a), 2);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(a, 1)),
			    "api");
	json_object_put(r);
	json_object_put(call_err(&t, "EINVAL", "{\"op\":\"guest.create\",\"args\":"
				 "{\"aliases\":[\"Bad_name\"]}}"));
	json_object_put(call_err(&t, "EINVAL", "{\"op\":\"guest.create\",\"args\":"
				 "{\"aliases\":\"www\"}}"));
	json_object_put(call_err(&t, "EINVAL", "{\"op\":\"guest.create\",\"args\":"
		"{\"aliases\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\","
		"\"j\",\"k\",\"l\",\"m\",\"n\",\"o\",\"p\",\"q\"]}}"));
	tmvmd_stop(&t);
	tmvmd_cleanup(&t);
}

static void test_names(void **state)
{
	struct network *keep, *def;
	struct guest *g;
	struct tmvmd t;
	uint32_t ik, id;

	(void)state;
	tmvmd_start(&t, NULL, 0);
	json_object_put(call_ok(&t, "{\"op\":\"network.create\",\"args\":{\"name\":\"keep\","
				"\"subnet\":\"10.248.0.0/24\"}}"));
	json_object_put(call_ok(&t, "{\"op\":\"guest.create\",\"args\":{\"name\":\"two\","
				"\"networks\":[\"keep\",\"default\"],\"aliases\":[\"www\"]}}"));
	keep = net_find(&t.d, "keep");
	def = net_find(&t.d, "default");
	g = guest_find(&t.d, "two");
	ik = g->ifs[0].ip;
	id = g->ifs[1].ip;

	/* created: static leases, no names yet */
	assert_true(gw_dhcp_ip_in_use(keep->gateway, ik));
	assert_true(gw_dhcp_ip_in_use(def->gateway, id));
	assert_int_equal(gw_dns_owner_add(keep->gateway, "default.mvm", id, "x",
					   NULL, 0, id), -ENOENT);

	/* running: its names in both zones, each switch replicates the other */
	g->state = GUEST_RUNNING;
	g->pid = getpid();
	svc_guest_up(&t.d, g);
	assert_int_equal(gw_dns_owner_add(keep->gateway, NULL, ik, "two", NULL, 0,
					   ik), -EEXIST);
	assert_int_equal(gw_dns_owner_add(def->gateway, NULL, id, "two", NULL, 0,
					   id), -EEXIST);
	assert_int_equal(gw_dns_owner_add(keep->gateway, "default.mvm", id, "two",
					   NULL, 0, id), -EEXIST);
	assert_int_equal(gw_dns_owner_add(def->gateway, "keep.mvm", ik, "two",
					   NULL, 0, ik), -EEXIST);
	svc_guest_up(&t.d, g);		/* a reattach: idempotent */

	/* it exits: names, views, replicas and leases go */
	guest_exited(&t.d, g, 0);
	assert_false(gw_dhcp_ip_in_use(keep->gateway, ik));
	assert_int_equal(gw_dns_owner_add(keep->gateway, "default.mvm", id, "x",
					   NULL, 0, id), -ENOENT);
	assert_int_equal(gw_dns_owner_add(keep->gateway, NULL, ik, "two", NULL, 0,
					   ik), 0);
	tmvmd_stop(&t);
	tmvmd_cleanup(&t);
}

static void test_upstreams_and_leases(void **state)
{
	struct json_object *r, *st, *v;
	struct tmvmd t;
	char path[256];

	(void)state;
	setenv(SVC_ENV_UPSTREAMS, "127.0.0.1:5999, [::1]:53", 1);
	tmvmd_start(&t, NULL, 0);
	unsetenv(SVC_ENV_UPSTREAMS);
	assert_int_equal(t.d.n_upstreams, 2);
	assert_string_equal(t.d.upstreams[0], "127.0.0.1:5999");
	assert_string_equal(t.d.upstreams[1], "[::1]:53");

	r = call_ok(&t, "{\"op\":\"network.inspect\",\"args\":{\"name\":\"default\"}}");
	assert_true(json_object_object_get_ex(reply_result(r), "stats", &st));
	assert_true(json_object_object_get_ex(st, "dhcp", &v));
	assert_true(json_object_object_get_ex(st, "dns", &v));
	json_object_put(r);

	assert_int_equal(state_save(&t.d), 0);
	snprintf(path, sizeof(path), "%s/state/state.json", t.dir);
	r = json_object_from_file(path);
	assert_non_null(r);
	assert_true(json_object_object_get_ex(r, "leases", &v));
	assert_true(json_object_object_get_ex(v, "default", &v));
	json_object_put(r);
	tmvmd_stop(&t);
	tmvmd_cleanup(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_upstreams_and_leases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
