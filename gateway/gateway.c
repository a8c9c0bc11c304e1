// SPDX-License-Identifier: MIT
/*
 * gateway.c - the network's built-in gateway port: ARP, ICMP echo, and the
 *	       dispatch to DHCP and DNS
 *
 * Theory of operation
 * -------------------
 * The gateway sits on the switch like a guest NIC, with the network's
 * gateway MAC and address. The switch delivers it every frame addressed to
 * its MAC and every flooded one; gw_input() parses it (frame.h, bounds
 * checked) and dispatches:
 *
 *   ARP request for the gateway address	-> ARP reply
 *   ICMP echo request to the gateway address	-> ICMP echo reply
 *   UDP to port 67, broadcast or to us		-> DHCP (gw_dhcp.c)
 *   UDP to the gateway address, port 53	-> DNS (gw_dns.c), answered or
 *						   forwarded (gw_dns_fwd.c)
 *   other TCP, UDP and ICMP to our MAC	-> the NAT (gw_nat*.c), once
 *						   configured: host access,
 *						   egress, DNS over TCP on
 *						   gateway:53; without it,
 *						   TCP to gateway:53 gets a
 *						   RST (fail fast)
 *   anything else				-> ignored (counted)
 *
 * At most one reply is produced per input frame, into the gateway's own
 * buffer (allocated once): the switch forwards it as a frame received from
 * the gateway port before it processes the next frame, so one buffer is
 * enough and nothing is allocated per packet. The gateway never receives
 * its own frames (no hairpin), and it only answers requests, so a reply can
 * never trigger another reply. Replies that come later (an upstream
 * resolver's answer, a timeout's SERVFAIL) are built into the same buffer
 * from the switch loop and sent at once with gw_emit(), which hands them
 * to the switch as frames from the gateway port.
 *
 * Frames carrying VLAN tags are not for the gateway (it sits on the
 * untagged network). A GSO frame is taken only for TCP to the NAT: the
 * TCP engine terminates the connection, so a 64 KiB TSO super-segment is
 * simply one large segment (no need to cut it up first).
 * A frame whose virtio header says VIRTIO_NET_HDR_F_NEEDS_CSUM carries a
 * partial L4 checksum (the sender offloaded it), so its ICMP checksum is
 * not verified; otherwise a wrong one drops the frame (RFC 1122 3.2.2).
 * The same holds for UDP (a zero UDP checksum means "none", RFC 768).
 */
#include "gateway/gateway.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkt/csum.h"
#include "gateway/gw_nat.h"
#include "gateway/gw_priv.h"
#include "pkt/wire.h"
#include "vswitch/port.h"
#include "vswitch/vsw.h"

int gw_create(const uint8_t mac[6], uint32_t ip, struct gw **out)
{
	struct gw *gw = calloc(1, sizeof(*gw));

	if (!gw)
		return -ENOMEM;
	memcpy(gw->mac, mac, ETH_ALEN_);
	gw->ip = ip;
	gw->mtu = 1500;
	for (unsigned i = 0; i < GW_DNS_UPSTREAMS; i++)
		gw->up[i].fd = -1;
	*out = gw;
	return 0;
}

void gw_destroy(struct gw *gw)
{
	if (!gw)
		return;
	gw_nat_free(gw);
	gw_dns_fwd_free(gw);
	gw_dns_free(gw);
	gw_dhcp_free(gw);
	free(gw->scratch);
	free(gw);
}

void gw_set_network(struct gw *gw, const struct cidr4 *subnet, uint16_t mtu)
{
	gw->subnet = *subnet;
	if (mtu >= 68)
		gw->mtu = mtu;
}

int gw_services_configure_locked(struct gw *gw, const struct gw_services_config *c)
{
	int ret;

	if (!gw->subnet.prefix)
		return -EINVAL;		/* gw_set_network() first */
	if (!gw->scratch) {
		gw->scratch = malloc(GW_DNS_QUERY_MAX);
		if (!gw->scratch)
			return -ENOMEM;
	}
	ret = gw_dhcp_configure(gw, c);
	if (!ret)
		ret = gw_dns_configure(gw, c);
	if (ret)
		return ret;
	gw->cfg = *c;
	gw->cfg.domain = NULL;
	gw->cfg.upstreams = NULL;
	gw->cfg.n_upstreams = 0;
	gw->configured = true;
	/* last: its only failures are the upstream sockets' */
	return gw_dns_fwd_configure(gw, c);
}

/* start a reply: Ethernet header to @dst, virtio header all zero */
static uint8_t *gw_reply_eth(struct gw *gw, const uint8_t *dst, uint16_t type)
{
	struct eth_hdr eh;

	memset(&gw->out.vh, 0, sizeof(gw->out.vh));
	gw->out.vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	memcpy(eh.dst, dst, ETH_ALEN_);
	memcpy(eh.src, gw->mac, ETH_ALEN_);
	eh.type = htons(type);
	memcpy(gw->out.frame, &eh, sizeof(eh));
	return gw->out.frame + sizeof(eh);
}

static void gw_reply_done(struct gw *gw, size_t len)
{
	/* pad to the Ethernet minimum, as a NIC would */
	if (len < ETH_ZLEN_) {
		memset(gw->out.frame + len, 0, ETH_ZLEN_ - len);
		len = ETH_ZLEN_;
	}
	gw->out_len = len;
	gw->pending = true;
}

/* RFC 826: answer requests for our address; ignore the rest */
static bool gw_arp(struct gw *gw, const struct frame_eth *eth)
{
	struct frame_arp a;
	struct arp_ip4 r;
	uint32_t be;

	if (frame_parse_arp(eth, &a) || a.op != ARP_OP_REQUEST ||
	    a.tpa != gw->ip)
		goto ignore;
	/* gratuitous ARP (RFC 5227 announcement) is not a question */
	if (a.spa == a.tpa)
		goto ignore;
	/* a hardware address we could not send to */
	if (mac_is_multicast(a.sha) || mac_is_zero(a.sha))
		goto ignore;

	r.htype = htons(1);
	r.ptype = htons(ETHTYPE_IP4);
	r.hlen = ETH_ALEN_;
	r.plen = 4;
	r.op = htons(ARP_OP_REPLY);
	memcpy(r.sha, gw->mac, ETH_ALEN_);
	be = htonl(gw->ip);
	memcpy(r.spa, &be, 4);
	memcpy(r.tha, a.sha, ETH_ALEN_);
	be = htonl(a.spa);	/* 0 for an RFC 5227 probe: that is right */
	memcpy(r.tpa, &be, 4);
	memcpy(gw_reply_eth(gw, a.sha, ETHTYPE_ARP), &r, sizeof(r));
	gw_reply_done(gw, ETH_HLEN_ + sizeof(r));
	gw->st.arp_replies++;
	return true;
ignore:
	gw->st.ignored++;
	return false;
}

/* an address we must not answer (RFC 1122 3.2.2.6, 3.2.1.3) */
static bool gw_bad_source(uint32_t a)
{
	return a == 0 || a >> 24 == 127 || a >> 28 == 0xe || a == 0xffffffffu;
}

/* RFC 792 echo: the reply carries the request's id, sequence and data */
static bool gw_icmp(struct gw *gw, const struct virtio_net_hdr_v1 *vh,
		    const struct frame_eth *eth, const struct frame_ip4 *ip)
{
	struct frame_icmp ic;
	struct ip4_hdr h;
	struct icmp_hdr ich;
	uint8_t *p;
	size_t icmp_len;
	uint16_t sum;

	if (frame_parse_icmp(ip, &ic) || ic.type != ICMP_ECHO_ || ic.code)
		goto ignore;
	if (gw_bad_source(ip->saddr))
		goto ignore;
	icmp_len = ic.msg.left;
	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    csum_fold(csum_partial(ic.msg.p, icmp_len, 0))) {
		gw->st.bad_csum++;
		return false;
	}

	p = gw_reply_eth(gw, eth->src, ETHTYPE_IP4);
	/* the request's options are not echoed */
	gw_ip4_hdr(&h, ip->hdr->tos, gw->ip_id++, IPPROTO_ICMP_, gw->ip,
		   ip->saddr, sizeof(h) + icmp_len);
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);

	ich.type = ICMP_ECHOREPLY_;
	ich.code = 0;
	ich.check = 0;
	ich.id = htons(ic.id);
	ich.seq = htons(ic.seq);
	memcpy(p, &ich, sizeof(ich));
	memcpy(p + sizeof(ich), ic.data.p, ic.data.left);
	sum = csum_fold(csum_partial(p, icmp_len, 0));
	memcpy(p + offsetof(struct icmp_hdr, check), &sum, sizeof(sum));

	gw_reply_done(gw, ETH_HLEN_ + sizeof(h) + icmp_len);
	gw->st.icmp_replies++;
	return true;
ignore:
	gw->st.ignored++;
	return false;
}

void gw_udp_reply(struct gw *gw, const uint8_t *dst_mac, uint32_t src,
		  uint16_t sport, uint32_t dst, uint16_t dport, size_t len)
{
	uint8_t *p = gw_reply_eth(gw, dst_mac, ETHTYPE_IP4);
	struct ip4_hdr h;
	struct udp_hdr u;
	uint32_t sum;
	uint16_t ulen = (uint16_t)(sizeof(u) + len);

	gw_ip4_hdr(&h, 0, gw->ip_id++, IPPROTO_UDP_, src, dst,
		   sizeof(h) + ulen);
	memcpy(p, &h, sizeof(h));

	u.sport = htons(sport);
	u.dport = htons(dport);
	u.len = htons(ulen);
	u.check = 0;
	memcpy(p + sizeof(h), &u, sizeof(u));
	sum = csum_ip4_pseudo(h.saddr, h.daddr, IPPROTO_UDP_, ulen);
	u.check = csum_fold(csum_partial(p + sizeof(h), ulen, sum));
	if (!u.check)
		u.check = 0xffff;	/* RFC 768: 0 would mean "none" */
	memcpy(p + sizeof(h) + offsetof(struct udp_hdr, check), &u.check, 2);
	gw_reply_done(gw, ETH_HLEN_ + sizeof(h) + ulen);
}

void gw_emit(struct gw *gw)
{
	if (!gw->pending || !gw->port)
		return;
	gw->pending = false;
	vsw_port_input(gw->port, &gw->out.vh, gw->out.frame, gw->out_len);
}

/* is the UDP checksum right (or absent, or offloaded)? */
static bool gw_udp_csum_ok(const struct virtio_net_hdr_v1 *vh,
			   const struct frame_ip4 *ip,
			   const struct frame_l4 *udp)
{
	size_t ulen = udp->hlen + udp->data.left;
	uint16_t check;

	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return true;
	memcpy(&check, ip->l4.p + offsetof(struct udp_hdr, check), 2);
	if (!check)
		return true;
	return !csum_fold(csum_partial(ip->l4.p, ulen,
		csum_ip4_pseudo(htonl(ip->saddr), htonl(ip->daddr),
				IPPROTO_UDP_, (uint16_t)ulen)));
}

/* a service's datagram (*@taken: never the NAT's, even unanswered) */
/*
 * UDP: the gateway's own services first (DHCP on 67, broadcast or to us;
 * DNS on 53 to us), then, once configured, the NAT for anything else sent
 * to our MAC. The checksum is checked once, for whichever takes it.
 */
static bool gw_udp(struct gw *gw, const struct virtio_net_hdr_v1 *vh,
		   const struct frame_eth *eth, const struct frame_ip4 *ip)
{
	struct frame_l4 udp;
	bool to_mac = !memcmp(eth->dst, gw->mac, ETH_ALEN_);
	bool to_us = ip->daddr == gw->ip && to_mac;
	bool dhcp, dns, nat;

	if (!gw->configured || frame_parse_udp(ip, &udp))
		goto ignore;
	dhcp = udp.dport == DHCP_SERVER_PORT && gw->dhcp &&
	       (to_us || ip->daddr == 0xffffffffu);
	dns = udp.dport == DNS_PORT && to_us && gw->cfg.dns &&
	      !gw_bad_source(ip->saddr);
	nat = !dhcp && !dns && gw->nat && to_mac && !gw_bad_source(ip->saddr);
	if (!dhcp && !dns && !nat)
		goto ignore;
	if (!gw_udp_csum_ok(vh, ip, &udp)) {
		gw->st.bad_csum++;
		return false;
	}
	if (dhcp)
		return gw_dhcp_input(gw, eth, ip, &udp);
	if (dns)
		return gw_dns_input(gw, eth, ip, &udp);
	return gw_nat_udp_input(gw, vh, eth, ip, &udp);
ignore:
	gw->st.ignored++;
	return false;
}

/*
 * RFC 9293 3.10.7.1: a segment to a port nobody listens on gets a reset.
 * Used for DNS over TCP until the NAT's TCP engine (issue 4) carries it.
 */
static bool gw_tcp_reset(struct gw *gw, const struct frame_eth *eth,
			 const struct frame_ip4 *ip)
{
	struct frame_l4 tcp;
	struct tcp_hdr t;
	struct ip4_hdr h;
	uint32_t seq = 0, ack = 0, sum;
	uint8_t *p;

	if (!gw->configured || !gw->cfg.dns || frame_parse_tcp(ip, &tcp) ||
	    tcp.dport != DNS_PORT || (tcp.flags & 0x04) ||
	    gw_bad_source(ip->saddr))
		goto ignore;
	memset(&t, 0, sizeof(t));
	if (tcp.flags & 0x10) {			/* ACK: seq = SEG.ACK */
		memcpy(&seq, ip->l4.p + offsetof(struct tcp_hdr, ack), 4);
		t.flags = 0x04;
	} else {				/* ack = SEG.SEQ + SEG.LEN */
		memcpy(&ack, ip->l4.p + offsetof(struct tcp_hdr, seq), 4);
		ack = htonl(ntohl(ack) + (uint32_t)tcp.data.left +
			    !!(tcp.flags & 0x02) + !!(tcp.flags & 0x01));
		t.flags = 0x14;
	}
	t.sport = htons(tcp.dport);
	t.dport = htons(tcp.sport);
	t.seq = seq;
	t.ack = ack;
	t.doff = 5 << 4;

	p = gw_reply_eth(gw, eth->src, ETHTYPE_IP4);
	gw_ip4_hdr(&h, 0, gw->ip_id++, IPPROTO_TCP_, gw->ip, ip->saddr,
		   sizeof(h) + sizeof(t));
	sum = csum_ip4_pseudo(h.saddr, h.daddr, IPPROTO_TCP_, sizeof(t));
	t.check = csum_fold(csum_partial(&t, sizeof(t), sum));
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), &t, sizeof(t));
	gw_reply_done(gw, ETH_HLEN_ + sizeof(h) + sizeof(t));
	gw->dns_st.tcp_resets++;
	return true;
ignore:
	gw->st.ignored++;
	return false;
}

static bool gw_ip4(struct gw *gw, const struct virtio_net_hdr_v1 *vh,
		   const struct frame_eth *eth)
{
	struct frame_ip4 ip;
	bool to_mac = !memcmp(eth->dst, gw->mac, ETH_ALEN_);

	if (frame_parse_ip4(eth, &ip))
		goto ignore;
	if (!ip.csum_ok) {
		gw->st.bad_csum++;
		return false;
	}
	/* only TCP takes segmentation offload (a GSO frame is one segment) */
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE &&
	    !(ip.proto == IPPROTO_TCP_ && gw->nat && to_mac &&
	      (vh->gso_type & 0x7f) == VIRTIO_NET_HDR_GSO_TCPV4))
		goto ignore;
	if (gw->nat && to_mac && !gw_bad_source(ip.saddr))
		gw_nat_learn(gw, ip.saddr, eth->src);

	/*
	 * Service dispatch: each service takes the parsed frame and produces
	 * at most one reply into gw->out (the NAT sends its own at once).
	 */
	if (ip.proto == IPPROTO_ICMP_ && to_mac) {
		if (ip.daddr == gw->ip)
			return gw_icmp(gw, vh, eth, &ip);
		if (gw->nat)
			return gw_nat_icmp_input(gw, vh, eth, &ip);
	}
	if (ip.proto == IPPROTO_UDP_)
		return gw_udp(gw, vh, eth, &ip);
	if (ip.proto == IPPROTO_TCP_ && to_mac) {
		if (gw->nat)
			return gw_nat_tcp_input(gw, vh, eth, &ip);
		if (ip.daddr == gw->ip)
			return gw_tcp_reset(gw, eth, &ip);
	}
ignore:
	gw->st.ignored++;
	return false;
}

bool gw_input(struct gw *gw, const struct virtio_net_hdr_v1 *vh,
	      const uint8_t *frame, size_t len)
{
	struct frame_eth eth;

	gw->pending = false;
	if (frame_parse_eth(frame, len, &eth) || eth.vlans)
		goto ignore;
	/* a group or zero source cannot be answered (the switch drops those
	 * too, but the gateway does not rely on its caller) */
	if (mac_is_multicast(eth.src) || mac_is_zero(eth.src))
		goto ignore;
	/* ours, or broadcast (ARP requests); other multicast is not for us */
	if (memcmp(eth.dst, gw->mac, ETH_ALEN_) && !mac_is_broadcast(eth.dst))
		goto ignore;

	switch (eth.type) {
	case ETHTYPE_ARP:
		if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
			goto ignore;
		return gw_arp(gw, &eth);
	case ETHTYPE_IP4:
		return gw_ip4(gw, vh, &eth);
	}
ignore:
	gw->st.ignored++;
	return false;
}

void gw_tick(struct gw *gw, uint64_t now_ns)
{
	gw_dns_fwd_tick(gw, now_ns);
	gw_nat_tick(gw, now_ns);
}

int gw_timeout_ms(const struct gw *gw, uint64_t now_ns)
{
	int a = gw_dns_fwd_timeout_ms(gw, now_ns);
	int b = gw_nat_timeout_ms(gw, now_ns);

	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

bool gw_output(struct gw *gw, const struct virtio_net_hdr_v1 **vh,
	       const uint8_t **frame, size_t *len)
{
	if (!gw->pending)
		return false;
	*vh = &gw->out.vh;
	*frame = gw->out.frame;
	*len = gw->out_len;
	return true;
}

void gw_output_done(struct gw *gw)
{
	gw->pending = false;
}

void gw_get_stats(const struct gw *gw, struct gw_stats *st)
{
	*st = gw->st;
}

/* the switch port around a gateway */

struct gw_port {
	struct vsw_port port;
	struct gw *gw;
};

static struct gw *gw_of(struct vsw_port *p)
{
	return ((struct gw_port *)p)->gw;
}

static int gw_port_deliver(struct vsw_port *p,
			   const struct virtio_net_hdr_v1 *vh,
			   const uint8_t *frame, size_t len)
{
	/* a reply goes out once the frame is forwarded: gw_port_output() */
	if (gw_input(gw_of(p), vh, frame, len))
		vsw_port_defer_output(p);
	return 0;
}

static void gw_port_output(struct vsw_port *p)
{
	struct gw *gw = gw_of(p);

	gw_emit(gw);
}

static void gw_port_event(struct vsw_port *p, unsigned tag, uint32_t events)
{
	struct gw *gw = gw_of(p);

	if (tag >= GW_DNS_FWD_TAG && tag < GW_DNS_FWD_TAG + GW_DNS_UPSTREAMS)
		gw_dns_fwd_event(gw, tag - GW_DNS_FWD_TAG);
	else if (tag >= GW_DNS_FWD_TCP_TAG &&
		 tag < GW_DNS_FWD_TCP_TAG + GW_DNS_FWD_TCP)
		gw_dns_fwd_tcp_event(gw, tag - GW_DNS_FWD_TCP_TAG, events);
	else if (tag == GW_NAT_TAG)
		gw_nat_poll(gw);
}

static int gw_port_timeout_ms(struct vsw_port *p, uint64_t now_ns)
{
	return gw_timeout_ms(gw_of(p), now_ns);
}

static void gw_port_tick(struct vsw_port *p, uint64_t now_ns)
{
	gw_tick(gw_of(p), now_ns);
}

static void gw_port_destroy(struct vsw_port *p)
{
	gw_destroy(gw_of(p));
	free(p);
}

static const struct vsw_port_ops gw_port_ops = {
	.type = "gateway",
	.deliver = gw_port_deliver,
	.event = gw_port_event,
	.output = gw_port_output,
	.timeout_ms = gw_port_timeout_ms,
	.tick = gw_port_tick,
	.destroy = gw_port_destroy,
};

int gw_attach(struct vsw *sw, const struct gw_config *c, struct gw **out)
{
	struct gw_port *gp;
	unsigned id;
	int ret;

	if (!sw || !c || !c->subnet.prefix || c->mtu < 68)
		return -EINVAL;
	gp = calloc(1, sizeof(*gp));
	if (!gp)
		return -ENOMEM;
	ret = gw_create(c->mac, c->ip, &gp->gw);
	if (ret) {
		free(gp);
		return ret;
	}
	gw_set_network(gp->gw, &c->subnet, c->mtu);
	gp->port.ops = &gw_port_ops;
	gp->port.permanent = true;
	gp->gw->port = &gp->port;
	ret = vsw_port_add(sw, &gp->port, "gateway", &id);
	if (ret) {
		gw_port_destroy(&gp->port);
		return ret;
	}
	vsw_lock(sw);
	ret = vsw_port_pin_mac(&gp->port, c->mac);
	vsw_unlock(sw);
	if (ret) {
		/* cannot happen on a switch we just joined; stay consistent */
		gp->port.permanent = false;
		vsw_port_remove(sw, id);
		return ret;
	}
	*out = gp->gw;
	return 0;
}
