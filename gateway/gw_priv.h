/* SPDX-License-Identifier: MIT */
/*
 * gw_priv.h - the gateway's state, shared by its service modules
 *
 * gateway.c (ARP, ICMP, dispatch, UDP framing), gw_dhcp.c, gw_dns.c and
 * gw_dns_fwd.c all work on one struct gw. Everything here runs on the switch
 * thread with the switch lock held (or, for a gateway without a switch,
 * in the caller's thread): nothing is locked on its own.
 */
#ifndef MVM_VSWITCH_GW_PRIV_H
#define MVM_VSWITCH_GW_PRIV_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "dhcp/dhcp_server.h"
#include "dns/dns_fwd.h"
#include "dns/dns_msg.h"
#include "dns/dns_server.h"
#include "dns/dns_zone.h"
#include "common/jsonutil.h"
#include "pkt/frame.h"
#include "gateway/gateway.h"

#define GW_UDP_HLEN	(ETH_HLEN_ + 20 + 8)	/* Ethernet + IPv4 + UDP */
#define GW_DNS_QUERY_MAX 4096	/* longest query forwarded */
#define GW_DNS_FWD_TAG	1	/* vsw_port_watch() tags of upstream sockets */
#define GW_DNS_FWD_TCP	4	/* queries retried over TCP at the same time */
#define GW_DNS_FWD_TCP_MAX	16384	/* longest TCP reply read (longer: TC=1) */
#define GW_DNS_FWD_TCP_QMAX	296	/* a rebuilt query: 12 + 255 + 4 + OPT 11 */
#define GW_DNS_FWD_QKEEP	1024	/* longest query kept for a TCP retry as sent
				 * (longer ones are rebuilt: GW_DNS_FWD_TCP_QMAX) */
#define GW_DNS_FWD_TCP_TAG	(GW_DNS_FWD_TAG + GW_DNS_UPSTREAMS)	/* + slot */
#define GW_NAT_TAG	(GW_DNS_FWD_TCP_TAG + GW_DNS_FWD_TCP)	/* the NAT's epoll set */

/** struct gw_dns_stats - DNS counters */
struct gw_dns_stats {
	uint64_t queries, answers, nxdomain, refused, forwarded, servfail;
	uint64_t timeouts, pending_full, dropped, tcp_resets;
	uint64_t tcp_fallbacks;		/* truncated replies retried over TCP */
	uint64_t tcp_rebuilt;		/* ... with a rebuilt query (too long
					 * to keep: GW_DNS_FWD_QKEEP) */
};

/** struct gw_replica - another network's zone, seen by some clients here */
struct gw_replica {
	struct dns_zone *zone;		/* NULL = free slot */
	char domain[DNS_NAME_STRLEN];	/* as configured, lowercase */
};

/** struct gw_view - client @ip on this network also sees replica @rep */
struct gw_view {
	uint32_t ip;
	unsigned rep;
};

/**
 * struct gw_dns_to - where the answer to a guest's query goes
 * @mac, @ip, @port: the client (its address also picks its DNS view)
 * @sess:	0: a UDP datagram to @mac/@ip:@port; else 1 + the slot of
 *		the DNS-over-TCP session (gw_dns_tcp.c) it came on, whose
 *		generation is @gen (a reply for a session since closed is
 *		dropped)
 */
struct gw_dns_to {
	uint8_t mac[ETH_ALEN_];
	uint32_t ip;
	uint16_t port;
	uint16_t sess;
	uint32_t gen;
};

/**
 * struct gw_dns_fwd_q - one forwarded query in flight
 * @qlen:	length of the query as sent upstream, kept in gw->fwd_keep
 *		(GW_DNS_FWD_QKEEP bytes per slot) for a TCP retry; 0 when it was
 *		longer (the retry then rebuilds it)
 */
struct gw_dns_fwd_q {
	bool used;
	uint8_t upstream;	/* index of the socket it went to */
	uint8_t tcp;		/* 1 + its gw->tcp slot while retried over TCP */
	uint16_t qlen;
	struct gw_dns_to to;
	uint64_t deadline_ns;
	struct dns_fwd f;
};

/**
 * struct gw_dns_fwd_tcp - one query retried over TCP (gw_dns_fwd_tcp.c)
 * @used:	slot taken; @fd is a non-blocking TCP socket to the upstream
 * @reading:	the query is written: waiting for the reply (EPOLLIN), else
 *		connecting or writing (EPOLLOUT)
 * @q:		index of its query in gw->fwd
 * @out, @out_len, @out_off: the 2-byte length prefix and the query (the
 *		client's as sent over UDP, else rebuilt)
 * @in:		GW_DNS_FWD_TCP_MAX + 2 bytes of gw->tcp_buf: prefix and reply
 * @in_len:	bytes of @in read so far
 */
struct gw_dns_fwd_tcp {
	bool used;
	bool reading;
	int fd;
	unsigned q;
	uint16_t out_len, out_off;
	uint8_t out[2 + GW_DNS_FWD_QKEEP];
	uint8_t *in;
	size_t in_len;
};

/** struct gw_upstream - a connect()ed UDP socket to one resolver */
struct gw_upstream {
	int fd;			/* -1 = none */
	struct sockaddr_storage ss;
	socklen_t len;
};

struct gw_nat;

struct gw {
	uint8_t mac[ETH_ALEN_];
	uint32_t ip;		/* host order */
	struct cidr4 subnet;	/* from gw_set_network(); prefix 0 = unknown */
	uint16_t mtu;		/* the network's, for reply sizes */
	uint16_t ip_id;		/* IPv4 identification of our datagrams */
	bool pending;
	size_t out_len;
	struct gw_stats st;
	struct vsw_port *port;	/* the port around us, NULL when standalone */

	/* services (gw_dhcp.c, gw_dns.c, gw_dns_fwd.c) */
	bool configured;
	struct gw_services_config cfg;	/* pointers not kept: cleared */
	char domain[DNS_NAME_STRLEN];
	struct dhcp_server *dhcp;	/* NULL unless cfg.dhcp */
	struct dhcp_reply *dhcp_out;	/* one reply buffer */
	struct dns_zone *zone;		/* NULL unless cfg.dns && domain */
	struct gw_replica rep[GW_DNS_REPLICAS];
	struct gw_view views[GW_DNS_VIEWS];
	unsigned n_views;
	struct gw_dns_stats dns_st;

	struct gw_upstream up[GW_DNS_UPSTREAMS];
	unsigned n_up, cur_up;	/* upstreams, the one new queries go to */
	struct gw_dns_fwd_q fwd[GW_DNS_PENDING];
	unsigned n_fwd;		/* in flight */
	uint16_t rnd[64];	/* random IDs from getrandom(), used up */
	unsigned n_rnd;
	uint8_t *scratch;	/* GW_DNS_QUERY_MAX: query/reply copy */
	struct gw_dns_fwd_tcp tcp[GW_DNS_FWD_TCP];
	uint8_t *tcp_buf;	/* GW_DNS_FWD_TCP * (GW_DNS_FWD_TCP_MAX + 2) */
	uint8_t *fwd_keep;	/* GW_DNS_PENDING * GW_DNS_FWD_QKEEP: the queries
				 * in flight, for TCP retries */

	struct gw_nat *nat;	/* gw_nat*.c; NULL until gw_nat_configure() */

	struct {
		struct virtio_net_hdr_v1 vh;
		uint8_t frame[FRAME_MAX];
	} out;
};

/**
 * gw_ip4_hdr() - an option-less IPv4 header from the gateway, TTL 64,
 * checksummed
 * @h:		receives it
 * @tos:	type of service byte
 * @id:		identification
 * @proto:	IPPROTO_*_
 * @src, @dst:	addresses, host order
 * @tot_len:	header and payload
 */
static inline void gw_ip4_hdr(struct ip4_hdr *h, uint8_t tos, uint16_t id,
			      uint8_t proto, uint32_t src, uint32_t dst,
			      size_t tot_len)
{
	memset(h, 0, sizeof(*h));
	h->ver_ihl = 0x45;
	h->tos = tos;
	h->tot_len = htons((uint16_t)tot_len);
	h->id = htons(id);
	h->ttl = 64;
	h->proto = proto;
	h->saddr = htonl(src);
	h->daddr = htonl(dst);
	h->check = frame_ip4_csum(h, sizeof(*h));
}

/**
 * gw_udp_payload() - where a reply's UDP payload goes in the out buffer
 * Return: pointer; room for FRAME_MAX - GW_UDP_HLEN bytes
 */
static inline uint8_t *gw_udp_payload(struct gw *gw)
{
	return gw->out.frame + GW_UDP_HLEN;
}

/**
 * gw_udp_reply() - frame the @len bytes at gw_udp_payload() as UDP/IPv4
 * @gw:		gateway
 * @dst_mac:	Ethernet destination (no ARP: we know it or broadcast)
 * @src, @sport: source address and port, host order
 * @dst, @dport: destination address and port, host order
 * @len:	payload length
 * Writes Ethernet, IPv4 and UDP headers with correct checksums and marks
 * the reply pending (gw_output()).
 */
void gw_udp_reply(struct gw *gw, const uint8_t *dst_mac, uint32_t src,
		  uint16_t sport, uint32_t dst, uint16_t dport, size_t len);

/**
 * gw_emit() - send the pending reply now (asynchronous replies)
 * With a port, the reply is forwarded as a frame from the gateway port and
 * is no longer pending; standalone, it stays pending for gw_output().
 */
void gw_emit(struct gw *gw);

/**
 * gw_services_configure_locked() - start or reconfigure DHCP and DNS
 * See gw_services_configure() (vsw.h), which calls this under the lock.
 * Return: 0 or -errno; on failure the previous services keep running
 * unless the error came from an upstream socket (then forwarding is off)
 */
int gw_services_configure_locked(struct gw *gw, const struct gw_services_config *c);

/**
 * gw_tick() - time passes: answer SERVFAIL to queries upstream timed out
 * @now_ns:	CLOCK_MONOTONIC
 * Replies go out through gw_emit() (the gateway port) as they are made.
 */
void gw_tick(struct gw *gw, uint64_t now_ns);

/**
 * gw_timeout_ms() - how long the caller may sleep before gw_tick() is due
 * Return: milliseconds, -1 when nothing is pending
 */
int gw_timeout_ms(const struct gw *gw, uint64_t now_ns);

/*
 * The service tables, as the gw_*() functions without _locked (gateway.h),
 * for a caller that holds the switch lock or has a standalone gateway.
 */
int gw_dhcp_static_locked(struct gw *gw, const uint8_t mac[6], uint32_t ip,
		   const char *hostname, bool add);
bool gw_dhcp_ip_in_use_locked(struct gw *gw, uint32_t ip);
int gw_dns_owner_add_locked(struct gw *gw, const char *zone, uint32_t owner,
		     const char *name, const char *const *aliases,
		     size_t n_aliases, uint32_t ip);
int gw_dns_owner_remove_locked(struct gw *gw, const char *zone, uint32_t owner);
int gw_dns_view_add_locked(struct gw *gw, uint32_t client_ip, const char *domain,
		    const struct cidr4 *subnet);
int gw_dns_view_remove_locked(struct gw *gw, uint32_t client_ip);
int gw_leases_export_locked(struct gw *gw, struct json_object **out);
int gw_leases_import_locked(struct gw *gw, const struct json_object *in);

/**
 * gw_services_stats() - add "dhcp" and "dns" counter objects to @o
 * (nothing when the services were never configured)
 */
void gw_services_stats(const struct gw *gw, struct json_object *o);


/* gw_dhcp.c */
int gw_dhcp_configure(struct gw *gw, const struct gw_services_config *c);
void gw_dhcp_free(struct gw *gw);
bool gw_dhcp_input(struct gw *gw, const struct frame_eth *eth,
		   const struct frame_ip4 *ip, const struct frame_l4 *udp);

/* gw_dns.c */
int gw_dns_configure(struct gw *gw, const struct gw_services_config *c);
void gw_dns_free(struct gw *gw);
bool gw_dns_input(struct gw *gw, const struct frame_eth *eth,
		  const struct frame_ip4 *ip, const struct frame_l4 *udp);
/**
 * gw_dns_answer() - answer one query from @client_ip as dns_server_answer()
 * does, from that client's view (own zone, replicas it sees), counted
 * @over_tcp:	no truncation below @max (RFC 7766)
 * Return: dns_server_answer()'s
 */
int gw_dns_answer(struct gw *gw, uint32_t client_ip, const uint8_t *q,
		  size_t len, int over_tcp, uint8_t *resp, size_t max,
		  size_t *resp_len);

/* gw_dns_tcp.c (the NAT's side is in gw_nat.h) */
/**
 * gw_dns_tcp_answer() - a forwarded query's answer @msg (@len bytes) for
 * session @to (to->sess != 0): queued on its stream, or dropped (counted)
 * when the session is gone or its buffer full
 */
void gw_dns_tcp_answer(struct gw *gw, const struct gw_dns_to *to,
		       const uint8_t *msg, size_t len);
/** gw_dns_tcp_tick() - close sessions idle too long (RFC 7766 6.2.3) */
void gw_dns_tcp_tick(struct gw *gw, uint64_t now_ns);
/** gw_dns_tcp_timeout_ms() - when gw_dns_tcp_tick() is next due; -1 */
int gw_dns_tcp_timeout_ms(const struct gw *gw, uint64_t now_ns);
/** gw_dns_tcp_stats() - add the DNS-over-TCP counters to @o */
void gw_dns_tcp_stats(const struct gw *gw, struct json_object *o);

/* gw_dns_fwd.c */
int gw_dns_fwd_configure(struct gw *gw, const struct gw_services_config *c);
void gw_dns_fwd_free(struct gw *gw);
/**
 * gw_dns_fwd_query() - forward query @msg (@len bytes, copied) upstream; the
 * answer (or a SERVFAIL) goes to @to. A SERVFAIL due at once is left
 * pending (UDP, gw_output()) or queued on the session (TCP).
 * Return: 0 (an answer follows, or was given already), or -errno: dropped,
 * no answer will come (counted)
 */
int gw_dns_fwd_query(struct gw *gw, const struct gw_dns_to *to,
		  const uint8_t *msg, size_t len);
void gw_dns_fwd_event(struct gw *gw, unsigned idx);
void gw_dns_fwd_tick(struct gw *gw, uint64_t now_ns);
int gw_dns_fwd_timeout_ms(const struct gw *gw, uint64_t now_ns);
void gw_dns_fwd_fail(struct gw *gw, struct gw_dns_fwd_q *q, bool emit);
void gw_dns_fwd_relay(struct gw *gw, struct gw_dns_fwd_q *q, const uint8_t *msg,
		  size_t len, size_t max);
/** gw_dns_fwd_max() - the longest answer @q's client takes: over TCP 65535,
 * over UDP the network's MTU and, if @edns, the client's EDNS size */
size_t gw_dns_fwd_max(const struct gw *gw, const struct gw_dns_fwd_q *q, bool edns);

/* gw_dns_fwd_tcp.c */
int gw_dns_fwd_tcp_start(struct gw *gw, struct gw_dns_fwd_q *q);
void gw_dns_fwd_tcp_event(struct gw *gw, unsigned slot, uint32_t events);
void gw_dns_fwd_tcp_close(struct gw *gw, unsigned slot);
void gw_dns_fwd_tcp_free(struct gw *gw);

#endif
