/* SPDX-License-Identifier: MIT */
/*
 * publish.h - published ports: host sockets that mvmd forwards to a guest
 *
 * A guest's publications come from `mvm run --publish` (the guest.create
 * request's "publish" array, kept in state.json with the guest) and from
 * the `publish` lists of the config networks it is attached to (derived
 * again whenever the guest is created or restored, never persisted). Each
 * one is a host socket mvmd binds itself and hands to the network's
 * switch (gw_publish_add()), which opens the connections toward the
 * guest; all of a guest's sockets on a switch carry the guest's id as
 * owner, so gw_publish_remove() takes them back at once.
 */
#ifndef MVMD_PUBLISH_H
#define MVMD_PUBLISH_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "mvmd/mvmd.h"

#define PUB_MAX 32		/* publications per guest */
#define PUB_ORIGIN_MAX 256	/* "FILE:LINE" of a config publication */

/** struct pub - one published port of a guest */
struct pub {
	char network[64];	/* the network whose guest address it targets */
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint32_t host_ip;	/* host order; 0 = every address (0.0.0.0) */
	uint16_t host_port;
	uint16_t guest_port;
	int from_config;	/* declared in the config (@origin says where) */
	char origin[PUB_ORIGIN_MAX];
	int active;		/* its socket is on the switch */
	char error[256];	/* why it is not active after a restore, or "" */
};

struct guest;

/**
 * pub_from_json() - one publication of a guest.create request or of
 * state.json: { "host_ip"?, "host_port", "guest_port", "proto"?,
 * "network"? } ("host_ip" defaults to "127.0.0.1", "proto" to "tcp",
 * "network" to "" = the guest's first network)
 * @p:		filled in (zeroed first)
 * Return: 0 or -EINVAL with the reason in @err
 */
int pub_from_json(struct json_object *e, struct pub *p, char *err,
		  size_t errlen);

/**
 * pub_to_json() - the protocol's publication object (caller puts it):
 * the pub_from_json() keys plus "guest_ip" (when known), "source"
 * ("cli" or "config"), "origin" (config), "active" and "error" (if any)
 * @guest_ip:	the guest's address on the publication's network, 0 if none
 */
struct json_object *pub_to_json(const struct pub *p, uint32_t guest_ip);

/** pub_proto_name() - "tcp" or "udp" */
const char *pub_proto_name(uint8_t proto);

/**
 * pub_format() - "127.0.0.1:8080/tcp", the host side of @p, into @buf
 * Return: @buf (48 bytes always suffice)
 */
char *pub_format(const struct pub *p, char *buf, size_t size);

/**
 * pub_config_collect() - append the publications the config networks of
 * @g declare for it (entries whose `guest` is @g's name)
 * Return: 0 or -ENOSPC (PUB_MAX) with the reason in @err
 */
int pub_config_collect(struct mvmd *d, struct guest *g, char *err,
		       size_t errlen);

/**
 * pub_guest_up() - bind and hand every inactive publication of @g to its
 * switch
 * @strict:	on the first failure, undo what this call did and fail
 *		(guest creation: nothing half-created); otherwise record
 *		each failure in its pub's @error, log it and go on (restore)
 * @err:	strict failure: "host port 127.0.0.1:8080/tcp is already
 *		published by guest 'web'", "cannot bind 127.0.0.1:8080/tcp:
 *		Address already in use", ...
 * Return: 0 or -errno (strict only): -EADDRINUSE, -EACCES, -EINVAL, the
 *	   switch's error
 */
int pub_guest_up(struct mvmd *d, struct guest *g, int strict, char *err,
		 size_t errlen);

/**
 * pub_guest_down() - take every publication of @g off its switch (the
 * switch closes the sockets and resets open connections); idempotent
 */
void pub_guest_down(struct mvmd *d, struct guest *g);

/**
 * pub_holder() - the guest other than @except holding an active
 * publication that clashes with @p (same protocol and port, and the same
 * host address or either one 0.0.0.0), or NULL
 */
struct guest *pub_holder(struct mvmd *d, const struct pub *p,
			 const struct guest *except);

#endif
