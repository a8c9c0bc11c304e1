// SPDX-License-Identifier: MIT
/*
 * test_cli_fmt.c - the CLI's pure helpers: option parsers, time and list
 * formatting (cli/fmt.c), tables (cli/table.c) and the namespace guest's
 * reading of a guest interface (cli/netns.c: netns_iface_from_json)
 *
 * The CLI is an executable, not a library, so its sources are compiled in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cli/fmt.c"
#include "cli/table.c"
#include "cli/netns.c"

static void test_parse_label(void **state)
{
	struct json_object *l = json_object_new_object(), *v;

	assert_int_equal(fmt_parse_label("k=v", l), 0);
	assert_true(json_object_object_get_ex(l, "k", &v));
	assert_string_equal(json_object_get_string(v), "v");
	assert_int_equal(fmt_parse_label("e=", l), 0);		/* empty value ok */
	assert_int_equal(fmt_parse_label("a=b=c", l), 0);	/* value keeps '=' */
	assert_true(json_object_object_get_ex(l, "a", &v));
	assert_string_equal(json_object_get_string(v), "b=c");
	assert_int_equal(fmt_parse_label("=v", l), -EINVAL);	/* empty key */
	assert_int_equal(fmt_parse_label("novalue", l), -EINVAL);
	json_object_put(l);
}

static void test_parse_signal(void **state)
{
	assert_int_equal(fmt_parse_signal("TERM"), SIGTERM);
	assert_int_equal(fmt_parse_signal("SIGKILL"), SIGKILL);
	assert_int_equal(fmt_parse_signal("hup"), SIGHUP);
	assert_int_equal(fmt_parse_signal("sigusr1"), SIGUSR1);
	assert_int_equal(fmt_parse_signal("9"), 9);
	assert_int_equal(fmt_parse_signal("0"), -EINVAL);
	assert_int_equal(fmt_parse_signal("65"), -EINVAL);
	assert_int_equal(fmt_parse_signal("NOPE"), -EINVAL);
	assert_int_equal(fmt_parse_signal(""), -EINVAL);
}

static void test_parse_uint(void **state)
{
	unsigned long v;

	assert_int_equal(fmt_parse_uint("1500", 68, 65520, &v), 0);
	assert_int_equal(v, 1500);
	assert_int_equal(fmt_parse_uint("67", 68, 65520, &v), -EINVAL);
	assert_int_equal(fmt_parse_uint("65521", 68, 65520, &v), -EINVAL);
	assert_int_equal(fmt_parse_uint("-1", 0, 10, &v), -EINVAL);
	assert_int_equal(fmt_parse_uint("12x", 0, 100, &v), -EINVAL);
	assert_int_equal(fmt_parse_uint("", 0, 100, &v), -EINVAL);
}

static void test_time(void **state)
{
	char buf[64];
	time_t t;

	assert_int_equal(fmt_parse_time("1970-01-01T00:01:00Z", &t), 0);
	assert_int_equal(t, 60);
	assert_int_equal(fmt_parse_time("2026-11-23T10:00:00.250Z", &t), 0);
	assert_int_equal(fmt_parse_time("2026-11-23T10:00:00", &t), -EINVAL);
	assert_int_equal(fmt_parse_time("yesterday", &t), -EINVAL);
	assert_string_equal(fmt_ago(100, 100, buf, sizeof(buf)), "just now");
	assert_string_equal(fmt_ago(100, 200, buf, sizeof(buf)), "1 minute ago");
	assert_string_equal(fmt_ago(0, 59, buf, sizeof(buf)), "59 seconds ago");
	assert_string_equal(fmt_ago(0, 2 * 86400 + 5, buf, sizeof(buf)), "2 days ago");
	assert_string_equal(fmt_ago(200, 100, buf, sizeof(buf)), "just now");
	assert_string_equal(fmt_duration(0, buf, sizeof(buf)), "0s");
	assert_string_equal(fmt_duration(3725, buf, sizeof(buf)), "1h 2m 5s");
	assert_string_equal(fmt_duration(90061, buf, sizeof(buf)), "1d 1h 1m 1s");
}

static void test_join(void **state)
{
	struct json_object *a = json_object_new_array();
	char buf[64];

	assert_string_equal(fmt_join(a, ",", 0, buf, sizeof(buf)), "");
	json_object_array_add(a, json_object_new_string("sh"));
	json_object_array_add(a, json_object_new_int(7));	/* skipped */
	json_object_array_add(a, json_object_new_string("-c"));
	json_object_array_add(a, json_object_new_string("exit 3"));
	assert_string_equal(fmt_join(a, " ", 0, buf, sizeof(buf)), "sh -c exit 3");
	assert_string_equal(fmt_join(a, " ", 8, buf, sizeof(buf)), "sh -c...");
	assert_string_equal(fmt_join(a, " ", 0, buf, 6), "sh -c");	/* bounded */
	assert_string_equal(fmt_join(NULL, " ", 0, buf, sizeof(buf)), "");
	json_object_put(a);
}

static void test_table(void **state)
{
	static const char *const hdr[] = { "NAME", "MTU", "SOURCE" };
	const char *r1[] = { "default", "1500", "default" };
	const char *r2[] = { "a", NULL, "cli" };
	struct table *t = table_new(hdr, 3);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(t);
	assert_int_equal(table_add(t, r1), 0);
	assert_int_equal(table_add(t, r2), 0);
	table_print(t, f);
	fclose(f);
	assert_string_equal(out,
			    "NAME     MTU   SOURCE\n"
			    "default  1500  default\n"
			    "a              cli\n");
	free(out);
	table_free(t);
}

static struct json_object *iface(void)
{
	return json_tokener_parse(
		"{\"network\": \"default\", \"ifname\": \"eth0\", \"mac\": \"02:6d:76:00:00:02\","
		" \"ip\": \"10.89.0.2\", \"prefix\": 24, \"gateway\": \"10.89.0.1\", \"mtu\": 1500,"
		" \"default_route\": true, \"dns\": \"10.89.0.1\", \"domain\": \"default.mvm\"}");
}

static void test_iface_from_json(void **state)
{
	static const char *const keys[] = { "ifname", "mac", "ip", "prefix",
					     "gateway", "mtu" };
	struct netns_iface f;
	struct json_object *o = iface();
	char err[128];
	size_t i;

	assert_int_equal(netns_iface_from_json(o, &f, err, sizeof(err)), 0);
	assert_string_equal(f.ifname, "eth0");
	assert_int_equal(f.ip, 0x0a590002);
	assert_int_equal(f.prefix, 24);
	assert_int_equal(f.gateway, 0x0a590001);
	assert_int_equal(f.mtu, 1500);
	assert_true(f.default_route);
	assert_int_equal(f.dns, 0x0a590001);
	assert_string_equal(f.domain, "default.mvm");
	assert_int_equal(f.mac[5], 2);
	json_object_put(o);

	/* every required key, missing, is reported by name */
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		o = iface();
		json_object_object_del(o, keys[i]);
		assert_int_equal(netns_iface_from_json(o, &f, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, keys[i]));
		json_object_put(o);
	}
	/* one bad value at a time */
	o = iface();
	json_object_object_add(o, "prefix", json_object_new_int(33));
	assert_int_equal(netns_iface_from_json(o, &f, err, sizeof(err)), -EINVAL);
	json_object_put(o);
	o = iface();
	json_object_object_add(o, "mtu", json_object_new_int(67));
	assert_int_equal(netns_iface_from_json(o, &f, err, sizeof(err)), -EINVAL);
	json_object_put(o);
	o = iface();
	json_object_object_add(o, "ifname", json_object_new_string("a-very-long-ifname0"));
	assert_int_equal(netns_iface_from_json(o, &f, err, sizeof(err)), -EINVAL);
	json_object_put(o);
	/* optional: no dns, no domain, no default_route */
	o = iface();
	json_object_object_del(o, "dns");
	json_object_object_del(o, "domain");
	json_object_object_del(o, "default_route");
	assert_int_equal(netns_iface_from_json(o, &f, err, sizeof(err)), 0);
	assert_int_equal(f.dns, 0);
	assert_string_equal(f.domain, "");
	assert_false(f.default_route);
	json_object_put(o);
}

static void test_resolv_text(void **state)
{
	struct netns_config c = { .n_ifaces = 3 };
	char buf[512];

	c.ifaces[0] = (struct netns_iface){ .dns = 0x0a4d0001, .domain = "lab.mvm" };
	c.ifaces[1] = (struct netns_iface){ .dns = 0x0a590001, .domain = "default.mvm",
					    .default_route = 1 };
	c.ifaces[2] = (struct netns_iface){ .dns = 0x0a590001, .domain = "default.mvm" };
	resolv_text(&c, buf, sizeof(buf));
	/* the default-route network first, duplicates once */
	assert_string_equal(buf, "nameserver 10.89.0.1\nnameserver 10.77.0.1\n"
				 "search default.mvm lab.mvm\n");
	c.n_ifaces = 0;
	resolv_text(&c, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_label),
		cmocka_unit_test(test_parse_signal),
		cmocka_unit_test(test_parse_uint),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_iface_from_json),
		cmocka_unit_test(test_resolv_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
