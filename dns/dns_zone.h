/* SPDX-License-Identifier: MIT */
/*
 * dns_zone.h - the names of one network's domain
 *
 * A zone is a fixed table of records, each a name relative to the
 * network's domain ("web" in "lab.mvm") with the IPv4 and/or IPv6 address
 * of the guest that owns it. A guest (an owner, identified by a key the
 * caller chooses) contributes its own name, the target of PTR lookups, and
 * its aliases; they are added and removed together as the guest starts and
 * stops. Several owners may share an alias (round-robin), not a name.
 * Names are stored lowercase; lookups are case-insensitive.
 *
 * Limits: DNS_ZONE_RECORDS records per zone, a relative name of at most
 * DNS_ZONE_NAME_MAX characters (labels of [a-z0-9-], dot-separated).
 * Adding past the limit fails as a whole and counts in @full.
 *
 * A zone is not locked: one thread (the gateway's) uses it.
 */
#ifndef MVM_DNS_ZONE_H
#define MVM_DNS_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "dns/dns_name.h"

#define DNS_ZONE_RECORDS	4096	/* records (names) per zone */
#define DNS_ZONE_BUCKETS	1024	/* hash buckets, a power of two */
#define DNS_ZONE_NAME_MAX	63	/* characters of a relative name */
#define DNS_OWNER_ALIASES	64	/* aliases per owner */
#define DNS_TTL_DEFAULT		10	/* guests come and go: short TTLs */
#define DNS_NEG_TTL_DEFAULT	5	/* SOA MINIMUM (RFC 2308 4, 5) */
#define DNS_DOMAIN_SUFFIX	"mvm"	/* default domain: "<network>.mvm" */

/** struct dns_zone_cfg - how a zone is set up */
struct dns_zone_cfg {
	const char *domain;	/* "lab.mvm" (any case, validated) */
	struct cidr4 subnet;	/* PTR answered for addresses inside */
	int host_access;	/* answer host.mvm.internal with @host_addr */
	uint32_t host_addr;	/* host order (the gateway address) */
	uint32_t ttl;		/* TTL of answers; 0 = DNS_TTL_DEFAULT */
	uint32_t neg_ttl;	/* negative TTL; 0 = DNS_NEG_TTL_DEFAULT */
};

/** struct dns_owner - one guest's records, for dns_zone_add() */
struct dns_owner {
	uint32_t id;			/* caller's key, unique in the zone */
	const char *name;		/* its own name: "web" */
	const char *const *aliases;	/* other names: "www", "api" */
	size_t n_aliases;
	int has_v4;
	uint32_t v4;			/* host order */
	int has_v6;
	uint8_t v6[16];			/* network order */
};

/** struct dns_zone_rec - one name of one owner */
struct dns_zone_rec {
	char name[DNS_ZONE_NAME_MAX + 1];	/* relative, lowercase; "" = free */
	uint32_t owner;
	uint16_t next;		/* hash chain: index + 1, 0 ends it */
	uint8_t primary;	/* the owner's own name (PTR target) */
	uint8_t has_v4, has_v6;
	uint32_t v4;		/* host order */
	uint8_t v6[16];
};

/** struct dns_zone - one network's domain; fields read-only to callers */
struct dns_zone {
	struct dns_name domain;		/* lowercase wire form */
	struct dns_name rev_apex;	/* in-addr.arpa name of @subnet, octet-aligned */
	struct cidr4 subnet;
	int host_access;
	uint32_t host_addr;
	uint32_t ttl, neg_ttl;
	uint32_t serial;		/* SOA SERIAL: bumped on every change */
	uint32_t rotor;			/* round-robin position */
	uint32_t used;			/* records in use */
	uint64_t full;			/* adds refused: table full */
	uint16_t bucket[DNS_ZONE_BUCKETS];	/* index + 1, 0 = empty */
	struct dns_zone_rec rec[DNS_ZONE_RECORDS];
};

/**
 * dns_zone_init() - set up an empty zone in caller-provided memory
 * @z:		the zone (about 400 KiB: allocate it, see dns_zone_new())
 * @cfg:	domain, subnet, host access, TTLs
 * Return: 0, or -EINVAL for a bad domain or subnet
 */
int dns_zone_init(struct dns_zone *z, const struct dns_zone_cfg *cfg);

/**
 * dns_zone_new() - allocate and set up an empty zone
 * @cfg:	as for dns_zone_init()
 * @out:	receives the zone; the caller frees it with dns_zone_free()
 * Return: 0, -EINVAL or -ENOMEM (@out untouched on failure)
 */
int dns_zone_new(const struct dns_zone_cfg *cfg, struct dns_zone **out);

/** dns_zone_free() - free a zone from dns_zone_new(); NULL is fine */
void dns_zone_free(struct dns_zone *z);

/**
 * dns_zone_set_host() - turn host.mvm.internal on or off
 * @on:		answer it
 * @addr:	its IPv4 address, host order
 */
void dns_zone_set_host(struct dns_zone *z, int on, uint32_t addr);

/**
 * dns_zone_add() - add an owner's name and aliases, all or nothing
 * @z:		the zone
 * @o:		the owner; strings are copied (lowercased)
 * Return: 0; -EINVAL for a bad name, no address or more than
 * DNS_OWNER_ALIASES aliases; -EEXIST if @o->id is
 * already in the zone or another owner has @o->name as its own name;
 * -ENOSPC if the table cannot hold them all (counted in @z->full)
 */
int dns_zone_add(struct dns_zone *z, const struct dns_owner *o);

/**
 * dns_zone_remove() - remove every record of an owner
 * Return: the number of records removed, or -ENOENT
 */
int dns_zone_remove(struct dns_zone *z, uint32_t owner);

/**
 * dns_zone_lookup() - the records of a relative name, round-robin
 * @z:		the zone; its rotor advances when several records match
 * @name:	relative name, lowercase, not NUL-terminated
 * @len:	its length
 * @out:	receives pointers to the matching records (into @z, valid
 *		until the next change), rotated by one position per call
 * @max:	room in @out; matches beyond it are left out
 * Return: the number of matches (may exceed @max)
 */
size_t dns_zone_lookup(struct dns_zone *z, const char *name, size_t len,
		       const struct dns_zone_rec **out, size_t max);

/**
 * dns_zone_find_v4() - the owner's own record that has address @v4
 *
 * A linear scan of the table (PTR queries are rare next to A/AAAA; an
 * address index can come if a benchmark says so).
 *
 * Return: the record (into @z), or NULL
 */
const struct dns_zone_rec *dns_zone_find_v4(const struct dns_zone *z,
					    uint32_t v4);

#endif
