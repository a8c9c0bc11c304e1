/* SPDX-License-Identifier: MIT */
/*
 * vsw.h - the per-network L2 switch
 *
 * Theory of operation
 * -------------------
 * Each network owns one struct vsw. vsw_create() starts the switch's own
 * event-loop thread (epoll). Every port is behind one ops table (port.h):
 * a tap (namespace guest), later vhost-user, stream, and the built-in
 * gateway port that vsw_create() adds itself and that answers ARP and ICMP
 * echo for the gateway address and serves DHCP and DNS once
 * vsw_services_configure() is called (later: NAT).
 *
 * A frame read from a port is looked up in the FDB by destination MAC
 * after the source MAC is learned: a known unicast destination gets the
 * frame on that port only; broadcast, multicast and unknown unicast are
 * flooded to every port but the ingress one; a frame is never sent back
 * out of the port it came in on (no hairpin). Frames carry the 12-byte
 * virtio_net_hdr_v1 (GSO type/size, checksum offsets) which the switch
 * passes through unchanged between ports that understand it.
 *
 * Every public function below is safe to call from any thread: the switch
 * serializes them against its loop with an internal lock. None of them may
 * be called from inside a capture callback.
 */
#ifndef MVM_VSW_H
#define MVM_VSW_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct vsw;

#define VSW_MAX_PORTS		256	/* per switch, the gateway included */
#define VSW_MAX_CAPTURES	16	/* concurrent captures per switch */

/** struct vsw_config - what a switch needs to know about its network */
struct vsw_config {
	const char *name;	/* network name, for logs and thread name */
	uint8_t gw_mac[6];	/* MAC of the gateway port */
	uint32_t gw_ip;		/* gateway IPv4 address, host order */
	uint32_t subnet;	/* network address, host order */
	uint8_t prefix;		/* prefix length */
	uint16_t mtu;		/* L3 MTU of the network (68..65520) */
	unsigned fdb_max;	/* FDB size limit, 0 = default (4096) */
	unsigned fdb_ageing_s;	/* FDB ageing time, 0 = default (300 s) */
};

/**
 * vsw_create() - create a switch with its gateway port and start its thread
 * @cfg:	configuration (copied)
 * @out:	receives the switch
 * Return: 0 or -errno
 */
int vsw_create(const struct vsw_config *cfg, struct vsw **out);

/**
 * vsw_destroy() - stop the thread, remove and close every port and capture
 * @sw:	switch (may be NULL)
 */
void vsw_destroy(struct vsw *sw);

/**
 * vsw_port_add_tap() - attach a tap device's file descriptor as a port
 * @sw:		switch
 * @fd:		tap fd opened with IFF_TAP|IFF_NO_PI|IFF_VNET_HDR and a vnet
 *		header size of 12 (struct virtio_net_hdr_v1); ownership passes
 *		to the switch on success, stays with the caller on failure
 * @name:	port name shown in stats ("web/eth0"), copied
 * @id:		receives the port id, unique for the switch's lifetime
 * Return: 0 or -errno (-ENOSPC when VSW_MAX_PORTS is reached, -EBADF)
 */
int vsw_port_add_tap(struct vsw *sw, int fd, const char *name, unsigned *id);

/**
 * vsw_port_remove() - detach a port, flush its FDB entries, close its fd
 * A port whose peer went away (EOF, EIO on read) is marked "dead" in
 * vsw_stats() and stops forwarding; it stays listed until removed here.
 * Return: 0, -ENOENT, or -EPERM for the gateway port (id 0)
 */
int vsw_port_remove(struct vsw *sw, unsigned id);

/**
 * vsw_stats() - counters as JSON
 * Return: a new object (caller puts it):
 *   { "rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "drops",
 *     "flooded", "fdb_entries", "fdb_max", "fdb_full",
 *     "ports": [ { "id", "name", "type", "rx_packets", "rx_bytes",
 *                  "tx_packets", "tx_bytes", "drops" } ... ],
 *     "captures": [ { "id", "filter", "packets", "dropped" } ... ] }
 *   rx = frames the switch received from ports, tx = frames it delivered.
 *   Also present (additions): "fdb_learned", "fdb_moved", "fdb_aged",
 *   "gateway": { "arp_replies", "icmp_replies", "bad_csum", "ignored" },
 *   and "dead" (bool) in each port; once services are configured,
 *   "dhcp": { "offers", "acks", "naks", "informs", "declines", "releases",
 *             "refused", "malformed", "table_full", "pool_full",
 *             "leases_static", "leases_dynamic" } and
 *   "dns": { "queries", "answers", "nxdomain", "refused", "forwarded",
 *            "servfail", "timeouts", "pending_full", "dropped",
 *            "tcp_resets", "tcp_fallbacks", "pending", "replicas", "views",
 *            "zone_full" }
 *   ("answers"/"nxdomain"/"refused" count local answers by RCODE,
 *   "forwarded" queries sent upstream, "servfail" SERVFAILs we made,
 *   "tcp_fallbacks" truncated upstream replies retried over TCP).
 */
struct json_object *vsw_stats(struct vsw *sw);

/**
 * typedef vsw_capture_done_fn - a capture ended
 * @opaque:	as given to vsw_capture_start()
 * @reason:	0 when @count frames were written, else -errno of the write
 *		that failed (-EPIPE when the reader went away)
 * @packets:	records written
 * @dropped:	records dropped because the reader was too slow
 * Called once, from a switch-internal thread, never after vsw_capture_stop()
 * returned; it must not block and must not call into the switch.
 * It is called only when the capture ends by itself (count reached, write
 * error): a capture ended by vsw_capture_stop() or vsw_destroy() gets no
 * callback (read its counters from vsw_stats() first if needed). A capture
 * that ended by itself is removed from the switch automatically.
 */
typedef void (*vsw_capture_done_fn)(void *opaque, int reason,
				    uint64_t packets, uint64_t dropped);

/**
 * vsw_capture_start() - start writing every forwarded frame to @fd as pcap
 * @sw:		switch
 * @fd:		where the libpcap-format stream goes (file or pipe); the switch
 *		dup()s it, the caller keeps its own descriptor
 * @filter:	BPF expression (pcap_compile syntax) or NULL for everything
 * @count:	stop after this many records, 0 = until stopped
 * @done, @opaque: completion callback (may be NULL)
 * @id:		receives the capture id
 * @err:	on failure, a one-line reason (e.g. the filter's syntax error)
 * The file header is written before this returns. Records are queued in a
 * bounded buffer and written by a separate thread: the switch never waits
 * for the reader; when the buffer is full records are dropped and counted.
 * Return: 0 or -errno (-EINVAL for a bad filter, -ENOSPC beyond
 *	   VSW_MAX_CAPTURES, -EPIPE etc. when the header cannot be written)
 */
int vsw_capture_start(struct vsw *sw, int fd, const char *filter,
		      uint64_t count, vsw_capture_done_fn done, void *opaque,
		      unsigned *id, char *err, size_t errlen);

/**
 * vsw_capture_stop() - stop a capture, flush what is queued, close its fd
 * Flushing waits for the reader for at most about 2 s, then gives up.
 * Return: 0 or -ENOENT (already finished captures are gone)
 */
int vsw_capture_stop(struct vsw *sw, unsigned id);

/**
 * vsw_inject() - process a frame as if port @id had just received it
 * @sw:		switch
 * @id:		ingress port (0 = the gateway)
 * @vh:		its struct virtio_net_hdr_v1 (12 bytes), NULL for none
 * @frame, @len: the Ethernet frame (any bytes: it is validated)
 * Runs synchronously in the caller's thread under the switch lock; the
 * frame is learned, captured and forwarded like any other. For tests and
 * fuzzing, and for control-plane code that must emit a frame.
 * Return: 0 or -ENOENT
 */
int vsw_inject(struct vsw *sw, unsigned id, const void *vh, const void *frame,
	       size_t len);

/*
 * Gateway services: DHCP and DNS on the gateway address
 * ------------------------------------------------------
 * A switch serves nothing until vsw_services_configure() is called. The
 * DHCP lease table and the DNS zones are owned by the switch thread; the
 * functions below change them under the switch lock, like the rest of this
 * API. See gateway/gw_dns.c for how names are scoped per guest (views).
 */

#define VSW_DNS_UPSTREAMS	3	/* upstream resolvers (like resolv.conf) */
#define VSW_DNS_REPLICAS	16	/* other networks' zones per switch */
#define VSW_DNS_VIEWS		1024	/* (client, other network) pairs */
#define VSW_DNS_PENDING		256	/* forwarded queries in flight */
#define VSW_DNS_TIMEOUT_MS	3000	/* upstream timeout: then SERVFAIL */

/**
 * struct vsw_services_config - what the gateway serves
 * @domain:	DNS domain of the network ("lab.mvm"); NULL/"" = none
 *		(no zone, no DHCP domain option)
 * @dhcp:	serve DHCP
 * @dns:	serve DNS on the gateway address, port 53 (UDP; TCP gets a
 *		reset until the NAT's TCP engine carries it) and hand the
 *		gateway out as the DNS server
 * @router:	hand the gateway out as the default router (nat networks;
 *		internal networks give no default route)
 * @forward:	forward names outside the guest's zones to @upstreams (nat
 *		networks only); otherwise they are REFUSED
 * @mtu:	DHCP option 26; 0 = the switch's MTU
 * @lease_time:	seconds; 0 = DHCP_DEFAULT_LEASE (dhcp/dhcp_server.h)
 * @upstreams:	resolvers as "ADDR", "ADDR:PORT" (IPv4) or "[ADDR6]:PORT"
 *		(vsw_upstream_parse()); at most VSW_DNS_UPSTREAMS used
 * @n_upstreams: how many
 * @host_addr:	address answered for host.mvm.internal, host order; 0 = off
 * @timeout_ms:	upstream timeout; 0 = VSW_DNS_TIMEOUT_MS
 */
struct vsw_services_config {
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
 * vsw_services_configure() - (re)configure the gateway's DHCP and DNS
 * @sw:		switch
 * @c:		configuration (copied)
 * Reconfiguring keeps the leases (static and dynamic) and the records of
 * the network's own zone when the domain stays the same (they are dropped
 * when it changes: the caller re-adds them). Queries in flight upstream
 * get SERVFAIL.
 * Return: 0, -EINVAL (bad domain, MTU or upstream), -ENOMEM, or the
 * socket error of an upstream
 */
int vsw_services_configure(struct vsw *sw, const struct vsw_services_config *c);

/**
 * vsw_upstream_parse() - parse "1.2.3.4", "1.2.3.4:5353", "::1" or
 *			  "[::1]:5353" (port 53 when absent)
 * @s:		text
 * @ss, @len:	receive the socket address
 * Return: 0 or -EINVAL
 */
int vsw_upstream_parse(const char *s, struct sockaddr_storage *ss,
		       socklen_t *len);

/**
 * vsw_dhcp_static() - add or remove a static DHCP lease
 * @sw:		switch (services configured)
 * @mac:	client MAC
 * @ip:		address, host order (ignored on removal)
 * @hostname:	option 12 (a DNS label) or NULL (ignored on removal)
 * @add:	true to add (replacing @mac's), false to remove
 * Return: 0, -ENOTCONN (services not configured), or the lease table's
 * error (-EINVAL, -EEXIST, -ENOSPC, -ENOENT)
 */
int vsw_dhcp_static(struct vsw *sw, const uint8_t mac[6], uint32_t ip,
		    const char *hostname, bool add);

/**
 * vsw_dhcp_ip_in_use() - may @ip not be given to a new guest?
 * True for static leases and unexpired dynamic ones (so mvmd does not
 * allocate an address a DHCP client holds); false when services are not
 * configured.
 */
bool vsw_dhcp_ip_in_use(struct vsw *sw, uint32_t ip);

/**
 * vsw_dns_owner_add() - publish a guest's name and aliases with @ip
 * @sw:		switch (services configured, with a domain)
 * @zone:	NULL for the network's own zone, else the domain of a replica
 *		(another network's zone held for views, vsw_dns_view_add())
 * @owner:	caller's key (unique in the zone), e.g. a guest number
 * @name:	the guest's own name (PTR target)
 * @aliases, @n_aliases: other names it answers to (shared names are
 *		answered round-robin)
 * @ip:		IPv4 address, host order
 * Return: 0, -ENOTCONN, -ENOENT (no such replica), or dns_zone_add()'s
 * error (-EINVAL, -EEXIST, -ENOSPC)
 */
int vsw_dns_owner_add(struct vsw *sw, const char *zone, uint32_t owner,
		      const char *name, const char *const *aliases,
		      size_t n_aliases, uint32_t ip);

/**
 * vsw_dns_owner_remove() - withdraw every record of @owner from a zone
 * @zone:	as for vsw_dns_owner_add()
 * Return: 0, -ENOTCONN or -ENOENT
 */
int vsw_dns_owner_remove(struct vsw *sw, const char *zone, uint32_t owner);

/**
 * vsw_dns_view_add() - let the guest at @client_ip also see @domain
 * @sw:		switch of a network the guest is attached to
 * @client_ip:	the guest's address on this network, host order
 * @domain:	domain of another network the guest is attached to
 * @subnet, @prefix: that network's subnet (for PTR)
 * Creates an empty replica of that zone in this switch when there is none
 * yet: the caller then fills it with vsw_dns_owner_add(sw, domain, ...)
 * and keeps it in step with the other network.
 * Return: 1 when the replica was created, 0 when it existed, -ENOTCONN,
 * -EINVAL, -ENOMEM, or -ENOSPC (VSW_DNS_REPLICAS or VSW_DNS_VIEWS)
 */
int vsw_dns_view_add(struct vsw *sw, uint32_t client_ip, const char *domain,
		     uint32_t subnet, uint8_t prefix);

/**
 * vsw_dns_view_remove() - forget every extra domain of @client_ip
 * Replicas no client sees any more are freed.
 * Return: number of view entries removed
 */
int vsw_dns_view_remove(struct vsw *sw, uint32_t client_ip);

/**
 * vsw_leases_export() - the dynamic DHCP leases, for persistence
 * @out:	receives a new object (dhcp_lease_export() format)
 * Return: 0, -ENOTCONN or -ENOMEM
 */
int vsw_leases_export(struct vsw *sw, struct json_object **out);

/**
 * vsw_leases_import() - restore leases saved by vsw_leases_export()
 * Add the static leases first. Return: leases imported, or -errno
 */
int vsw_leases_import(struct vsw *sw, const struct json_object *in);

/*
 * NAT (nat/, gateway/gw_nat*.c): guest flows to host sockets
 *
 * Once vsw_nat_configure() has run, the gateway terminates guest TCP
 * connections (nat/nat_tcp.h) and maps UDP flows and ICMP echo to host
 * sockets:
 *   - to the gateway address, ports other than its own services (DNS 53,
 *     DHCP 67): the host's loopback, when @host_access;
 *   - to any other address outside the subnet: that address, when @egress;
 *   - else TCP gets a RST and UDP / ICMP an ICMP unreachable.
 * TCP to the gateway address, port 53, is DNS over TCP, on every network.
 * Published ports (vsw_publish_add()) open connections toward a guest.
 */

#define VSW_NAT_FLOWS_DEFAULT	 8192	/* flows per network */
#define VSW_NAT_FLOWS_GUEST	 2048	/* flows per guest address */
#define VSW_NAT_TCP_IDLE_MS	 7200000u	/* 2 h: RFC 5382 REQ-5 */
#define VSW_NAT_UDP_IDLE_MS	 60000u	/* 60 s: RFC 4787 REQ-5 wants >= 2 min
					 * for arbitrary ports; see gw_nat_udp.c */
#define VSW_PUBLISH_MAX		 64	/* published ports per network */

/**
 * struct vsw_nat_config - a network's NAT policy and limits
 * @egress:	guests may reach addresses outside the subnet (nat networks)
 * @host_access: the gateway address reaches the host's loopback
 * @max_flows:	flows (TCP connections + UDP mappings) per network;
 *		0 = VSW_NAT_FLOWS_DEFAULT
 * @max_flows_guest: flows per guest address; 0 = VSW_NAT_FLOWS_GUEST
 * @tcp_idle_ms: idle TCP connections are reset after this; 0 = default
 * @udp_idle_ms: idle UDP mappings are dropped after this; 0 = default
 */
struct vsw_nat_config {
	bool egress;
	bool host_access;
	uint32_t max_flows;
	uint32_t max_flows_guest;
	uint32_t tcp_idle_ms;
	uint32_t udp_idle_ms;
};

/**
 * vsw_nat_configure() - start the NAT, or change its policy
 * @sw:		switch (services configured first: vsw_services_configure())
 * @c:		policy and limits (copied)
 * Changing the limits of a running NAT resets its flows (the table is
 * reallocated); changing only @egress / @host_access keeps them.
 * Return: 0, -EINVAL (limits out of range), -ENOMEM, -ENOTCONN (no
 * services yet)
 */
int vsw_nat_configure(struct vsw *sw, const struct vsw_nat_config *c);

/**
 * vsw_nat_forget() - drop every NAT flow of guest address @guest_ip (the
 * guest went away): its TCP connections are reset on the host side, its
 * UDP mappings and their sockets closed, so the address starts clean
 * (flow limits, descriptors) when it is given to another guest
 * Return: how many flows were dropped
 */
int vsw_nat_forget(struct vsw *sw, uint32_t guest_ip);

/**
 * vsw_nat_fd_budget() - most host sockets all NATs of the process may hold
 * together (call once at start, e.g. RLIMIT_NOFILE minus a reserve).
 * Beyond it a new flow is refused and counted as if the table were full,
 * so a guest cannot exhaust the daemon's descriptors. 0 = no limit.
 */
void vsw_nat_fd_budget(unsigned n);

/**
 * struct vsw_publish - one published port
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @fd:		the bound socket (TCP: listening; UDP: bound), non-blocking;
 *		the switch owns it from a successful vsw_publish_add() on
 * @host_ip, @host_port: what it is bound to (host order), for listings
 * @guest_ip, @guest_port: where connections / datagrams go (host order)
 * @owner:	tag for vsw_publish_remove() (e.g. the guest's id)
 */
struct vsw_publish {
	uint8_t proto;
	int fd;
	uint32_t host_ip;
	uint16_t host_port;
	uint32_t guest_ip;
	uint16_t guest_port;
	uint32_t owner;
};

/**
 * vsw_publish_add() - forward a bound host socket to a guest port
 * Return: 0, -ENOSPC (VSW_PUBLISH_MAX), -ENOTCONN (no NAT), -EINVAL
 */
int vsw_publish_add(struct vsw *sw, const struct vsw_publish *p);

/**
 * vsw_publish_remove() - stop every publication of @owner and close their
 * sockets; connections already open toward the guest are reset
 * Return: how many were removed
 */
int vsw_publish_remove(struct vsw *sw, uint32_t owner);

#endif
