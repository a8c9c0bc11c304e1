// SPDX-License-Identifier: MIT
/*
 * fuzz_dns.c - libFuzzer target for the DNS server: arbitrary bytes as a
 *		query to dns_server_answer() (UDP and TCP) on a view of two
 *		zones, and as an upstream reply to the forwarding helpers
 *
 * Beyond "no crash", it checks what must hold for any input: a response
 * fits the transport's limit, and one that echoes a question parses back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns_fwd.h"
#include "dns/dns_msg.h"
#include "dns/dns_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NET(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

/* the zones are built once: the harness's only state, never the library's */
static struct dns_zone *zones[2];

static void setup(void)
{
	struct dns_zone_cfg lab = { .domain = "lab.mvm",
				    .subnet = { NET(10, 89, 0, 0), 24 },
				    .host_access = 1, .host_addr = NET(10, 89, 0, 1) };
	struct dns_zone_cfg other = { .domain = "other.mvm",
				      .subnet = { NET(10, 90, 0, 0), 20 } };
	const char *aliases[] = { "www", "api" };
	struct dns_owner o = { .id = 1, .name = "web", .aliases = aliases,
			       .n_aliases = 2, .has_v4 = 1, .v4 = NET(10, 89, 0, 2) };
	char name[8];
	uint32_t i;

	if (dns_zone_new(&lab, &zones[0]) || dns_zone_new(&other, &zones[1]))
		abort();
	dns_zone_add(zones[0], &o);
	o = (struct dns_owner){ .id = 2, .name = "db", .aliases = aliases + 1,
				.n_aliases = 1, .has_v4 = 1, .v4 = NET(10, 89, 0, 3),
				.has_v6 = 1, .v6 = { 0xfd, [15] = 3 } };
	dns_zone_add(zones[0], &o);
	for (i = 0; i < 40; i++) {	/* enough to need TC over UDP */
		o = (struct dns_owner){ .id = 10 + i, .name = name,
					.aliases = aliases + 1, .n_aliases = 1,
					.has_v4 = 1, .v4 = NET(10, 90, 0, 10 + i) };
		snprintf(name, sizeof(name), "g%u", i);
		dns_zone_add(zones[1], &o);
	}
}

static void check(const uint8_t *resp, size_t len, size_t limit)
{
	struct dns_query q;

	if (len < DNS_HDR_LEN || len > limit)
		abort();
	if (resp[4] == 0 && resp[5] == 1 && dns_query_parse(resp, len, &q))
		abort();	/* a response with a question must parse */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t resp[DNS_TCP_MAX], msg[DNS_TCP_MAX];
	struct dns_view v = { zones, 2, size & 1, 0 };
	struct dns_fwd f;
	size_t len = 0;
	int ret;

	if (!zones[0])
		setup();
	if (size > sizeof(msg))
		return 0;

	ret = dns_server_answer(&v, data, size, 0, resp, sizeof(resp), &len);
	if (ret == DNS_ANSWER)
		check(resp, len, DNS_EDNS_SIZE);
	else if (len)
		abort();
	ret = dns_server_answer(&v, data, size, 1, resp, sizeof(resp), &len);
	if (ret == DNS_ANSWER)
		check(resp, len, DNS_TCP_MAX);
	v.n_zones = 1;
	ret = dns_server_answer(&v, data, size, 0, resp, DNS_UDP_MIN, &len);
	if (ret == DNS_ANSWER)
		check(resp, len, DNS_UDP_MIN);

	/* forwarding: the input as a query, then as its own reply */
	memcpy(msg, data, size);
	if (dns_fwd_prepare(msg, size, 0x5151, &f) == 0) {
		if (dns_fwd_servfail(&f, resp, DNS_UDP_MIN, &len) == 0)
			check(resp, len, DNS_UDP_MIN);
		memcpy(msg, data, size);
		if (size >= DNS_HDR_LEN) {
			msg[0] = 0x51;
			msg[1] = 0x51;
			msg[2] |= 0x80;
		}
		dns_fwd_reply(&f, msg, size);
	}
	return 0;
}
