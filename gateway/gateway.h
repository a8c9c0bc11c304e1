/* SPDX-License-Identifier: MIT */
/*
 * gateway.h - the network's gateway: a switch port that answers frames,
 * with its services (DHCP, DNS, DNS forwarding, the NAT, published ports)
 *
 * Theory of operation
 * -------------------
 * gw_attach() makes a gateway and plugs it into a switch as a port like
 * any other (vswitch/port.h): it pins its MAC there, answers the frames
 * the switch delivers to it, emits replies as frames received from its
 * port (deferred output), and runs its timers from the port's tick. The
 * switch knows nothing of it. The control plane then configures the
 * services and keeps their tables (leases, names, publications) in step
 * with the guests through the locked API below; the gateway lives until
 * the switch is destroyed.
 *
 * The gateway is also usable on its own (tests, fuzzing): gw_input() takes
 * one frame and may produce one reply, which the caller collects with
 * gw_output() and releases with gw_output_done().
 */
#ifndef MVM_GATEWAY_GATEWAY_H
#define MVM_GATEWAY_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "pkt/frame.h"

#include <json-c/json.h>
#include <sys/socket.h>

struct gw;
struct vsw;

/**
 * struct gw_config - where the gateway sits on its network
 * @mac:	gateway MAC (pinned to its port)
 * @ip:		gateway address, host order
 * @subnet:	the network
 * @mtu:	the network's L3 MTU (68..65520): bounds reply sizes
 */
struct gw_config {
	uint8_t mac[6];
	uint32_t ip;
	struct cidr4 subnet;
	uint16_t mtu;
};

/**
 * gw_attach() - make a gateway and plug it into @sw as a permanent port
 * @sw:		switch
 * @c:		configuration (copied)
 * @out:	receives the gateway; it lives until vsw_destroy(@sw)
 * Return: 0, -EINVAL, -ENOMEM, or vsw_port_add()'s / vsw_port_pin_mac()'s
 * error (nothing is left attached on failure)
 */
int gw_attach(struct vsw *sw, const struct gw_config *c, struct gw **out);

/**
 * gw_stats_json() - add the gateway's counters to @o (a switch's
 * vsw_stats() object): "gateway": { "arp_replies", "icmp_replies",
 * "bad_csum", "ignored" }, and once services are configured,
 *   "dhcp": { "offers", "acks", "naks", "informs", "declines", "releases",
 *             "refused", "malformed", "table_full", "pool_full",
 *             "leases_static", "leases_dynamic" } and
 *   "dns": { "queries", "answers", "nxdomain", "refused", "forwarded",
 *            "servfail", "timeouts", "pending_full", "dropped",
 *            "tcp_resets", "tcp_fallbacks", "pending", "replicas", "views",
 *            "zone_full" }
 *   ("answers"/"nxdomain"/"refused" count local answers by RCODE,
 *   "forwarded" queries sent upstream, "servfail" SERVFAILs we made,
 *   "tcp_fallbacks" truncated upstream replies retried over TCP), and the
 *   NAT's counters once it runs. Takes the switch lock.
 */
void gw_stats_json(struct gw *gw, struct json_object *o);

/**
 * struct gw_stats - what the gateway did (the services have their own
 * counters: gw_services_stats())
 */
struct gw_stats {
	uint64_t arp_replies;
	uint64_t icmp_replies;
	uint64_t bad_csum;	/* IPv4 header or ICMP checksum wrong: dropped */
	uint64_t ignored;	/* not for the gateway, or not handled (yet) */
};

/**
 * gw_create() - a gateway answering for @ip at @mac
 * @mac:	gateway MAC
 * @ip:		gateway IPv4 address, host order
 * @out:	receives the gateway
 * Return: 0 or -ENOMEM
 */
int gw_create(const uint8_t mac[6], uint32_t ip, struct gw **out);

/** gw_destroy() - free a gateway (NULL is fine) */
void gw_destroy(struct gw *gw);

/**
 * gw_input() - process one frame addressed to (or flooded to) the gateway
 * @gw:		gateway
 * @vh:		the frame's virtio header (NEEDS_CSUM means the L4 checksum
 *		is partial and is not verified)
 * @frame, @len: the Ethernet frame, any content
 * Return: true when a reply is waiting in gw_output(). A pending reply not
 * yet released with gw_output_done() is overwritten.
 */
bool gw_input(struct gw *gw, const struct virtio_net_hdr_v1 *vh,
	      const uint8_t *frame, size_t len);

/**
 * gw_output() - the pending reply, if any
 * @vh, @frame, @len: receive pointers into the gateway's own buffer, valid
 *		until the next gw_input() or gw_output_done()
 * Return: true when a reply was pending
 */
bool gw_output(struct gw *gw, const struct virtio_net_hdr_v1 **vh,
	       const uint8_t **frame, size_t *len);

/** gw_output_done() - the pending reply was sent */
void gw_output_done(struct gw *gw);

/** gw_get_stats() - copy the counters */
void gw_get_stats(const struct gw *gw, struct gw_stats *st);

/**
 * gw_set_network() - tell the gateway its subnet and MTU (for DHCP and DNS)
 * @subnet:	the network (host order) and prefix
 * @mtu:	L3 MTU: bounds reply sizes
 */
void gw_set_network(struct gw *gw, const struct cidr4 *subnet, uint16_t mtu);

/*
 * Gateway services: DHCP and DNS on the gateway address
 * ------------------------------------------------------
 * A gateway serves nothing until gw_services_configure() is called. The
 * DHCP lease table and the DNS zones are owned by the switch thread; the
 * functions below change them under the switch lock (vsw_lock()), from
 * any thread (gw_api.c). See gateway/gw_dns.c for how names are scoped per guest (views).
 */

#define GW_DNS_UPSTREAMS	3	/* upstream resolvers (like resolv.conf) */
#define GW_DNS_REPLICAS	16	/* other networks' zones per switch */
#define GW_DNS_VIEWS		1024	/* (client, other network) pairs */
#define GW_DNS_PENDING		256	/* forwarded queries in flight */
#define GW_DNS_TIMEOUT_MS	3000	/* upstream timeout: then SERVFAIL */

/**
 * struct gw_services_config - what the gateway serves
 * @domain:	DNS domain of the network ("lab.mvm"); NULL/"" = none
 *		(no zone, no DHCP domain option)
 * @dhcp:	serve DHCP
 * @dns:	serve DNS on the gateway address, port 53 (UDP, and TCP
 *		through the NAT's TCP engine) and hand the gateway out as
 *		the DNS server
 * @router:	hand the gateway out as the default router (nat networks;
 *		internal networks give no default route)
 * @forward:	forward names outside the guest's zones to @upstreams (nat
 *		networks only); otherwise they are REFUSED
 * @mtu:	DHCP option 26; 0 = the switch's MTU
 * @lease_time:	seconds; 0 = DHCP_DEFAULT_LEASE (dhcp/dhcp_server.h)
 * @upstreams:	resolvers as "ADDR", "ADDR:PORT" (IPv4) or "[ADDR6]:PORT"
 *		(sockaddr_parse(), common/addr.h); at most GW_DNS_UPSTREAMS used
 * @n_upstreams: how many
 * @host_addr:	address answered for host.mvm.internal, host order; 0 = off
 * @timeout_ms:	upstream timeout; 0 = GW_DNS_TIMEOUT_MS
 */
struct gw_services_config {
	const char *domain;
	bool dhcp;
	bool dns;
	bool router;
	bool forward;
	uint16_t mtu;
	uint32_t lease_time;
	const char *const *upstreams;
	size_t n_upstreams;
	uint32_t host_addr;
	unsigned timeout_ms;
};

/**
 * gw_services_configure() - (re)configure the gateway's DHCP and DNS
 * @gw:		gateway
 * @c:		configuration (copied)
 * Reconfiguring keeps the leases (static and dynamic) and the records of
 * the network's own zone when the domain stays the same (they are dropped
 * when it changes: the caller re-adds them). Queries in flight upstream
 * get SERVFAIL.
 * Return: 0, -EINVAL (bad domain, MTU or upstream), -ENOMEM, or the
 * socket error of an upstream
 */
int gw_services_configure(struct gw *gw, const struct gw_services_config *c);

/**
 * gw_dhcp_static() - add or remove a static DHCP lease
 * @gw:		gateway (services configured)
 * @mac:	client MAC
 * @ip:		address, host order (ignored on removal)
 * @hostname:	option 12 (a DNS label) or NULL (ignored on removal)
 * @add:	true to add (replacing @mac's), false to remove
 * Return: 0, -ENOTCONN (services not configured), or the lease table's
 * error (-EINVAL, -EEXIST, -ENOSPC, -ENOENT)
 */
int gw_dhcp_static(struct gw *gw, const uint8_t mac[6], uint32_t ip,
		    const char *hostname, bool add);

/**
 * gw_dhcp_ip_in_use() - may @ip not be given to a new guest?
 * True for static leases and unexpired dynamic ones (so mvmd does not
 * allocate an address a DHCP client holds); false when services are not
 * configured.
 */
bool gw_dhcp_ip_in_use(struct gw *gw, uint32_t ip);

/**
 * gw_dns_owner_add() - publish a guest's name and aliases with @ip
 * @gw:		gateway (services configured, with a domain)
 * @zone:	NULL for the network's own zone, else the domain of a replica
 *		(another network's zone held for views, gw_dns_view_add())
 * @owner:	caller's key (unique in the zone), e.g. a guest number
 * @name:	the guest's own name (PTR target)
 * @aliases, @n_aliases: other names it answers to (shared names are
 *		answered round-robin)
 * @ip:		IPv4 address, host order
 * Return: 0, -ENOTCONN, -ENOENT (no such replica), or dns_zone_add()'s
 * error (-EINVAL, -EEXIST, -ENOSPC)
 */
int gw_dns_owner_add(struct gw *gw, const char *zone, uint32_t owner,
		      const char *name, const char *const *aliases,
		      size_t n_aliases, uint32_t ip);

/**
 * gw_dns_owner_remove() - withdraw every record of @owner from a zone
 * @zone:	as for gw_dns_owner_add()
 * Return: 0, -ENOTCONN or -ENOENT
 */
int gw_dns_owner_remove(struct gw *gw, const char *zone, uint32_t owner);

/**
 * gw_dns_view_add() - let the guest at @client_ip also see @domain
 * @gw:		gateway of a network the guest is attached to
 * @client_ip:	the guest's address on this network, host order
 * @domain:	domain of another network the guest is attached to
 * @subnet, @prefix: that network's subnet (for PTR)
 * Creates an empty replica of that zone in this switch when there is none
 * yet: the caller then fills it with gw_dns_owner_add(sw, domain, ...)
 * and keeps it in step with the other network.
 * Return: 1 when the replica was created, 0 when it existed, -ENOTCONN,
 * -EINVAL, -ENOMEM, or -ENOSPC (GW_DNS_REPLICAS or GW_DNS_VIEWS)
 */
int gw_dns_view_add(struct gw *gw, uint32_t client_ip, const char *domain,
		     uint32_t subnet, uint8_t prefix);

/**
 * gw_dns_view_remove() - forget every extra domain of @client_ip
 * Replicas no client sees any more are freed.
 * Return: number of view entries removed
 */
int gw_dns_view_remove(struct gw *gw, uint32_t client_ip);

/**
 * gw_leases_export() - the dynamic DHCP leases, for persistence
 * @out:	receives a new object (dhcp_lease_export() format)
 * Return: 0, -ENOTCONN or -ENOMEM
 */
int gw_leases_export(struct gw *gw, struct json_object **out);

/**
 * gw_leases_import() - restore leases saved by gw_leases_export()
 * Add the static leases first. Return: leases imported, or -errno
 */
int gw_leases_import(struct gw *gw, const struct json_object *in);

/*
 * NAT (nat/, gateway/gw_nat*.c): guest flows to host sockets
 *
 * Once gw_nat_configure() has run, the gateway terminates guest TCP
 * connections (nat/nat_tcp.h) and maps UDP flows and ICMP echo to host
 * sockets:
 *   - to the gateway address, ports other than its own services (DNS 53,
 *     DHCP 67): the host's loopback, when @host_access;
 *   - to any other address outside the subnet: that address, when @egress;
 *   - else TCP gets a RST and UDP / ICMP an ICMP unreachable.
 * TCP to the gateway address, port 53, is DNS over TCP, on every network.
 * Published ports (gw_publish_add()) open connections toward a guest.
 */

#define GW_NAT_FLOWS_DEFAULT	 8192	/* flows per network */
#define GW_NAT_FLOWS_GUEST	 2048	/* flows per guest address */
#define GW_NAT_TCP_IDLE_MS	 7200000u	/* 2 h: RFC 5382 REQ-5 */
#define GW_NAT_UDP_IDLE_MS	 60000u	/* 60 s: RFC 4787 REQ-5 wants >= 2 min
					 * for arbitrary ports; see gw_nat_udp.c */
#define GW_PUBLISH_MAX		 64	/* published ports per network */

/**
 * struct gw_nat_config - a network's NAT policy and limits
 * @egress:	guests may reach addresses outside the subnet (nat networks)
 * @host_access: the gateway address reaches the host's loopback
 * @max_flows:	flows (TCP connections + UDP mappings) per network;
 *		0 = GW_NAT_FLOWS_DEFAULT
 * @max_flows_guest: flows per guest address; 0 = GW_NAT_FLOWS_GUEST
 * @tcp_idle_ms: idle TCP connections are reset after this; 0 = default
 * @udp_idle_ms: idle UDP mappings are dropped after this; 0 = default
 */
struct gw_nat_config {
	bool egress;
	bool host_access;
	uint32_t max_flows;
	uint32_t max_flows_guest;
	uint32_t tcp_idle_ms;
	uint32_t udp_idle_ms;
};

/**
 * gw_nat_configure() - start the NAT, or change its policy
 * @gw:		gateway (services configured first: gw_services_configure())
 * @c:		policy and limits (copied)
 * Changing the limits of a running NAT resets its flows (the table is
 * reallocated); changing only @egress / @host_access keeps them.
 * Return: 0, -EINVAL (limits out of range), -ENOMEM, -ENOTCONN (no
 * services yet)
 */
int gw_nat_configure(struct gw *gw, const struct gw_nat_config *c);

/**
 * gw_nat_forget() - drop every NAT flow of guest address @guest_ip (the
 * guest went away): its TCP connections are reset on the host side, its
 * UDP mappings and their sockets closed, so the address starts clean
 * (flow limits, descriptors) when it is given to another guest
 * Return: how many flows were dropped
 */
int gw_nat_forget(struct gw *gw, uint32_t guest_ip);

/**
 * gw_nat_fd_budget() - most host sockets all NATs of the process may hold
 * together (call once at start, e.g. RLIMIT_NOFILE minus a reserve).
 * Beyond it a new flow is refused and counted as if the table were full,
 * so a guest cannot exhaust the daemon's descriptors. 0 = no limit.
 */
void gw_nat_fd_budget(unsigned n);

/**
 * struct gw_publish - one published port
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @fd:		the bound socket (TCP: listening; UDP: bound), non-blocking;
 *		the switch owns it from a successful gw_publish_add() on
 * @host_ip, @host_port: what it is bound to (host order), for listings
 * @guest_ip, @guest_port: where connections / datagrams go (host order)
 * @owner:	tag for gw_publish_remove() (e.g. the guest's id)
 */
struct gw_publish {
	uint8_t proto;
	int fd;
	uint32_t host_ip;
	uint16_t host_port;
	uint32_t guest_ip;
	uint16_t guest_port;
	uint32_t owner;
};

/**
 * gw_publish_add() - forward a bound host socket to a guest port
 * Return: 0, -ENOSPC (GW_PUBLISH_MAX), -ENOTCONN (no NAT), -EINVAL
 */
int gw_publish_add(struct gw *gw, const struct gw_publish *p);

/**
 * gw_publish_remove() - stop every publication of @owner and close their
 * sockets; connections already open toward the guest are reset
 * Return: how many were removed
 */
int gw_publish_remove(struct gw *gw, uint32_t owner);

#endif
