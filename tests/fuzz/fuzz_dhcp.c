// SPDX-License-Identifier: MIT
/*
 * fuzz_dhcp.c - libFuzzer target: arbitrary bytes into the DHCP server
 *
 * Each input is one UDP payload received on port 67. It goes to a fresh
 * server with a small lease table (a /28, 8 dynamic and 4 static entries)
 * on which the input's own client (chaddr at offset 28) already holds a
 * lease, so renewals, declines and releases reach the table. The input is
 * fed three times at increasing times; every reply must parse back and
 * stay within the reply buffer. The table is then exported and imported
 * into a second table.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dhcp/dhcp_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 1700000000u

/* Run one message; abort if a reply is not a well-formed BOOTREPLY */
static void feed(struct dhcp_server *s, const uint8_t *p, size_t len,
		 uint64_t now)
{
	struct dhcp_reply r;
	struct dhcp_msg m;

	if (dhcp_server_input(s, p, len, now, &r) != 1)
		return;
	if (r.len < DHCP_BOOTP_MIN_LEN || r.len > sizeof(r.data) ||
	    dhcp_msg_parse(r.data, r.len, &m) || m.op != DHCP_BOOTREPLY ||
	    !m.type)
		abort();
}

/* A DISCOVER then a REQUEST from @chaddr, so that it holds a lease */
static void dora(struct dhcp_server *s, const uint8_t chaddr[16])
{
	uint8_t p[DHCP_MIN_LEN + 16] = { DHCP_BOOTREQUEST, 1, 6 };
	static const uint8_t cookie[4] = { 0x63, 0x82, 0x53, 0x63 };
	const uint8_t req[] = { 53, 1, DHCP_REQUEST, 54, 4, 10, 0, 0, 1,
				50, 4, 10, 0, 0, 5, 255 };

	memcpy(p + offsetof(struct dhcp_hdr, chaddr), chaddr, 16);
	memcpy(p + DHCP_HDR_LEN, cookie, 4);
	memcpy(p + DHCP_MIN_LEN, "\x35\x01\x01\xff", 4);
	feed(s, p, DHCP_MIN_LEN + 4, T0 - 10);
	memcpy(p + DHCP_MIN_LEN, req, sizeof(req));
	feed(s, p, sizeof(p), T0 - 10);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_config cfg = {
		.server_ip = 0x0a000001,
		.subnet = { .addr = 0x0a000000, .prefix = 28 },
		.router = 0x0a000001,
		.dns = 0x0a000001,
		.mtu = 1500,
		.domain = "net.mvm",
		.search = { "net.mvm", "mvm" },
		.n_search = 2,
		.lease_time = 600,
		.routes = { { 0xc0a80000, 16, 0x0a00000e } },
		.n_routes = 1,
		.max_leases = 8,
		.max_static = 4,
	};
	static const uint8_t static_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	struct dhcp_lease_table *copy = NULL;
	struct dhcp_lease_params lp = {
		.subnet = cfg.subnet, .server_ip = cfg.server_ip,
		.max_dynamic = 8, .max_static = 4,
	};
	struct dhcp_server *s;
	struct json_object *j;

	if (dhcp_server_new(&cfg, &s))
		abort();
	dhcp_lease_static_add(dhcp_server_leases(s), static_mac, 0x0a000009,
			      "web");
	if (size >= offsetof(struct dhcp_hdr, chaddr) + 16)
		dora(s, data + offsetof(struct dhcp_hdr, chaddr));
	feed(s, data, size, T0);
	feed(s, data, size, T0 + 1);
	feed(s, data, size, T0 + 700);

	if (!dhcp_lease_export(dhcp_server_leases(s), T0, &j)) {
		if (!dhcp_lease_table_new(&lp, &copy)) {
			dhcp_lease_import(copy, j, T0);
			dhcp_lease_table_free(copy);
		}
		json_object_put(j);
	}
	dhcp_server_free(s);
	return 0;
}
