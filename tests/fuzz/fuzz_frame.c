// SPDX-License-Identifier: MIT
/*
 * fuzz_frame.c - libFuzzer target for the frame parsers and the gateway
 *
 * Input: one byte of virtio header flags (bit 0: NEEDS_CSUM, bit 1: a GSO
 * type), then the Ethernet frame. The frame goes
 *   1. through every parser (frame.h), whose cursors must stay inside it
 *      and are read to the end (ASan catches any overrun);
 *   2. to a gateway directly (gw_input()), with DHCP and DNS configured
 *      (a zone with one name, no upstreams) so that arbitrary frames reach
 *      their dispatch; a reply must parse and carry correct checksums;
 *   3. into a running switch (vsw_inject()) from a guest port and from
 *      the gateway port, so learning, flooding and the gateway's reply
 *      path run on it too.
 * Seeds in tests/fuzz/corpus/fuzz_frame/ use the gateway below
 * (02:6d:76:00:00:01, 10.89.0.1) so that the answering paths are reached.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkt/csum.h"
#include "pkt/frame.h"
#include "gateway/gateway.h"
#include "gateway/gw_priv.h"
#include "vswitch/vsw.h"

#define GW_IP 0x0a590001u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t gw_mac[6] = { 0x02, 0x6d, 0x76, 0x00, 0x00, 0x01 };

static struct gw *gw;
static struct vsw *sw;
static int peer = -1;
static unsigned port;
static volatile uint8_t sink;

static void touch(const uint8_t *buf, size_t len, struct cursor c)
{
	size_t i;

	/* the cursor lies inside the input */
	if (c.left && (c.p < buf || c.p + c.left > buf + len))
		abort();
	for (i = 0; i < c.left; i++)
		sink ^= c.p[i];
}

static void parse_all(const uint8_t *buf, size_t len)
{
	struct frame_eth eth;
	struct frame_arp arp;
	struct frame_ip4 ip;
	struct frame_icmp ic;
	struct frame_l4 l4;

	if (frame_parse_eth(buf, len, &eth))
		return;
	touch(buf, len, eth.l3);
	if (eth.l3_off + eth.l3.left != len)
		abort();
	if (!frame_parse_arp(&eth, &arp)) {
		sink ^= arp.sha[5] ^ arp.tha[5];
		return;
	}
	if (frame_parse_ip4(&eth, &ip))
		return;
	if (ip.ihl < 20 || ip.ihl > 60 || ip.l4.left != ip.tot_len - ip.ihl)
		abort();
	touch(buf, len, ip.l4);
	if (!frame_parse_icmp(&ip, &ic)) {
		touch(buf, len, ic.msg);
		touch(buf, len, ic.data);
	}
	if (!frame_parse_udp(&ip, &l4))
		touch(buf, len, l4.data);
	if (!frame_parse_tcp(&ip, &l4))
		touch(buf, len, l4.data);
}

/* a gateway reply is a well-formed frame with right checksums */
static void check_reply(const uint8_t *f, size_t len)
{
	struct frame_eth eth;
	struct frame_ip4 ip;
	struct frame_icmp ic;
	struct frame_arp arp;

	if (len < ETH_ZLEN_ || len > FRAME_MAX || frame_parse_eth(f, len, &eth))
		abort();
	if (memcmp(eth.src, gw_mac, 6))
		abort();
	/* only DHCP replies (from port 67) may be broadcast */
	if (mac_is_multicast(eth.dst) &&
	    (!mac_is_broadcast(eth.dst) || len < 36 || f[34] || f[35] != 67))
		abort();
	if (eth.type == ETHTYPE_ARP) {
		if (frame_parse_arp(&eth, &arp) || arp.op != ARP_OP_REPLY ||
		    arp.spa != GW_IP)
			abort();
		return;
	}
	if (eth.type != ETHTYPE_IP4 || frame_parse_ip4(&eth, &ip) ||
	    !ip.csum_ok || ip.saddr != GW_IP)
		abort();
	if (ip.proto == IPPROTO_UDP_ || ip.proto == IPPROTO_TCP_) {
		struct frame_l4 l4;
		size_t l4len = ip.l4.left;

		if ((ip.proto == IPPROTO_UDP_ ? frame_parse_udp(&ip, &l4) :
		     frame_parse_tcp(&ip, &l4)) ||
		    csum_fold(csum_partial(ip.l4.p, l4len, csum_ip4_pseudo(
			htonl(ip.saddr), htonl(ip.daddr), ip.proto,
			(uint16_t)l4len))))
			abort();
		return;
	}
	if (frame_parse_icmp(&ip, &ic) || ic.type != ICMP_ECHOREPLY_ ||
	    csum_fold(csum_partial(ic.msg.p, ic.msg.left, 0)))
		abort();
}

static void services(struct gw *g, struct gw *s)
{
	struct gw_services_config c = {
		.domain = "fuzz.mvm", .dhcp = true, .dns = true,
		.router = true, .forward = true, .host_addr = GW_IP,
	};
	const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x10 };
	struct cidr4 net = { .addr = 0x0a590000, .prefix = 24 };

	if (g) {
		gw_set_network(g, &net, 1500);
		if (gw_services_configure_locked(g, &c) ||
		    gw_dhcp_static_locked(g, mac, GW_IP + 9, "web", true) ||
		    gw_dns_owner_add_locked(g, NULL, 1, "web", NULL, 0, GW_IP + 9))
			abort();
	}
	if (s && (gw_services_configure(s, &c) ||
		  gw_dhcp_static(s, mac, GW_IP + 9, "web", true) ||
		  gw_dns_owner_add(s, NULL, 1, "web", NULL, 0, GW_IP + 9)))
		abort();
}

static void setup(void)
{
	struct vsw_config cfg = { .name = "fuzz", .fdb_max = 64 };
	struct gw_config gc = {
		.ip = GW_IP, .subnet = { .addr = 0x0a590000, .prefix = 24 },
		.mtu = 1500,
	};
	struct gw *swgw;
	int sv[2];

	memcpy(gc.mac, gw_mac, 6);
	if (gw_create(gw_mac, GW_IP, &gw) || vsw_create(&cfg, &sw) ||
	    gw_attach(sw, &gc, &swgw) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) ||
	    vsw_port_add_tap(sw, sv[0], "fuzz/eth0", &port))
		abort();
	peer = sv[1];
	services(gw, swgw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr_v1 vh = { 0 };
	const struct virtio_net_hdr_v1 *rvh;
	const uint8_t *frame, *rf;
	static uint8_t drain[FRAME_MAX + 12];
	size_t len, rlen;

	if (!sw)
		setup();
	if (size < 1 || size > FRAME_MAX + 1)
		return 0;
	if (data[0] & 1)
		vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	if (data[0] & 2)
		vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	frame = data + 1;
	len = size - 1;

	parse_all(frame, len);

	if (gw_input(gw, &vh, frame, len)) {
		if (!gw_output(gw, &rvh, &rf, &rlen))
			abort();
		check_reply(rf, rlen);
		gw_output_done(gw);
	}

	vsw_inject(sw, port, &vh, frame, len);
	vsw_inject(sw, 0, &vh, frame, len);
	while (recv(peer, drain, sizeof(drain), MSG_DONTWAIT) > 0)
		;
	return 0;
}
