// SPDX-License-Identifier: MIT
/*
 * nat_flow.c - the NAT's flow table (see nat_flow.h for the design)
 *
 * Layout: one calloc()ed array of struct nat_flow (the pool), one array
 * of bucket heads (a power of two, at least twice the capacity, so chains
 * stay short), and the per-guest counters: a second pool of @capacity
 * entries (there can never be more guests with a flow than flows) with its
 * own buckets. All links are 32-bit indices, NAT_FLOW_NONE ends a list.
 */
#include "nat/nat_flow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/** struct nat_guest - flows of one guest address */
struct nat_guest {
	uint32_t ip;
	uint32_t count;		/* 0: entry free */
	uint32_t hnext;		/* chain, or free list */
};

struct nat_flow_table {
	struct nat_hash_key key;
	uint32_t capacity;
	uint32_t per_guest;
	uint32_t mask;		/* buckets - 1 */
	uint32_t free;		/* free list head */
	uint32_t live;		/* live list head */
	uint32_t gfree;		/* free guest entries */
	struct nat_flow *flows;
	uint32_t *buckets;
	struct nat_guest *guests;
	uint32_t *gbuckets;
	struct nat_flow_stats st;
};

static uint32_t key_hash(const struct nat_flow_table *t,
			 const struct nat_flow_key *k)
{
	uint8_t b[13];

	/* serialise: struct padding must not reach the hash */
	memcpy(b, &k->guest_ip, 4);
	memcpy(b + 4, &k->remote_ip, 4);
	memcpy(b + 8, &k->guest_port, 2);
	memcpy(b + 10, &k->remote_port, 2);
	b[12] = k->proto;
	return (uint32_t)nat_siphash(&t->key, b, sizeof(b)) & t->mask;
}

static uint32_t guest_hash(const struct nat_flow_table *t, uint32_t ip)
{
	uint8_t b[5];

	memcpy(b, &ip, 4);
	b[4] = 0xff;	/* domain separation from key_hash() */
	return (uint32_t)nat_siphash(&t->key, b, sizeof(b)) & t->mask;
}

static bool key_eq(const struct nat_flow_key *a, const struct nat_flow_key *b)
{
	return a->guest_ip == b->guest_ip && a->remote_ip == b->remote_ip &&
	       a->guest_port == b->guest_port &&
	       a->remote_port == b->remote_port && a->proto == b->proto;
}

int nat_flow_table_create(uint32_t capacity, uint32_t per_guest,
			  const struct nat_hash_key *key,
			  struct nat_flow_table **out)
{
	struct nat_flow_table *t;
	uint32_t nb = 2, i;

	if (!capacity || capacity > NAT_FLOW_MAX || !per_guest ||
	    per_guest > capacity)
		return -EINVAL;
	while (nb < 2 * capacity)
		nb <<= 1;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->flows = calloc(capacity, sizeof(*t->flows));
	t->buckets = malloc(nb * sizeof(*t->buckets));
	t->guests = calloc(capacity, sizeof(*t->guests));
	t->gbuckets = malloc(nb * sizeof(*t->gbuckets));
	if (!t->flows || !t->buckets || !t->guests || !t->gbuckets) {
		nat_flow_table_destroy(t);
		return -ENOMEM;
	}
	t->key = *key;
	t->capacity = capacity;
	t->per_guest = per_guest;
	t->mask = nb - 1;
	for (i = 0; i < nb; i++) {
		t->buckets[i] = NAT_FLOW_NONE;
		t->gbuckets[i] = NAT_FLOW_NONE;
	}
	/* free lists in index order, so the first flows get low indices */
	for (i = 0; i < capacity; i++) {
		t->flows[i].idx = i;
		t->flows[i].host_id = -1;
		t->flows[i].next = i + 1 < capacity ? i + 1 : NAT_FLOW_NONE;
		t->guests[i].hnext = i + 1 < capacity ? i + 1 : NAT_FLOW_NONE;
	}
	t->free = 0;
	t->gfree = 0;
	t->live = NAT_FLOW_NONE;
	*out = t;
	return 0;
}

void nat_flow_table_destroy(struct nat_flow_table *t)
{
	if (!t)
		return;
	free(t->flows);
	free(t->buckets);
	free(t->guests);
	free(t->gbuckets);
	free(t);
}

static uint32_t guest_find(const struct nat_flow_table *t, uint32_t ip)
{
	uint32_t i = t->gbuckets[guest_hash(t, ip)];

	while (i != NAT_FLOW_NONE && t->guests[i].ip != ip)
		i = t->guests[i].hnext;
	return i;
}

/* the counter entry of @ip, created when absent (never fails: see top) */
static uint32_t guest_get(struct nat_flow_table *t, uint32_t ip)
{
	uint32_t i = guest_find(t, ip), b;

	if (i != NAT_FLOW_NONE)
		return i;
	i = t->gfree;
	t->gfree = t->guests[i].hnext;
	b = guest_hash(t, ip);
	t->guests[i].ip = ip;
	t->guests[i].count = 0;
	t->guests[i].hnext = t->gbuckets[b];
	t->gbuckets[b] = i;
	return i;
}

static void guest_put(struct nat_flow_table *t, uint32_t i)
{
	uint32_t *pp;

	if (--t->guests[i].count)
		return;
	pp = &t->gbuckets[guest_hash(t, t->guests[i].ip)];
	while (*pp != i)
		pp = &t->guests[*pp].hnext;
	*pp = t->guests[i].hnext;
	t->guests[i].hnext = t->gfree;
	t->gfree = i;
}

struct nat_flow *nat_flow_lookup(const struct nat_flow_table *t,
				 const struct nat_flow_key *key)
{
	uint32_t i = t->buckets[key_hash(t, key)];

	while (i != NAT_FLOW_NONE) {
		if (key_eq(&t->flows[i].key, key))
			return &t->flows[i];
		i = t->flows[i].hnext;
	}
	return NULL;
}

int nat_flow_insert(struct nat_flow_table *t, const struct nat_flow_key *key,
		    struct nat_flow **out)
{
	struct nat_flow *f;
	uint32_t g, b, i, gen;

	if (nat_flow_lookup(t, key)) {
		t->st.drop_exists++;
		return -EEXIST;
	}
	if (t->free == NAT_FLOW_NONE) {
		t->st.drop_full++;
		return -ENOSPC;
	}
	g = guest_find(t, key->guest_ip);
	if (g != NAT_FLOW_NONE && t->guests[g].count >= t->per_guest) {
		t->st.drop_guest++;
		return -EDQUOT;
	}
	g = guest_get(t, key->guest_ip);
	t->guests[g].count++;

	i = t->free;
	f = &t->flows[i];
	t->free = f->next;
	gen = f->gen + 1;
	memset(f, 0, sizeof(*f));
	f->key = *key;
	f->idx = i;
	f->gen = gen;
	f->host_id = -1;
	f->guest = g;
	f->in_use = true;

	b = key_hash(t, key);
	f->hnext = t->buckets[b];
	t->buckets[b] = i;

	f->prev = NAT_FLOW_NONE;
	f->next = t->live;
	if (t->live != NAT_FLOW_NONE)
		t->flows[t->live].prev = i;
	t->live = i;

	t->st.flows++;
	t->st.created++;
	if (key->proto == NAT_PROTO_TCP)
		t->st.tcp++;
	else if (key->proto == NAT_PROTO_UDP)
		t->st.udp++;
	*out = f;
	return 0;
}

void nat_flow_remove(struct nat_flow_table *t, struct nat_flow *f)
{
	uint32_t *pp, i = f->idx;

	if (i >= t->capacity || &t->flows[i] != f || !f->in_use)
		return;
	pp = &t->buckets[key_hash(t, &f->key)];
	while (*pp != i)
		pp = &t->flows[*pp].hnext;
	*pp = f->hnext;

	if (f->prev != NAT_FLOW_NONE)
		t->flows[f->prev].next = f->next;
	else
		t->live = f->next;
	if (f->next != NAT_FLOW_NONE)
		t->flows[f->next].prev = f->prev;

	guest_put(t, f->guest);
	t->st.flows--;
	if (f->key.proto == NAT_PROTO_TCP)
		t->st.tcp--;
	else if (f->key.proto == NAT_PROTO_UDP)
		t->st.udp--;

	f->in_use = false;
	f->host_id = -1;
	f->hnext = NAT_FLOW_NONE;
	f->prev = NAT_FLOW_NONE;
	f->next = t->free;
	t->free = i;
}

struct nat_flow *nat_flow_get(const struct nat_flow_table *t, uint32_t idx,
			      uint32_t gen)
{
	struct nat_flow *f;

	if (idx >= t->capacity)
		return NULL;
	f = &t->flows[idx];
	return f->in_use && f->gen == gen ? f : NULL;
}

struct nat_flow *nat_flow_first(const struct nat_flow_table *t)
{
	return t->live == NAT_FLOW_NONE ? NULL : &t->flows[t->live];
}

struct nat_flow *nat_flow_next(const struct nat_flow_table *t,
			       const struct nat_flow *f)
{
	return f->next == NAT_FLOW_NONE ? NULL : &t->flows[f->next];
}

uint32_t nat_flow_guest_count(const struct nat_flow_table *t,
			      uint32_t guest_ip)
{
	uint32_t g = guest_find(t, guest_ip);

	return g == NAT_FLOW_NONE ? 0 : t->guests[g].count;
}

void nat_flow_get_stats(const struct nat_flow_table *t,
			struct nat_flow_stats *st)
{
	*st = t->st;
}

uint32_t nat_flow_capacity(const struct nat_flow_table *t)
{
	return t->capacity;
}

uint32_t nat_flow_bucket_of(const struct nat_flow_table *t,
			    const struct nat_flow_key *key)
{
	return key_hash(t, key);
}

const struct nat_hash_key *nat_flow_hash_key(const struct nat_flow_table *t)
{
	return &t->key;
}
