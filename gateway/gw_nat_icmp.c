// SPDX-License-Identifier: MIT
/*
 * gw_nat_icmp.c - ICMP echo through ping sockets; ICMP errors to guests
 *
 * Theory of operation
 * -------------------
 * Echo. A guest's echo request to an address outside the subnet (the
 * gateway's own address is answered by gateway.c) goes out through an
 * unprivileged ping socket (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)),
 * one per (guest address, guest echo id, destination), connect()ed to the
 * destination. The kernel owns the echo id on the wire (it is the
 * socket's "port") and the checksum; replies read from the socket carry
 * the kernel's id, which is put back to the guest's before the reply is
 * framed to the guest. The table is bounded (GW_PING_SLOTS, at most
 * GW_PING_GUEST per guest address; a full table answers "prohibited");
 * a socket idle for GW_PING_IDLE_NS is closed (gw_nat_icmp_tick(), and
 * whenever the table needs a slot). Sockets count against the fd budget.
 *
 * The guest's TTL is honoured as a router would: a request arriving with
 * TTL 1 gets "time exceeded" from the gateway, others leave with TTL - 1,
 * and the errors the host receives for them (IP_RECVERR) are relayed, so
 * traceroute -I works through the NAT.
 *
 * Where net.ipv4.ping_group_range does not include mvmd's group, socket()
 * fails with EACCES: one warning says how to allow it (@ping_warned), and
 * each request is answered with "communication administratively
 * prohibited" (code 13) at once, so ping reports an error instead of
 * waiting. The sysctl is read by the kernel on every socket(), so allowing
 * it later takes effect without a restart.
 *
 * ICMP errors to guests (gw_nat_unreach(), gw_nat_icmp_errqueue()) follow
 * RFC 1122 3.2.2 (never about an ICMP error, a non-first fragment, a
 * broadcast or multicast packet, or a source that is not one host) and
 * carry the offending IP header and as much of its data as fits in 576
 * bytes (RFC 1812 4.3.2.3). They are rate limited (RFC 1812 4.3.2.8) by
 * two token buckets, in GCRA form (one "theoretical arrival time" per
 * bucket): one per guest address, hashed into GW_RL_SLOTS (guests that
 * collide share a bucket), and one for the whole network.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkt/csum.h"
#include "common/log.h"
#include "common/util.h"
#include "gateway/gw_nat.h"
#include "gateway/gw_priv.h"

#define GW_PING_SLOTS	128
#define GW_PING_GUEST	32
#define GW_PING_IDLE_NS	30000000000ull	/* 30 s */
#define GW_PING_BURST	16		/* replies read per event */
#define GW_ERR_MAX	576		/* RFC 1812 4.3.2.3 */
#define GW_ERRQ_BURST	16		/* errors read per event */

#define GW_RL_SLOTS	64
#define GW_RL_GUEST_NS	50000000ull	/* 20 errors/s per guest ... */
#define GW_RL_GUEST_TOL	(16 * GW_RL_GUEST_NS)	/* ... bursts of 16 */
#define GW_RL_ALL_NS	1000000ull	/* 1000/s per network ... */
#define GW_RL_ALL_TOL	(100 * GW_RL_ALL_NS)	/* ... bursts of 100 */

#define ICMP_UNREACH_	3
#define ICMP_TIMXCEED_	11
#define ICMP_PROHIBITED	13

/** struct gw_ping - one ping socket: a guest's echo session */
struct gw_ping {
	int fd;			/* -1: free */
	uint32_t guest_ip;
	uint32_t dst;
	uint16_t guest_id;
	uint8_t ttl;		/* the socket's IP_TTL now */
	uint64_t last_ns;
};

struct gw_nat_icmp {
	struct gw_ping ping[GW_PING_SLOTS];
	uint64_t rl_all;		/* GCRA arrival time, network */
	uint64_t rl[GW_RL_SLOTS];	/* per guest address (hashed) */
};

static struct gw_nat_icmp *gw_icmp_state(struct gw *gw)
{
	struct gw_nat *nat = gw->nat;
	unsigned i;

	if (nat->icmp)
		return nat->icmp;
	nat->icmp = calloc(1, sizeof(*nat->icmp));
	if (nat->icmp)
		for (i = 0; i < GW_PING_SLOTS; i++)
			nat->icmp->ping[i].fd = -1;
	return nat->icmp;
}

/* GCRA: may one more go at @now through the bucket at @tat? */
static bool gw_rl_take(uint64_t *tat, uint64_t now, uint64_t ns, uint64_t tol)
{
	uint64_t t = *tat > now ? *tat : now;

	if (t - now > tol)
		return false;
	*tat = t + ns;
	return true;
}

static bool gw_rl_allow(struct gw *gw, uint32_t guest_ip)
{
	struct gw_nat_icmp *s = gw_icmp_state(gw);
	uint64_t now = now_mono_ns();
	uint64_t *g;

	if (!s)
		return false;
	g = &s->rl[(guest_ip * 2654435761u) >> 26];
	if (!gw_rl_take(&s->rl_all, now, GW_RL_ALL_NS, GW_RL_ALL_TOL))
		return false;
	return gw_rl_take(g, now, GW_RL_GUEST_NS, GW_RL_GUEST_TOL);
}

/* one address is one host: not 0/8, loopback, multicast, broadcast */
static bool gw_icmp_unicast(const struct gw *gw, uint32_t a)
{
	uint32_t mask = gw->subnet.prefix ?
		~0u << (32 - gw->subnet.prefix) : 0;

	if (a >> 24 == 0 || a >> 24 == 127 || a >> 28 >= 0xe)
		return false;
	/* the subnet's broadcast address (a /31 or /32 has none) */
	if (gw->subnet.prefix < 31 && (a & mask) == (gw->subnet.addr & mask) &&
	    (a | mask) == ~0u)
		return false;
	return true;
}

/*
 * Send ICMP @type/@code (with @info in the second word) from @src to
 * guest @dst at @mac about the packet @orig (@olen bytes, clipped).
 */
static void gw_icmp_error(struct gw *gw, const uint8_t *mac, uint32_t src,
			  uint32_t dst, uint8_t type, uint8_t code,
			  uint32_t info, const uint8_t *orig, size_t olen)
{
	uint8_t *p = gw_nat_frame_ip(gw);
	struct ip4_hdr h;
	struct icmp_hdr ic;
	uint16_t sum;
	size_t len;

	olen = MIN(olen, GW_ERR_MAX - sizeof(h) - sizeof(ic));
	len = sizeof(h) + sizeof(ic) + olen;
	/* TOS: internetwork control, as routers do */
	gw_ip4_hdr(&h, 0xc0, gw->ip_id++, IPPROTO_ICMP_, src, dst, len);
	memset(&ic, 0, sizeof(ic));
	ic.type = type;
	ic.code = code;
	info = htonl(info);
	memcpy(&ic.id, &info, 4);
	memmove(p + sizeof(h) + sizeof(ic), orig, olen);
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), &ic, sizeof(ic));
	sum = csum_fold(csum_partial(p + sizeof(h), sizeof(ic) + olen, 0));
	memcpy(p + sizeof(h) + offsetof(struct icmp_hdr, check), &sum, 2);
	gw_nat_send_ip(gw, mac, NULL, p, len);
	gw->nat->st.unreach_sent++;
}

/* RFC 1122 3.2.2: may the packet @ip get an ICMP error at all? */
static bool gw_icmp_may_answer(const struct gw *gw,
			       const struct frame_eth *eth,
			       const struct frame_ip4 *ip)
{
	if (mac_is_multicast(eth->dst) || mac_is_multicast(eth->src))
		return false;
	if (ntohs(ip->hdr->frag_off) & IP4_OFFMASK)
		return false;
	if (!gw_icmp_unicast(gw, ip->daddr) || !gw_icmp_unicast(gw, ip->saddr))
		return false;
	if (ip->proto == IPPROTO_ICMP_) {
		uint8_t t;

		if (ip->tot_len <= ip->ihl)
			return false;
		/* only queries; errors and unknown types get nothing */
		t = ((const uint8_t *)ip->hdr)[ip->ihl];
		if (t != 0 && t != 8 && (t < 13 || t > 18))
			return false;
	}
	return true;
}

static void gw_icmp_answer(struct gw *gw, const struct frame_eth *eth,
			   const struct frame_ip4 *ip, uint8_t type,
			   uint8_t code, uint32_t src)
{
	if (!gw_icmp_may_answer(gw, eth, ip) || !gw_rl_allow(gw, ip->saddr))
		return;
	gw_icmp_error(gw, eth->src, src, ip->saddr, type, code, 0,
		      (const uint8_t *)ip->hdr, ip->tot_len);
}

void gw_nat_unreach(struct gw *gw, const struct frame_eth *eth,
		    const struct frame_ip4 *ip, uint8_t code)
{
	/* port unreachable comes from the host that has no such port;
	 * the rest from us, the router that could not deliver */
	gw_icmp_answer(gw, eth, ip, ICMP_UNREACH_, code,
		       code == 3 ? ip->daddr : gw->ip);
}

void gw_nat_icmp_errqueue(struct gw *gw, int fd,
			  const struct nat_flow_key *key)
{
	uint8_t buf[GW_ERR_MAX], orig[GW_ERR_MAX], mac[ETH_ALEN_];
	union {
		struct cmsghdr align;
		uint8_t b[256];
	} ctl;
	int i, e;
	socklen_t sl = sizeof(e);

	for (i = 0; i < GW_ERRQ_BURST; i++) {
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl.b, .msg_controllen = sizeof(ctl.b),
		};
		const struct sock_extended_err *ee = NULL;
		const struct sockaddr_in *off;
		struct cmsghdr *c;
		struct ip4_hdr h;
		uint32_t src;
		size_t l4, n;
		ssize_t r;

		r = recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (r < 0)
			break;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_IP &&
			    c->cmsg_type == IP_RECVERR)
				ee = (const struct sock_extended_err *)
					CMSG_DATA(c);
		if (!ee || ee->ee_origin != SO_EE_ORIGIN_ICMP ||
		    (ee->ee_type != ICMP_UNREACH_ &&
		     ee->ee_type != ICMP_TIMXCEED_))
			continue;	/* local errors: the sender's business */
		off = (const struct sockaddr_in *)SO_EE_OFFENDER(ee);
		src = off->sin_family == AF_INET ?
			ntohl(off->sin_addr.s_addr) : 0;
		/* a router outside keeps its address; the host itself
		 * (loopback) is the remote as the guest knows it */
		if (!src || !gw_icmp_unicast(gw, src) ||
		    gw_nat_route(gw, src, &(struct sockaddr_in){ 0 }) ==
		    -EHOSTUNREACH)
			src = key->remote_ip;
		n = MIN((size_t)r, sizeof(orig) - sizeof(h) - 8);

		/* the guest's packet, rebuilt: IPv4 + L4 header + data */
		l4 = key->proto == IPPROTO_ICMP_ ? 0 : sizeof(struct udp_hdr);
		gw_ip4_hdr(&h, 0, 0, key->proto, key->guest_ip,
			   key->remote_ip, sizeof(h) + l4 + (size_t)r);
		memcpy(orig, &h, sizeof(h));
		if (key->proto == IPPROTO_ICMP_) {
			uint16_t id = htons(key->guest_port);

			if (n < 8)
				continue;
			memcpy(orig + sizeof(h), buf, n);
			memcpy(orig + sizeof(h) + 4, &id, 2);
		} else {
			struct udp_hdr u = {
				.sport = htons(key->guest_port),
				.dport = htons(key->remote_port),
				.len = htons((uint16_t)(l4 + (size_t)r)),
			};

			memcpy(orig + sizeof(h), &u, sizeof(u));
			memcpy(orig + sizeof(h) + l4, buf, n);
		}
		if (!gw_nat_guest_mac(gw, key->guest_ip, mac) ||
		    !gw_rl_allow(gw, key->guest_ip))
			continue;
		gw_icmp_error(gw, mac, src, key->guest_ip, ee->ee_type,
			      ee->ee_code, ee->ee_code == 4 ? ee->ee_info : 0,
			      orig, sizeof(h) + l4 + n);
	}
	/* whatever is left pending (a queue longer than the burst comes
	 * back: EPOLLERR is level-triggered) */
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl);
}

/* ---- echo through ping sockets ---- */

static void gw_ping_close(struct gw *gw, struct gw_ping *pg)
{
	if (pg->fd < 0)
		return;
	gw_nat_close(gw, pg->fd);
	pg->fd = -1;
}

/* close idle sockets; Return: a free slot or NULL; *@mine: the guest's */
static struct gw_ping *gw_ping_sweep(struct gw *gw, uint64_t now,
				     uint32_t guest_ip, unsigned *mine)
{
	struct gw_nat_icmp *s = gw->nat->icmp;
	struct gw_ping *free_slot = NULL;
	unsigned i;

	*mine = 0;
	for (i = 0; i < GW_PING_SLOTS; i++) {
		struct gw_ping *pg = &s->ping[i];

		if (pg->fd >= 0 && now > pg->last_ns &&
		    now - pg->last_ns > GW_PING_IDLE_NS)
			gw_ping_close(gw, pg);
		if (pg->fd < 0) {
			if (!free_slot)
				free_slot = pg;
		} else if (pg->guest_ip == guest_ip) {
			(*mine)++;
		}
	}
	return free_slot;
}

/*
 * a ping socket to @sa for the guest's session
 * Return: its slot, or NULL with the ICMP unreachable code in *@code
 */
static struct gw_ping *gw_ping_open(struct gw *gw, const struct frame_ip4 *ip,
				    uint16_t id, const struct sockaddr_in *sa,
				    uint8_t *code)
{
	struct gw_nat *nat = gw->nat;
	struct gw_ping *pg;
	unsigned mine;
	int fd, one = 1;

	pg = gw_ping_sweep(gw, now_mono_ns(), ip->saddr, &mine);
	if (!pg || mine >= GW_PING_GUEST) {
		nat->st.drop_limit++;
		*code = ICMP_PROHIBITED;
		return NULL;
	}
	fd = gw_nat_socket(gw, AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	if (fd == -EACCES || fd == -EPERM) {
		if (!nat->ping_warned)
			warn("ICMP echo from guests is refused: net.ipv4.ping_group_range does not include mvmd's group %u; to allow it: sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"",
			     (unsigned)getegid());
		nat->ping_warned = true;
		nat->st.denied++;
		*code = ICMP_PROHIBITED;
		return NULL;
	}
	if (fd < 0) {
		*code = fd == -EMFILE ? ICMP_PROHIBITED : 1;
		return NULL;
	}
	setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa))) {
		*code = errno == ENETUNREACH ? 0 : 1;	/* net / host */
		nat->st.sock_errors++;
		gw_nat_close(gw, fd);
		return NULL;
	}
	pg->fd = fd;
	pg->guest_ip = ip->saddr;
	pg->dst = ip->daddr;
	pg->guest_id = id;
	pg->ttl = 64;		/* Linux's default IP_TTL */
	pg->last_ns = now_mono_ns();
	if (gw_nat_watch(gw, fd, gw_nat_ev(GW_NAT_EV_ICMP,
			(uint32_t)(pg - nat->icmp->ping), 0), EPOLLIN)) {
		nat->st.sock_errors++;
		gw_ping_close(gw, pg);
		*code = 1;
		return NULL;
	}
	return pg;
}

static struct gw_ping *gw_ping_find(struct gw_nat_icmp *s, uint32_t guest_ip,
				    uint16_t id, uint32_t dst)
{
	unsigned i;

	for (i = 0; i < GW_PING_SLOTS; i++) {
		struct gw_ping *pg = &s->ping[i];

		if (pg->fd >= 0 && pg->guest_ip == guest_ip &&
		    pg->guest_id == id && pg->dst == dst)
			return pg;
	}
	return NULL;
}

bool gw_nat_icmp_input(struct gw *gw, const struct virtio_net_hdr_v1 *vh,
		       const struct frame_eth *eth, const struct frame_ip4 *ip)
{
	struct gw_nat *nat = gw->nat;
	struct gw_nat_icmp *s;
	struct frame_icmp ic;
	struct sockaddr_in sa;
	struct gw_ping *pg;
	uint8_t code = 1;
	int ret;

	if (frame_parse_icmp(ip, &ic) || ic.type != ICMP_ECHO_ || ic.code ||
	    !gw_icmp_unicast(gw, ip->saddr))
		goto ignore;
	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    csum_fold(csum_partial(ic.msg.p, ic.msg.left, 0))) {
		gw->st.bad_csum++;
		return false;
	}
	ret = gw_nat_route(gw, ip->daddr, &sa);
	if (ret) {
		nat->st.denied++;
		gw_nat_unreach(gw, eth, ip,
			       ret == -EACCES ? ICMP_PROHIBITED : 1);
		return false;
	}
	if (ip->ttl <= 1) {		/* RFC 1812 5.3.1 */
		gw_icmp_answer(gw, eth, ip, ICMP_TIMXCEED_, 0, gw->ip);
		return false;
	}
	s = gw_icmp_state(gw);
	if (!s)
		return false;
	pg = gw_ping_find(s, ip->saddr, ic.id, ip->daddr);
	if (!pg)
		pg = gw_ping_open(gw, ip, ic.id, &sa, &code);
	if (!pg) {
		gw_nat_unreach(gw, eth, ip, code);
		return false;
	}
	if (pg->ttl != ip->ttl - 1) {
		int ttl = ip->ttl - 1;

		if (!setsockopt(pg->fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)))
			pg->ttl = (uint8_t)ttl;
	}
	/* the kernel sets the id (the socket's) and the checksum */
	if (send(pg->fd, ic.msg.p, ic.msg.left,
		 MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		nat->st.sock_errors++;
		return false;
	}
	pg->last_ns = now_mono_ns();
	nat->st.icmp_out++;
	return false;
ignore:
	gw->st.ignored++;
	return false;
}

void gw_nat_icmp_event(struct gw *gw, uint32_t idx, uint32_t events)
{
	struct gw_nat *nat = gw->nat;
	struct gw_ping *pg;
	uint8_t mac[ETH_ALEN_];
	int i;

	if (!nat->icmp || idx >= GW_PING_SLOTS)
		return;
	pg = &nat->icmp->ping[idx];
	if (pg->fd < 0)
		return;		/* closed since */
	if (events & EPOLLERR) {
		struct nat_flow_key k = {
			.guest_ip = pg->guest_ip, .guest_port = pg->guest_id,
			.remote_ip = pg->dst, .proto = IPPROTO_ICMP_,
		};

		gw_nat_icmp_errqueue(gw, pg->fd, &k);
	}
	if (!(events & EPOLLIN))
		return;
	for (i = 0; i < GW_PING_BURST; i++) {
		uint8_t *p = gw_nat_frame_ip(gw);
		uint8_t *m = p + sizeof(struct ip4_hdr);
		size_t room = (size_t)gw->mtu - sizeof(struct ip4_hdr);
		struct ip4_hdr h;
		uint16_t id = htons(pg->guest_id), sum = 0;
		ssize_t n;

		n = recv(pg->fd, m, room, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0)
			break;
		if ((size_t)n > room || n < 8 || m[0] != ICMP_ECHOREPLY_ ||
		    !gw_nat_guest_mac(gw, pg->guest_ip, mac))
			continue;	/* larger than the request could be */
		memcpy(m + 4, &id, 2);
		memcpy(m + 2, &sum, 2);
		sum = csum_fold(csum_partial(m, (size_t)n, 0));
		memcpy(m + 2, &sum, 2);
		gw_ip4_hdr(&h, 0, gw->ip_id++, IPPROTO_ICMP_, pg->dst,
			   pg->guest_ip, sizeof(h) + (size_t)n);
		memcpy(p, &h, sizeof(h));
		gw_nat_send_ip(gw, mac, NULL, p, sizeof(h) + (size_t)n);
		pg->last_ns = nat->now_ns;
		nat->st.icmp_in++;
	}
}

void gw_nat_icmp_tick(struct gw *gw, uint64_t now_ns)
{
	unsigned mine;

	if (gw->nat && gw->nat->icmp)
		gw_ping_sweep(gw, now_ns, 0, &mine);
}

void gw_nat_icmp_free(struct gw *gw)
{
	struct gw_nat_icmp *s = gw->nat ? gw->nat->icmp : NULL;
	unsigned i;

	if (!s)
		return;
	for (i = 0; i < GW_PING_SLOTS; i++)
		gw_ping_close(gw, &s->ping[i]);
	free(s);
	gw->nat->icmp = NULL;
}
