/* SPDX-License-Identifier: MIT */
/*
 * dhcp_lease.h - the lease table of one network
 *
 * Theory of operation
 *
 * A table has two fixed regions allocated once at creation and never
 * grown: static leases (address chosen by mvmd or config, keyed by MAC)
 * and dynamic leases (address chosen here, keyed by client identifier when
 * the client sends one, else by MAC). Every used entry holds exactly one
 * address, indexed by address and by key in two chained hash indexes.
 *
 * Dynamic entries are OFFERED (held DHCP_LEASE_OFFER_HOLD s for the
 * client that was offered it), BOUND (until the lease ends) or DECLINED
 * (address taken out of use for DHCP_LEASE_DECLINE_HOLD s, no owner). An
 * entry whose time has passed is "expired": its address counts as free and
 * the entry may be reclaimed for someone else, but until then it is kept so
 * that a returning client gets its previous address (RFC 2131 4.3.1).
 * When every dynamic entry is in use and none has expired, new clients are
 * refused and dhcp_lease_stats.refused_full counts it: a flood of DISCOVERs
 * from random MACs holds at most max_dynamic entries, each for 30 s.
 *
 * Time is whatever the caller passes as @now, in seconds; it is stored as
 * is in exports. mvmd passes wall-clock seconds so that exported leases
 * keep their meaning across restarts.
 *
 * Pointers to struct dhcp_lease returned by lookups point into the table
 * and are valid until the next call that changes it.
 */
#ifndef MVM_DHCP_LEASE_H
#define MVM_DHCP_LEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

struct json_object;

#define DHCP_LEASE_DEFAULT_MAX	1024	/* dynamic entries per network */
#define DHCP_LEASE_MAX_LIMIT	65536	/* largest max_dynamic/max_static */
#define DHCP_LEASE_OFFER_HOLD	30	/* s an unanswered OFFER holds an address */
#define DHCP_LEASE_DECLINE_HOLD	600	/* s a DECLINEd address is unused */
#define DHCP_CLIENT_ID_MAX	255
#define DHCP_HOSTNAME_MAX	63	/* one DNS label */

enum dhcp_lease_state {
	DHCP_LEASE_OFFERED = 1,	/* offered, waiting for the REQUEST */
	DHCP_LEASE_BOUND,	/* ACKed (or a static lease) */
	DHCP_LEASE_DECLINED,	/* address in use by someone unknown */
};

/** struct dhcp_lease - one entry, read-only for callers */
struct dhcp_lease {
	uint32_t ip;			/* host order */
	uint8_t state;			/* enum dhcp_lease_state */
	bool is_static;			/* never expires, never reassigned */
	uint8_t mac[6];			/* client hardware address */
	uint8_t id_len;			/* 0: keyed by @mac */
	uint8_t id[DHCP_CLIENT_ID_MAX];	/* client identifier (option 61) */
	uint64_t expires;		/* caller's clock; unused when static */
	char hostname[DHCP_HOSTNAME_MAX + 1];	/* "" when none */
};

/** struct dhcp_client - who is asking: MAC and optional client id */
struct dhcp_client {
	uint8_t mac[6];
	uint8_t id_len;			/* 0: no client identifier */
	const uint8_t *id;		/* @id_len bytes, borrowed */
};

/** struct dhcp_lease_params - what a table serves */
struct dhcp_lease_params {
	struct cidr4 subnet;		/* prefix 8..30 */
	uint32_t server_ip;		/* excluded from the pool */
	unsigned max_dynamic;		/* 0: DHCP_LEASE_DEFAULT_MAX */
	unsigned max_static;		/* 0: DHCP_LEASE_DEFAULT_MAX */
	uint32_t offer_hold;		/* 0: DHCP_LEASE_OFFER_HOLD */
	uint32_t decline_hold;		/* 0: DHCP_LEASE_DECLINE_HOLD */
};

/** struct dhcp_lease_stats - counters */
struct dhcp_lease_stats {
	uint64_t refused_full;		/* no dynamic entry free or expired */
	uint64_t refused_pool;		/* no free address left in the subnet */
	unsigned n_static, n_dynamic;	/* entries in use now */
	unsigned max_static, max_dynamic;
};

struct dhcp_lease_table;

/**
 * dhcp_lease_table_new() - create an empty table
 * @p:		parameters, copied
 * @out:	receives the table; free with dhcp_lease_table_free()
 *
 * All memory the table will ever use is allocated here.
 * Return: 0, -EINVAL (bad subnet, server address or limits) or -ENOMEM
 */
int dhcp_lease_table_new(const struct dhcp_lease_params *p,
			 struct dhcp_lease_table **out);

/** dhcp_lease_table_free() - free a table (NULL is fine) */
void dhcp_lease_table_free(struct dhcp_lease_table *t);

/**
 * dhcp_lease_static_add() - serve @ip to @mac, always and only to @mac
 * @t:		table
 * @mac:	client MAC
 * @ip:		address inside the subnet, not network/broadcast/server
 * @hostname:	host name handed out as option 12, or NULL; at most
 *		DHCP_HOSTNAME_MAX bytes
 *
 * Replaces an existing static lease for @mac. A dynamic lease holding @ip,
 * and any dynamic lease of a client with @mac (whatever its client id),
 * are dropped: such a client gets a NAK at its next renewal.
 * Return: 0, -EINVAL, -EEXIST (@ip is another MAC's static lease) or
 * -ENOSPC (max_static reached)
 */
int dhcp_lease_static_add(struct dhcp_lease_table *t, const uint8_t mac[6],
			  uint32_t ip, const char *hostname);

/**
 * dhcp_lease_static_remove() - forget the static lease of @mac
 * Return: 0 or -ENOENT
 */
int dhcp_lease_static_remove(struct dhcp_lease_table *t, const uint8_t mac[6]);

/**
 * dhcp_lease_find() - the lease of a client
 * @t:		table
 * @c:		client: a static lease for its MAC wins, otherwise the dynamic
 *		entry under its key (client id, else MAC), expired or not
 * Return: the entry or NULL
 */
const struct dhcp_lease *dhcp_lease_find(const struct dhcp_lease_table *t,
					 const struct dhcp_client *c);

/**
 * dhcp_lease_find_ip() - the entry holding @ip (expired ones too), or NULL
 */
const struct dhcp_lease *dhcp_lease_find_ip(const struct dhcp_lease_table *t,
					    uint32_t ip);

/**
 * dhcp_lease_ip_in_use() - may @ip not be given to a new owner at @now?
 *
 * True for addresses outside the pool, static leases and unexpired
 * dynamic entries. mvmd uses it to avoid dynamic leases when it allocates
 * addresses for new guests.
 */
bool dhcp_lease_ip_in_use(const struct dhcp_lease_table *t, uint32_t ip,
			  uint64_t now);

/**
 * dhcp_lease_offer() - choose and hold an address for a client
 * @t:		table
 * @c:		client
 * @requested:	address the client asked for (option 50), 0 for none
 * @now:	current time, seconds
 * @ip:		receives the address
 *
 * RFC 2131 4.3.1 order: the client's static lease; its current or
 * previous address while still remembered; @requested when free; else a
 * free address, searched from one derived from the client's key so that a
 * client tends to get the same address again. A new entry is OFFERED for
 * offer_hold seconds; an existing binding is left as it is.
 * Return: 0, -ENOSPC (table full, counted) or -EADDRNOTAVAIL (pool
 * exhausted, counted)
 */
int dhcp_lease_offer(struct dhcp_lease_table *t, const struct dhcp_client *c,
		     uint32_t requested, uint64_t now, uint32_t *ip);

/**
 * dhcp_lease_bind() - bind @ip to a client for @secs seconds (the ACK)
 *
 * @ip must be the client's static address, or the address of its own
 * entry, or free in the pool.
 * Return: 0, -EADDRINUSE (@ip belongs to someone else or is declined),
 * -EADDRNOTAVAIL (@ip is not in the pool, or the client has a static lease
 * for another address) or -ENOSPC (table full, counted)
 */
int dhcp_lease_bind(struct dhcp_lease_table *t, const struct dhcp_client *c,
		    uint32_t ip, uint32_t secs, uint64_t now);

/**
 * dhcp_lease_release() - the client gives @ip back (DHCPRELEASE)
 *
 * RFC 2131 4.3.4: the address becomes free; the entry is kept (expired)
 * so the client may get the same address later.
 * Return: 0, or -ENOENT when @ip is not the client's dynamic lease
 */
int dhcp_lease_release(struct dhcp_lease_table *t, const struct dhcp_client *c,
		       uint32_t ip, uint64_t now);

/**
 * dhcp_lease_decline() - the client found @ip in use (DHCPDECLINE)
 *
 * RFC 2131 4.3.3: the address is taken out of use for decline_hold
 * seconds. Only the client's own dynamic address can be declined; a
 * static address stays assigned (the conflict needs an operator).
 * Return: 0, or -ENOENT when @ip is not the client's dynamic lease
 */
int dhcp_lease_decline(struct dhcp_lease_table *t, const struct dhcp_client *c,
		       uint32_t ip, uint64_t now);

/**
 * dhcp_lease_foreach() - call @fn on every entry (static first)
 * @fn:		return non-zero to stop; must not change the table
 * Return: what @fn returned last (0 when all were visited)
 */
int dhcp_lease_foreach(const struct dhcp_lease_table *t,
		       int (*fn)(const struct dhcp_lease *l, void *ctx),
		       void *ctx);

/** dhcp_lease_get_stats() - copy the counters into @st */
void dhcp_lease_get_stats(const struct dhcp_lease_table *t,
			  struct dhcp_lease_stats *st);

/**
 * dhcp_lease_restore() - add a saved dynamic entry as it was
 * @t:		table
 * @l:		entry: ip, mac, id_len/id, state (BOUND or DECLINED), expires
 * @now:	an entry expired at @now is refused
 *
 * Used by dhcp_lease_import(); never evicts anything.
 * Return: 0, -EINVAL (bad state), -EADDRINUSE (address outside the pool,
 * held, or expired), -EEXIST (the client already has a lease) or -ENOSPC
 */
int dhcp_lease_restore(struct dhcp_lease_table *t, const struct dhcp_lease *l,
		       uint64_t now);

/**
 * dhcp_lease_export() - the unexpired dynamic leases as JSON
 * @t:		table
 * @now:	entries expired at @now, and offers, are left out
 * @out:	receives a new object owned by the caller (json_object_put()):
 *		{"version":1,"leases":[{"ip","mac","client_id" (hex, optional),
 *		"state":"bound"|"declined","expires":N}, ...]}
 *
 * Static leases are not exported: mvmd re-adds them from its own state.
 * Return: 0 or -ENOMEM
 */
int dhcp_lease_export(const struct dhcp_lease_table *t, uint64_t now,
		      struct json_object **out);

/**
 * dhcp_lease_import() - add the leases of a dhcp_lease_export() object
 * @t:		table, static leases already added
 * @in:		object, borrowed
 * @now:	entries expired at @now are skipped
 *
 * Entries that are malformed, outside the pool, on a static address or
 * duplicated, and entries beyond the table's capacity, are skipped.
 * Return: the number of leases imported, or -EINVAL when @in is not an
 * export object
 */
int dhcp_lease_import(struct dhcp_lease_table *t, const struct json_object *in,
		      uint64_t now);

#endif
