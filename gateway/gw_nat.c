// SPDX-License-Identifier: MIT
/*
 * gw_nat.c - the gateway's NAT: policy, epoll set, dispatch, limits
 *
 * Theory of operation
 * -------------------
 * Guest traffic the gateway's own services do not take (gateway.c) comes
 * here. gw_nat_route() decides where it may go:
 *
 *   to the gateway address	the host's loopback (127.0.0.1, same port)
 *				when host access is on, else -EACCES
 *   outside the subnet		that address when egress is on (nat
 *				networks), else -EACCES
 *   anything else		-EHOSTUNREACH: the subnet itself (guests talk
 *				directly), loopback, multicast, broadcast, 0/8
 *
 * and the protocol modules (gw_nat_tcp.c, gw_nat_udp.c, gw_nat_icmp.c)
 * open host sockets for what is allowed. Every host socket is made by
 * gw_nat_socket(), which counts it against a process-wide budget
 * (gw_nat_fd_budget()): together with the flow table's per-network and
 * per-guest limits this bounds what guests can make the daemon hold.
 *
 * Host sockets live in the NAT's own epoll set (see gw_nat.h); the
 * gateway port watches that set and calls gw_nat_poll(), which drains it
 * in bursts and dispatches by kind. Flow events carry the flow's index
 * and generation, so an event for a flow freed meanwhile is dropped.
 *
 * Timers: the TCP engine's (retransmission, persist, idle, linger) are
 * scanned at their deadline and at least every GW_NAT_SCAN_NS while TCP
 * flows exist (a deadline armed by an event after the last scan may be
 * late by that much at most); UDP mappings expire on a coarse scan once a
 * second. gw_nat_timeout_ms() folds both into the switch's epoll timeout.
 *
 * Guest MACs: frames to a guest need its MAC. The NAT learns (address,
 * MAC) from every frame a guest sends it, in a small direct-mapped cache,
 * and falls back to the DHCP leases (a published port may be reached
 * before the guest ever sent anything).
 */
#include "gateway/gw_nat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "nat/nat_udp.h"
#include "gateway/gw_priv.h"
#include "vswitch/port.h"

#define GW_NAT_BURST	64
#define GW_NAT_SCAN_NS	50000000ull	/* 50 ms */
#define GW_NAT_UDP_SCAN_NS 1000000000ull	/* 1 s */

static _Atomic unsigned gw_nat_fds;	/* host sockets of every NAT */
static unsigned gw_nat_fd_max;		/* 0 = no budget */

void gw_nat_fd_budget(unsigned n)
{
	gw_nat_fd_max = n;
}

int gw_nat_fd_account(struct gw *gw)
{
	unsigned n = atomic_fetch_add(&gw_nat_fds, 1) + 1;

	if (gw_nat_fd_max && n > gw_nat_fd_max) {
		atomic_fetch_sub(&gw_nat_fds, 1);
		gw->nat->st.drop_fd++;
		return -EMFILE;
	}
	return 0;
}

int gw_nat_socket(struct gw *gw, int domain, int type, int proto)
{
	int fd;

	if (gw_nat_fd_account(gw))
		return -EMFILE;
	fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0) {
		int e = errno;

		atomic_fetch_sub(&gw_nat_fds, 1);
		gw->nat->st.sock_errors++;
		return -e;
	}
	return fd;
}

void gw_nat_close(struct gw *gw, int fd)
{
	if (fd < 0)
		return;
	epoll_ctl(gw->nat->epfd, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	atomic_fetch_sub(&gw_nat_fds, 1);
}

int gw_nat_watch(struct gw *gw, int fd, uint64_t data, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(gw->nat->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int gw_nat_rewatch(struct gw *gw, int fd, uint64_t data, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(gw->nat->epfd, EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
}

int gw_nat_route(const struct gw *gw, uint32_t daddr,
		 struct sockaddr_in *out)
{
	const struct gw_nat *nat = gw->nat;
	uint32_t mask = gw->subnet.prefix ?
		~0u << (32 - gw->subnet.prefix) : 0;

	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	if (daddr == gw->ip) {
		if (!nat->cfg.host_access)
			return -EACCES;
		out->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return 0;
	}
	if ((daddr & mask) == (gw->subnet.addr & mask) ||
	    daddr >> 24 == 0 || daddr >> 24 == 127 || daddr >> 28 >= 0xe)
		return -EHOSTUNREACH;
	if (!nat->cfg.egress)
		return -EACCES;
	out->sin_addr.s_addr = htonl(daddr);
	return 0;
}

/* ---- guest MACs ---- */


static struct gw_nat_neigh *gw_nat_neigh_slot(struct gw *gw, uint32_t ip)
{
	struct gw_nat_neigh *tab = gw->nat->neigh;

	return &tab[(ip * 2654435761u) >> 22];	/* Knuth: top 10 bits */
}

void gw_nat_learn(struct gw *gw, uint32_t ip, const uint8_t *mac)
{
	struct gw_nat_neigh *n = gw_nat_neigh_slot(gw, ip);

	n->ip = ip;
	memcpy(n->mac, mac, ETH_ALEN_);
}

bool gw_nat_guest_mac(struct gw *gw, uint32_t ip, uint8_t mac[6])
{
	const struct gw_nat_neigh *n = gw_nat_neigh_slot(gw, ip);
	const struct dhcp_lease *l;

	if (n->ip == ip && ip) {
		memcpy(mac, n->mac, ETH_ALEN_);
		return true;
	}
	if (!gw->dhcp)
		return false;
	l = dhcp_lease_find_ip(dhcp_server_leases(gw->dhcp), ip);
	if (!l)
		return false;
	memcpy(mac, l->mac, ETH_ALEN_);
	return true;
}

/* ---- frames to guests ---- */

uint8_t *gw_nat_frame_ip(struct gw *gw)
{
	return gw->nat->frame + sizeof(struct virtio_net_hdr_v1) + ETH_HLEN_;
}

void gw_nat_send_ip(struct gw *gw, const uint8_t *mac,
		    const struct virtio_net_hdr_v1 *vh, const void *ip,
		    size_t len)
{
	uint8_t *vhp = gw->nat->frame;
	uint8_t *eth = vhp + sizeof(struct virtio_net_hdr_v1);
	uint8_t *p = eth + ETH_HLEN_;
	uint16_t type = htons(ETHTYPE_IP4);
	size_t flen = ETH_HLEN_ + len;

	if (len > FRAME_MAX - ETH_HLEN_)
		return;
	if (ip != p)
		memmove(p, ip, len);
	if (vh) {
		memcpy(vhp, vh, sizeof(*vh));
	} else {
		memset(vhp, 0, sizeof(struct virtio_net_hdr_v1));
	}
	memcpy(eth, mac, ETH_ALEN_);
	memcpy(eth + ETH_ALEN_, gw->mac, ETH_ALEN_);
	memcpy(eth + 2 * ETH_ALEN_, &type, 2);
	if (flen < ETH_ZLEN_) {
		memset(eth + flen, 0, ETH_ZLEN_ - flen);
		flen = ETH_ZLEN_;
	}
	if (gw->port)
		vsw_port_input(gw->port, (const struct virtio_net_hdr_v1 *)vhp,
			       eth, flen);
}

/* ---- configuration ---- */

static void gw_nat_flows_free(struct gw *gw)
{
	struct gw_nat *nat = gw->nat;
	struct nat_flow *f, *next;

	nat_tcp_destroy(nat->tcp);	/* closes its sockets (ops->close) */
	nat->tcp = NULL;
	for (f = nat->ft ? nat_flow_first(nat->ft) : NULL; f; f = next) {
		next = nat_flow_next(nat->ft, f);
		if (f->key.proto == NAT_PROTO_UDP)
			gw_nat_udp_close(gw, f);
		nat_flow_remove(nat->ft, f);
	}
	nat_flow_table_destroy(nat->ft);
	nat->ft = NULL;
	free(nat->socks);
	nat->socks = NULL;
}

static int gw_nat_flows_new(struct gw *gw, const struct gw_nat_config *c)
{
	struct gw_nat *nat = gw->nat;
	struct nat_tcp_config tc = nat_tcp_config_default(gw->mtu);
	struct nat_hash_key key;
	int ret;

	if (getrandom(&key, sizeof(key), 0) != sizeof(key))
		return -EIO;
	ret = nat_flow_table_create(c->max_flows, c->max_flows_guest, &key,
				    &nat->ft);
	if (ret)
		return ret;
	nat->socks = calloc(c->max_flows, sizeof(*nat->socks));
	if (!nat->socks)
		return -ENOMEM;
	tc.idle_timeout_ms = c->tcp_idle_ms;
	tc.seg_max = NAT_TCP_SEG_MAX;	/* TSO toward guests: gw_nat_tcp.c */
	return nat_tcp_create(&tc, nat->ft, gw_nat_tcp_ops(), gw, &nat->tcp);
}

int gw_nat_configure_locked(struct gw *gw, const struct gw_nat_config *in)
{
	struct gw_nat_config c = *in;
	struct gw_nat *nat;
	int ret;

	if (!gw->configured)
		return -ENOTCONN;
	if (!c.max_flows)
		c.max_flows = GW_NAT_FLOWS_DEFAULT;
	if (!c.max_flows_guest)
		c.max_flows_guest = MIN(GW_NAT_FLOWS_GUEST, c.max_flows);
	if (!c.tcp_idle_ms)
		c.tcp_idle_ms = GW_NAT_TCP_IDLE_MS;
	if (!c.udp_idle_ms)
		c.udp_idle_ms = GW_NAT_UDP_IDLE_MS;
	if (c.max_flows > NAT_FLOW_MAX || c.max_flows_guest > c.max_flows)
		return -EINVAL;

	if (gw->nat) {
		nat = gw->nat;
		if (c.max_flows != nat->cfg.max_flows ||
		    c.max_flows_guest != nat->cfg.max_flows_guest ||
		    c.tcp_idle_ms != nat->cfg.tcp_idle_ms) {
			gw_nat_flows_free(gw);
			ret = gw_nat_flows_new(gw, &c);
			if (ret) {
				gw_nat_free(gw);
				return ret;
			}
		}
		nat->cfg = c;
		return 0;
	}

	nat = calloc(1, sizeof(*nat));
	if (!nat)
		return -ENOMEM;
	gw->nat = nat;
	nat->cfg = c;
	nat->epfd = epoll_create1(EPOLL_CLOEXEC);
	nat->frame = malloc(sizeof(struct virtio_net_hdr_v1) + FRAME_MAX);
	nat->neigh = calloc(GW_NAT_NEIGH, sizeof(*nat->neigh));
	if (nat->epfd < 0 || !nat->frame || !nat->neigh) {
		ret = nat->epfd < 0 ? -errno : -ENOMEM;
		goto fail;
	}
	ret = gw_nat_flows_new(gw, &c);
	if (ret)
		goto fail;
	if (gw->port) {
		ret = vsw_port_watch(gw->port, nat->epfd, GW_NAT_TAG, EPOLLIN);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	gw_nat_free(gw);
	return ret;
}

int gw_nat_forget_locked(struct gw *gw, uint32_t guest_ip)
{
	struct gw_nat *nat = gw->nat;
	struct nat_flow *f, *next;
	uint64_t now = now_mono_ns();
	int n = 0;

	if (!nat || !guest_ip)
		return 0;
	for (f = nat_flow_first(nat->ft); f; f = next) {
		next = nat_flow_next(nat->ft, f);
		if (f->key.guest_ip != guest_ip)
			continue;
		if (f->key.proto == NAT_PROTO_TCP) {
			/* the RST toward the guest goes nowhere: harmless */
			nat_tcp_abort(nat->tcp, f, now);
		} else {
			gw_nat_udp_close(gw, f);
			nat_flow_remove(nat->ft, f);
		}
		n++;
	}
	return n;
}

void gw_nat_free(struct gw *gw)
{
	struct gw_nat *nat = gw->nat;

	if (!nat)
		return;
	gw_nat_pub_free(gw);
	gw_dns_tcp_free(gw);
	gw_nat_icmp_free(gw);
	gw_nat_flows_free(gw);
	if (nat->epfd >= 0) {
		if (gw->port)
			vsw_port_unwatch(gw->port, nat->epfd);
		close(nat->epfd);
	}
	free(nat->frame);
	free(nat->neigh);
	free(nat);
	gw->nat = NULL;
}

/* ---- events and timers ---- */

static void gw_nat_dispatch(struct gw *gw, const struct epoll_event *ev)
{
	struct gw_nat *nat = gw->nat;
	enum gw_nat_kind kind = (enum gw_nat_kind)(ev->data.u64 >> 56);
	uint32_t idx = (uint32_t)(ev->data.u64 >> 32) & 0xffffff;
	uint32_t gen = (uint32_t)ev->data.u64;
	struct nat_flow *f;

	switch (kind) {
	case GW_NAT_EV_TCP:
	case GW_NAT_EV_UDP:
		f = nat->ft ? nat_flow_get(nat->ft, idx, gen) : NULL;
		if (!f)
			return;		/* freed since */
		if (kind == GW_NAT_EV_TCP)
			gw_nat_tcp_event(gw, f, ev->events);
		else
			gw_nat_udp_event(gw, f, ev->events);
		return;
	case GW_NAT_EV_ICMP:
		gw_nat_icmp_event(gw, idx, ev->events);
		return;
	case GW_NAT_EV_PUB:
		gw_nat_pub_event(gw, idx, ev->events);
		return;
	case GW_NAT_EV_DNS_TCP:
		gw_dns_tcp_event(gw, idx, ev->events);
		return;
	}
}

void gw_nat_poll(struct gw *gw)
{
	struct epoll_event ev[GW_NAT_BURST];
	int n, i, rounds = 0;

	if (!gw->nat)
		return;
	do {
		n = epoll_wait(gw->nat->epfd, ev, GW_NAT_BURST, 0);
		gw->nat->now_ns = now_mono_ns();
		for (i = 0; i < n && gw->nat; i++)
			gw_nat_dispatch(gw, &ev[i]);
	} while (n == GW_NAT_BURST && gw->nat && ++rounds < 4);
}

void gw_nat_tick(struct gw *gw, uint64_t now_ns)
{
	struct gw_nat *nat = gw->nat;
	struct nat_flow_stats fs;

	if (!nat)
		return;
	nat->now_ns = now_ns;
	nat_flow_get_stats(nat->ft, &fs);
	if (fs.tcp && now_ns >= nat->next_scan_ns) {
		uint64_t d;

		nat_tcp_timers(nat->tcp, now_ns);
		d = nat_tcp_next_deadline(nat->tcp);
		nat->next_scan_ns = MIN(d, now_ns + GW_NAT_SCAN_NS);
	}
	if (fs.udp && now_ns >= nat->next_udp_ns) {
		nat_udp_expire(nat->ft, now_ns, gw_nat_udp_close, gw);
		nat->next_udp_ns = now_ns + GW_NAT_UDP_SCAN_NS;
	}
	gw_nat_icmp_tick(gw, now_ns);
}

int gw_nat_timeout_ms(const struct gw *gw, uint64_t now_ns)
{
	const struct gw_nat *nat = gw->nat;
	struct nat_flow_stats fs;
	uint64_t d = UINT64_MAX;

	if (!nat)
		return -1;
	nat_flow_get_stats(nat->ft, &fs);
	if (fs.tcp)
		d = nat->next_scan_ns;
	if (fs.udp)
		d = MIN(d, nat->next_udp_ns);
	if (d == UINT64_MAX)
		return -1;
	if (d <= now_ns)
		return 0;
	d = (d - now_ns + 999999) / 1000000;
	return d > 1000 ? 1000 : (int)d;
}

/* ---- counters ---- */

void gw_nat_stats(const struct gw *gw, struct json_object *o)
{
	const struct gw_nat *nat = gw->nat;
	struct nat_flow_stats fs;
	struct nat_tcp_stats ts;
	struct json_object *n, *t;

	if (!nat)
		return;
	nat_flow_get_stats(nat->ft, &fs);
	nat_tcp_get_stats(nat->tcp, &ts);
	n = json_object_new_object();
	json_object_object_add(n, "egress",
			       json_object_new_boolean(nat->cfg.egress));
	json_object_object_add(n, "host_access",
			       json_object_new_boolean(nat->cfg.host_access));
	json_add_u64(n, "max_flows", nat->cfg.max_flows);
	json_add_u64(n, "max_flows_per_guest", nat->cfg.max_flows_guest);
	json_add_u64(n, "flows", fs.flows);
	json_add_u64(n, "tcp_flows", fs.tcp);
	json_add_u64(n, "udp_flows", fs.udp);
	json_add_u64(n, "flows_created", fs.created);
	json_add_u64(n, "drop_table_full", fs.drop_full);
	json_add_u64(n, "drop_guest_limit", fs.drop_guest);
	json_add_u64(n, "drop_fd_budget", nat->st.drop_fd);
	json_add_u64(n, "denied", nat->st.denied);
	json_add_u64(n, "socket_errors", nat->st.sock_errors);
	json_add_u64(n, "udp_out", nat->st.udp_out);
	json_add_u64(n, "udp_in", nat->st.udp_in);
	json_add_u64(n, "icmp_out", nat->st.icmp_out);
	json_add_u64(n, "icmp_in", nat->st.icmp_in);
	json_add_u64(n, "unreachable_sent", nat->st.unreach_sent);
	json_add_u64(n, "published_accepted", nat->st.pub_accepted);

	t = json_object_new_object();
	json_add_u64(t, "opened", ts.opened);
	json_add_u64(t, "refused", ts.refused);
	json_add_u64(t, "limited", ts.limited);
	json_add_u64(t, "no_flow", ts.no_flow);
	json_add_u64(t, "bad_segments", ts.bad_seg);
	json_add_u64(t, "retransmits", ts.retrans + ts.fast_retrans);
	json_add_u64(t, "dup_acks", ts.dup_acks);
	json_add_u64(t, "challenge_acks", ts.challenge_acks);
	json_add_u64(t, "resets_sent", ts.rst_sent);
	json_add_u64(t, "resets_received", ts.rst_rcvd);
	json_add_u64(t, "timeouts", ts.timeouts);
	json_add_u64(t, "bytes_to_host", ts.to_host);
	json_add_u64(t, "bytes_to_guest", ts.to_guest);
	json_object_object_add(n, "tcp", t);
	json_object_object_add(o, "nat", n);
}
