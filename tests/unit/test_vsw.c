// SPDX-License-Identifier: MIT
/*
 * test_vsw.c - end-to-end tests of the switch with socketpair "taps"
 *
 * Each fake guest is one end of an AF_UNIX SOCK_SEQPACKET socketpair; the
 * other end is attached with vsw_port_add_tap(), which treats it exactly
 * like a tap fd (one message = virtio_net_hdr_v1 + frame). No privileges.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pkt/csum.h"
#include "common/util.h"
#include "pkt/frame.h"
#include "vswitch/vsw.h"
#include "gw_testlib.h"
#include "tap_testlib.h"

#define GW_IP	0x0a590001u	/* 10.89.0.1 */
#define NOWAIT	100		/* ms to wait for a frame that must not come */
#define WAIT	3000		/* ms to wait for a frame that must come */

static const uint8_t gw_mac[6] = { 0x02, 0x6d, 0x76, 0x00, 0x00, 0x01 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct guest {
	int fd;			/* our end */
	unsigned id;		/* switch port id */
	uint8_t mac[6];
	uint32_t ip;
};

struct env {
	struct vsw *sw;
	struct guest g[3];
};

static struct vsw *make_switch(unsigned fdb_max)
{
	struct vsw *sw = NULL;

	sw = testlib_switch("test", GW_IP, 0x0a590000, fdb_max, gw_mac);
	return sw;
}

static void add_guest(struct vsw *sw, struct guest *g, unsigned n)
{
	char name[32];

	snprintf(name, sizeof(name), "g%u/eth0", n);
	g->fd = tap_attach(sw, name, &g->id);
	g->mac[0] = 0x02;
	g->mac[5] = (uint8_t)(0x10 + n);
	g->ip = 0x0a590000u + 10 + n;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	unsigned i;

	e->sw = make_switch(0);
	for (i = 0; i < 3; i++)
		add_guest(e->sw, &e->g[i], i);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	unsigned i;

	testlib_switch_destroy(e->sw);
	for (i = 0; i < 3; i++)
		close(e->g[i].fd);
	free(e);
	return 0;
}

static void send_vh(const struct guest *g, const struct virtio_net_hdr_v1 *vh,
		    const void *frame, size_t len)
{
	tap_send(g->fd, vh, frame, len);
}

static void send_frame(const struct guest *g, const void *frame, size_t len)
{
	send_vh(g, NULL, frame, len);
}

/* a frame from @g's point of view: length, or -1 if none within @ms */
static ssize_t recv_frame(const struct guest *g, void *buf, size_t size,
			  int ms)
{
	return tap_recv(g->fd, buf, size, ms);
}

/* a plain Ethernet frame (EtherType 0x88b5, local experimental) */
static size_t build_raw(uint8_t *buf, const uint8_t *dst, const uint8_t *src,
			uint8_t tag)
{
	struct eth_hdr eh = { .type = htons(0x88b5) };

	memcpy(eh.dst, dst, 6);
	memcpy(eh.src, src, 6);
	memcpy(buf, &eh, sizeof(eh));
	memset(buf + sizeof(eh), tag, 46);
	return sizeof(eh) + 46;
}

static void expect_frame(const struct guest *g, uint8_t tag)
{
	uint8_t buf[2048];
	ssize_t n = recv_frame(g, buf, sizeof(buf), WAIT);

	assert_int_equal(n, 60);
	assert_int_equal(buf[14], tag);
}

static void expect_nothing(const struct guest *g)
{
	uint8_t buf[2048];

	assert_int_equal(recv_frame(g, buf, sizeof(buf), NOWAIT), -1);
}

/* forget whatever frames the guests have not read yet */
static void drain_all(struct env *e)
{
	uint8_t buf[2048];
	unsigned i;

	for (i = 0; i < 3; i++)
		while (e->g[i].fd >= 0 &&
		       recv_frame(&e->g[i], buf, sizeof(buf), 20) >= 0)
			;
}

static int64_t stat_get(struct vsw *sw, const char *key)
{
	struct json_object *o = testlib_stats(sw), *v;
	int64_t r = -1;

	if (json_object_object_get_ex(o, key, &v))
		r = json_object_get_int64(v);
	json_object_put(o);
	return r;
}

static int64_t port_stat(struct vsw *sw, unsigned id, const char *key)
{
	struct json_object *o = testlib_stats(sw), *ports, *v;
	int64_t r = -1;
	size_t i;

	assert_true(json_object_object_get_ex(o, "ports", &ports));
	for (i = 0; i < json_object_array_length(ports); i++) {
		struct json_object *p = json_object_array_get_idx(ports, i);

		json_object_object_get_ex(p, "id", &v);
		if ((unsigned)json_object_get_int64(v) != id)
			continue;
		if (json_object_object_get_ex(p, key, &v))
			r = json_object_get_int64(v);
	}
	json_object_put(o);
	return r;
}

/* wait until the switch has received @n frames in total */
static void wait_rx(struct vsw *sw, int64_t n)
{
	int i;

	for (i = 0; i < 300 && stat_get(sw, "rx_packets") < n; i++)
		usleep(10000);
	assert_int_equal(stat_get(sw, "rx_packets"), n);
}

static void test_flood_broadcast(void **state)
{
	struct env *e = *state;
	uint8_t f[64];
	size_t n = build_raw(f, bcast, e->g[0].mac, 0xb1);

	send_frame(&e->g[0], f, n);
	expect_frame(&e->g[1], 0xb1);
	expect_frame(&e->g[2], 0xb1);
	expect_nothing(&e->g[0]);	/* no hairpin */
	assert_int_equal(stat_get(e->sw, "flooded"), 1);
	assert_int_equal(stat_get(e->sw, "rx_packets"), 1);
	/* two guests and the gateway */
	assert_int_equal(stat_get(e->sw, "tx_packets"), 3);
	assert_int_equal(stat_get(e->sw, "fdb_entries"), 1);
}

static void test_unknown_then_learned(void **state)
{
	struct env *e = *state;
	uint8_t f[64];
	size_t n;

	/* g0 -> g1, g1 unknown: flooded */
	n = build_raw(f, e->g[1].mac, e->g[0].mac, 0x01);
	send_frame(&e->g[0], f, n);
	expect_frame(&e->g[1], 0x01);
	expect_frame(&e->g[2], 0x01);
	/* g1 -> g0, g0 learned: unicast */
	n = build_raw(f, e->g[0].mac, e->g[1].mac, 0x02);
	send_frame(&e->g[1], f, n);
	expect_frame(&e->g[0], 0x02);
	expect_nothing(&e->g[2]);
	/* g0 -> g1 again, now known: unicast */
	n = build_raw(f, e->g[1].mac, e->g[0].mac, 0x03);
	send_frame(&e->g[0], f, n);
	expect_frame(&e->g[1], 0x03);
	expect_nothing(&e->g[2]);
	assert_int_equal(stat_get(e->sw, "flooded"), 1);
	assert_int_equal(stat_get(e->sw, "fdb_entries"), 2);

	/* counters per port */
	assert_int_equal(port_stat(e->sw, e->g[0].id, "rx_packets"), 2);
	assert_int_equal(port_stat(e->sw, e->g[0].id, "tx_packets"), 1);
	assert_int_equal(port_stat(e->sw, e->g[1].id, "rx_packets"), 1);
	assert_int_equal(port_stat(e->sw, e->g[1].id, "tx_packets"), 2);
	assert_int_equal(port_stat(e->sw, e->g[2].id, "tx_packets"), 1);
	assert_int_equal(port_stat(e->sw, e->g[2].id, "rx_bytes"), 0);
	assert_int_equal(port_stat(e->sw, e->g[1].id, "tx_bytes"), 120);
	assert_int_equal(stat_get(e->sw, "rx_bytes"), 180);
}

static void test_move(void **state)
{
	struct env *e = *state;
	uint8_t f[64];
	size_t n;

	/* learn g1 on its port */
	n = build_raw(f, bcast, e->g[1].mac, 0x01);
	send_frame(&e->g[1], f, n);
	expect_frame(&e->g[0], 0x01);
	expect_frame(&e->g[2], 0x01);
	/* g1's MAC shows up on g2's port (VM migrated, or spoofed) */
	n = build_raw(f, bcast, e->g[1].mac, 0x02);
	send_frame(&e->g[2], f, n);
	expect_frame(&e->g[0], 0x02);
	expect_frame(&e->g[1], 0x02);
	/* unicast to that MAC now goes to g2 only */
	n = build_raw(f, e->g[1].mac, e->g[0].mac, 0x03);
	send_frame(&e->g[0], f, n);
	expect_frame(&e->g[2], 0x03);
	expect_nothing(&e->g[1]);
	assert_int_equal(stat_get(e->sw, "fdb_moved"), 1);
}

static void test_no_hairpin(void **state)
{
	struct env *e = *state;
	uint8_t f[64];
	size_t n;

	/* g0 and g1 learned */
	n = build_raw(f, bcast, e->g[0].mac, 0x01);
	send_frame(&e->g[0], f, n);
	n = build_raw(f, bcast, e->g[1].mac, 0x02);
	send_frame(&e->g[1], f, n);
	wait_rx(e->sw, 2);
	drain_all(e);
	/* g0 sends to its own MAC: dropped, goes nowhere */
	n = build_raw(f, e->g[0].mac, e->g[0].mac, 0x03);
	send_frame(&e->g[0], f, n);
	wait_rx(e->sw, 3);
	expect_nothing(&e->g[0]);
	expect_nothing(&e->g[1]);
	expect_nothing(&e->g[2]);
	assert_int_equal(port_stat(e->sw, e->g[0].id, "drops"), 1);
	assert_int_equal(stat_get(e->sw, "drops"), 1);
}

static void test_bad_sources_dropped(void **state)
{
	struct env *e = *state;
	static const uint8_t zero[6] = { 0 };
	uint8_t f[64];
	size_t n;

	n = build_raw(f, bcast, bcast, 0x01);		/* group source */
	send_frame(&e->g[0], f, n);
	n = build_raw(f, bcast, zero, 0x02);		/* zero source */
	send_frame(&e->g[0], f, n);
	n = build_raw(f, bcast, gw_mac, 0x03);		/* the gateway's */
	send_frame(&e->g[0], f, n);
	send_frame(&e->g[0], f, 13);			/* runt */
	wait_rx(e->sw, 4);
	expect_nothing(&e->g[1]);
	assert_int_equal(port_stat(e->sw, e->g[0].id, "drops"), 4);
	assert_int_equal(stat_get(e->sw, "fdb_entries"), 0);
}

static void test_remove_port(void **state)
{
	struct env *e = *state;
	uint8_t f[64];
	size_t n;

	n = build_raw(f, bcast, e->g[1].mac, 0x01);
	send_frame(&e->g[1], f, n);
	wait_rx(e->sw, 1);
	drain_all(e);
	assert_int_equal(stat_get(e->sw, "fdb_entries"), 1);
	assert_int_equal(vsw_port_remove(e->sw, e->g[1].id), 0);
	assert_int_equal(stat_get(e->sw, "fdb_entries"), 0);
	assert_int_equal(vsw_port_remove(e->sw, e->g[1].id), -ENOENT);
	assert_int_equal(vsw_port_remove(e->sw, 0), -EPERM);
	/* our end sees the switch's end closed */
	assert_int_equal(recv_frame(&e->g[1], f, sizeof(f), WAIT), -1);
	/* flooding skips the removed port */
	n = build_raw(f, bcast, e->g[0].mac, 0x02);
	send_frame(&e->g[0], f, n);
	expect_frame(&e->g[2], 0x02);
	assert_int_equal(stat_get(e->sw, "tx_packets"), 1 + 2 + 2);
}

static void test_dead_port(void **state)
{
	struct env *e = *state;
	uint8_t f[64];
	size_t n;
	int i;

	n = build_raw(f, bcast, e->g[1].mac, 0x01);
	send_frame(&e->g[1], f, n);
	wait_rx(e->sw, 1);
	drain_all(e);
	close(e->g[1].fd);
	e->g[1].fd = -1;
	for (i = 0; i < 300 && port_stat(e->sw, e->g[1].id, "dead") != 1; i++)
		usleep(10000);
	assert_int_equal(port_stat(e->sw, e->g[1].id, "dead"), 1);
	assert_int_equal(stat_get(e->sw, "fdb_entries"), 0);
	/* frames no longer go there, and nothing is counted against it */
	n = build_raw(f, bcast, e->g[0].mac, 0x02);
	send_frame(&e->g[0], f, n);
	expect_frame(&e->g[2], 0x02);
	assert_int_equal(port_stat(e->sw, e->g[1].id, "drops"), 0);
	assert_int_equal(vsw_port_remove(e->sw, e->g[1].id), 0);
}

/* ARP and ICMP through the gateway */

struct arp_frame {
	struct eth_hdr eth;
	struct arp_ip4 arp;
} __attribute__((packed));

static void put_ip(uint8_t *p, uint32_t ip)
{
	uint32_t be = htonl(ip);

	memcpy(p, &be, 4);
}

static void test_gateway_arp(void **state)
{
	struct env *e = *state;
	const struct guest *g = &e->g[0];
	struct arp_frame req = {
		.eth = { .type = htons(ETHTYPE_ARP) },
		.arp = { .htype = htons(1), .ptype = htons(ETHTYPE_IP4),
			 .hlen = 6, .plen = 4, .op = htons(ARP_OP_REQUEST) },
	};
	uint8_t buf[2048];
	struct arp_frame *r = (struct arp_frame *)buf;
	ssize_t n;

	memcpy(req.eth.dst, bcast, 6);
	memcpy(req.eth.src, g->mac, 6);
	memcpy(req.arp.sha, g->mac, 6);
	put_ip(req.arp.spa, g->ip);
	put_ip(req.arp.tpa, GW_IP);
	send_frame(g, &req, sizeof(req));

	/* the request itself is flooded to the other guests */
	assert_int_equal(recv_frame(&e->g[1], buf, sizeof(buf), WAIT),
			 (ssize_t)sizeof(req));
	n = recv_frame(g, buf, sizeof(buf), WAIT);
	assert_int_equal(n, 60);	/* padded to the Ethernet minimum */
	assert_memory_equal(r->eth.dst, g->mac, 6);
	assert_memory_equal(r->eth.src, gw_mac, 6);
	assert_int_equal(ntohs(r->eth.type), ETHTYPE_ARP);
	assert_int_equal(ntohs(r->arp.op), ARP_OP_REPLY);
	assert_int_equal(ntohs(r->arp.htype), 1);
	assert_int_equal(ntohs(r->arp.ptype), ETHTYPE_IP4);
	assert_memory_equal(r->arp.sha, gw_mac, 6);
	assert_memory_equal(r->arp.spa, req.arp.tpa, 4);
	assert_memory_equal(r->arp.tha, g->mac, 6);
	assert_memory_equal(r->arp.tpa, req.arp.spa, 4);
	assert_int_equal(recv_frame(&e->g[2], buf, sizeof(buf), WAIT),
			 (ssize_t)sizeof(req));
	/* the reply was unicast: the gateway's MAC is pinned, g0 learned */
	expect_nothing(&e->g[1]);
	expect_nothing(&e->g[2]);
	assert_int_equal(port_stat(e->sw, 0, "rx_packets"), 1);

	/* a request for another address: no reply */
	put_ip(req.arp.tpa, GW_IP + 50);
	send_frame(g, &req, sizeof(req));
	expect_nothing(g);
	drain_all(e);
	/* gratuitous ARP for the gateway address: no reply */
	put_ip(req.arp.tpa, GW_IP);
	put_ip(req.arp.spa, GW_IP);
	send_frame(g, &req, sizeof(req));
	expect_nothing(g);
	/* a reply is not a question */
	put_ip(req.arp.spa, g->ip);
	req.arp.op = htons(ARP_OP_REPLY);
	send_frame(g, &req, sizeof(req));
	expect_nothing(g);
	/* truncated request */
	req.arp.op = htons(ARP_OP_REQUEST);
	send_frame(g, &req, sizeof(req) - 1);
	expect_nothing(g);
	/* and a good one again */
	send_frame(g, &req, sizeof(req));
	assert_int_equal(recv_frame(g, buf, sizeof(buf), WAIT), 60);
}

struct echo_frame {
	struct eth_hdr eth;
	struct ip4_hdr ip;
	struct icmp_hdr icmp;
	uint8_t data[1400];
} __attribute__((packed));

static void build_echo(struct echo_frame *f, const struct guest *g,
		       size_t dlen)
{
	uint16_t s;
	size_t i;

	memset(f, 0, sizeof(*f));
	memcpy(f->eth.dst, gw_mac, 6);
	memcpy(f->eth.src, g->mac, 6);
	f->eth.type = htons(ETHTYPE_IP4);
	f->ip.ver_ihl = 0x45;
	f->ip.tot_len = htons((uint16_t)(20 + 8 + dlen));
	f->ip.id = htons(0x4242);
	f->ip.frag_off = htons(IP4_DF);
	f->ip.ttl = 64;
	f->ip.proto = IPPROTO_ICMP_;
	f->ip.saddr = htonl(g->ip);
	f->ip.daddr = htonl(GW_IP);
	f->ip.check = frame_ip4_csum(&f->ip, 20);
	f->icmp.type = ICMP_ECHO_;
	f->icmp.id = htons(0xbeef);
	f->icmp.seq = htons(3);
	for (i = 0; i < dlen; i++)
		f->data[i] = (uint8_t)(i * 7 + 1);
	s = csum_fold(csum_partial(&f->icmp, 8 + dlen, 0));
	f->icmp.check = s;
}

static void check_echo_reply(const struct guest *g, const struct echo_frame *q,
			     size_t dlen)
{
	uint8_t buf[2048];
	const struct echo_frame *r = (const struct echo_frame *)buf;
	ssize_t n = recv_frame(g, buf, sizeof(buf), WAIT);

	assert_int_equal(n, (ssize_t)MAX(60, 14 + 20 + 8 + dlen));
	assert_memory_equal(r->eth.dst, g->mac, 6);
	assert_memory_equal(r->eth.src, gw_mac, 6);
	assert_int_equal(ntohs(r->eth.type), ETHTYPE_IP4);
	assert_int_equal(r->ip.ver_ihl, 0x45);
	assert_int_equal(ntohs(r->ip.tot_len), 20 + 8 + dlen);
	assert_int_equal(r->ip.proto, IPPROTO_ICMP_);
	assert_int_equal(ntohl(r->ip.saddr), GW_IP);
	assert_int_equal(ntohl(r->ip.daddr), g->ip);
	assert_int_not_equal(r->ip.ttl, 0);
	assert_int_equal(csum_fold(csum_partial(&r->ip, 20, 0)), 0);
	assert_int_equal(r->icmp.type, ICMP_ECHOREPLY_);
	assert_int_equal(r->icmp.code, 0);
	assert_int_equal(r->icmp.id, q->icmp.id);
	assert_int_equal(r->icmp.seq, q->icmp.seq);
	assert_int_equal(csum_fold(csum_partial(&r->icmp, 8 + dlen, 0)), 0);
	assert_memory_equal(r->data, q->data, dlen);
}

static void test_gateway_icmp(void **state)
{
	struct env *e = *state;
	const struct guest *g = &e->g[0];
	struct virtio_net_hdr_v1 vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM };
	static struct echo_frame q;

	build_echo(&q, g, 1000);
	send_frame(g, &q, 14 + 20 + 8 + 1000);
	check_echo_reply(g, &q, 1000);
	expect_nothing(&e->g[1]);

	/* no payload at all */
	build_echo(&q, g, 0);
	send_frame(g, &q, 14 + 20 + 8);
	check_echo_reply(g, &q, 0);

	/* odd length, Ethernet padding after the datagram is not echoed */
	build_echo(&q, g, 33);
	send_frame(g, &q, 14 + 20 + 8 + 33 + 5);
	check_echo_reply(g, &q, 33);

	/* wrong ICMP checksum: dropped */
	build_echo(&q, g, 100);
	q.icmp.check ^= 0x0100;
	send_frame(g, &q, 14 + 20 + 8 + 100);
	expect_nothing(g);
	/* the same with a partial checksum (NEEDS_CSUM): answered */
	send_vh(g, &vh, &q, 14 + 20 + 8 + 100);
	check_echo_reply(g, &q, 100);

	/* wrong IP header checksum: dropped */
	build_echo(&q, g, 10);
	q.ip.check ^= 1;
	send_frame(g, &q, 14 + 20 + 8 + 10);
	expect_nothing(g);
	/* to another address: not the gateway's business */
	build_echo(&q, g, 10);
	q.ip.daddr = htonl(GW_IP + 1);
	q.ip.check = 0;
	q.ip.check = frame_ip4_csum(&q.ip, 20);
	send_frame(g, &q, 14 + 20 + 8 + 10);
	expect_nothing(g);
	/* a fragment: no reassembly, no reply */
	build_echo(&q, g, 10);
	q.ip.frag_off = htons(IP4_MF);
	q.ip.check = 0;
	q.ip.check = frame_ip4_csum(&q.ip, 20);
	send_frame(g, &q, 14 + 20 + 8 + 10);
	expect_nothing(g);
	/* total length beyond the frame */
	build_echo(&q, g, 10);
	send_frame(g, &q, 14 + 20 + 8 + 9);
	expect_nothing(g);

	{
		struct json_object *o = testlib_stats(e->sw), *gw, *v;

		assert_true(json_object_object_get_ex(o, "gateway", &gw));
		assert_true(json_object_object_get_ex(gw, "icmp_replies", &v));
		assert_int_equal(json_object_get_int64(v), 4);
		assert_true(json_object_object_get_ex(gw, "bad_csum", &v));
		assert_int_equal(json_object_get_int64(v), 2);
		json_object_put(o);
	}
}

static void test_inject(void **state)
{
	struct env *e = *state;
	static struct echo_frame q;

	/* the same path, synchronously, as if g0's port had received it */
	build_echo(&q, &e->g[0], 20);
	assert_int_equal(vsw_inject(e->sw, e->g[0].id, NULL, &q,
				    14 + 20 + 8 + 20), 0);
	check_echo_reply(&e->g[0], &q, 20);
	assert_int_equal(vsw_inject(e->sw, 9999, NULL, &q, 60), -ENOENT);
	/* any bytes at all are fine */
	assert_int_equal(vsw_inject(e->sw, e->g[0].id, NULL, &q, 0), 0);
	assert_int_equal(vsw_inject(e->sw, e->g[0].id, NULL, &q, 1), 0);
}

static void test_fdb_full_still_forwards(void **state)
{
	struct vsw *sw = make_switch(2);
	struct guest g[3];
	uint8_t f[64];
	size_t n;
	unsigned i;

	memset(g, 0, sizeof(g));
	for (i = 0; i < 3; i++)
		add_guest(sw, &g[i], i);
	for (i = 0; i < 3; i++) {
		n = build_raw(f, bcast, g[i].mac, (uint8_t)i);
		send_frame(&g[i], f, n);
		wait_rx(sw, i + 1);
	}
	assert_int_equal(stat_get(sw, "fdb_entries"), 2);
	assert_int_equal(stat_get(sw, "fdb_max"), 2);
	assert_int_equal(stat_get(sw, "fdb_full"), 1);
	for (i = 0; i < 3; i++)
		while (recv_frame(&g[i], f, sizeof(f), NOWAIT) >= 0)
			;
	/* g2 was not learned: frames to it are flooded, and still arrive */
	n = build_raw(f, g[2].mac, g[0].mac, 0x55);
	send_frame(&g[0], f, n);
	expect_frame(&g[2], 0x55);
	expect_frame(&g[1], 0x55);
	testlib_switch_destroy(sw);
	for (i = 0; i < 3; i++)
		close(g[i].fd);
}

static void test_port_limit(void **state)
{
	struct vsw *sw = make_switch(0);
	static int fds[300][2];
	struct rlimit rl;
	unsigned i, id;
	int ret = 0;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < 700) {
		rl.rlim_cur = rl.rlim_max < 700 ? rl.rlim_max : 700;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < 700) {
		testlib_switch_destroy(sw);
		skip();	/* not enough fds for 256 socketpairs */
	}
	for (i = 0; i < 300; i++) {
		assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0,
					    fds[i]), 0);
		ret = vsw_port_add_tap(sw, fds[i][0], "p", &id);
		if (ret)
			break;
	}
	/* 256 ports including the gateway */
	assert_int_equal(ret, -ENOSPC);
	assert_int_equal(i, 255);
	/* on failure the fd stays the caller's */
	assert_int_equal(close(fds[i][0]), 0);
	close(fds[i][1]);
	testlib_switch_destroy(sw);
	while (i--)
		close(fds[i][1]);
}

static void test_bad_fd(void **state)
{
	struct vsw *sw = make_switch(0);
	unsigned id;

	assert_int_equal(vsw_port_add_tap(sw, -1, "x", &id), -EBADF);
	testlib_switch_destroy(sw);
	vsw_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flood_broadcast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_then_learned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_hairpin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_sources_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_arp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_icmp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inject, setup, teardown),
		cmocka_unit_test(test_fdb_full_still_forwards),
		cmocka_unit_test(test_port_limit),
		cmocka_unit_test(test_bad_fd),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
