/* SPDX-License-Identifier: MIT */
/*
 * dhcp_server.h - the DHCP server of one network, without sockets
 *
 * The gateway port hands every UDP payload received on port 67 to
 * dhcp_server_input() and, when it returns 1, sends out->data as a UDP
 * datagram from out->src_ip:67 to out->dst_ip:out->dst_port in an Ethernet
 * frame to out->dst_mac. Nothing here touches the network, a clock or the
 * heap after dhcp_server_new(): time comes in as @now (seconds, the same
 * clock for every call, wall clock if leases are exported).
 *
 * Not thread-safe: one server per network, driven from one thread.
 */
#ifndef MVM_DHCP_SERVER_H
#define MVM_DHCP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "dhcp/dhcp_lease.h"
#include "dhcp/dhcp_msg.h"

#define DHCP_MAX_ROUTES		16	/* classless static routes (121) */
#define DHCP_DOMAIN_MAX		253	/* a domain name, no trailing dot */
#define DHCP_DEFAULT_LEASE	3600	/* s, when lease_time is 0 */
#define DHCP_MIN_LEASE		60	/* s, shortest lease granted */
#define DHCP_REPLY_MAX		1472	/* 1500 - IPv4 - UDP */

/** struct dhcp_config - what the server hands out (host byte order) */
struct dhcp_config {
	uint32_t server_ip;	/* gateway address: option 54, reply source */
	struct cidr4 subnet;	/* network, prefix 8..30: options 1 and 28 */
	uint32_t router;	/* option 3; 0 on networks that do not route
				 * outward (internal), so no default route */
	uint32_t dns;		/* option 6; 0 for none */
	uint16_t mtu;		/* option 26; 0 for none, else >= 68 */
	char domain[DHCP_DOMAIN_MAX + 1];	/* option 15; "" for none */
	char search[DHCP_SEARCH_MAX_DOMAINS][DHCP_DOMAIN_MAX + 1];
	unsigned n_search;	/* option 119 */
	uint32_t lease_time;	/* s; 0: DHCP_DEFAULT_LEASE */
	struct dhcp_route routes[DHCP_MAX_ROUTES];	/* option 121 */
	unsigned n_routes;
	unsigned max_leases;	/* dynamic entries; 0: DHCP_LEASE_DEFAULT_MAX */
	unsigned max_static;	/* static entries; 0: DHCP_LEASE_DEFAULT_MAX */
};

/** struct dhcp_reply - a reply payload and where it goes (RFC 2131 4.1) */
struct dhcp_reply {
	uint8_t data[DHCP_REPLY_MAX];	/* UDP payload */
	size_t len;
	uint32_t src_ip;		/* the server address */
	uint32_t dst_ip;		/* 0xffffffff when broadcast */
	uint16_t src_port;		/* 67 */
	uint16_t dst_port;		/* 68, or 67 to a relay agent */
	uint8_t dst_mac[6];		/* chaddr, or ff:ff:ff:ff:ff:ff */
	bool broadcast;			/* sent to the broadcast address */
	bool via_relay;			/* dst_ip is the relay (giaddr): the
					 * caller resolves its MAC itself */
};

/** struct dhcp_server_stats - what the server did */
struct dhcp_server_stats {
	uint64_t malformed;	/* not a parseable BOOTREQUEST with type */
	uint64_t ignored;	/* well formed, but not answered by design */
	uint64_t offers, acks, naks, informs;
	uint64_t declines, releases;
	uint64_t refused;	/* no address or no table entry for a client */
};

struct dhcp_server;

/**
 * dhcp_server_new() - create the DHCP server of one network
 * @cfg:	configuration, copied; options 119 and 121 are encoded here
 * @out:	receives the server; free with dhcp_server_free()
 *
 * Creates the lease table too (dhcp_server_leases()).
 * Return: 0, -EINVAL for an inconsistent configuration (server or router
 * outside the subnet, bad prefix, MTU below 68, invalid domain or search
 * name, route with host bits set, encoded option over 255 bytes for 121
 * or 1024 bytes for 119) or -ENOMEM
 */
int dhcp_server_new(const struct dhcp_config *cfg, struct dhcp_server **out);

/** dhcp_server_free() - free a server and its lease table (NULL is fine) */
void dhcp_server_free(struct dhcp_server *s);

/**
 * dhcp_server_leases() - the server's lease table
 *
 * For static leases (dhcp_lease_static_add()), export/import and lookups;
 * owned by the server.
 */
struct dhcp_lease_table *dhcp_server_leases(struct dhcp_server *s);

/**
 * dhcp_server_input() - handle one request received on UDP port 67
 * @s:		server
 * @payload:	UDP payload, any content, borrowed
 * @len:	its length
 * @now:	current time, seconds
 * @out:	receives the reply, when there is one; the caller owns it
 *
 * DISCOVER gets an OFFER, REQUEST an ACK or NAK, INFORM an ACK; DECLINE
 * and RELEASE are never answered, nor are requests meant for another
 * server or clients the server must stay silent to (RFC 2131 4.3).
 * Return: 1 when @out holds a reply to send, 0 for no reply, -EBADMSG for
 * a malformed message (no reply either)
 */
int dhcp_server_input(struct dhcp_server *s, const uint8_t *payload,
		      size_t len, uint64_t now, struct dhcp_reply *out);

/** dhcp_server_get_stats() - copy the counters into @st */
void dhcp_server_get_stats(const struct dhcp_server *s,
			   struct dhcp_server_stats *st);

#endif
