// SPDX-License-Identifier: MIT
/* test_config.c - unit tests for mvm.conf parsing (mvmd/config.c) */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config_testlib.h"

/* snprintf() that fails the test on truncation */
__attribute__((format(printf, 3, 4)))
static void fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int r;

	va_start(ap, f);
	r = vsnprintf(buf, size, f, ap);
	va_end(ap);
	assert_true(r >= 0 && (size_t)r < size);
}

static void test_example_conf(void **state)
{
	char path[PATH_MAX], dir[PATH_MAX];
	const struct cfg_network *n;
	struct cfg c;
	char *slash;

	/* tests/unit/test_config.c -> config/example.conf */
	fmt(path, sizeof(path), "%s", __FILE__);
	slash = strrchr(path, '/');
	assert_non_null(slash);
	*slash = '\0';
	fmt(dir, sizeof(dir), "%s/../../config", path);
	fmt(path, sizeof(path), "%s/example.conf", dir);

	assert_int_equal(cfg_load(path, &c), 0);
	for (size_t i = 0; i < c.n_errors; i++)
		print_error("%s\n", c.errors[i]);
	assert_int_equal(c.n_errors, 0);
	assert_int_equal(c.n_networks, 3);
	assert_string_equal(c.path, path);

	n = net(&c, "lab");
	assert_non_null(n);
	assert_int_equal(n->internal, 0);
	assert_int_equal(n->has_subnet, 1);
	assert_int_equal(n->subnet.addr, 0x0a320000);
	assert_int_equal(n->subnet.prefix, 24);
	assert_int_equal(n->mtu, 9000);
	assert_int_equal(n->n_labels, 2);
	assert_string_equal(n->labels[0].key, "team");
	assert_string_equal(n->labels[0].value, "net");
	assert_string_equal(n->labels[1].key, "env");
	assert_string_equal(n->labels[1].value, "dev");
	assert_string_equal(n->pcap_filter, "not arp");
	/* relative pcap path: beside the config file, made absolute */
	fmt(path, sizeof(path), "%s/lab.pcap", dir);
	assert_int_equal(n->pcap[0], '/');
	assert_non_null(strstr(n->pcap, path[0] == '/' ? path : dir));
	assert_string_equal(n->pcap + strlen(n->pcap) - 16, "/config/lab.pcap");
	assert_string_equal(n->domain, "lab.example");
	assert_int_equal(n->n_upstreams, 2);
	assert_string_equal(n->upstreams[1], "192.0.2.54:5353");
	assert_int_equal(n->n_statics, 1);
	assert_int_equal(n->statics[0].ip, 0x0a3200c8);
	assert_string_equal(n->statics[0].hostname, "printer");
	assert_int_equal(n->n_aliases, 1);
	assert_string_equal(n->aliases[0].guest, "postgres1");
	assert_int_equal(n->n_publish, 2);
	assert_string_equal(n->publish[0].guest, "postgres1");
	assert_int_equal(n->publish[0].host_port, 15432);
	assert_int_equal(n->publish[0].port, 5432);
	assert_int_equal(n->publish[1].host_ip, 0x7f000001);
	assert_int_equal(n->host_access, 1);
	assert_int_equal(n->max_flows, 8192);
	assert_int_equal(n->max_flows_guest, 2048);

	n = net(&c, "isolated");
	assert_non_null(n);
	assert_int_equal(n->internal, 1);
	assert_int_equal(n->has_subnet, 0);
	assert_int_equal(n->mtu, 0);
	assert_string_equal(n->pcap, "");

	n = net(&c, "default");
	assert_non_null(n);
	assert_int_equal(n->mtu, 1500);
	cfg_free(&c);
}

static void test_defaults(void **state)
{
	struct cfg c = load("networks = { a = {}; };\n");
	const struct cfg_network *n;

	assert_int_equal(c.n_errors, 0);
	assert_int_equal(c.n_networks, 1);
	n = &c.networks[0];
	assert_string_equal(n->name, "a");
	assert_int_equal(n->internal, 0);
	assert_int_equal(n->has_subnet, 0);
	assert_int_equal(n->mtu, 0);
	assert_int_equal(n->n_labels, 0);
	assert_string_equal(n->pcap, "");
	assert_string_equal(n->pcap_filter, "");
	assert_int_equal(n->line, 1);
	cfg_free(&c);
}

static void test_empty(void **state)
{
	struct cfg c = load("");

	assert_int_equal(c.n_errors, 0);
	assert_int_equal(c.n_networks, 0);
	cfg_free(&c);

	c = load("# nothing\nnetworks = {};\n");
	assert_int_equal(c.n_errors, 0);
	assert_int_equal(c.n_networks, 0);
	cfg_free(&c);
}

static void test_syntax_error(void **state)
{
	struct cfg c = load("networks = {\n  a = {};\n  b = { mtu = ; };\n};\n");

	assert_int_equal(c.n_errors, 1);
	assert_err(&c, 0, NAME ":3: syntax error: ", NULL);
	assert_int_equal(c.n_networks, 0);	/* nothing from a broken file */
	cfg_free(&c);

	/* libconfig refuses duplicate names itself */
	c = load("networks = {\n  a = {};\n  a = {};\n};\n");
	assert_int_equal(c.n_errors, 1);
	assert_err(&c, 0, NAME ":3: syntax error: ", "duplicate");
	assert_int_equal(c.n_networks, 0);
	cfg_free(&c);

	c = load("networks = {\n  a = { mtu = 1500 \"x\"; };\n};\n");
	assert_int_equal(c.n_errors, 1);
	assert_err(&c, 0, NAME ":2: syntax error: ", NULL);
	cfg_free(&c);
}

static void test_unknown_keys(void **state)
{
	struct cfg c = load("networks = {\n"
			    "  a = { mode = \"nat\";\n"
			    "        mtuu = 1400; };\n"
			    "  b = {};\n"
			    "};\n"
			    "netwroks = {};\n");

	assert_int_equal(c.n_errors, 2);
	assert_err(&c, 0, NAME ":3: key 'networks.a.mtuu': ", "unknown key");
	assert_err(&c, 1, NAME ":6: key 'netwroks': ", "unknown key");
	assert_int_equal(c.n_networks, 1);	/* b still loads */
	assert_string_equal(c.networks[0].name, "b");
	cfg_free(&c);
}

static void test_mode(void **state)
{
	struct cfg c = load("networks = {\n"
			    "  a = { mode = \"internal\"; };\n"
			    "  b = { mode = \"nat\"; };\n"
			    "  c = { mode = \"bridge\"; };\n"
			    "  d = { mode = 1; };\n"
			    "};\n");

	assert_int_equal(c.n_errors, 2);
	assert_err(&c, 0, NAME ":4: key 'networks.c.mode': ", "\"bridge\"");
	assert_err(&c, 1, NAME ":5: key 'networks.d.mode': ", "string");
	assert_int_equal(c.n_networks, 2);
	assert_int_equal(net(&c, "a")->internal, 1);
	assert_int_equal(net(&c, "b")->internal, 0);
	cfg_free(&c);
}

static void test_domain(void **state)
{
	struct cfg c = load("networks = {\n"
			    "  a = { domain = \"Custom.Test\"; };\n"
			    "  b = { domain = \"bad..name\"; };\n"
			    "  c = { domain = \"-x.test\"; };\n"
			    "  d = { domain = \"x.test.\"; };\n"
			    "  e = { domain = \"under_score.test\"; };\n"
			    "  f = { domain = 5; };\n"
			    "  g = {};\n"
			    "};\n");

	assert_int_equal(c.n_errors, 5);
	assert_err(&c, 0, NAME ":3: key 'networks.b.domain': ", "not a DNS name");
	assert_err(&c, 1, NAME ":4: key 'networks.c.domain': ", "not a DNS name");
	assert_err(&c, 2, NAME ":5: key 'networks.d.domain': ", "not a DNS name");
	assert_err(&c, 3, NAME ":6: key 'networks.e.domain': ", "not a DNS name");
	assert_err(&c, 4, NAME ":7: key 'networks.f.domain': ", "string");
	assert_int_equal(c.n_networks, 2);
	assert_string_equal(net(&c, "a")->domain, "custom.test");
	assert_string_equal(net(&c, "g")->domain, "");	/* "<name>.mvm" */
	cfg_free(&c);
}

static void test_dns_upstreams(void **state)
{
	struct cfg c = load("networks = {\n"
			    "  a = { dns_upstreams = [ \"127.0.0.1:5353\", \"9.9.9.9\" ]; };\n"
			    "  b = { dns_upstreams = [ \"1.2.3.4:0\" ]; };\n"
			    "  c = { mode = \"internal\";\n"
			    "        dns_upstreams = [ \"1.1.1.1\" ]; };\n"
			    "  d = { dns_upstreams = \"1.1.1.1\"; };\n"
			    "  e = { dns_upstreams = [ \"a\", \"b\", \"c\", \"d\" ]; };\n"
			    "  f = { dns_upstreams = ( \"[::1]:53\" ); };\n"
			    "};\n");

	assert_int_equal(c.n_errors, 4);
	assert_err(&c, 0, NAME ":3: key 'networks.b.dns_upstreams[0]': ",
		   "not a resolver");
	assert_err(&c, 1, NAME ":5: key 'networks.c.dns_upstreams': ",
		   "internal network never forwards");
	assert_err(&c, 2, NAME ":6: key 'networks.d.dns_upstreams': ", "list");
	assert_err(&c, 3, NAME ":7: key 'networks.e.dns_upstreams': ", "1..3");
	assert_int_equal(c.n_networks, 2);
	assert_int_equal(net(&c, "a")->n_upstreams, 2);
	assert_string_equal(net(&c, "a")->upstreams[0], "127.0.0.1:5353");
	assert_string_equal(net(&c, "a")->upstreams[1], "9.9.9.9");
	assert_int_equal(net(&c, "f")->n_upstreams, 1);
	cfg_free(&c);
}

#define ST(mac, ip, host) "{ mac = \"" mac "\"; ip = \"" ip "\"; hostname = \"" host "\"; }"

static void test_static(void **state)
{
	struct cfg c = load("networks = {\n"
			    "  a = { subnet = \"10.9.0.0/24\"; static = (\n"
			    "    " ST("02:00:00:00:00:01", "10.9.0.10", "printer") ",\n"
			    "    " ST("02:00:00:00:00:02", "10.9.0.11", "nas") " ); };\n"
			    "};\n");
	const struct cfg_network *n;

	assert_int_equal(c.n_errors, 0);
	n = net(&c, "a");
	assert_non_null(n);
	assert_int_equal(n->n_statics, 2);
	assert_int_equal(n->statics[0].mac[5], 1);
	assert_int_equal(n->statics[0].ip, 0x0a09000a);
	assert_string_equal(n->statics[0].hostname, "printer");
	assert_int_equal(n->statics[0].line, 3);
	assert_string_equal(n->statics[1].hostname, "nas");
	cfg_free(&c);
}

static void test_static_errors(void **state)
{
	struct cfg c = load("networks = {\n"
			    "  a = { static = ( " ST("02:00:00:00:00:01", "10.9.0.10", "p") " ); };\n"
			    "  b = { subnet = \"10.9.0.0/24\"; static = (\n"
			    "    " ST("02:00:00:00:00:01", "10.9.1.10", "p") ",\n"
			    "    " ST("02:00:00:00:00:02", "10.9.0.1", "q") ",\n"
			    "    " ST("02:00:00:00:00:03", "10.9.0.255", "r") ",\n"
			    "    " ST("03:00:00:00:00:04", "10.9.0.5", "s") ",\n"
			    "    " ST("02:00:00:00:00:05", "10.9.0.6", "Bad_") ",\n"
			    "    { mac = \"02:00:00:00:00:06\"; ip = \"10.9.0.7\"; colour = \"red\"; },\n"
			    "    " ST("02:00:00:00:00:07", "10.9.0.8", "t") ",\n"
			    "    " ST("02:00:00:00:00:08", "10.9.0.8", "u") ",\n"
			    "    " ST("02:00:00:00:00:07", "10.9.0.9", "v") " ); };\n"
			    "  c = { static = { mac = \"x\"; }; };\n"
			    "};\n");

	assert_int_equal(c.n_errors, 11);
	assert_err(&c, 0, NAME ":2: key 'networks.a.static': ", "need a subnet");
	/* during the group: per entry, in order */
	assert_err(&c, 1, NAME ":7: key 'networks.b.static[3].mac': ", "unicast");
	assert_err(&c, 2, NAME ":8: key 'networks.b.static[4].hostname': ",
		   "not a name");
	assert_err(&c, 3, NAME ":9: key 'networks.b.static[5].colour': ",
		   "unknown key");
	assert_err(&c, 4, NAME ":9: key 'networks.b.static[5]': ",
		   "needs hostname");
	assert_err(&c, 5, NAME ":11: key 'networks.b.static[7].ip': ",
		   "same ip as the static lease on line 10");
	assert_err(&c, 6, NAME ":12: key 'networks.b.static[8].mac': ",
		   "same mac as the static lease on line 10");
	/* after the group: against the subnet */
	assert_err(&c, 7, NAME ":4: key 'networks.b.static[0].ip': ",
		   "not inside the subnet 10.9.0.0/24");
	assert_err(&c, 8, NAME ":5: key 'networks.b.static[1].ip': ", "gateway");
	assert_err(&c, 9, NAME ":6: key 'networks.b.static[2].ip': ", "broadcast");
	assert_err(&c, 10, NAME ":13: key 'networks.c.static': ",
		   "list of groups");
	assert_int_equal(c.n_networks, 0);
	cfg_free(&c);
}

static void test_aliases(void **state)
{
	struct cfg c = load("networks = {\n"
			    "  a = { aliases = ( { name = \"db\"; guest = \"postgres1\"; },\n"
			    "                    { name = \"cache\"; guest = \"redis\"; } ); };\n"
			    "  b = { aliases = ( { name = \"db\"; } ); };\n"
			    "  c = { aliases = ( { name = \"DB!\"; guest = \"x\"; } ); };\n"
			    "  d = { aliases = [ \"db\" ]; };\n"
			    "};\n");
	const struct cfg_network *n;

	assert_int_equal(c.n_errors, 3);
	assert_err(&c, 0, NAME ":4: key 'networks.b.aliases[0]': ", "needs guest");
	assert_err(&c, 1, NAME ":5: key 'networks.c.aliases[0].name': ",
		   "not a name");
	assert_err(&c, 2, NAME ":6: key 'networks.d.aliases': ", "list of groups");
	n = net(&c, "a");
	assert_non_null(n);
	assert_int_equal(n->n_aliases, 2);
	assert_string_equal(n->aliases[0].name, "db");
	assert_string_equal(n->aliases[0].guest, "postgres1");
	assert_string_equal(n->aliases[1].name, "cache");
	assert_string_equal(n->aliases[1].guest, "redis");
	cfg_free(&c);
}

static void test_subnet(void **state)
{
	struct cfg c = load("networks = {\n"
			    "  a = { subnet = \"10.1.0.0/16\"; };\n"
			    "  b = { subnet = \"10.2.0.1/24\"; };\n"	/* host bits */
			    "  c = { subnet = \"10.3.0.0/31\"; };\n"	/* too small */
			    "  d = { subnet = \"10.4.0.0\"; };\n"
			    "  e = { subnet = \"10.5.0.0/24 \"; };\n"
			    "};\n");

	assert_int_equal(c.n_errors, 4);
	assert_err(&c, 0, NAME ":3: key 'networks.b.subnet': ", "10.2.0.1/24");
	assert_err(&c, 1, NAME ":4: key 'networks.c.subnet': ", NULL);
	assert_err(&c, 2, NAME ":5: key 'networks.d.subnet': ", NULL);
	assert_err(&c, 3, NAME ":6: key 'networks.e.subnet': ", NULL);
	assert_int_equal(c.n_networks, 1);
	assert_int_equal(c.networks[0].has_subnet, 1);
	assert_int_equal(c.networks[0].subnet.addr, 0x0a010000);
	assert_int_equal(c.networks[0].subnet.prefix, 16);
	cfg_free(&c);
}

static void test_subnet_duplicate(void **state)
{
	struct cfg c = load("networks = {\n"
			    "  a = { subnet = \"10.1.0.0/24\"; };\n"
			    "  b = { subnet = \"10.1.0.0/24\"; };\n"	/* same */
			    "  c = { subnet = \"10.1.0.0/16\"; };\n"	/* covers a */
			    "  d = { subnet = \"10.1.1.0/24\"; };\n"	/* disjoint */
			    "  e = {};\n"
			    "};\n");

	assert_int_equal(c.n_errors, 2);
	assert_err(&c, 0, NAME ":3: key 'networks.b.subnet': ",
		   "network 'a' (line 2)");
	assert_err(&c, 1, NAME ":4: key 'networks.c.subnet': ", "'a'");
	assert_int_equal(c.n_networks, 3);
	assert_non_null(net(&c, "a"));
	assert_non_null(net(&c, "d"));
	assert_non_null(net(&c, "e"));
	cfg_free(&c);
}

static void test_mtu(void **state)
{
	struct cfg c = load("networks = {\n"
			    "  a = { mtu = 68; };\n"
			    "  b = { mtu = 65520; };\n"
			    "  c = { mtu = 67; };\n"
			    "  d = { mtu = 65521; };\n"
			    "  e = { mtu = \"1500\"; };\n"
			    "  f = { mtu = 1500.0; };\n"
			    "  g = { mtu = 9000L; };\n"
			    "  h = { mtu = 4294968796L; };\n"	/* 2^32 + 1500 */
			    "  i = { mtu = -1500; };\n"
			    "};\n");

	assert_int_equal(c.n_errors, 6);
	assert_err(&c, 0, NAME ":4: key 'networks.c.mtu': ", "67");
	assert_err(&c, 1, NAME ":5: key 'networks.d.mtu': ", "65521");
	assert_err(&c, 2, NAME ":6: key 'networks.e.mtu': ", "integer");
	assert_err(&c, 3, NAME ":7: key 'networks.f.mtu': ", "integer");
	assert_err(&c, 4, NAME ":9: key 'networks.h.mtu': ", "range");
	assert_err(&c, 5, NAME ":10: key 'networks.i.mtu': ", "range");
	assert_int_equal(c.n_networks, 3);
	assert_int_equal(net(&c, "a")->mtu, 68);
	assert_int_equal(net(&c, "b")->mtu, 65520);
	assert_int_equal(net(&c, "g")->mtu, 9000);
	cfg_free(&c);
}

static void test_names(void **state)
{
	char text[512];
	struct cfg c;

	c = load("networks = {\n"
		 "  Lab = {};\n"
		 "  a_b = {};\n"
		 "  a-b = {};\n"
		 "  a- = {};\n"
		 "  default = { mode = \"internal\"; };\n"
		 "  x = 3;\n"
		 "};\n");
	assert_int_equal(c.n_errors, 4);
	assert_err(&c, 0, NAME ":2: key 'networks.Lab': ", "network name");
	assert_err(&c, 1, NAME ":3: key 'networks.a_b': ", "network name");
	assert_err(&c, 2, NAME ":5: key 'networks.a-': ", "network name");
	assert_err(&c, 3, NAME ":7: key 'networks.x': ", "group");
	assert_int_equal(c.n_networks, 2);
	assert_non_null(net(&c, "a-b"));
	assert_non_null(net(&c, "default"));
	cfg_free(&c);

	/* 63 characters is the limit of a DNS label */
	snprintf(text, sizeof(text), "networks = { %.63s = {}; };",
		 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijxyz");
	c = load(text);
	assert_int_equal(c.n_errors, 0);
	assert_int_equal(c.n_networks, 1);
	assert_int_equal(strlen(c.networks[0].name), 63);
	cfg_free(&c);
	snprintf(text, sizeof(text), "networks = { %.64s = {}; };",
		 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijxyzw");
	c = load(text);
	assert_int_equal(c.n_errors, 1);
	assert_int_equal(c.n_networks, 0);
	cfg_free(&c);
}

static void test_networks_not_group(void **state)
{
	struct cfg c = load("networks = ( \"a\" );\n");

	assert_int_equal(c.n_errors, 1);
	assert_err(&c, 0, NAME ":1: key 'networks': ", "group");
	assert_int_equal(c.n_networks, 0);
	cfg_free(&c);
}

static void test_labels(void **state)
{
	struct cfg c = load("networks = {\n"
			    "  a = { labels = { k = \"v\"; k2 = \"\"; }; };\n"
			    "  b = { labels = { k = 1; }; };\n"
			    "  c = { labels = \"k=v\"; };\n"
			    "  d = { labels = {}; };\n"
			    "};\n");

	assert_int_equal(c.n_errors, 2);
	assert_err(&c, 0, NAME ":3: key 'networks.b.labels.k': ", "string");
	assert_err(&c, 1, NAME ":4: key 'networks.c.labels': ", "group");
	assert_int_equal(c.n_networks, 2);
	assert_int_equal(net(&c, "a")->n_labels, 2);
	assert_string_equal(net(&c, "a")->labels[1].key, "k2");
	assert_string_equal(net(&c, "a")->labels[1].value, "");
	assert_int_equal(net(&c, "d")->n_labels, 0);
	cfg_free(&c);
}

static void test_labels_limits(void **state)
{
	char *text = malloc(65536), *p = text;
	char big[CFG_LABEL_MAX + 1];
	struct cfg c;
	int i;

	assert_non_null(text);
	/* exactly CFG_MAX_LABELS is fine */
	p += sprintf(p, "networks = { a = { labels = {");
	for (i = 0; i < CFG_MAX_LABELS; i++)
		p += sprintf(p, " l%d = \"v\";", i);
	p += sprintf(p, " }; };\n  b = { labels = {");
	for (i = 0; i <= CFG_MAX_LABELS; i++)
		p += sprintf(p, " l%d = \"v\";", i);
	sprintf(p, " }; }; };\n");
	c = load(text);
	assert_int_equal(c.n_errors, 1);
	assert_err(&c, 0, NAME ":2: key 'networks.b.labels.l32': ",
		   "too many labels");
	assert_int_equal(c.n_networks, 1);
	assert_int_equal(c.networks[0].n_labels, CFG_MAX_LABELS);
	cfg_free(&c);

	/* values up to CFG_LABEL_MAX - 1 characters */
	memset(big, 'x', sizeof(big));
	big[CFG_LABEL_MAX - 1] = '\0';
	snprintf(text, 65536, "networks = { a = { labels = { k = \"%s\"; }; };\n"
		 "b = { labels = { k = \"%sx\"; }; }; };\n", big, big);
	c = load(text);
	assert_int_equal(c.n_errors, 1);
	assert_err(&c, 0, NAME ":2: key 'networks.b.labels.k': ", "characters");
	assert_int_equal(c.n_networks, 1);
	assert_int_equal(strlen(c.networks[0].labels[0].value),
			 CFG_LABEL_MAX - 1);
	cfg_free(&c);
	free(text);
}

static void test_pcap(void **state)
{
	struct cfg c = load("networks = {\n"
			    "  a = { pcap = \"/var/tmp/a.pcap\"; };\n"
			    "  b = { pcap = \"caps/b.pcap\"; pcap_filter = \"icmp\"; };\n"
			    "  c = { pcap = \"\"; };\n"
			    "  d = { pcap_filter = \"icmp\"; };\n"
			    "  e = { pcap = \"e.pcap\";\n"
			    "        pcap_filter = \"not a filter (\"; };\n"
			    "  f = { pcap = 5; };\n"
			    "};\n");

	assert_int_equal(c.n_errors, 4);
	assert_err(&c, 0, NAME ":4: key 'networks.c.pcap': ", "empty");
	assert_err(&c, 1, NAME ":5: key 'networks.d.pcap_filter': ", "pcap");
	assert_err(&c, 2, NAME ":7: key 'networks.e.pcap_filter': ",
		   "bad filter expression");
	assert_err(&c, 3, NAME ":8: key 'networks.f.pcap': ", "string");
	assert_int_equal(c.n_networks, 2);
	assert_string_equal(net(&c, "a")->pcap, "/var/tmp/a.pcap");
	assert_string_equal(net(&c, "a")->pcap_filter, "");
	assert_string_equal(net(&c, "b")->pcap, "/etc/mvm/caps/b.pcap");
	assert_string_equal(net(&c, "b")->pcap_filter, "icmp");
	cfg_free(&c);
}

static void test_pcap_relative_name(void **state)
{
	char cwd[PATH_MAX], want[PATH_MAX + 16];
	struct cfg c;

	/* a relative config name: relative pcap paths become absolute */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(cfg_load_string("networks = { a = { pcap = \"a.pcap\"; }; };",
					 "sub/t.conf", &c), 0);
	assert_int_equal(c.n_errors, 0);
	fmt(want, sizeof(want), "%s/sub/a.pcap", cwd);
	assert_string_equal(c.networks[0].pcap, want);
	cfg_free(&c);

	assert_int_equal(cfg_load_string("networks = { a = { pcap = \"a.pcap\"; }; };",
					 "/t.conf", &c), 0);
	assert_string_equal(c.networks[0].pcap, "/a.pcap");
	cfg_free(&c);
}

static void test_too_many_networks(void **state)
{
	size_t size = (CFG_MAX_NETWORKS + 2) * 32 + 64;
	char *text = malloc(size), *p = text;
	struct cfg c;
	int i;

	assert_non_null(text);
	p += sprintf(p, "networks = {\n");
	for (i = 0; i < CFG_MAX_NETWORKS + 1; i++)
		p += sprintf(p, "n%d = {};\n", i);
	sprintf(p, "};\n");
	c = load(text);
	assert_int_equal(c.n_errors, 1);
	assert_err(&c, 0, NAME ":258: key 'networks.n256': ", "too many");
	assert_int_equal(c.n_networks, CFG_MAX_NETWORKS);
	cfg_free(&c);
	free(text);
}

static void test_too_many_errors(void **state)
{
	char *text = malloc(16384), *p = text;
	struct cfg c;
	int i;

	assert_non_null(text);
	p += sprintf(p, "networks = {\n");
	for (i = 0; i < 2 * CFG_MAX_ERRORS; i++)
		p += sprintf(p, "n%d = { mtu = 1; };\n", i);
	sprintf(p, "};\n");
	c = load(text);
	assert_int_equal(c.n_errors, CFG_MAX_ERRORS);
	assert_err(&c, CFG_MAX_ERRORS - 1, NAME ": too many errors", NULL);
	assert_int_equal(c.n_networks, 0);
	cfg_free(&c);
	free(text);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/test_config.XXXXXX", path[PATH_MAX], inc[PATH_MAX];
	struct cfg c;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	fmt(path, sizeof(path), "%s/mvm.conf", dir);
	fmt(inc, sizeof(inc), "%s/nets.conf", dir);

	/* missing file: -errno and a message */
	assert_int_equal(cfg_load(path, &c), -ENOENT);
	assert_int_equal(c.n_networks, 0);
	assert_int_equal(c.n_errors, 1);
	assert_err(&c, 0, path, "cannot read");
	cfg_free(&c);

	/* @include is relative to the including file's directory */
	f = fopen(inc, "w");
	assert_non_null(f);
	fputs("x = { mtu = 1400; };\n\ny = { mtu = 1; };\n", f);
	fclose(f);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("networks = {\n  @include \"nets.conf\"\n};\n", f);
	fclose(f);
	assert_int_equal(cfg_load(path, &c), 0);
	assert_int_equal(c.n_networks, 1);
	assert_int_equal(c.networks[0].mtu, 1400);
	assert_int_equal(c.n_errors, 1);
	/* the error names the file that holds the bad line */
	fmt(path, sizeof(path), "%s:3: key 'networks.y.mtu': ", inc);
	assert_err(&c, 0, path, "range");
	fmt(path, sizeof(path), "%s/mvm.conf", dir);
	cfg_free(&c);

	/* a syntax error in an included file names that file */
	f = fopen(inc, "w");
	assert_non_null(f);
	fputs("x = {};\ny = { mtu = };\n", f);
	fclose(f);
	assert_int_equal(cfg_load(path, &c), 0);
	assert_int_equal(c.n_networks, 0);
	assert_int_equal(c.n_errors, 1);
	fmt(path, sizeof(path), "%s:2: syntax error: ", inc);
	assert_err(&c, 0, path, NULL);
	cfg_free(&c);

	fmt(path, sizeof(path), "%s/mvm.conf", dir);
	unlink(inc);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_conf),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_domain),
		cmocka_unit_test(test_dns_upstreams),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_static_errors),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_subnet),
		cmocka_unit_test(test_subnet_duplicate),
		cmocka_unit_test(test_mtu),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_networks_not_group),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_labels_limits),
		cmocka_unit_test(test_pcap),
		cmocka_unit_test(test_pcap_relative_name),
		cmocka_unit_test(test_too_many_networks),
		cmocka_unit_test(test_too_many_errors),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
