// SPDX-License-Identifier: MIT
/*
 * gw_nat_udp.c - UDP flows on host sockets, published UDP ports
 *
 * Theory of operation
 * -------------------
 * A guest datagram the gateway's services do not take (gateway.c: DHCP,
 * DNS) is a flow (guest ip:port, remote ip:port) in the NAT's table
 * (nat/nat_udp.h). The first datagram of a flow asks gw_nat_route() where
 * it may go, then opens one non-blocking UDP socket connect()ed to that
 * address (the gateway address means 127.0.0.1: host access). The kernel
 * picks the socket's source port; the connected socket only receives from
 * its peer, so everything read from it belongs to the flow and goes to
 * the guest as coming from the remote address the guest used (the flow
 * key: the gateway address for host access).
 *
 * Refusals are answered, never silent (a guest application must not hang
 * on a datagram that went nowhere), with ICMP destination unreachable
 * about the guest's datagram (gw_nat_unreach(), rate limited):
 *
 *   policy (internal network, host access off)	13 administratively
 *							   prohibited
 *   table / per-guest limit, fd budget		13 (a local policy too)
 *   not an address to go to (gw_nat_route():	1  host unreachable
 *     subnet, loopback...), socket errors
 *   gateway:53 / gateway:67 without the service	3  port unreachable
 *     (the gateway's own ports never go to the host)
 *   connect(): ENETUNREACH			0  net unreachable
 *
 * The host sockets have IP_RECVERR: an ICMP error the host receives for a
 * flow (port unreachable from a closed port, host unreachable from a
 * router...) is read from the error queue on EPOLLERR and relayed to the
 * guest (gw_nat_icmp_errqueue()), so a guest sees "connection refused" on
 * its connected socket as it would on a real network. IP_PMTUDISC_DONT:
 * the host fragments what the guest sent rather than bouncing it.
 *
 * Size: a datagram from the host larger than the network's MTU allows
 * (MTU - 28 bytes of payload) is sent to the guest as IPv4 fragments (the
 * gateway does not drop what a router would fragment; guests reassemble).
 * The datagram is read once into the NAT's frame buffer at its place in
 * the first fragment; each fragment's 20-byte header is then written just
 * before its payload, over bytes of the previous fragment already sent,
 * so nothing is copied twice. The other way, guest fragments are not
 * reassembled (gateway.c drops them): a guest sending datagrams above its
 * MTU loses them.
 *
 * Idle expiry: nat_udp_expire() (gw_nat.c, once a second) after the
 * network's udp_idle_ms (default 60 s: RFC 4787 REQ-5 asks for 2 min for
 * arbitrary ports, but every mapping holds a host fd, and the fd budget
 * is shared; applications that need more send keepalives, as they must
 * through most NATs). Flows to port 53 (DNS) live at most GW_UDP_DNS_IDLE:
 * resolvers pick a fresh source port per query, and each would otherwise
 * hold a socket for a minute.
 *
 * Published UDP (gw_nat_pub.c owns the socket): a datagram from a host
 * client becomes a flow whose host_id is the published socket, marked
 * shared (never closed for the flow, not watched here); the guest's
 * replies go back with sendto() to the client.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkt/csum.h"
#include "common/util.h"
#include "nat/nat_udp.h"
#include "gateway/gw_nat.h"
#include "gateway/gw_priv.h"
#include "pkt/wire.h"

#define GW_UDP_BURST	32		/* datagrams read per event */
#define GW_UDP_DNS_IDLE	10000000000ull	/* 10 s */
#define GW_UDP_MAX	(65535 - 28)	/* largest UDP/IPv4 payload */

#define ICMP_NET_UNREACH	0
#define ICMP_HOST_UNREACH	1
#define ICMP_PORT_UNREACH	3
#define ICMP_PROHIBITED		13

static uint64_t gw_udp_idle_ns(const struct gw *gw, uint16_t rport)
{
	uint64_t ns = (uint64_t)gw->nat->cfg.udp_idle_ms * 1000000ull;

	return rport == DNS_PORT ? MIN(ns, GW_UDP_DNS_IDLE) : ns;
}

/* where the guest's replies through @f go: the real peer address */
static void gw_udp_peer(const struct gw *gw, const struct nat_flow *f,
			struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(f->key.remote_port);
	sa->sin_addr.s_addr = f->key.remote_ip == gw->ip ?
		htonl(INADDR_LOOPBACK) : htonl(f->key.remote_ip);
}

/* an ICMP unreachable code for a connect() / send() error */
static uint8_t gw_udp_errcode(int e)
{
	switch (e) {
	case ENETUNREACH:
		return ICMP_NET_UNREACH;
	case ECONNREFUSED:
		return ICMP_PORT_UNREACH;
	case EACCES:
	case EPERM:
		return ICMP_PROHIBITED;
	default:
		return ICMP_HOST_UNREACH;
	}
}

/* open the host socket of a new flow to @sa; Return: fd or -errno */
static int gw_udp_socket(struct gw *gw, const struct sockaddr_in *sa)
{
	int one = 1, dont = IP_PMTUDISC_DONT, fd, ret;

	fd = gw_nat_socket(gw, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return fd;
	setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &dont, sizeof(dont));
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa))) {
		ret = -errno;
		gw->nat->st.sock_errors++;
		gw_nat_close(gw, fd);
		return ret;
	}
	return fd;
}

/*
 * a new flow for the guest datagram of @key
 * Return: the flow, or NULL with the ICMP unreachable code in *@code
 */
static struct nat_flow *gw_udp_open(struct gw *gw,
				    const struct nat_flow_key *key,
				    uint8_t *code)
{
	struct gw_nat *nat = gw->nat;
	struct sockaddr_in sa;
	struct nat_flow *f;
	int ret, fd;

	if (key->remote_ip == gw->ip && (key->remote_port == DNS_PORT ||
					 key->remote_port == DHCP_SERVER_PORT)) {
		*code = ICMP_PORT_UNREACH;
		return NULL;
	}
	ret = gw_nat_route(gw, key->remote_ip, &sa);
	if (ret) {
		nat->st.denied++;
		*code = ret == -EACCES ? ICMP_PROHIBITED : ICMP_HOST_UNREACH;
		return NULL;
	}
	sa.sin_port = htons(key->remote_port);
	ret = nat_udp_open(nat->ft, key, -1,
			   gw_udp_idle_ns(gw, key->remote_port),
			   now_mono_ns(), &f);
	if (ret) {
		nat->st.drop_limit++;
		*code = ICMP_PROHIBITED;
		return NULL;
	}
	fd = gw_udp_socket(gw, &sa);
	if (fd < 0) {
		nat_flow_remove(nat->ft, f);
		*code = fd == -EMFILE ? ICMP_PROHIBITED : gw_udp_errcode(-fd);
		return NULL;
	}
	f->host_id = fd;
	memset(&nat->socks[f->idx], 0, sizeof(nat->socks[f->idx]));
	nat->socks[f->idx].events = EPOLLIN;
	if (gw_nat_watch(gw, fd, gw_nat_ev(GW_NAT_EV_UDP, f->idx, f->gen),
			 EPOLLIN)) {
		nat->st.sock_errors++;
		gw_nat_udp_close(gw, f);
		nat_flow_remove(nat->ft, f);
		*code = ICMP_HOST_UNREACH;
		return NULL;
	}
	return f;
}

bool gw_nat_udp_input(struct gw *gw, const struct virtio_net_hdr_v1 *vh,
		      const struct frame_eth *eth, const struct frame_ip4 *ip,
		      const struct frame_l4 *udp)
{
	struct gw_nat *nat = gw->nat;
	struct nat_flow_key key = {
		.guest_ip = ip->saddr, .guest_port = udp->sport,
		.remote_ip = ip->daddr, .remote_port = udp->dport,
		.proto = NAT_PROTO_UDP,
	};
	struct nat_flow *f;
	uint8_t code = 0;
	ssize_t r;

	(void)vh;
	f = nat_flow_lookup(nat->ft, &key);
	if (!f)
		f = gw_udp_open(gw, &key, &code);
	if (!f) {
		gw_nat_unreach(gw, eth, ip, code);
		return false;
	}
	if (nat->socks[f->idx].shared) {
		struct sockaddr_in sa;

		gw_udp_peer(gw, f, &sa);
		r = sendto(f->host_id, udp->data.p, udp->data.left,
			   MSG_DONTWAIT | MSG_NOSIGNAL,
			   (const struct sockaddr *)&sa, sizeof(sa));
	} else {
		r = send(f->host_id, udp->data.p, udp->data.left,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
	}
	if (r < 0) {
		/* an error the error queue did not take yet (ECONNREFUSED
		 * from an earlier datagram), or a full socket buffer (lost,
		 * as on a congested link) */
		nat->st.sock_errors++;
		if (errno != EAGAIN && errno != ENOBUFS)
			gw_nat_unreach(gw, eth, ip, gw_udp_errcode(errno));
		return false;
	}
	nat_udp_touch(f, now_mono_ns(), 0);
	nat->st.udp_out++;
	return false;
}

/*
 * Frame the @len payload bytes sitting at gw_nat_frame_ip() + 28 as UDP
 * from @f's remote to its guest, fragmenting above the MTU (see the top).
 */
static void gw_udp_to_guest(struct gw *gw, const struct nat_flow *f,
			    const uint8_t *mac, size_t len)
{
	uint8_t *p = gw_nat_frame_ip(gw);
	uint16_t ulen = (uint16_t)(sizeof(struct udp_hdr) + len);
	size_t frag = ((size_t)gw->mtu - sizeof(struct ip4_hdr)) & ~(size_t)7;
	size_t off = 0, total = ulen;
	struct ip4_hdr h;
	struct udp_hdr u;
	uint16_t id = gw->ip_id++;

	u.sport = htons(f->key.remote_port);
	u.dport = htons(f->key.guest_port);
	u.len = htons(ulen);
	u.check = 0;
	memset(&h, 0, sizeof(h));
	h.ver_ihl = 0x45;
	h.id = htons(id);
	h.ttl = 64;
	h.proto = IPPROTO_UDP_;
	h.saddr = htonl(f->key.remote_ip);
	h.daddr = htonl(f->key.guest_ip);
	memcpy(p + sizeof(h), &u, sizeof(u));
	u.check = csum_fold(csum_partial(p + sizeof(h), ulen,
		csum_ip4_pseudo(h.saddr, h.daddr, IPPROTO_UDP_, ulen)));
	if (!u.check)
		u.check = 0xffff;	/* RFC 768: 0 would mean "none" */
	memcpy(p + sizeof(h) + offsetof(struct udp_hdr, check), &u.check, 2);

	if (sizeof(h) + total <= gw->mtu)
		frag = total;
	/* RFC 791: every fragment but the last carries a multiple of 8 */
	while (off < total) {
		size_t n = MIN(frag, total - off);
		uint8_t *ip = p + off;	/* its payload starts at p + 20 + off */
		uint16_t fo = (uint16_t)(off >> 3);

		if (off + n < total)
			fo |= IP4_MF;
		h.tot_len = htons((uint16_t)(sizeof(h) + n));
		h.frag_off = htons(fo);
		h.check = 0;
		h.check = frame_ip4_csum(&h, sizeof(h));
		memcpy(ip, &h, sizeof(h));
		gw_nat_send_ip(gw, mac, NULL, ip, sizeof(h) + n);
		off += n;
	}
}

void gw_nat_udp_event(struct gw *gw, struct nat_flow *f, uint32_t events)
{
	struct gw_nat *nat = gw->nat;
	uint8_t mac[ETH_ALEN_];
	uint8_t *buf = gw_nat_frame_ip(gw) + GW_UDP_HLEN - ETH_HLEN_;
	int i;

	if (events & EPOLLERR)
		gw_nat_icmp_errqueue(gw, f->host_id, &f->key);
	if (!(events & EPOLLIN))
		return;
	for (i = 0; i < GW_UDP_BURST; i++) {
		ssize_t n = recv(f->host_id, buf, GW_UDP_MAX,
				 MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			/* ECONNREFUSED and the like, if not queued */
			nat->st.sock_errors++;
			break;
		}
		nat_udp_touch(f, nat->now_ns, 1);
		if ((size_t)n > GW_UDP_MAX || !gw_nat_guest_mac(gw,
						f->key.guest_ip, mac)) {
			nat->st.sock_errors++;	/* cannot happen / no MAC */
			continue;
		}
		gw_udp_to_guest(gw, f, mac, (size_t)n);
		nat->st.udp_in++;
		buf = gw_nat_frame_ip(gw) + GW_UDP_HLEN - ETH_HLEN_;
	}
}

void gw_nat_udp_close(void *ctx, struct nat_flow *f)
{
	struct gw *gw = ctx;
	struct gw_nat_sock *s = &gw->nat->socks[f->idx];

	if (f->host_id >= 0 && !s->shared)
		gw_nat_close(gw, f->host_id);
	memset(s, 0, sizeof(*s));
	f->host_id = -1;
}

void gw_nat_udp_pub_input(struct gw *gw, int fd,
			  const struct sockaddr_in *from, uint32_t guest_ip,
			  uint16_t guest_port, const void *data, size_t len)
{
	struct gw_nat *nat = gw->nat;
	uint32_t src = ntohl(from->sin_addr.s_addr);
	struct nat_flow_key key = {
		.guest_ip = guest_ip, .guest_port = guest_port,
		.remote_ip = src >> 24 == 127 ? gw->ip : src,
		.remote_port = ntohs(from->sin_port),
		.proto = NAT_PROTO_UDP,
	};
	uint8_t mac[ETH_ALEN_];
	struct nat_flow *f;

	if (!nat || len > GW_UDP_MAX)
		return;
	f = nat_flow_lookup(nat->ft, &key);
	if (!f) {
		if (nat_udp_open(nat->ft, &key, fd,
				 gw_udp_idle_ns(gw, key.remote_port),
				 now_mono_ns(), &f)) {
			nat->st.drop_limit++;
			return;
		}
		memset(&nat->socks[f->idx], 0, sizeof(nat->socks[f->idx]));
		nat->socks[f->idx].shared = true;
	}
	nat_udp_touch(f, now_mono_ns(), 1);
	if (!gw_nat_guest_mac(gw, guest_ip, mac))
		return;		/* as if lost on the wire */
	memcpy(gw_nat_frame_ip(gw) + GW_UDP_HLEN - ETH_HLEN_, data, len);
	gw_udp_to_guest(gw, f, mac, len);
	nat->st.udp_in++;
}

void gw_nat_udp_pub_drop(struct gw *gw, int fd)
{
	struct gw_nat *nat = gw->nat;
	struct nat_flow *f, *next;

	if (!nat || !nat->ft)
		return;
	for (f = nat_flow_first(nat->ft); f; f = next) {
		next = nat_flow_next(nat->ft, f);
		if (f->key.proto == NAT_PROTO_UDP && f->host_id == fd &&
		    nat->socks[f->idx].shared) {
			gw_nat_udp_close(gw, f);
			nat_flow_remove(nat->ft, f);
		}
	}
}
