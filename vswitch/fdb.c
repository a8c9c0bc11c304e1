// SPDX-License-Identifier: MIT
/*
 * fdb.c - the switch's forwarding database
 *
 * Theory of operation
 * -------------------
 * Open addressing with linear probing over a power-of-two array at least
 * twice the capacity, so the load factor stays at or below 1/2 and probe
 * sequences stay short. Deletion uses backward-shift (Knuth 6.4, Algorithm
 * R) instead of tombstones, so a guest cycling through source MACs cannot
 * fill the table with dead slots.
 *
 * Source MACs are chosen by guests, so the hash is keyed with a random
 * per-table seed: a hostile guest cannot precompute addresses that all
 * land in one probe chain without knowing the seed.
 *
 * The number of live entries never exceeds @max (the configured limit);
 * a new MAC seen when the table is full is not learned and
 * stats.full is counted; the switch still forwards the frame (flooding if
 * the destination is unknown).
 */
#include "vswitch/fdb.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

struct fdb_entry {
	uint64_t key;		/* MAC in the low 48 bits; 0 = empty slot */
	uint64_t seen_ns;	/* last time seen as a source */
	unsigned port;
};

struct fdb {
	struct fdb_entry *slots;
	size_t mask;		/* number of slots - 1 */
	uint64_t seed;
	uint64_t ageing_ns;
	struct fdb_stats st;
};

/*
 * All-zero is not a valid unicast source (the switch drops such frames)
 * but to keep the table self-contained, key 0 is mapped to a value with
 * the group bit set, which no learned key can have.
 */
static uint64_t fdb_key(const uint8_t mac[6])
{
	uint64_t k = (uint64_t)mac[0] << 40 | (uint64_t)mac[1] << 32 |
		     (uint64_t)mac[2] << 24 | (uint64_t)mac[3] << 16 |
		     (uint64_t)mac[4] << 8 | mac[5];

	return k ? k : 1ull << 40;
}

static size_t fdb_hash(const struct fdb *f, uint64_t key)
{
	uint64_t h = (key ^ f->seed) * 0x9e3779b97f4a7c15ull;

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return (size_t)h & f->mask;
}

int fdb_create(unsigned max, unsigned ageing_s, struct fdb **out)
{
	struct fdb *f;
	size_t n = 2;

	if (!max)
		max = FDB_DEFAULT_MAX;
	if (!ageing_s)
		ageing_s = FDB_DEFAULT_AGEING_S;
	if (max > FDB_LIMIT)
		return -EINVAL;
	while (n < 2 * (size_t)max)
		n <<= 1;

	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->slots = calloc(n, sizeof(*f->slots));
	if (!f->slots) {
		free(f);
		return -ENOMEM;
	}
	f->mask = n - 1;
	f->ageing_ns = (uint64_t)ageing_s * 1000000000ull;
	f->st.max = max;
	if (getrandom(&f->seed, sizeof(f->seed), GRND_NONBLOCK) !=
	    sizeof(f->seed)) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		f->seed = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^
			  (uint64_t)(uintptr_t)f;
	}
	*out = f;
	return 0;
}

void fdb_destroy(struct fdb *f)
{
	if (!f)
		return;
	free(f->slots);
	free(f);
}

/* find the slot holding @key, or the empty slot where it would go */
static size_t fdb_find(const struct fdb *f, uint64_t key)
{
	size_t i = fdb_hash(f, key);

	while (f->slots[i].key && f->slots[i].key != key)
		i = (i + 1) & f->mask;
	return i;
}

/* empty slot @i and shift later members of its probe chain back */
static void fdb_remove_slot(struct fdb *f, size_t i)
{
	size_t j = i;

	for (;;) {
		size_t h;

		j = (j + 1) & f->mask;
		if (!f->slots[j].key)
			break;
		h = fdb_hash(f, f->slots[j].key);
		/* move j to i unless its home h lies cyclically in (i, j] */
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		f->slots[i] = f->slots[j];
		i = j;
	}
	f->slots[i].key = 0;
	f->st.entries--;
}

static bool fdb_expired(const struct fdb *f, const struct fdb_entry *e,
			uint64_t now_ns)
{
	return now_ns > e->seen_ns && now_ns - e->seen_ns >= f->ageing_ns;
}

int fdb_learn(struct fdb *f, const uint8_t mac[6], unsigned port,
	      uint64_t now_ns)
{
	struct fdb_entry *e;
	int ret = 0;

	if (mac[0] & 1)
		return -EINVAL;
	e = &f->slots[fdb_find(f, fdb_key(mac))];
	if (e->key) {
		if (e->port != port) {
			e->port = port;
			f->st.moved++;
			ret = 1;
		}
		e->seen_ns = now_ns;
		return ret;
	}
	if (f->st.entries >= f->st.max) {
		f->st.full++;
		return -ENOSPC;
	}
	e->key = fdb_key(mac);
	e->port = port;
	e->seen_ns = now_ns;
	f->st.entries++;
	f->st.learned++;
	return 0;
}

long fdb_lookup(struct fdb *f, const uint8_t mac[6], uint64_t now_ns)
{
	size_t i;

	if (mac[0] & 1)
		return -ENOENT;
	i = fdb_find(f, fdb_key(mac));
	if (!f->slots[i].key)
		return -ENOENT;
	if (fdb_expired(f, &f->slots[i], now_ns)) {
		fdb_remove_slot(f, i);
		f->st.aged++;
		return -ENOENT;
	}
	return f->slots[i].port;
}

/*
 * Remove every slot matching @pred. Backward shift can move an entry from
 * after the current index to it, so the slot is re-examined after each
 * removal. Entries shifted across the wrap point (from the start of the
 * array to its end) are examined again when the scan gets there; starting
 * the scan at an empty slot guarantees no chain straddles the starting
 * point, so nothing is skipped.
 */
static unsigned fdb_sweep(struct fdb *f,
			  bool (*pred)(const struct fdb *, const struct fdb_entry *,
				       uint64_t),
			  uint64_t arg)
{
	size_t start = 0, n = f->mask + 1, k;
	unsigned removed = 0;

	if (!f->st.entries)
		return 0;
	while (f->slots[start].key)	/* load <= 1/2: an empty slot exists */
		start = (start + 1) & f->mask;
	for (k = 1; k <= n; k++) {
		size_t i = (start + k) & f->mask;

		while (f->slots[i].key && pred(f, &f->slots[i], arg)) {
			fdb_remove_slot(f, i);
			removed++;
		}
	}
	return removed;
}

static bool fdb_pred_expired(const struct fdb *f, const struct fdb_entry *e,
			     uint64_t now_ns)
{
	return fdb_expired(f, e, now_ns);
}

static bool fdb_pred_port(const struct fdb *f, const struct fdb_entry *e,
			  uint64_t port)
{
	return e->port == port;
}

unsigned fdb_age(struct fdb *f, uint64_t now_ns)
{
	unsigned n = fdb_sweep(f, fdb_pred_expired, now_ns);

	f->st.aged += n;
	return n;
}

unsigned fdb_flush_port(struct fdb *f, unsigned port)
{
	return fdb_sweep(f, fdb_pred_port, port);
}

void fdb_get_stats(const struct fdb *f, struct fdb_stats *st)
{
	*st = f->st;
}
