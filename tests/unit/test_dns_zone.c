// SPDX-License-Identifier: MIT
/* test_dns_zone.c - unit tests for a network's DNS records (dns/dns_zone.c) */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dns/dns_zone.h"

#define NET(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static int setup(void **state)
{
	struct dns_zone_cfg cfg = {
		.domain = "Lab.MVM",
		.subnet = { NET(10, 89, 0, 0), 24 },
	};
	struct dns_zone *z;

	assert_int_equal(dns_zone_new(&cfg, &z), 0);
	*state = z;
	return 0;
}

static int teardown(void **state)
{
	dns_zone_free(*state);
	return 0;
}

static struct dns_owner owner(uint32_t id, const char *name, uint32_t v4)
{
	struct dns_owner o = { .id = id, .name = name, .has_v4 = 1, .v4 = v4 };

	return o;
}

static size_t look(struct dns_zone *z, const char *name,
		   const struct dns_zone_rec **out, size_t max)
{
	return dns_zone_lookup(z, name, strlen(name), out, max);
}

static void test_init(void **state)
{
	struct dns_zone *z = *state;
	struct dns_zone_cfg cfg = { .domain = "lab.mvm",
				    .subnet = { NET(10, 89, 16, 0), 20 } };
	char s[DNS_NAME_STRLEN];

	dns_name_to_str(&z->domain, s, sizeof(s));
	assert_string_equal(s, "lab.mvm");	/* lowercased */
	dns_name_to_str(&z->rev_apex, s, sizeof(s));
	assert_string_equal(s, "0.89.10.in-addr.arpa");
	assert_int_equal(z->ttl, DNS_TTL_DEFAULT);
	assert_int_equal(z->neg_ttl, DNS_NEG_TTL_DEFAULT);

	/* a /20 is served from the /16 above it */
	assert_int_equal(dns_zone_init(z, &cfg), 0);
	dns_name_to_str(&z->rev_apex, s, sizeof(s));
	assert_string_equal(s, "89.10.in-addr.arpa");

	cfg.domain = "lab_x.mvm";
	assert_int_equal(dns_zone_init(z, &cfg), -EINVAL);
	cfg.domain = "";
	assert_int_equal(dns_zone_init(z, &cfg), -EINVAL);
	cfg.domain = "-lab.mvm";
	assert_int_equal(dns_zone_init(z, &cfg), -EINVAL);
	cfg.domain = "lab.mvm";
	cfg.subnet.prefix = 7;
	assert_int_equal(dns_zone_init(z, &cfg), -EINVAL);
}

static void test_add_remove_owner(void **state)
{
	struct dns_zone *z = *state;
	const char *aliases[] = { "www", "API", "www" };
	struct dns_owner o = owner(1, "web", NET(10, 89, 0, 2));
	const struct dns_zone_rec *r[4];
	uint32_t serial = z->serial;

	o.aliases = aliases;
	o.n_aliases = 3;
	assert_int_equal(dns_zone_add(z, &o), 0);
	assert_int_equal(z->used, 3);		/* "www" twice counts once */
	assert_true(z->serial > serial);
	assert_int_equal(look(z, "web", r, 4), 1);
	assert_true(r[0]->primary);
	assert_int_equal(r[0]->v4, NET(10, 89, 0, 2));
	assert_int_equal(look(z, "www", r, 4), 1);
	assert_false(r[0]->primary);
	assert_int_equal(look(z, "api", r, 4), 1);
	assert_int_equal(look(z, "db", r, 4), 0);
	assert_int_equal(dns_zone_add(z, &o), -EEXIST);	/* same owner */

	assert_int_equal(dns_zone_remove(z, 1), 3);
	assert_int_equal(z->used, 0);
	assert_int_equal(look(z, "web", r, 4), 0);
	assert_int_equal(look(z, "www", r, 4), 0);
	assert_int_equal(look(z, "api", r, 4), 0);
	assert_int_equal(dns_zone_remove(z, 1), -ENOENT);
	assert_int_equal(dns_zone_add(z, &o), 0);	/* back as it starts */
	assert_int_equal(look(z, "www", r, 4), 1);
}

static void test_add_invalid(void **state)
{
	struct dns_zone *z = *state;
	const char *bad[] = { "ok", "no_underscore" };
	struct dns_owner o = owner(1, "web", NET(10, 89, 0, 2));

	o.name = "-web";
	assert_int_equal(dns_zone_add(z, &o), -EINVAL);
	o.name = "";
	assert_int_equal(dns_zone_add(z, &o), -EINVAL);
	o.name = "a..b";
	assert_int_equal(dns_zone_add(z, &o), -EINVAL);
	o.name = "web.";
	assert_int_equal(dns_zone_add(z, &o), -EINVAL);
	o.name = "a234567890123456789012345678901234567890123456789012345678901234";
	assert_int_equal(dns_zone_add(z, &o), -EINVAL);	/* 64 characters */
	o.name = "web";
	o.has_v4 = 0;
	assert_int_equal(dns_zone_add(z, &o), -EINVAL);	/* no address */
	o.has_v4 = 1;
	o.aliases = bad;
	o.n_aliases = 2;
	assert_int_equal(dns_zone_add(z, &o), -EINVAL);	/* a bad alias */
	assert_int_equal(z->used, 0);			/* nothing added */
	o.n_aliases = DNS_OWNER_ALIASES + 1;
	assert_int_equal(dns_zone_add(z, &o), -EINVAL);
	o.n_aliases = 1;
	o.name = "db.tier";				/* dotted is fine */
	assert_int_equal(dns_zone_add(z, &o), 0);
	/* another owner may not take the same name; sharing an alias is fine */
	o.id = 2;
	o.name = "DB.tier";
	assert_int_equal(dns_zone_add(z, &o), -EEXIST);
	o.name = "db2";
	assert_int_equal(dns_zone_add(z, &o), 0);
}

static void test_case_insensitive(void **state)
{
	struct dns_zone *z = *state;
	const char *aliases[] = { "WWW" };
	struct dns_owner o = owner(1, "WeB", NET(10, 89, 0, 2));
	const struct dns_zone_rec *r[1];

	o.aliases = aliases;
	o.n_aliases = 1;
	assert_int_equal(dns_zone_add(z, &o), 0);
	assert_int_equal(look(z, "web", r, 1), 1);
	assert_string_equal(r[0]->name, "web");
	assert_int_equal(look(z, "www", r, 1), 1);
	/* lookups take lowercase names (the server lowercases queries) */
	assert_int_equal(look(z, "WEB", r, 1), 0);
}

static void test_round_robin(void **state)
{
	struct dns_zone *z = *state;
	const char *alias[] = { "api" };
	const struct dns_zone_rec *r[3];
	char name[8];
	uint32_t i;

	for (i = 1; i <= 3; i++) {
		struct dns_owner o = owner(i, name, NET(10, 89, 0, 10 + i));

		snprintf(name, sizeof(name), "g%u", i);
		o.aliases = alias;
		o.n_aliases = 1;
		assert_int_equal(dns_zone_add(z, &o), 0);
	}
	/* each lookup starts one record later */
	assert_int_equal(look(z, "api", r, 3), 3);
	assert_int_equal(r[0]->owner, 1);
	assert_int_equal(r[1]->owner, 2);
	assert_int_equal(r[2]->owner, 3);
	assert_int_equal(look(z, "api", r, 3), 3);
	assert_int_equal(r[0]->owner, 2);
	assert_int_equal(r[1]->owner, 3);
	assert_int_equal(r[2]->owner, 1);
	assert_int_equal(look(z, "api", r, 3), 3);
	assert_int_equal(r[0]->owner, 3);
	assert_int_equal(r[1]->owner, 1);
	assert_int_equal(r[2]->owner, 2);
	assert_int_equal(look(z, "api", r, 3), 3);
	assert_int_equal(r[0]->owner, 1);
	/* less room than matches: the first @max of the rotated order */
	assert_int_equal(look(z, "api", r, 1), 3);
	assert_int_equal(r[0]->owner, 2);
	/* an owner stops: the rest still rotate */
	assert_int_equal(dns_zone_remove(z, 2), 2);
	assert_int_equal(look(z, "api", r, 3), 2);
	assert_int_not_equal(r[0]->owner, r[1]->owner);
	assert_int_not_equal(r[0]->owner, 2);
	assert_int_not_equal(r[1]->owner, 2);
}

static void test_capacity(void **state)
{
	struct dns_zone *z = *state;
	const char *alias[] = { "extra" };
	const struct dns_zone_rec *r[1];
	char name[16];
	uint32_t i;

	for (i = 0; i < DNS_ZONE_RECORDS - 1; i++) {
		struct dns_owner o = owner(i + 1, name, NET(10, 89, 0, 2));

		snprintf(name, sizeof(name), "g%u", i);
		assert_int_equal(dns_zone_add(z, &o), 0);
	}
	assert_int_equal(z->used, DNS_ZONE_RECORDS - 1);
	/* one slot left, two names needed: all or nothing */
	{
		struct dns_owner o = owner(100000, "last", NET(10, 89, 0, 3));

		o.aliases = alias;
		o.n_aliases = 1;
		assert_int_equal(dns_zone_add(z, &o), -ENOSPC);
		assert_int_equal(z->full, 1);
		assert_int_equal(z->used, DNS_ZONE_RECORDS - 1);
		assert_int_equal(look(z, "last", r, 1), 0);
		o.n_aliases = 0;
		assert_int_equal(dns_zone_add(z, &o), 0);
		o.id = 100001;
		o.name = "more";
		assert_int_equal(dns_zone_add(z, &o), -ENOSPC);
		assert_int_equal(z->full, 2);
	}
	/* every name still found through its chain */
	for (i = 0; i < DNS_ZONE_RECORDS - 1; i += 97) {
		snprintf(name, sizeof(name), "g%u", i);
		assert_int_equal(look(z, name, r, 1), 1);
		assert_int_equal(r[0]->owner, i + 1);
	}
	/* a stopped guest frees its slot */
	assert_int_equal(dns_zone_remove(z, 1), 1);
	{
		struct dns_owner o = owner(100001, "more", NET(10, 89, 0, 4));

		assert_int_equal(dns_zone_add(z, &o), 0);
	}
}

static void test_ptr_source(void **state)
{
	struct dns_zone *z = *state;
	const char *alias[] = { "www" };
	struct dns_owner web = owner(1, "web", NET(10, 89, 0, 2));
	struct dns_owner db = owner(2, "db", NET(10, 89, 0, 3));
	struct dns_owner v6 = { .id = 3, .name = "six", .has_v6 = 1,
				.v6 = { 0xfd, 0, [15] = 1 } };
	const struct dns_zone_rec *r;

	web.aliases = alias;
	web.n_aliases = 1;
	assert_int_equal(dns_zone_add(z, &web), 0);
	assert_int_equal(dns_zone_add(z, &db), 0);
	assert_int_equal(dns_zone_add(z, &v6), 0);
	r = dns_zone_find_v4(z, NET(10, 89, 0, 2));
	assert_non_null(r);
	assert_string_equal(r->name, "web");	/* the own name, not the alias */
	r = dns_zone_find_v4(z, NET(10, 89, 0, 3));
	assert_non_null(r);
	assert_string_equal(r->name, "db");
	assert_null(dns_zone_find_v4(z, NET(10, 89, 0, 4)));
	assert_null(dns_zone_find_v4(z, 0));	/* "six" has no IPv4 */
	dns_zone_remove(z, 2);
	assert_null(dns_zone_find_v4(z, NET(10, 89, 0, 3)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_remove_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_insensitive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_robin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capacity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ptr_source, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
