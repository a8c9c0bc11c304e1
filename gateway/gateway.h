/* SPDX-License-Identifier: MIT */
/*
 * gateway.h - the network's built-in gateway: a port that answers frames
 *
 * The gateway is usable on its own (tests, fuzzing): gw_input() takes one
 * frame and may produce one reply, which the caller collects with
 * gw_output() and releases with gw_output_done(). The switch wraps it in a
 * port (gw_port_new()) and injects each reply as a frame received from the
 * gateway port, so replies are learned, forwarded and captured like any
 * other frame.
 */
#ifndef MVM_VSWITCH_GATEWAY_H
#define MVM_VSWITCH_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "pkt/frame.h"

struct gw;
struct vsw_port;
struct vsw_services_config;
struct json_object;

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
 * gw_port_new() - wrap a new gateway in a switch port
 * @mac, @ip:	as for gw_create()
 * @out:	receives the port; ops->destroy() frees the gateway too
 * Return: 0 or -ENOMEM
 */
int gw_port_new(const uint8_t mac[6], uint32_t ip, struct vsw_port **out);

/** gw_port_gw() - the gateway behind a gateway port */
struct gw *gw_port_gw(struct vsw_port *p);

/**
 * gw_set_network() - tell the gateway its subnet and MTU (for DHCP and DNS)
 * @subnet:	the network (host order) and prefix
 * @mtu:	L3 MTU: bounds reply sizes
 */
void gw_set_network(struct gw *gw, const struct cidr4 *subnet, uint16_t mtu);

/**
 * gw_services_configure() - start or reconfigure DHCP and DNS
 * See vsw_services_configure() (vsw.h), which calls this under the lock.
 * Return: 0 or -errno; on failure the previous services keep running
 * unless the error came from an upstream socket (then forwarding is off)
 */
int gw_services_configure(struct gw *gw, const struct vsw_services_config *c);

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

/* the service tables, as the vsw_*() functions of the same names (vsw.h) */
int gw_dhcp_static(struct gw *gw, const uint8_t mac[6], uint32_t ip,
		   const char *hostname, bool add);
bool gw_dhcp_ip_in_use(struct gw *gw, uint32_t ip);
int gw_dns_owner_add(struct gw *gw, const char *zone, uint32_t owner,
		     const char *name, const char *const *aliases,
		     size_t n_aliases, uint32_t ip);
int gw_dns_owner_remove(struct gw *gw, const char *zone, uint32_t owner);
int gw_dns_view_add(struct gw *gw, uint32_t client_ip, const char *domain,
		    const struct cidr4 *subnet);
int gw_dns_view_remove(struct gw *gw, uint32_t client_ip);
int gw_leases_export(struct gw *gw, struct json_object **out);
int gw_leases_import(struct gw *gw, const struct json_object *in);

/**
 * gw_services_stats() - add "dhcp" and "dns" counter objects to @o
 * (nothing when the services were never configured)
 */
void gw_services_stats(const struct gw *gw, struct json_object *o);

#endif
