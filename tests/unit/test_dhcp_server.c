// SPDX-License-Identifier: MIT
/* test_dhcp_server.c - unit tests for the DHCP server (dhcp/dhcp_server.c) */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dhcp/dhcp_server.h"

#define NET	0x0a590000u	/* 10.89.0.0/24 */
#define GW	0x0a590001u
#define T0	1700000000u
#define BCAST	0xffffffffu

struct pkt {
	struct dhcp_hdr h;
	uint8_t cookie[4];
	uint8_t opts[300];
} __attribute__((packed));

/* A request from client 02:00:00:00:00:@n as udhcpc sends it */
static struct pkt req(uint8_t type, uint8_t n)
{
	struct pkt p = {
		.h = {
			.op = DHCP_BOOTREQUEST, .htype = 1, .hlen = 6,
			.xid = htonl(0xabcd0000u | n),
			.chaddr = { 0x02, 0, 0, 0, 0, n },
		},
		.cookie = { 0x63, 0x82, 0x53, 0x63 },
		.opts = { 53, 1, type,
			  55, 9, 1, 3, 6, 12, 15, 26, 28, 119, 121,
			  255 },
	};

	return p;
}

/* Insert option @code before the end option of @p */
static void opt(struct pkt *p, uint8_t code, uint8_t len, const void *data)
{
	size_t i = 0;

	while (p->opts[i] != 255)
		i += p->opts[i] ? 2u + p->opts[i + 1] : 1u;
	assert_true(i + 3u + len <= sizeof(p->opts));
	p->opts[i] = code;
	p->opts[i + 1] = len;
	memcpy(p->opts + i + 2, data, len);
	p->opts[i + 2 + len] = 255;
}

static void opt_ip(struct pkt *p, uint8_t code, uint32_t ip)
{
	uint32_t be = htonl(ip);

	opt(p, code, 4, &be);
}

static int run(struct dhcp_server *s, const struct pkt *p, uint64_t now,
	       struct dhcp_reply *r)
{
	memset(r, 0x5a, sizeof(*r));
	return dhcp_server_input(s, (const uint8_t *)p, sizeof(*p), now, r);
}

static struct dhcp_hdr rhdr(const struct dhcp_reply *r)
{
	struct dhcp_hdr h;

	assert_true(r->len >= DHCP_MIN_LEN);
	memcpy(&h, r->data, sizeof(h));
	return h;
}

/* Option @code of a reply (first instance), or NULL; its length in *len */
static const uint8_t *ropt(const struct dhcp_reply *r, uint8_t code,
			   uint8_t *len)
{
	size_t i = DHCP_MIN_LEN;

	assert_true(r->len <= sizeof(r->data));
	while (i < r->len && r->data[i] != 255) {
		if (!r->data[i]) {
			i++;
			continue;
		}
		assert_true(i + 2 <= r->len);
		assert_true(i + 2u + r->data[i + 1] <= r->len);
		if (r->data[i] == code) {
			*len = r->data[i + 1];
			return r->data + i + 2;
		}
		i += 2u + r->data[i + 1];
	}
	assert_true(i < r->len);	/* an end option is there */
	return NULL;
}

static int has(const struct dhcp_reply *r, uint8_t code)
{
	uint8_t len;

	return ropt(r, code, &len) != NULL;
}

static uint32_t ropt_u32(const struct dhcp_reply *r, uint8_t code)
{
	const uint8_t *d;
	uint8_t len;

	d = ropt(r, code, &len);
	assert_non_null(d);
	assert_int_equal(len, 4);
	return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
	       (uint32_t)d[2] << 8 | d[3];
}

static uint8_t rtype(const struct dhcp_reply *r)
{
	const uint8_t *d;
	uint8_t len;

	d = ropt(r, DHCP_OPT_MSG_TYPE, &len);
	assert_non_null(d);
	return d[0];
}

/* Codes of the reply's options, in order, as a string of bytes */
static size_t rcodes(const struct dhcp_reply *r, uint8_t *out, size_t max)
{
	size_t i = DHCP_MIN_LEN, n = 0;

	while (i < r->len && r->data[i] != 255 && n < max) {
		out[n++] = r->data[i];
		i += 2u + r->data[i + 1];
	}
	return n;
}

static struct dhcp_config base_config(void)
{
	struct dhcp_config c = {
		.server_ip = GW,
		.subnet = { .addr = NET, .prefix = 24 },
		.router = GW,
		.dns = GW,
		.mtu = 1500,
		.domain = "net.mvm",
		.search = { "net.mvm" },
		.n_search = 1,
		.lease_time = 3600,
	};

	return c;
}

static struct dhcp_server *server(const struct dhcp_config *c)
{
	struct dhcp_server *s = NULL;

	assert_int_equal(dhcp_server_new(c, &s), 0);
	return s;
}

/* DISCOVER, OFFER, REQUEST, ACK for client @n; returns its address */
static uint32_t dora(struct dhcp_server *s, uint8_t n, uint64_t now)
{
	struct pkt p = req(DHCP_DISCOVER, n);
	struct dhcp_reply r;
	uint32_t ip;

	assert_int_equal(run(s, &p, now, &r), 1);
	assert_int_equal(rtype(&r), DHCP_OFFER);
	ip = ntohl(rhdr(&r).yiaddr);
	p = req(DHCP_REQUEST, n);
	opt_ip(&p, DHCP_OPT_SERVER_ID, GW);
	opt_ip(&p, DHCP_OPT_REQUESTED_IP, ip);
	assert_int_equal(run(s, &p, now, &r), 1);
	assert_int_equal(rtype(&r), DHCP_ACK);
	assert_int_equal(ntohl(rhdr(&r).yiaddr), ip);
	return ip;
}

static void test_config_invalid(void **state)
{
	struct dhcp_config c = base_config();
	struct dhcp_server *s;

	c.router = 0x0a5a0001;
	assert_int_equal(dhcp_server_new(&c, &s), -EINVAL);
	c = base_config();
	c.server_ip = NET;
	assert_int_equal(dhcp_server_new(&c, &s), -EINVAL);
	c = base_config();
	c.mtu = 67;
	assert_int_equal(dhcp_server_new(&c, &s), -EINVAL);
	c = base_config();
	strcpy(c.domain, "bad..name");
	assert_int_equal(dhcp_server_new(&c, &s), -EINVAL);
	c = base_config();
	strcpy(c.search[0], ".x");
	assert_int_equal(dhcp_server_new(&c, &s), -EINVAL);
	c = base_config();
	c.routes[0] = (struct dhcp_route){ 0xc0a80001, 24, GW };
	c.n_routes = 1;
	assert_int_equal(dhcp_server_new(&c, &s), -EINVAL);
	c = base_config();
	c.lease_time = 10;
	assert_int_equal(dhcp_server_new(&c, &s), -EINVAL);
}

static void test_dora(void **state)
{
	struct dhcp_config c = base_config();
	struct dhcp_server *s = server(&c);
	struct pkt p = req(DHCP_DISCOVER, 1);
	struct dhcp_server_stats st;
	struct dhcp_reply r;
	struct dhcp_hdr h;
	const uint8_t *d;
	uint8_t len;
	uint32_t ip;

	assert_int_equal(run(s, &p, T0, &r), 1);
	h = rhdr(&r);
	ip = ntohl(h.yiaddr);
	assert_int_equal(h.op, DHCP_BOOTREPLY);
	assert_int_equal(h.xid, p.h.xid);
	assert_memory_equal(h.chaddr, p.h.chaddr, 16);
	assert_int_equal(h.ciaddr, 0);
	assert_true(ip > GW && ip < (NET | 255));
	assert_int_equal(rtype(&r), DHCP_OFFER);
	assert_int_equal(ropt_u32(&r, DHCP_OPT_SERVER_ID), GW);
	assert_int_equal(ropt_u32(&r, DHCP_OPT_LEASE_TIME), 3600);
	assert_int_equal(ropt_u32(&r, DHCP_OPT_RENEWAL), 1800);
	assert_int_equal(ropt_u32(&r, DHCP_OPT_REBINDING), 3150);
	assert_int_equal(ropt_u32(&r, DHCP_OPT_SUBNET_MASK), 0xffffff00);
	assert_int_equal(ropt_u32(&r, DHCP_OPT_ROUTER), GW);
	assert_int_equal(ropt_u32(&r, DHCP_OPT_DNS), GW);
	assert_int_equal(ropt_u32(&r, DHCP_OPT_BROADCAST), NET | 255);
	d = ropt(&r, DHCP_OPT_DOMAIN, &len);
	assert_int_equal(len, 7);
	assert_memory_equal(d, "net.mvm", 7);
	d = ropt(&r, DHCP_OPT_MTU, &len);
	assert_int_equal(len, 2);
	assert_int_equal(d[0] << 8 | d[1], 1500);
	d = ropt(&r, DHCP_OPT_SEARCH, &len);
	assert_int_equal(len, 9);
	assert_memory_equal(d, "\3net\3mvm\0", 9);
	assert_false(has(&r, DHCP_OPT_HOSTNAME));	/* none for dynamic */
	assert_false(has(&r, DHCP_OPT_ROUTES));		/* none configured */
	/* RFC 2131 4.1: no broadcast bit, no ciaddr: unicast to yiaddr */
	assert_int_equal(r.dst_ip, ip);
	assert_memory_equal(r.dst_mac, p.h.chaddr, 6);
	assert_int_equal(r.src_ip, GW);
	assert_int_equal(r.src_port, 67);
	assert_int_equal(r.dst_port, 68);
	assert_false(r.broadcast);
	assert_false(r.via_relay);
	assert_true(r.len >= DHCP_BOOTP_MIN_LEN && r.len <= 548);

	assert_int_equal(dora(s, 1, T0 + 1), ip);	/* same address again */
	assert_int_equal(dhcp_lease_find_ip(dhcp_server_leases(s), ip)->state,
			 DHCP_LEASE_BOUND);
	dhcp_server_get_stats(s, &st);
	assert_int_equal(st.offers, 2);
	assert_int_equal(st.acks, 1);
	dhcp_server_free(s);
}

static void test_option_order(void **state)
{
	struct dhcp_config c = base_config();
	struct dhcp_server *s = server(&c);
	struct pkt p = req(DHCP_DISCOVER, 1);
	const uint8_t prl[] = { 6, 3, 1, 15 };
	const uint8_t want[] = { 53, 54, 51, 58, 59, 1, 6, 3, 15, 28, 26, 119 };
	struct dhcp_reply r;
	uint8_t codes[32];

	/* replace the PRL: type stays at opts[0..2] */
	memset(p.opts + 3, 0, sizeof(p.opts) - 3);
	p.opts[3] = 255;
	opt(&p, DHCP_OPT_PRL, sizeof(prl), prl);
	assert_int_equal(run(s, &p, T0, &r), 1);
	assert_int_equal(rcodes(&r, codes, sizeof(codes)), sizeof(want));
	assert_memory_equal(codes, want, sizeof(want));
	dhcp_server_free(s);
}

static void test_options_as_configured(void **state)
{
	struct dhcp_config c = base_config();
	struct pkt p = req(DHCP_DISCOVER, 1);
	struct dhcp_server *s;
	struct dhcp_reply r;
	const uint8_t *d;
	uint8_t len;

	/* an internal network: no router, nor anything else optional */
	c.router = 0;
	c.dns = 0;
	c.mtu = 0;
	c.domain[0] = '\0';
	c.n_search = 0;
	s = server(&c);
	assert_int_equal(run(s, &p, T0, &r), 1);
	assert_false(has(&r, DHCP_OPT_ROUTER));
	assert_false(has(&r, DHCP_OPT_DNS));
	assert_false(has(&r, DHCP_OPT_MTU));
	assert_false(has(&r, DHCP_OPT_DOMAIN));
	assert_false(has(&r, DHCP_OPT_SEARCH));
	assert_true(has(&r, DHCP_OPT_SUBNET_MASK));
	assert_true(has(&r, DHCP_OPT_BROADCAST));
	dhcp_server_free(s);

	/* static routes: 121 when requested, with the default route added */
	c = base_config();
	c.routes[0] = (struct dhcp_route){ 0xc0a83200, 24, NET | 254 };
	c.n_routes = 1;
	s = server(&c);
	assert_int_equal(run(s, &p, T0, &r), 1);
	d = ropt(&r, DHCP_OPT_ROUTES, &len);
	assert_non_null(d);
	assert_int_equal(len, 8 + 5);
	assert_memory_equal(d, "\x18\xc0\xa8\x32\x0a\x59\x00\xfe"
			       "\x00\x0a\x59\x00\x01", 13);
	p.opts[13] = 28;	/* 121 no longer requested */
	assert_int_equal(run(s, &p, T0, &r), 1);
	assert_false(has(&r, DHCP_OPT_ROUTES));
	assert_true(has(&r, DHCP_OPT_ROUTER));
	dhcp_server_free(s);
}

static void test_static_lease_and_hostname(void **state)
{
	struct dhcp_config c = base_config();
	struct dhcp_server *s = server(&c);
	struct pkt p = req(DHCP_DISCOVER, 7);
	struct dhcp_reply r;
	const uint8_t *d;
	uint8_t len;

	assert_int_equal(dhcp_lease_static_add(dhcp_server_leases(s), p.h.chaddr,
					       NET | 23, "web"), 0);
	assert_int_equal(run(s, &p, T0, &r), 1);
	assert_int_equal(ntohl(rhdr(&r).yiaddr), NET | 23);
	d = ropt(&r, DHCP_OPT_HOSTNAME, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(d, "web", 3);
	assert_int_equal(dora(s, 7, T0), NET | 23);
	/* INIT-REBOOT to another address: NAK, the guest keeps its own */
	p = req(DHCP_REQUEST, 7);
	opt_ip(&p, DHCP_OPT_REQUESTED_IP, NET | 24);
	assert_int_equal(run(s, &p, T0, &r), 1);
	assert_int_equal(rtype(&r), DHCP_NAK);
	dhcp_server_free(s);
}

static void test_broadcast_flag(void **state)
{
	struct dhcp_config c = base_config();
	struct dhcp_server *s = server(&c);
	struct pkt p = req(DHCP_DISCOVER, 1);
	struct dhcp_reply r;

	p.h.flags = htons(DHCP_FLAG_BROADCAST);
	assert_int_equal(run(s, &p, T0, &r), 1);
	assert_true(r.broadcast);
	assert_int_equal(r.dst_ip, BCAST);
	assert_memory_equal(r.dst_mac, "\xff\xff\xff\xff\xff\xff", 6);
	assert_int_equal(rhdr(&r).flags, htons(DHCP_FLAG_BROADCAST));
	dhcp_server_free(s);
}

static void test_renew_unicast(void **state)
{
	struct dhcp_config c = base_config();
	struct dhcp_server *s = server(&c);
	uint32_t ip = dora(s, 1, T0);
	struct pkt p = req(DHCP_REQUEST, 1);
	struct dhcp_reply r;

	/* RENEWING: ciaddr set, no 50, no 54 */
	p.h.ciaddr = htonl(ip);
	assert_int_equal(run(s, &p, T0 + 1800, &r), 1);
	assert_int_equal(rtype(&r), DHCP_ACK);
	assert_int_equal(ntohl(rhdr(&r).ciaddr), ip);
	assert_int_equal(ntohl(rhdr(&r).yiaddr), ip);
	assert_int_equal(r.dst_ip, ip);
	assert_false(r.broadcast);
	assert_memory_equal(r.dst_mac, p.h.chaddr, 6);
	assert_int_equal(dhcp_lease_find_ip(dhcp_server_leases(s), ip)->expires,
			 T0 + 1800 + 3600);
	/* renewing an address that is not the client's: NAK, broadcast */
	p.h.ciaddr = htonl(ip + 1);
	assert_int_equal(run(s, &p, T0 + 1800, &r), 1);
	assert_int_equal(rtype(&r), DHCP_NAK);
	assert_true(r.broadcast);
	assert_int_equal(rhdr(&r).yiaddr, 0);
	assert_false(has(&r, DHCP_OPT_LEASE_TIME));
	dhcp_server_free(s);
}

static void test_rebind(void **state)
{
	struct dhcp_config c = base_config();
	struct dhcp_server *s = server(&c);
	uint32_t ip = dora(s, 1, T0), other = dora(s, 2, T0);
	struct pkt p = req(DHCP_REQUEST, 1);
	struct dhcp_reply r;

	/* REBINDING: broadcast, ciaddr set */
	p.h.ciaddr = htonl(ip);
	p.h.flags = htons(DHCP_FLAG_BROADCAST);
	assert_int_equal(run(s, &p, T0 + 3200, &r), 1);
	assert_int_equal(rtype(&r), DHCP_ACK);
	assert_int_equal(r.dst_ip, ip);	/* RFC 2131 4.1: to ciaddr */
	/* from another network: NAK */
	p.h.ciaddr = htonl(0xc0a80005);
	assert_int_equal(run(s, &p, T0 + 3200, &r), 1);
	assert_int_equal(rtype(&r), DHCP_NAK);
	/* a client with no record: its free address is granted */
	p = req(DHCP_REQUEST, 3);
	p.h.ciaddr = htonl(NET | 200);
	assert_int_equal(run(s, &p, T0, &r), 1);
	assert_int_equal(rtype(&r), DHCP_ACK);
	/* but not one held by someone else */
	p = req(DHCP_REQUEST, 4);
	p.h.ciaddr = htonl(other);
	assert_int_equal(run(s, &p, T0, &r), 1);
	assert_int_equal(rtype(&r), DHCP_NAK);
	dhcp_server_free(s);
}

static void test_init_reboot(void **state)
{
	struct dhcp_config c = base_config();
	struct dhcp_server *s = server(&c);
	uint32_t ip = dora(s, 1, T0);
	struct pkt p = req(DHCP_REQUEST, 1);
	struct pkt q = req(DHCP_REQUEST, 1);
	struct pkt o = req(DHCP_REQUEST, 1);
	struct pkt u = req(DHCP_REQUEST, 9);
	struct dhcp_reply r;

	opt_ip(&p, DHCP_OPT_REQUESTED_IP, ip);
	assert_int_equal(run(s, &p, T0 + 100, &r), 1);
	assert_int_equal(rtype(&r), DHCP_ACK);
	assert_int_equal(ntohl(rhdr(&r).yiaddr), ip);
	/* not the client's address: NAK */
	opt_ip(&q, DHCP_OPT_REQUESTED_IP, ip + 1);
	assert_int_equal(run(s, &q, T0 + 100, &r), 1);
	assert_int_equal(rtype(&r), DHCP_NAK);
	assert_true(r.broadcast);
	/* not on this network: NAK */
	opt_ip(&o, DHCP_OPT_REQUESTED_IP, 0xc0a80005);
	assert_int_equal(run(s, &o, T0 + 100, &r), 1);
	assert_int_equal(rtype(&r), DHCP_NAK);
	/* a client we have no record of: silence */
	opt_ip(&u, DHCP_OPT_REQUESTED_IP, NET | 77);
	assert_int_equal(run(s, &u, T0 + 100, &r), 0);
	dhcp_server_free(s);
}

static void test_selecting(void **state)
{
	struct dhcp_config c = base_config();
	struct dhcp_server *s = server(&c);
	struct pkt d = req(DHCP_DISCOVER, 1);
	struct pkt p = req(DHCP_REQUEST, 1);
	struct pkt w = req(DHCP_REQUEST, 1);
	struct dhcp_reply r;
	uint32_t ip;

	assert_int_equal(run(s, &d, T0, &r), 1);
	ip = ntohl(rhdr(&r).yiaddr);
	/* the client chose another server: no reply, our offer is free */
	opt_ip(&p, DHCP_OPT_SERVER_ID, 0x0a5900fe);
	opt_ip(&p, DHCP_OPT_REQUESTED_IP, ip);
	assert_int_equal(run(s, &p, T0, &r), 0);
	assert_false(dhcp_lease_ip_in_use(dhcp_server_leases(s), ip, T0));
	/* asking us for an address we did not offer: NAK */
	assert_int_equal(run(s, &d, T0, &r), 1);
	opt_ip(&w, DHCP_OPT_SERVER_ID, GW);
	opt_ip(&w, DHCP_OPT_REQUESTED_IP, ip + 1);
	assert_int_equal(run(s, &w, T0, &r), 1);
	assert_int_equal(rtype(&r), DHCP_NAK);
	assert_int_equal(ropt_u32(&r, DHCP_OPT_SERVER_ID), GW);
	dhcp_server_free(s);
}

static void test_inform(void **state)
{
	struct dhcp_config c = base_config();
	struct dhcp_server *s = server(&c);
	struct pkt p = req(DHCP_INFORM, 1);
	struct dhcp_server_stats st;
	struct dhcp_reply r;

	p.h.ciaddr = htonl(NET | 99);
	assert_int_equal(run(s, &p, T0, &r), 1);
	assert_int_equal(rtype(&r), DHCP_ACK);
	assert_int_equal(rhdr(&r).yiaddr, 0);
	assert_int_equal(ntohl(rhdr(&r).ciaddr), NET | 99);
	assert_false(has(&r, DHCP_OPT_LEASE_TIME));
	assert_false(has(&r, DHCP_OPT_RENEWAL));
	assert_int_equal(ropt_u32(&r, DHCP_OPT_ROUTER), GW);
	assert_int_equal(ropt_u32(&r, DHCP_OPT_DNS), GW);
	assert_int_equal(r.dst_ip, NET | 99);
	assert_false(r.broadcast);
	/* INFORM allocates nothing */
	assert_null(dhcp_lease_find_ip(dhcp_server_leases(s), NET | 99));
	dhcp_server_get_stats(s, &st);
	assert_int_equal(st.informs, 1);
	dhcp_server_free(s);
}

static void test_release_reuse(void **state)
{
	struct dhcp_config c = base_config();
	struct dhcp_server *s;
	struct pkt d6 = req(DHCP_DISCOVER, 6);
	struct pkt rel = req(DHCP_RELEASE, 1);
	struct dhcp_server_stats st;
	struct dhcp_reply r;
	uint32_t ip1;
	uint8_t i;

	/* /29: five addresses, .2 to .6 */
	c.subnet.prefix = 29;
	s = server(&c);
	ip1 = dora(s, 1, T0);
	for (i = 2; i <= 5; i++)
		dora(s, i, T0);
	assert_int_equal(run(s, &d6, T0, &r), 0);
	rel.h.ciaddr = htonl(ip1);
	opt_ip(&rel, DHCP_OPT_SERVER_ID, GW);
	assert_int_equal(run(s, &rel, T0 + 10, &r), 0);
	assert_int_equal(run(s, &d6, T0 + 10, &r), 1);
	assert_int_equal(ntohl(rhdr(&r).yiaddr), ip1);
	dhcp_server_get_stats(s, &st);
	assert_int_equal(st.releases, 1);
	assert_int_equal(st.refused, 1);
	dhcp_server_free(s);
}

static void test_decline(void **state)
{
	struct dhcp_config c = base_config();
	struct dhcp_server *s = server(&c);
	uint32_t ip = dora(s, 1, T0);
	struct pkt p = req(DHCP_DECLINE, 1);
	struct pkt d = req(DHCP_DISCOVER, 1);
	struct dhcp_server_stats st;
	struct dhcp_reply r;

	opt_ip(&p, DHCP_OPT_SERVER_ID, GW);
	opt_ip(&p, DHCP_OPT_REQUESTED_IP, ip);
	assert_int_equal(run(s, &p, T0 + 1, &r), 0);
	assert_int_equal(run(s, &d, T0 + 2, &r), 1);
	assert_int_not_equal(ntohl(rhdr(&r).yiaddr), ip);
	dhcp_server_get_stats(s, &st);
	assert_int_equal(st.declines, 1);
	dhcp_server_free(s);
}

static void test_flood_stays_within_limit(void **state)
{
	struct dhcp_config c = base_config();
	struct dhcp_lease_stats ls;
	struct dhcp_server_stats st;
	struct dhcp_server *s;
	struct dhcp_reply r;
	uint32_t x = 12345;
	int i, replies = 0;

	c.subnet.prefix = 16;
	c.max_leases = DHCP_LEASE_DEFAULT_MAX;
	s = server(&c);
	for (i = 0; i < 10000; i++) {
		struct pkt p = req(DHCP_DISCOVER, 0);
		int k;

		for (k = 0; k < 6; k++) {
			x = x * 1103515245u + 12345u;
			p.h.chaddr[k] = (uint8_t)(x >> 16);
		}
		replies += run(s, &p, T0, &r);
	}
	dhcp_lease_get_stats(dhcp_server_leases(s), &ls);
	dhcp_server_get_stats(s, &st);
	assert_int_equal(replies, DHCP_LEASE_DEFAULT_MAX);
	assert_int_equal(ls.n_dynamic, DHCP_LEASE_DEFAULT_MAX);
	assert_int_equal(ls.refused_full, 10000 - DHCP_LEASE_DEFAULT_MAX);
	assert_int_equal(st.refused, 10000 - DHCP_LEASE_DEFAULT_MAX);
	/* the flood's offers lapse: a real client gets served after 30 s */
	{
		struct pkt p = req(DHCP_DISCOVER, 1);

		assert_int_equal(run(s, &p, T0 + 1, &r), 0);
		assert_int_equal(run(s, &p, T0 + DHCP_LEASE_OFFER_HOLD, &r), 1);
	}
	dhcp_server_free(s);
}

static void test_max_size(void **state)
{
	struct dhcp_config c = base_config();
	struct pkt p = req(DHCP_DISCOVER, 1);
	uint16_t big = htons(1500), small = htons(400);
	struct dhcp_server *s;
	struct dhcp_reply r;
	unsigned i;

	/* eight long, distinct search domains: about 800 encoded bytes */
	for (i = 0; i < DHCP_SEARCH_MAX_DOMAINS; i++) {
		memset(c.search[i], 'a' + i, 60);
		c.search[i][60] = '\0';
		strcat(c.search[i], ".");
		memset(c.search[i] + 61, 'q' + i, 40);
		c.search[i][101] = '\0';
	}
	c.n_search = DHCP_SEARCH_MAX_DOMAINS;
	s = server(&c);
	/* no option 57: 576 - 28 bytes, the search list does not fit */
	assert_int_equal(run(s, &p, T0, &r), 1);
	assert_true(r.len <= 548);
	assert_false(has(&r, DHCP_OPT_SEARCH));
	assert_true(has(&r, DHCP_OPT_DNS));	/* the rest is there */
	assert_true(has(&r, DHCP_OPT_MTU));
	/* below the legal minimum counts as 576 */
	opt(&p, DHCP_OPT_MAX_SIZE, 2, &small);
	assert_int_equal(run(s, &p, T0, &r), 1);
	assert_true(r.len <= 548);
	/* 1500: it fits, split over several option 119 instances */
	p = req(DHCP_DISCOVER, 1);
	opt(&p, DHCP_OPT_MAX_SIZE, 2, &big);
	assert_int_equal(run(s, &p, T0, &r), 1);
	assert_true(r.len > 548 && r.len <= 1472);
	assert_true(has(&r, DHCP_OPT_SEARCH));
	dhcp_server_free(s);
}

static void test_relay_and_ignored(void **state)
{
	struct dhcp_config c = base_config();
	struct dhcp_server *s = server(&c);
	struct pkt p = req(DHCP_DISCOVER, 1);
	struct pkt n = req(DHCP_REQUEST, 1);
	struct dhcp_server_stats st;
	struct dhcp_reply r;

	/* relayed from inside the subnet: to the relay's port 67 */
	p.h.giaddr = htonl(NET | 2);
	assert_int_equal(run(s, &p, T0, &r), 1);
	assert_true(r.via_relay);
	assert_int_equal(r.dst_ip, NET | 2);
	assert_int_equal(r.dst_port, 67);
	/* a NAK through a relay carries the broadcast bit */
	n.h.giaddr = htonl(NET | 2);
	opt_ip(&n, DHCP_OPT_REQUESTED_IP, 0xc0a80005);
	assert_int_equal(run(s, &n, T0, &r), 1);
	assert_int_equal(rtype(&r), DHCP_NAK);
	assert_int_equal(rhdr(&r).flags, htons(DHCP_FLAG_BROADCAST));
	/* relayed from elsewhere: not ours */
	p.h.giaddr = htonl(0xc0a80001);
	assert_int_equal(run(s, &p, T0, &r), 0);
	p = req(DHCP_DISCOVER, 1);
	p.h.htype = 6;
	assert_int_equal(run(s, &p, T0, &r), 0);
	p = req(DHCP_DISCOVER, 1);
	p.h.op = DHCP_BOOTREPLY;
	assert_int_equal(run(s, &p, T0, &r), -EBADMSG);
	p = req(DHCP_OFFER, 1);
	assert_int_equal(run(s, &p, T0, &r), 0);
	p = req(DHCP_DISCOVER, 1);
	p.opts[0] = 0;	/* no message type: BOOTP, not served */
	p.opts[1] = 0;
	p.opts[2] = 0;
	assert_int_equal(run(s, &p, T0, &r), -EBADMSG);
	dhcp_server_get_stats(s, &st);
	assert_int_equal(st.malformed, 2);
	assert_int_equal(st.ignored, 3);
	dhcp_server_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_invalid),
		cmocka_unit_test(test_dora),
		cmocka_unit_test(test_option_order),
		cmocka_unit_test(test_options_as_configured),
		cmocka_unit_test(test_static_lease_and_hostname),
		cmocka_unit_test(test_broadcast_flag),
		cmocka_unit_test(test_renew_unicast),
		cmocka_unit_test(test_rebind),
		cmocka_unit_test(test_init_reboot),
		cmocka_unit_test(test_selecting),
		cmocka_unit_test(test_inform),
		cmocka_unit_test(test_release_reuse),
		cmocka_unit_test(test_decline),
		cmocka_unit_test(test_flood_stays_within_limit),
		cmocka_unit_test(test_max_size),
		cmocka_unit_test(test_relay_and_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
