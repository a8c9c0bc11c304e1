/* SPDX-License-Identifier: MIT */
/*
 * gw_nat.h - the gateway's NAT: shared state of its modules
 *
 *   gw_nat.c		policy (where a guest may go), the NAT's own epoll set
 *			and its dispatch, limits, fd budget, counters, timers
 *   gw_nat_tcp.c	the TCP engine's ops on host sockets (nat/nat_tcp.h)
 *   gw_nat_udp.c	UDP flows on host sockets, published UDP ports
 *   gw_nat_icmp.c	ICMP echo through ping sockets; ICMP unreachable
 *   gw_nat_pub.c	published ports: listeners, connections toward guests
 *   gw_dns_tcp.c	DNS over TCP: the far end of a TCP flow to gateway:53
 *
 * Host sockets are not in the switch's epoll set, which carries only
 * 16-bit tags: they sit in the NAT's own epoll set (@epfd), which is
 * itself watched by the gateway port (tag GW_NAT_TAG). Its events carry
 * 64 bits: the kind of socket, an index and a generation (gw_nat_ev()), so
 * an event for a flow freed meanwhile is recognised (nat_flow_get()).
 *
 * Everything runs on the switch thread under the switch lock.
 */
#ifndef MVM_VSWITCH_GW_NAT_H
#define MVM_VSWITCH_GW_NAT_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/epoll.h>

#include "nat/nat_flow.h"
#include "nat/nat_tcp.h"
#include "pkt/frame.h"
#include "gateway/gateway.h"

struct json_object;

struct gw;
struct gw_nat_icmp;
struct gw_nat_pub;
struct gw_dns_tcp;

/* kinds of NAT epoll events (top byte of the data) */
enum gw_nat_kind {
	GW_NAT_EV_TCP = 1,	/* idx/gen: a TCP flow's host socket */
	GW_NAT_EV_UDP,		/* idx/gen: a UDP flow's host socket */
	GW_NAT_EV_ICMP,		/* idx: a ping socket slot (gw_nat_icmp.c) */
	GW_NAT_EV_PUB,		/* idx: a published port's socket */
	GW_NAT_EV_DNS_TCP,	/* idx: a DNS-over-TCP server slot */
};

/** gw_nat_ev() - epoll data for (@kind, @idx, @gen) */
static inline uint64_t gw_nat_ev(enum gw_nat_kind kind, uint32_t idx,
				 uint32_t gen)
{
	return (uint64_t)kind << 56 | (uint64_t)(idx & 0xffffff) << 32 | gen;
}

/**
 * struct gw_nat_sock - per-flow socket state beside the flow table, indexed
 * by nat_flow.idx (the table's entries are fixed-size and generic)
 * @peek_off:	the kernel's SO_PEEK_OFF of the socket, as we last left it
 * @events:	what it is watched for now (EPOLLIN/EPOLLOUT...)
 * @stream_unix: an AF_UNIX stream (DNS over TCP): MSG_TRUNC cannot discard
 * @no_peek_off: the kernel has no SO_PEEK_OFF for it: peek and skip
 * @shared:	the flow does not own its fd (a published UDP socket that
 *		many flows answer through): never close it for the flow
 */
struct gw_nat_sock {
	uint32_t peek_off;
	uint32_t events;
	bool stream_unix;
	bool no_peek_off;
	bool shared;
};

/** struct gw_nat_stats - the NAT's own counters (the engine and the table
 * keep theirs: nat_tcp_get_stats(), nat_flow_get_stats()) */
struct gw_nat_stats {
	uint64_t udp_out, udp_in;	/* datagrams to / from the host */
	uint64_t icmp_out, icmp_in;	/* echo requests / replies */
	uint64_t unreach_sent;		/* ICMP unreachable to guests */
	uint64_t denied;		/* by policy (internal, no host access) */
	uint64_t drop_fd;		/* refused: fd budget (gw_nat_fd_budget) */
	uint64_t drop_limit;		/* refused: flow table or guest limit */
	uint64_t sock_errors;		/* socket() / connect() / send() failures */
	uint64_t pub_accepted;		/* connections accepted on published ports */
};

#define GW_NAT_NEIGH	1024	/* direct-mapped (address -> MAC) cache */

/** struct gw_nat_neigh - a guest address and the MAC it sent from */
struct gw_nat_neigh {
	uint32_t ip;
	uint8_t mac[6];
};

/** struct gw_nat - one network's NAT */
struct gw_nat {
	struct gw_nat_config cfg;
	int epfd;
	struct nat_flow_table *ft;
	struct nat_tcp *tcp;
	struct gw_nat_sock *socks;	/* nat_flow_capacity() entries */
	uint8_t *frame;			/* FRAME_MAX: frames built for guests */
	uint64_t now_ns;		/* time of the current event */
	uint64_t next_scan_ns;		/* TCP timers due (see gw_nat.c) */
	uint64_t next_udp_ns;		/* UDP expiry scan due */
	struct gw_nat_neigh *neigh;	/* GW_NAT_NEIGH entries */
	struct gw_nat_stats st;
	bool ping_warned;		/* ping_group_range logged once */
	struct gw_nat_icmp *icmp;	/* gw_nat_icmp.c, NULL until used */
	struct gw_nat_pub *pub;		/* gw_nat_pub.c, NULL until used */
	struct gw_dns_tcp *dtcp;	/* gw_dns_tcp.c, NULL until used */
};

/* gw_nat.c */

/** gw_nat_configure_locked() - gw_nat_configure() under the lock */
int gw_nat_configure_locked(struct gw *gw, const struct gw_nat_config *c);

/** gw_nat_forget_locked() - gw_nat_forget() under the lock */
int gw_nat_forget_locked(struct gw *gw, uint32_t guest_ip);

/** gw_nat_free() - stop the NAT: every flow and socket goes */
void gw_nat_free(struct gw *gw);

/** gw_nat_poll() - the NAT's epoll set is readable: dispatch its events */
void gw_nat_poll(struct gw *gw);

/** gw_nat_tick() - run the NAT's timers due at @now_ns */
void gw_nat_tick(struct gw *gw, uint64_t now_ns);

/** gw_nat_timeout_ms() - when gw_nat_tick() is next due; -1: never */
int gw_nat_timeout_ms(const struct gw *gw, uint64_t now_ns);

/** gw_nat_stats() - add the "nat" counter object to @o */
void gw_nat_stats(const struct gw *gw, struct json_object *o);

/** gw_nat_learn() - guest @ip was seen sending from @mac */
void gw_nat_learn(struct gw *gw, uint32_t ip, const uint8_t *mac);

/**
 * gw_nat_route() - may a guest reach @daddr, and where? The answer is
 * the same for every protocol and port (the gateway's own ports are
 * the protocol modules' business: gw_nat_tcp.c, gw_nat_udp.c)
 * @gw:		gateway (NAT configured)
 * @daddr:	destination the guest used (host order)
 * @out:	receives the host address to use (loopback for the gateway)
 * Return: 0, or -EACCES (not allowed here: internal network, host access
 * off) or -EHOSTUNREACH (not an address to go to: ours, loopback,
 * multicast, broadcast, inside the subnet)
 */
int gw_nat_route(const struct gw *gw, uint32_t daddr,
		 struct sockaddr_in *out);

/**
 * gw_nat_socket() - a non-blocking, close-on-exec host socket, within the
 * fd budget. Return: fd, or -errno (-EMFILE at the budget: counted)
 */
int gw_nat_socket(struct gw *gw, int domain, int type, int proto);

/** gw_nat_close() - close a socket from gw_nat_socket() (unwatches it) */
void gw_nat_close(struct gw *gw, int fd);

/**
 * gw_nat_fd_account() - count an fd not made by gw_nat_socket() (accept(),
 * socketpair()) against the budget; Return: 0 or -EMFILE (counted)
 */
int gw_nat_fd_account(struct gw *gw);

/** gw_nat_watch() - add @fd to the NAT's epoll set with @data, @events */
int gw_nat_watch(struct gw *gw, int fd, uint64_t data, uint32_t events);

/** gw_nat_rewatch() - change what @fd is watched for */
int gw_nat_rewatch(struct gw *gw, int fd, uint64_t data, uint32_t events);

/**
 * gw_nat_send_ip() - send an IPv4 packet to guest @mac: adds the
 * Ethernet header (and a virtio header from @vh, or all zero) and hands
 * the frame to the switch at once (gw_emit() semantics)
 * @ip, @len:	the packet, at most FRAME_MAX - ETH_HLEN_ bytes; it may sit
 *		in gw_nat_frame_ip() already (not copied then)
 */
void gw_nat_send_ip(struct gw *gw, const uint8_t *mac,
		    const struct virtio_net_hdr_v1 *vh, const void *ip,
		    size_t len);

/** gw_nat_frame_ip() - where to build a packet for gw_nat_send_ip() */
uint8_t *gw_nat_frame_ip(struct gw *gw);

/**
 * gw_nat_guest_mac() - the MAC to send to guest address @ip (from the
 * DHCP leases, else the FDB learned from the flow's first frame)
 * Return: false when unknown
 */
bool gw_nat_guest_mac(struct gw *gw, uint32_t ip, uint8_t mac[6]);

/* gw_nat_tcp.c */
const struct nat_tcp_ops *gw_nat_tcp_ops(void);
/**
 * gw_nat_tcp_adopt() - make @fd the host socket of TCP flow @f: sets it up
 * (SO_PEEK_OFF, TCP_NODELAY unless @stream_unix) and watches it for @ev
 * (GW_NAT_TCP_EV, plus EPOLLOUT while a connect() is in progress)
 */
void gw_nat_tcp_adopt(struct gw *gw, struct nat_flow *f, int fd,
		      bool stream_unix, uint32_t ev);
#define GW_NAT_TCP_EV	(EPOLLIN | EPOLLRDHUP | EPOLLET)
bool gw_nat_tcp_input(struct gw *gw, const struct virtio_net_hdr_v1 *vh,
		      const struct frame_eth *eth, const struct frame_ip4 *ip);
void gw_nat_tcp_event(struct gw *gw, struct nat_flow *f, uint32_t events);

/* gw_nat_udp.c */
bool gw_nat_udp_input(struct gw *gw, const struct virtio_net_hdr_v1 *vh,
		      const struct frame_eth *eth, const struct frame_ip4 *ip,
		      const struct frame_l4 *udp);
void gw_nat_udp_event(struct gw *gw, struct nat_flow *f, uint32_t events);
void gw_nat_udp_close(void *gw, struct nat_flow *f);	/* nat_udp_expire */
/**
 * gw_nat_udp_pub_input() - a datagram arrived on published UDP socket
 * @fd from @from (a host client): find or make the flow (guest
 * @guest_ip:@guest_port, remote = @from, or the gateway address when
 * @from is on loopback) whose replies go back through @fd with sendto(),
 * and send the payload to the guest
 */
void gw_nat_udp_pub_input(struct gw *gw, int fd,
			  const struct sockaddr_in *from, uint32_t guest_ip,
			  uint16_t guest_port, const void *data, size_t len);
/** gw_nat_udp_pub_drop() - remove every flow answering through @fd */
void gw_nat_udp_pub_drop(struct gw *gw, int fd);

/* gw_nat_icmp.c */
bool gw_nat_icmp_input(struct gw *gw, const struct virtio_net_hdr_v1 *vh,
		       const struct frame_eth *eth, const struct frame_ip4 *ip);
void gw_nat_icmp_event(struct gw *gw, uint32_t idx, uint32_t events);
void gw_nat_icmp_tick(struct gw *gw, uint64_t now_ns);
void gw_nat_icmp_free(struct gw *gw);
/**
 * gw_nat_unreach() - answer the guest packet @ip with ICMP destination
 * unreachable @code (RFC 792; RFC 1812 4.3.2.8 rate limit applies). Not
 * sent about ICMP errors, fragments but the first, broadcast or multicast
 * packets or sources that are not one host (RFC 1122 3.2.2).
 */
void gw_nat_unreach(struct gw *gw, const struct frame_eth *eth,
		    const struct frame_ip4 *ip, uint8_t code);
/**
 * gw_nat_icmp_errqueue() - drain the error queue of host socket @fd
 * (IP_RECVERR) and relay each ICMP destination unreachable / time
 * exceeded the host received to the guest of flow @key, about a packet
 * rebuilt from @key (UDP: guest_port -> remote_port; ICMP, proto 1: an
 * echo request with id guest_port). Rate limited like gw_nat_unreach().
 */
void gw_nat_icmp_errqueue(struct gw *gw, int fd,
			  const struct nat_flow_key *key);

/* gw_nat_pub.c */
int gw_nat_pub_add(struct gw *gw, const struct gw_publish *p);
int gw_nat_pub_remove(struct gw *gw, uint32_t owner);
void gw_nat_pub_event(struct gw *gw, uint32_t idx, uint32_t events);
void gw_nat_pub_free(struct gw *gw);

/* gw_dns_tcp.c */
/**
 * gw_dns_tcp_open() - a new DNS-over-TCP session for guest @client_ip
 * Return: the stream fd the TCP flow is spliced to (non-blocking,
 * AF_UNIX SOCK_STREAM, the caller owns and closes it; the server end is
 * the module's), or -errno
 */
int gw_dns_tcp_open(struct gw *gw, uint32_t client_ip);
void gw_dns_tcp_event(struct gw *gw, uint32_t idx, uint32_t events);
void gw_dns_tcp_free(struct gw *gw);

#endif
