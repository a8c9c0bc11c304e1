// SPDX-License-Identifier: MIT
/*
 * test_config_nat.c - the NAT keys of mvm.conf networks (mvmd/config.c):
 * host_access, max_flows, max_flows_per_guest and the publish list
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config_testlib.h"

static void test_defaults(void **state)
{
	struct cfg c = load("networks = { a = { }; };\n");
	const struct cfg_network *n = net(&c, "a");

	(void)state;
	assert_int_equal(c.n_errors, 0);
	assert_non_null(n);
	assert_int_equal(n->host_access, -1);	/* by mode */
	assert_int_equal(n->max_flows, 0);
	assert_int_equal(n->max_flows_guest, 0);
	assert_int_equal(n->n_publish, 0);
	cfg_free(&c);
}

static void test_host_access(void **state)
{
	struct cfg c = load("networks = {\n"
			    "  a = { host_access = true; };\n"
			    "  b = { mode = \"internal\"; host_access = false; };\n"
			    "  c = { host_access = \"yes\"; };\n"
			    "  d = { host_access = 1; };\n"
			    "};\n");

	(void)state;
	assert_int_equal(c.n_errors, 2);
	assert_err(&c, 0, NAME ":4: key 'networks.c.host_access': ",
		   "true or false");
	assert_err(&c, 1, NAME ":5: key 'networks.d.host_access': ",
		   "true or false");
	assert_int_equal(net(&c, "a")->host_access, 1);
	assert_int_equal(net(&c, "b")->host_access, 0);
	assert_null(net(&c, "c"));
	assert_null(net(&c, "d"));
	cfg_free(&c);
}

static void test_max_flows(void **state)
{
	struct cfg c = load("networks = {\n"
			    "  a = { max_flows = 100; max_flows_per_guest = 5; };\n"
			    "  b = { max_flows = 0; };\n"
			    "  c = { max_flows = 1048577; };\n"
			    "  d = { max_flows_per_guest = \"5\"; };\n"
			    "  e = { max_flows = 10;\n"
			    "        max_flows_per_guest = 11; };\n"
			    "  f = { max_flows_per_guest = 9000; };\n"	/* > 8192 */
			    "  g = { max_flows = 1048576; max_flows_per_guest = 1; };\n"
			    "};\n");
	const struct cfg_network *n;

	(void)state;
	assert_int_equal(c.n_errors, 5);
	assert_err(&c, 0, NAME ":3: key 'networks.b.max_flows': ",
		   "0 is out of range 1..1048576");
	assert_err(&c, 1, NAME ":4: key 'networks.c.max_flows': ",
		   "1048577 is out of range");
	assert_err(&c, 2, NAME ":5: key 'networks.d.max_flows_per_guest': ",
		   "must be an integer");
	assert_err(&c, 3, NAME ":7: key 'networks.e.max_flows_per_guest': ",
		   "11 is more than the network's max_flows (10)");
	assert_err(&c, 4, NAME ":8: key 'networks.f.max_flows_per_guest': ",
		   "(8192)");
	n = net(&c, "a");
	assert_non_null(n);
	assert_int_equal(n->max_flows, 100);
	assert_int_equal(n->max_flows_guest, 5);
	n = net(&c, "g");
	assert_non_null(n);
	assert_int_equal(n->max_flows, 1048576);
	assert_int_equal(n->max_flows_guest, 1);
	assert_int_equal(c.n_networks, 2);
	cfg_free(&c);
}

static void test_publish(void **state)
{
	struct cfg c = load("networks = { a = { publish = (\n"
			    "  { guest = \"web\"; host = \"127.0.0.1:8080\"; port = 80; proto = \"tcp\"; },\n"
			    "  { guest = \"web\"; host = \"8443\"; port = 443; },\n"
			    "  { guest = \"dns\"; host = \"0.0.0.0:5353\"; port = 53; proto = \"udp\"; },\n"
			    "  { guest = \"db\"; host = 5432; port = 5432; }\n"
			    "); }; };\n");
	const struct cfg_network *n = net(&c, "a");
	const struct cfg_publish *p;

	(void)state;
	assert_int_equal(c.n_errors, 0);
	assert_non_null(n);
	assert_int_equal(n->n_publish, 4);
	p = &n->publish[0];
	assert_string_equal(p->guest, "web");
	assert_int_equal(p->proto, IPPROTO_TCP);
	assert_int_equal(p->host_ip, 0x7f000001);
	assert_int_equal(p->host_port, 8080);
	assert_int_equal(p->port, 80);
	assert_int_equal(p->line, 2);
	p = &n->publish[1];	/* address and protocol default */
	assert_int_equal(p->host_ip, 0x7f000001);
	assert_int_equal(p->host_port, 8443);
	assert_int_equal(p->proto, IPPROTO_TCP);
	p = &n->publish[2];
	assert_int_equal(p->host_ip, 0);
	assert_int_equal(p->proto, IPPROTO_UDP);
	assert_int_equal(p->port, 53);
	p = &n->publish[3];	/* host as a bare integer */
	assert_int_equal(p->host_port, 5432);
	cfg_free(&c);
}

static void test_publish_errors(void **state)
{
	struct cfg c = load("networks = {\n"
			    "  a = { publish = ( { host = \"8080\"; port = 80; } ); };\n"
			    "  b = { publish = ( { guest = \"w\"; host = \"1.2.3:80\"; port = 80; } ); };\n"
			    "  c = { publish = ( { guest = \"w\"; host = \"80\"; port = 70000; } ); };\n"
			    "  d = { publish = ( { guest = \"w\"; host = \"80\"; port = 80; proto = \"sctp\"; } ); };\n"
			    "  e = { publish = ( { guest = \"w\"; host = \"80\"; port = 80; color = 1; } ); };\n"
			    "  f = { publish = ( { guest = \"w\"; host = \"8080\"; port = 80; },\n"
			    "                    { guest = \"v\"; host = \"0.0.0.0:8080\"; port = 81; } ); };\n"
			    "  g = { publish = ( { guest = \"w\"; host = \"x:80\"; port = 80; } ); };\n"
			    "  h = { publish = ( { guest = \"w\"; host = \"0\"; port = 80; } ); };\n"
			    "  i = { publish = [ \"8080:80\" ]; };\n"
			    "  j = { publish = ( { guest = \"w\"; port = 80; } ); };\n"
			    /* the same port over UDP and TCP is fine */
			    "  k = { publish = ( { guest = \"w\"; host = \"53\"; port = 53; },\n"
			    "                    { guest = \"w\"; host = \"53\"; port = 53; proto = \"udp\"; } ); };\n"
			    "};\n");

	(void)state;
	assert_int_equal(c.n_errors, 10);
	assert_err(&c, 0, NAME ":2: key 'networks.a.publish[0]': ", "needs guest");
	assert_err(&c, 1, NAME ":3: key 'networks.b.publish[0].host': ",
		   "not a host port");
	assert_err(&c, 2, NAME ":4: key 'networks.c.publish[0].port': ",
		   "70000 is out of range 1..65535");
	assert_err(&c, 3, NAME ":5: key 'networks.d.publish[0].proto': ",
		   "unknown protocol \"sctp\"");
	assert_err(&c, 4, NAME ":6: key 'networks.e.publish[0].color': ",
		   "unknown key");
	assert_err(&c, 5, NAME ":8: key 'networks.f.publish[1].host': ",
		   "the same host port as the publish entry on line 7");
	assert_err(&c, 6, NAME ":9: key 'networks.g.publish[0].host': ", NULL);
	assert_err(&c, 7, NAME ":10: key 'networks.h.publish[0].host': ", NULL);
	assert_err(&c, 8, NAME ":11: key 'networks.i.publish': ", "list of groups");
	assert_err(&c, 9, NAME ":12: key 'networks.j.publish[0]': ", "needs host");
	assert_int_equal(c.n_networks, 1);
	assert_int_equal(net(&c, "k")->n_publish, 2);
	cfg_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_host_access),
		cmocka_unit_test(test_max_flows),
		cmocka_unit_test(test_publish),
		cmocka_unit_test(test_publish_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
