/* SPDX-License-Identifier: MIT */
/*
 * fdb.h - the switch's forwarding database: MAC address -> port
 *
 * A fixed-capacity hash table, allocated once by fdb_create(); learning and
 * lookups never allocate. Entries age out @ageing_s seconds after the MAC
 * was last seen as a source. Time is always passed in by the caller
 * (monotonic nanoseconds), so tests control it. Not thread-safe: the switch
 * serializes access with its own lock.
 */
#ifndef MVM_VSWITCH_FDB_H
#define MVM_VSWITCH_FDB_H

#include <stdint.h>

#define FDB_DEFAULT_MAX		4096
#define FDB_DEFAULT_AGEING_S	300
#define FDB_LIMIT		(1u << 20)	/* largest @max accepted */

struct fdb;

/** struct fdb_stats - counters of one table */
struct fdb_stats {
	unsigned entries;	/* live entries (may include not yet swept
				 * expired ones) */
	unsigned max;		/* capacity */
	uint64_t learned;	/* new entries */
	uint64_t moved;		/* a known MAC seen on another port */
	uint64_t aged;		/* entries removed by ageing */
	uint64_t full;		/* new MACs not learned: table full */
};

/**
 * fdb_create() - allocate a table
 * @max:	capacity, 0 = FDB_DEFAULT_MAX; at most FDB_LIMIT
 * @ageing_s:	ageing time in seconds, 0 = FDB_DEFAULT_AGEING_S
 * @out:	receives the table
 * Return: 0, -EINVAL (@max too large) or -ENOMEM
 */
int fdb_create(unsigned max, unsigned ageing_s, struct fdb **out);

/** fdb_destroy() - free a table (NULL is fine) */
void fdb_destroy(struct fdb *f);

/**
 * fdb_learn() - record that @mac was seen as a source on @port
 * @f:		table
 * @mac:	source address
 * @port:	port number (any value the caller chooses)
 * @now_ns:	current monotonic time
 * Multicast and broadcast addresses are never learned. A MAC already known
 * on another port moves to @port.
 * Return: 0 (learned or refreshed), 1 (moved from another port), -EINVAL
 *	   (multicast source) or -ENOSPC (table full, counted in stats.full)
 */
int fdb_learn(struct fdb *f, const uint8_t mac[6], unsigned port,
	      uint64_t now_ns);

/**
 * fdb_lookup() - the port @mac was last seen on
 * @f:		table
 * @mac:	destination address
 * @now_ns:	current monotonic time: an entry older than the ageing time
 *		is treated as absent (and removed)
 * Return: the port number, or -ENOENT
 */
long fdb_lookup(struct fdb *f, const uint8_t mac[6], uint64_t now_ns);

/**
 * fdb_age() - remove every entry not refreshed within the ageing time
 * Return: number of entries removed
 */
unsigned fdb_age(struct fdb *f, uint64_t now_ns);

/**
 * fdb_flush_port() - remove every entry that points at @port
 * Return: number of entries removed
 */
unsigned fdb_flush_port(struct fdb *f, unsigned port);

/** fdb_get_stats() - copy the counters */
void fdb_get_stats(const struct fdb *f, struct fdb_stats *st);

#endif
