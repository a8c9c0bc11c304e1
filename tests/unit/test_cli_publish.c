// SPDX-License-Identifier: MIT
/*
 * test_cli_publish.c - `mvm run --publish`: the strict parser and the PORTS
 * column's format (cli/publish.c, compiled in: the CLI is no library)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cli/publish.c"

static struct cli_pub ok(const char *s)
{
	struct cli_pub p;
	char why[128];

	if (cli_pub_parse(s, &p, why, sizeof(why)))
		fail_msg("'%s' refused: %s", s, why);
	return p;
}

/* @s is refused and the reason holds @want */
static void bad(const char *s, const char *want)
{
	struct cli_pub p = { .host_port = 4242 };
	char why[128];

	assert_int_equal(cli_pub_parse(s, &p, why, sizeof(why)), -EINVAL);
	if (!strstr(why, want))
		fail_msg("'%s': reason '%s' lacks '%s'", s, why, want);
	assert_int_equal(p.host_port, 4242);	/* untouched on failure */
}

static void test_parse_ok(void **state)
{
	struct cli_pub p;

	(void)state;
	p = ok("8080:80");
	assert_int_equal(p.host_ip, 0x7f000001);	/* loopback by default */
	assert_int_equal(p.host_port, 8080);
	assert_int_equal(p.guest_port, 80);
	assert_false(p.udp);
	p = ok("0.0.0.0:8080:80");
	assert_int_equal(p.host_ip, 0);
	p = ok("192.168.1.5:1:65535/tcp");
	assert_int_equal(p.host_ip, 0xc0a80105);
	assert_int_equal(p.host_port, 1);
	assert_int_equal(p.guest_port, 65535);
	assert_false(p.udp);
	p = ok("127.0.0.2:5353:53/udp");
	assert_int_equal(p.host_ip, 0x7f000002);
	assert_true(p.udp);
}

static void test_parse_bad(void **state)
{
	(void)state;
	bad("80", "both the host port and the guest port");
	bad("", "both");
	bad(":80", "a port is missing");
	bad("80:", "a port is missing");
	bad("8080:80/", "unknown protocol ''");
	bad("8080:80/UDP", "unknown protocol 'UDP'");
	bad("8080:80/sctp", "unknown protocol 'sctp'");
	bad("8080:80/udp/tcp", "unknown protocol");
	bad("0:80", "port 0 is out of range");
	bad("8080:65536", "port 65536 is out of range");
	bad("8080:99999999999999999999", "out of range");
	bad("+80:80", "'+80' is not a port");
	bad("80:-1", "'-1' is not a port");
	bad(" 80:80", "not a port");
	bad("80:80 ", "not a port");
	bad("8080-8081:80", "not a port");
	bad("1.2.3:8080:80", "'1.2.3' is not an IPv4 address");
	bad("localhost:8080:80", "'localhost' is not an IPv4");
	bad(":8080:80", "'' is not an IPv4");
	bad("256.0.0.1:8080:80", "not an IPv4");
	bad("::1:8080:80", "not an IPv4");
	bad("[::1]:8080:80", "not an IPv4");
	bad("1.2.3.4:5:6:7", "not an IPv4");
}

static void test_json_roundtrip(void **state)
{
	struct cli_pub p = ok("0.0.0.0:5353:53/udp");
	struct json_object *o = cli_pub_to_json(&p), *v;
	char buf[96];

	(void)state;
	assert_true(json_object_object_get_ex(o, "host_ip", &v));
	assert_string_equal(json_object_get_string(v), "0.0.0.0");
	assert_true(json_object_object_get_ex(o, "host_port", &v));
	assert_int_equal(json_object_get_int(v), 5353);
	assert_true(json_object_object_get_ex(o, "guest_port", &v));
	assert_int_equal(json_object_get_int(v), 53);
	assert_true(json_object_object_get_ex(o, "proto", &v));
	assert_string_equal(json_object_get_string(v), "udp");
	assert_string_equal(cli_pub_format(o, buf, sizeof(buf)),
			    "0.0.0.0:5353->53/udp");
	json_object_object_del(o, "guest_port");	/* malformed: "" */
	assert_string_equal(cli_pub_format(o, buf, sizeof(buf)), "");
	json_object_put(o);
	o = cli_pub_to_json(&(struct cli_pub){ .host_ip = 0x7f000001,
					       .host_port = 8080,
					       .guest_port = 80 });
	assert_string_equal(cli_pub_format(o, buf, sizeof(buf)),
			    "127.0.0.1:8080->80/tcp");
	assert_string_equal(cli_pub_format(o, buf, 8), "127.0.0");	/* bounded */
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_json_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
