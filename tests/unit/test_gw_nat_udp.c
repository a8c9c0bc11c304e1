// SPDX-License-Identifier: MIT
/*
 * test_gw_nat_udp.c - the NAT's policy (gw_nat_route()), UDP flows and the
 *		       ICMP errors it sends guests (gw_nat_udp.c, gw_nat_icmp.c)
 *
 * Policy is checked on a standalone gateway. Everything else goes through
 * a running switch: a fake guest is a socketpair "tap" (as in
 * test_gw_services.c), frames are built with correct checksums, and what
 * the gateway sends back is parsed down to the inner header of ICMP
 * errors. Host access reaches UDP sockets the test owns on 127.0.0.1;
 * egress stays off except for an echo with TTL 1, which the gateway
 * answers itself. Nothing leaves the loopback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cmocka.h>

#include "pkt/csum.h"
#include "common/util.h"
#include "pkt/frame.h"
#include "gateway/gw_nat.h"
#include "gateway/gw_priv.h"
#include "vswitch/vsw.h"
#include "gw_testlib.h"
#include "tap_testlib.h"

#define GW_IP	0x0a590001u	/* 10.89.0.1 */
#define NET	0x0a590000u
#define OUT_IP	0xc6120001u	/* 198.18.0.1 (RFC 2544 benchmarking) */
#define NOWAIT	150
#define WAIT	3000

static const uint8_t gw_mac[6] = { 0x02, 0x6d, 0x76, 0x00, 0x00, 0x01 };
static const uint8_t g_mac[6] = { 0x02, 0, 0, 0, 0, 0x10 };
#define G_IP	(NET + 10)

struct env {
	struct vsw *sw;
	int fd;		/* the guest's end of its tap */
	int srv;	/* a UDP socket on 127.0.0.1 */
	uint16_t port;	/* its port */
};

static void nat(struct env *e, bool egress, bool host, uint32_t per_guest)
{
	struct gw_nat_config c = {
		.egress = egress, .host_access = host,
		.max_flows = 64, .max_flows_guest = per_guest,
	};

	assert_int_equal(gw_nat_configure(testlib_gw(e->sw), &c), 0);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct gw_services_config sc = { .dns = true, .dhcp = true };
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	unsigned id;

	e->sw = testlib_switch("nat", GW_IP, NET, 0, gw_mac);
	e->fd = tap_attach(e->sw, "g/eth0", &id);
	assert_int_equal(gw_services_configure(testlib_gw(e->sw), &sc), 0);
	nat(e, false, true, 0);
	e->srv = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(e->srv, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(e->srv, (struct sockaddr *)&a, &al), 0);
	e->port = ntohs(a.sin_port);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	testlib_switch_destroy(e->sw);
	close(e->fd);
	close(e->srv);
	free(e);
	return 0;
}

static void send_frame(struct env *e, const void *frame, size_t len)
{
	tap_send(e->fd, NULL, frame, len);
}

static ssize_t recv_frame(struct env *e, uint8_t *buf, size_t size, int ms)
{
	return tap_recv(e->fd, buf, size, ms);
}

/* Ethernet + IPv4 header for @proto, @len bytes of L4 after it */
static void build_ip(uint8_t *f, uint8_t proto, uint32_t src, uint32_t dst,
		     uint8_t ttl, size_t len)
{
	struct eth_hdr eh = { .type = htons(ETHTYPE_IP4) };
	struct ip4_hdr ip = {
		.ver_ihl = 0x45, .ttl = ttl, .proto = proto,
		.tot_len = htons((uint16_t)(20 + len)), .id = htons(77),
		.saddr = htonl(src), .daddr = htonl(dst),
	};

	memcpy(eh.dst, gw_mac, 6);
	memcpy(eh.src, g_mac, 6);
	ip.check = frame_ip4_csum(&ip, sizeof(ip));
	memcpy(f, &eh, 14);
	memcpy(f + 14, &ip, 20);
}

static size_t build_udp(uint8_t *f, uint16_t sport, uint32_t dst,
			uint16_t dport, const void *data, size_t len)
{
	struct udp_hdr u = {
		.sport = htons(sport), .dport = htons(dport),
		.len = htons((uint16_t)(8 + len)),
	};

	build_ip(f, IPPROTO_UDP_, G_IP, dst, 64, 8 + len);
	memcpy(f + 34, &u, 8);
	memcpy(f + 42, data, len);
	u.check = csum_fold(csum_partial(f + 34, 8 + len,
		csum_ip4_pseudo(htonl(G_IP), htonl(dst), IPPROTO_UDP_,
				(uint16_t)(8 + len))));
	memcpy(f + 40, &u.check, 2);
	return 42 + len;
}

static size_t build_echo(uint8_t *f, uint32_t dst, uint8_t ttl)
{
	struct icmp_hdr ic = { .type = ICMP_ECHO_, .id = htons(0x4242),
			       .seq = htons(1) };
	uint16_t sum;

	build_ip(f, IPPROTO_ICMP_, G_IP, dst, ttl, 8 + 4);
	memcpy(f + 34, &ic, 8);
	memcpy(f + 42, "ping", 4);
	sum = csum_fold(csum_partial(f + 34, 12, 0));
	memcpy(f + 36, &sum, 2);
	return 46;
}

/*
 * An ICMP error to the guest: Ethernet, IPv4 and ICMP checksums, type,
 * code, source; the quoted packet must be @orig (the offending IPv4
 * packet, at least its header and 8 bytes). Returns the quoted bytes.
 */
static void check_icmp_err(const uint8_t *f, ssize_t n, uint8_t type,
			   uint8_t code, uint32_t src, const uint8_t *orig,
			   size_t olen)
{
	struct frame_eth eth;
	struct frame_ip4 ip;
	struct frame_icmp ic;

	assert_true(n > 0);
	assert_int_equal(frame_parse_eth(f, (size_t)n, &eth), 0);
	assert_memory_equal(eth.src, gw_mac, 6);
	assert_memory_equal(eth.dst, g_mac, 6);
	assert_int_equal(frame_parse_ip4(&eth, &ip), 0);
	assert_true(ip.csum_ok);
	assert_int_equal(ip.proto, IPPROTO_ICMP_);
	assert_int_equal(ip.saddr, src);
	assert_int_equal(ip.daddr, G_IP);
	assert_int_equal(frame_parse_icmp(&ip, &ic), 0);
	assert_int_equal(csum_fold(csum_partial(ic.msg.p, ic.msg.left, 0)), 0);
	assert_int_equal(ic.type, type);
	assert_int_equal(ic.code, code);
	assert_true(ic.data.left >= 28);
	assert_true(ic.data.left <= 576 - 28);
	if (orig)
		assert_memory_equal(ic.data.p, orig, MIN(olen, ic.data.left));
}

/* ---- policy ---- */

static void test_route(void **state)
{
	struct cidr4 net = { NET, 24 };
	struct gw_services_config sc = { 0 };
	struct gw_nat_config c = { .egress = true, .host_access = true };
	struct sockaddr_in sa;
	struct gw *gw;

	(void)state;
	assert_int_equal(gw_create(gw_mac, GW_IP, &gw), 0);
	gw_set_network(gw, &net, 1500);
	assert_int_equal(gw_services_configure_locked(gw, &sc), 0);
	assert_int_equal(gw_nat_configure_locked(gw, &c), 0);

	/* the gateway address is the host's loopback, same port */
	assert_int_equal(gw_nat_route(gw, GW_IP, &sa), 0);
	assert_int_equal(sa.sin_family, AF_INET);
	assert_int_equal(ntohl(sa.sin_addr.s_addr), INADDR_LOOPBACK);
	/* outside: itself */
	assert_int_equal(gw_nat_route(gw, OUT_IP, &sa), 0);
	assert_int_equal(ntohl(sa.sin_addr.s_addr), OUT_IP);
	/* never: the subnet, its broadcast, loopback, 0/8, multicast,
	 * limited broadcast, class E */
	assert_int_equal(gw_nat_route(gw, NET + 5, &sa), -EHOSTUNREACH);
	assert_int_equal(gw_nat_route(gw, NET + 255, &sa),
			 -EHOSTUNREACH);
	assert_int_equal(gw_nat_route(gw, 0x7f000001, &sa),
			 -EHOSTUNREACH);
	assert_int_equal(gw_nat_route(gw, 0x00000001, &sa),
			 -EHOSTUNREACH);
	assert_int_equal(gw_nat_route(gw, 0xe0000001, &sa),
			 -EHOSTUNREACH);
	assert_int_equal(gw_nat_route(gw, 0xffffffff, &sa),
			 -EHOSTUNREACH);
	assert_int_equal(gw_nat_route(gw, 0xf0000001, &sa),
			 -EHOSTUNREACH);

	/* an internal network: neither egress nor host access */
	c.egress = false;
	c.host_access = false;
	assert_int_equal(gw_nat_configure_locked(gw, &c), 0);
	assert_int_equal(gw_nat_route(gw, GW_IP, &sa), -EACCES);
	assert_int_equal(gw_nat_route(gw, OUT_IP, &sa), -EACCES);
	assert_int_equal(gw_nat_route(gw, NET + 5, &sa), -EHOSTUNREACH);
	/* each on its own */
	c.host_access = true;
	assert_int_equal(gw_nat_configure_locked(gw, &c), 0);
	assert_int_equal(gw_nat_route(gw, GW_IP, &sa), 0);
	assert_int_equal(gw_nat_route(gw, OUT_IP, &sa), -EACCES);
	c.host_access = false;
	c.egress = true;
	assert_int_equal(gw_nat_configure_locked(gw, &c), 0);
	assert_int_equal(gw_nat_route(gw, GW_IP, &sa), -EACCES);
	assert_int_equal(gw_nat_route(gw, OUT_IP, &sa), 0);
	gw_destroy(gw);
}

/* ---- UDP through host access ---- */

static void test_udp_echo(void **state)
{
	struct env *e = *state;
	uint8_t f[4096], buf[64];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct frame_eth eth;
	struct frame_ip4 ip;
	struct frame_l4 udp;
	size_t len;
	ssize_t n;
	struct pollfd pfd = { .fd = e->srv, .events = POLLIN };
	int i;

	for (i = 0; i < 3; i++) {	/* the second and third reuse the flow */
		len = build_udp(f, 4000, GW_IP, e->port, "hello", 5);
		send_frame(e, f, len);
		assert_int_equal(poll(&pfd, 1, WAIT), 1);
		n = recvfrom(e->srv, buf, sizeof(buf), 0,
			     (struct sockaddr *)&from, &fl);
		assert_int_equal(n, 5);
		assert_memory_equal(buf, "hello", 5);
		assert_int_equal(ntohl(from.sin_addr.s_addr), INADDR_LOOPBACK);
		assert_int_equal(sendto(e->srv, "world!", 6, 0,
					(struct sockaddr *)&from, fl), 6);

		n = recv_frame(e, f, sizeof(f), WAIT);
		assert_true(n > 0);
		assert_int_equal(frame_parse_eth(f, (size_t)n, &eth), 0);
		assert_memory_equal(eth.dst, g_mac, 6);
		assert_memory_equal(eth.src, gw_mac, 6);
		assert_int_equal(frame_parse_ip4(&eth, &ip), 0);
		assert_true(ip.csum_ok);
		assert_int_equal(ip.saddr, GW_IP);	/* as the guest knows it */
		assert_int_equal(ip.daddr, G_IP);
		assert_int_equal(frame_parse_udp(&ip, &udp), 0);
		assert_int_equal(udp.sport, e->port);
		assert_int_equal(udp.dport, 4000);
		assert_int_equal(udp.data.left, 6);
		assert_memory_equal(udp.data.p, "world!", 6);
		assert_int_equal(csum_fold(csum_partial(ip.l4.p, 14,
			csum_ip4_pseudo(htonl(ip.saddr), htonl(ip.daddr),
					IPPROTO_UDP_, 14))), 0);
	}
}

/* a host datagram above the MTU reaches the guest as fragments */
static void test_udp_fragments(void **state)
{
	struct env *e = *state;
	static uint8_t big[4000], got[4100];
	uint8_t f[2048];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	size_t len, total = 0, i;
	bool last = false;
	uint16_t id = 0;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	len = build_udp(f, 4001, GW_IP, e->port, "x", 1);
	send_frame(e, f, len);
	assert_int_equal(recvfrom(e->srv, got, sizeof(got), 0,
				  (struct sockaddr *)&from, &fl), 1);
	assert_int_equal(sendto(e->srv, big, sizeof(big), 0,
				(struct sockaddr *)&from, fl),
			 (ssize_t)sizeof(big));
	for (i = 0; !last; i++) {
		struct frame_eth eth;
		struct frame_ip4 ip;
		ssize_t n = recv_frame(e, f, sizeof(f), WAIT);
		uint16_t fo;

		assert_true(n > 0 && n <= 14 + 1500);
		assert_int_equal(frame_parse_eth(f, (size_t)n, &eth), 0);
		assert_int_equal(frame_parse_ip4(&eth, &ip), 0);
		assert_true(ip.csum_ok);
		assert_int_equal(ip.proto, IPPROTO_UDP_);
		fo = ntohs(ip.hdr->frag_off);
		if (!i)
			id = ip.hdr->id;
		assert_int_equal(ip.hdr->id, id);
		assert_int_equal((size_t)(fo & IP4_OFFMASK) * 8, total);
		last = !(fo & IP4_MF);
		if (!last)
			assert_int_equal(ip.l4.left % 8, 0);
		assert_true(total + ip.l4.left <= sizeof(got));
		memcpy(got + total, ip.l4.p, ip.l4.left);
		total += ip.l4.left;
	}
	assert_int_equal(i, 3);
	assert_int_equal(total, 8 + sizeof(big));
	assert_memory_equal(got + 8, big, sizeof(big));
	assert_int_equal(csum_fold(csum_partial(got, total,
		csum_ip4_pseudo(htonl(GW_IP), htonl(G_IP), IPPROTO_UDP_,
				(uint16_t)total))), 0);
}

/* a closed port on the host: the host's ICMP error is relayed */
static void test_udp_port_unreachable(void **state)
{
	struct env *e = *state;
	uint8_t f[2048], orig[64];
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	uint16_t closed;
	size_t len;
	int s;

	s = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	closed = ntohs(a.sin_port);
	close(s);

	len = build_udp(f, 4002, GW_IP, closed, "anyone?", 7);
	memcpy(orig, f + 14, 28);	/* IPv4 header and UDP header */
	send_frame(e, f, len);
	/* rebuilt by the gateway: only the addresses, ports, protocol and
	 * lengths are the guest's (enough for its socket lookup) */
	check_icmp_err(f, recv_frame(e, f, sizeof(f), WAIT), 3, 3, GW_IP,
		       NULL, 0);
	assert_int_equal(f[42 + 9], IPPROTO_UDP_);
	assert_memory_equal(f + 42 + 12, orig + 12, 8);	/* addresses */
	assert_memory_equal(f + 42 + 20, orig + 20, 6);	/* ports, length */
}

/* policy and limits: "administratively prohibited", quoting the packet */
static void test_udp_refused(void **state)
{
	struct env *e = *state;
	uint8_t f[2048], orig[2048];
	size_t len;

	/* egress is off: 198.18.0.1 is prohibited, from the gateway */
	len = build_udp(f, 4003, OUT_IP, 9, "out", 3);
	memcpy(orig, f + 14, len - 14);
	send_frame(e, f, len);
	check_icmp_err(f, recv_frame(e, f, sizeof(f), WAIT), 3, 13, GW_IP,
		       orig, len - 14);

	/* the gateway's own ports never go to the host, even with the
	 * services off (with them on, gateway.c keeps those datagrams) */
	{
		struct gw_services_config off = { 0 };
		uint16_t port[2] = { 53, 67 };

		assert_int_equal(gw_services_configure(testlib_gw(e->sw), &off), 0);
		for (int i = 0; i < 2; i++) {
			len = build_udp(f, 4004, GW_IP, port[i], "svc?", 4);
			memcpy(orig, f + 14, len - 14);
			send_frame(e, f, len);
			check_icmp_err(f, recv_frame(e, f, sizeof(f), WAIT),
				       3, 3, GW_IP, orig, len - 14);
		}
	}

	/* host access off */
	nat(e, false, false, 0);
	len = build_udp(f, 4005, GW_IP, e->port, "host", 4);
	memcpy(orig, f + 14, len - 14);
	send_frame(e, f, len);
	check_icmp_err(f, recv_frame(e, f, sizeof(f), WAIT), 3, 13, GW_IP,
		       orig, len - 14);

	/* per-guest limit of 2 flows: the third is refused */
	nat(e, false, true, 2);
	len = build_udp(f, 5000, GW_IP, e->port, "a", 1);
	send_frame(e, f, len);
	len = build_udp(f, 5001, GW_IP, e->port, "b", 1);
	send_frame(e, f, len);
	len = build_udp(f, 5002, GW_IP, e->port, "c", 1);
	memcpy(orig, f + 14, len - 14);
	send_frame(e, f, len);
	check_icmp_err(f, recv_frame(e, f, sizeof(f), WAIT), 3, 13, GW_IP,
		       orig, len - 14);
}

/* RFC 1122 3.2.2: no error about broadcasts or about ICMP errors */
static void test_no_error_about(void **state)
{
	struct env *e = *state;
	uint8_t f[2048];
	size_t len;

	/* to the subnet's broadcast address (at the gateway's MAC) */
	len = build_udp(f, 4006, NET + 255, 9, "b", 1);
	send_frame(e, f, len);
	assert_int_equal(recv_frame(e, f, sizeof(f), NOWAIT), -1);
	/* an ICMP error from the guest to a prohibited address */
	build_ip(f, IPPROTO_ICMP_, G_IP, OUT_IP, 64, 8 + 28);
	memset(f + 34, 0, 36);
	f[34] = 3;
	f[35] = 3;
	{
		uint16_t sum = csum_fold(csum_partial(f + 34, 36, 0));

		memcpy(f + 36, &sum, 2);
	}
	send_frame(e, f, 70);
	assert_int_equal(recv_frame(e, f, sizeof(f), NOWAIT), -1);
}

/* a guest cannot make the gateway flood: errors are rate limited */
static void test_rate_limit(void **state)
{
	struct env *e = *state;
	uint8_t f[2048];
	size_t len;
	int i, got = 0;

	for (i = 0; i < 60; i++) {
		len = build_udp(f, (uint16_t)(6000 + i), OUT_IP, 9, "x", 1);
		send_frame(e, f, len);
	}
	while (recv_frame(e, f, sizeof(f), NOWAIT) > 0)
		got++;
	/* a burst of 16 (plus what 20/s refills while we send) */
	assert_true(got >= 16);
	assert_true(got < 30);
}

/* echo: policy answers at once; TTL 1 expires at the gateway */
static void test_echo(void **state)
{
	struct env *e = *state;
	uint8_t f[2048], orig[64];
	size_t len;

	len = build_echo(f, OUT_IP, 64);	/* egress off */
	memcpy(orig, f + 14, len - 14);
	send_frame(e, f, len);
	check_icmp_err(f, recv_frame(e, f, sizeof(f), WAIT), 3, 13, GW_IP,
		       orig, len - 14);

	nat(e, true, true, 0);		/* nothing is sent: TTL 1 */
	len = build_echo(f, OUT_IP, 1);
	memcpy(orig, f + 14, len - 14);
	send_frame(e, f, len);
	check_icmp_err(f, recv_frame(e, f, sizeof(f), WAIT), 11, 0, GW_IP,
		       orig, len - 14);
}

/* published UDP: a host client's datagram reaches the guest, the guest's
 * reply goes back through the published socket; dropping it ends the flow */
static void test_udp_published(void **state)
{
	struct env *e = *state;
	uint8_t f[2048], buf[64];
	struct sockaddr_in pub = { .sin_family = AF_INET }, cl = pub, from;
	socklen_t al = sizeof(pub);
	struct frame_eth eth;
	struct frame_ip4 ip;
	struct frame_l4 udp;
	struct pollfd pfd = { .events = POLLIN };
	struct gw *gw;
	size_t len;
	ssize_t n;
	int pfd_sock, client;

	/* the guest is known (its MAC) once it has sent something */
	len = build_udp(f, 4010, GW_IP, e->port, "hi", 2);
	send_frame(e, f, len);
	assert_int_equal(recv(e->srv, buf, sizeof(buf), 0), 2);

	pfd_sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	client = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	pub.sin_addr.s_addr = cl.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(pfd_sock, (struct sockaddr *)&pub, al), 0);
	assert_int_equal(getsockname(pfd_sock, (struct sockaddr *)&pub, &al), 0);
	assert_int_equal(bind(client, (struct sockaddr *)&cl, al), 0);
	assert_int_equal(getsockname(client, (struct sockaddr *)&cl, &al), 0);

	vsw_lock(e->sw);
	gw = testlib_gw(e->sw);
	gw_nat_udp_pub_input(gw, pfd_sock, &cl, G_IP, 5353, "query", 5);
	vsw_unlock(e->sw);
	n = recv_frame(e, f, sizeof(f), WAIT);
	assert_true(n > 0);
	assert_int_equal(frame_parse_eth(f, (size_t)n, &eth), 0);
	assert_int_equal(frame_parse_ip4(&eth, &ip), 0);
	assert_int_equal(ip.saddr, GW_IP);	/* a loopback client */
	assert_int_equal(frame_parse_udp(&ip, &udp), 0);
	assert_int_equal(udp.sport, ntohs(cl.sin_port));
	assert_int_equal(udp.dport, 5353);
	assert_int_equal(udp.data.left, 5);
	assert_memory_equal(udp.data.p, "query", 5);

	/* the reply leaves through the published socket, to the client */
	len = build_udp(f, 5353, GW_IP, ntohs(cl.sin_port), "answer", 6);
	send_frame(e, f, len);
	pfd.fd = client;
	assert_int_equal(poll(&pfd, 1, WAIT), 1);
	al = sizeof(from);
	assert_int_equal(recvfrom(client, buf, sizeof(buf), 0,
				  (struct sockaddr *)&from, &al), 6);
	assert_memory_equal(buf, "answer", 6);
	assert_int_equal(from.sin_port, pub.sin_port);

	/* gone with its socket: the next reply opens a host-access flow to
	 * the client's port instead (from another source port) */
	vsw_lock(e->sw);
	gw = testlib_gw(e->sw);
	gw_nat_udp_pub_drop(gw, pfd_sock);
	vsw_unlock(e->sw);
	send_frame(e, f, len);
	assert_int_equal(poll(&pfd, 1, WAIT), 1);
	al = sizeof(from);
	assert_int_equal(recvfrom(client, buf, sizeof(buf), 0,
				  (struct sockaddr *)&from, &al), 6);
	assert_int_not_equal(from.sin_port, pub.sin_port);
	close(pfd_sock);
	close(client);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route),
		cmocka_unit_test_setup_teardown(test_udp_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_published, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_udp_fragments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_udp_port_unreachable,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_error_about, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_echo, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
