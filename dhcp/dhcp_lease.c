// SPDX-License-Identifier: MIT
/*
 * dhcp_lease.c - the lease table of one network
 *
 * See the theory of operation in dhcp_lease.h. Slots [0, max_static) hold
 * static leases, the following max_dynamic slots dynamic ones. Two chained
 * hash indexes (by address, by owner key) link used slots through
 * per-slot next indexes, so no memory is allocated after creation.
 */
#include "dhcp/dhcp_lease.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/util.h"

#define NIL (-1)

struct slot {
	struct dhcp_lease l;
	int32_t next_ip;	/* chain in ip_head[] */
	int32_t next_key;	/* chain in key_head[], when keyed */
	bool used;
	bool keyed;		/* has an owner (not DECLINED) */
};

struct dhcp_lease_table {
	struct dhcp_lease_params p;
	uint32_t net, bcast, gateway;
	struct slot *slots;	/* max_static + max_dynamic */
	unsigned nslots;
	int32_t *ip_head;	/* NIL-terminated chains */
	int32_t *key_head;
	unsigned bits;		/* log2 of the bucket count */
	uint32_t seed;		/* per-table hash seed */
	unsigned n_static, n_dynamic;
	uint64_t refused_full, refused_pool;
};

/* FNV-1a over @n bytes, continuing from @h */
static uint32_t fnv(uint32_t h, const uint8_t *d, size_t n)
{
	while (n--) {
		h ^= *d++;
		h *= 16777619u;
	}
	return h;
}

/* Unseeded hash of a client key: stable across restarts, used for hints */
static uint32_t key_hash_raw(uint8_t kind, const uint8_t *d, size_t n)
{
	return fnv(fnv(2166136261u, &kind, 1), d, n);
}

static unsigned bucket(const struct dhcp_lease_table *t, uint32_t h)
{
	return (uint32_t)((h ^ t->seed) * 2654435761u) >> (32 - t->bits);
}

/* Owner key of a client for a static (MAC) or dynamic (id, else MAC) lease */
static uint32_t client_hash(const struct dhcp_client *c, bool st)
{
	if (!st && c->id_len)
		return key_hash_raw(1, c->id, c->id_len);
	return key_hash_raw(0, c->mac, 6);
}

static uint32_t slot_hash(const struct slot *s)
{
	if (!s->l.is_static && s->l.id_len)
		return key_hash_raw(1, s->l.id, s->l.id_len);
	return key_hash_raw(0, s->l.mac, 6);
}

static bool slot_owned_by(const struct slot *s, const struct dhcp_client *c,
			  bool st)
{
	if (!s->keyed || s->l.is_static != st)
		return false;
	if (st || !c->id_len)
		return !s->l.id_len && !memcmp(s->l.mac, c->mac, 6);
	return s->l.id_len == c->id_len && !memcmp(s->l.id, c->id, c->id_len);
}

static int32_t find_key(const struct dhcp_lease_table *t,
			const struct dhcp_client *c, bool st)
{
	int32_t i = t->key_head[bucket(t, client_hash(c, st))];

	for (; i != NIL; i = t->slots[i].next_key)
		if (slot_owned_by(&t->slots[i], c, st))
			return i;
	return NIL;
}

static int32_t find_ip(const struct dhcp_lease_table *t, uint32_t ip)
{
	int32_t i = t->ip_head[bucket(t, ip)];

	for (; i != NIL; i = t->slots[i].next_ip)
		if (t->slots[i].l.ip == ip)
			return i;
	return NIL;
}

/* Remove slot @idx from the chain starting at @head, following @next */
static void chain_unlink(struct dhcp_lease_table *t, int32_t *head,
			 int32_t idx, bool by_key)
{
	int32_t *pp = head;

	while (*pp != NIL) {
		struct slot *s = &t->slots[*pp];
		int32_t *next = by_key ? &s->next_key : &s->next_ip;

		if (*pp == idx) {
			*pp = *next;
			*next = NIL;
			return;
		}
		pp = next;
	}
}

static void link_ip(struct dhcp_lease_table *t, int32_t idx)
{
	int32_t *h = &t->ip_head[bucket(t, t->slots[idx].l.ip)];

	t->slots[idx].next_ip = *h;
	*h = idx;
}

static void unlink_ip(struct dhcp_lease_table *t, int32_t idx)
{
	chain_unlink(t, &t->ip_head[bucket(t, t->slots[idx].l.ip)], idx, false);
}

static void link_key(struct dhcp_lease_table *t, int32_t idx)
{
	int32_t *h = &t->key_head[bucket(t, slot_hash(&t->slots[idx]))];

	t->slots[idx].next_key = *h;
	*h = idx;
	t->slots[idx].keyed = true;
}

static void unlink_key(struct dhcp_lease_table *t, int32_t idx)
{
	if (!t->slots[idx].keyed)
		return;
	chain_unlink(t, &t->key_head[bucket(t, slot_hash(&t->slots[idx]))],
		     idx, true);
	t->slots[idx].keyed = false;
}

static void slot_free(struct dhcp_lease_table *t, int32_t idx)
{
	struct slot *s = &t->slots[idx];

	if (!s->used)
		return;
	unlink_key(t, idx);
	unlink_ip(t, idx);
	if (s->l.is_static)
		t->n_static--;
	else
		t->n_dynamic--;
	memset(s, 0, sizeof(*s));
	s->next_ip = s->next_key = NIL;
}

/* Give slot @idx (used or not) to client @c at @ip */
static void slot_assign(struct dhcp_lease_table *t, int32_t idx,
			const struct dhcp_client *c, uint32_t ip, bool st)
{
	struct slot *s = &t->slots[idx];

	slot_free(t, idx);
	s->used = true;
	s->l.ip = ip;
	s->l.is_static = st;
	memcpy(s->l.mac, c->mac, 6);
	if (!st && c->id_len) {
		s->l.id_len = c->id_len;
		memcpy(s->l.id, c->id, c->id_len);
	}
	link_ip(t, idx);
	link_key(t, idx);
	if (st)
		t->n_static++;
	else
		t->n_dynamic++;
}

static bool expired(const struct slot *s, uint64_t now)
{
	return !s->l.is_static && s->l.expires <= now;
}

/* In the pool: inside the subnet, not network, broadcast or gateway */
static bool in_pool(const struct dhcp_lease_table *t, uint32_t ip)
{
	return ip > t->net && ip < t->bcast && ip != t->p.server_ip &&
	       ip != t->gateway;
}

/* May @ip be given to a new owner? *holder gets an expired entry on it */
static bool ip_free(const struct dhcp_lease_table *t, uint32_t ip,
		    uint64_t now, int32_t *holder)
{
	int32_t h;

	if (!in_pool(t, ip))
		return false;
	h = find_ip(t, ip);
	*holder = h;
	return h == NIL || expired(&t->slots[h], now);
}

/* A dynamic slot for a new entry: unused, else the longest-expired one */
static int32_t dyn_slot(struct dhcp_lease_table *t, uint64_t now)
{
	int32_t best = NIL;
	unsigned i;

	for (i = t->p.max_static; i < t->nslots; i++) {
		struct slot *s = &t->slots[i];

		if (!s->used)
			return (int32_t)i;
		if (expired(s, now) &&
		    (best == NIL || s->l.expires < t->slots[best].l.expires))
			best = (int32_t)i;
	}
	return best;
}

int dhcp_lease_table_new(const struct dhcp_lease_params *p,
			 struct dhcp_lease_table **out)
{
	struct dhcp_lease_table *t;
	unsigned i, nb;

	if (p->subnet.prefix < 8 || p->subnet.prefix > 30 ||
	    (p->subnet.addr & ~cidr4_mask(p->subnet.prefix)) ||
	    p->max_dynamic > DHCP_LEASE_MAX_LIMIT ||
	    p->max_static > DHCP_LEASE_MAX_LIMIT)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->p = *p;
	if (!t->p.max_dynamic)
		t->p.max_dynamic = DHCP_LEASE_DEFAULT_MAX;
	if (!t->p.max_static)
		t->p.max_static = DHCP_LEASE_DEFAULT_MAX;
	if (!t->p.offer_hold)
		t->p.offer_hold = DHCP_LEASE_OFFER_HOLD;
	if (!t->p.decline_hold)
		t->p.decline_hold = DHCP_LEASE_DECLINE_HOLD;
	t->net = p->subnet.addr;
	t->bcast = cidr4_broadcast(&p->subnet);
	t->gateway = cidr4_gateway(&p->subnet);
	if (!cidr4_contains(&p->subnet, p->server_ip) ||
	    p->server_ip == t->net || p->server_ip == t->bcast) {
		free(t);
		return -EINVAL;
	}
	t->nslots = t->p.max_static + t->p.max_dynamic;
	for (t->bits = 1, nb = 2; nb < 2 * t->nslots; t->bits++)
		nb <<= 1;
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	t->ip_head = malloc(nb * sizeof(*t->ip_head));
	t->key_head = malloc(nb * sizeof(*t->key_head));
	if (!t->slots || !t->ip_head || !t->key_head) {
		dhcp_lease_table_free(t);
		return -ENOMEM;
	}
	for (i = 0; i < nb; i++)
		t->ip_head[i] = t->key_head[i] = NIL;
	for (i = 0; i < t->nslots; i++)
		t->slots[i].next_ip = t->slots[i].next_key = NIL;
	/* a seed the guests cannot guess keeps hash chains short */
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) !=
	    sizeof(t->seed))
		t->seed = (uint32_t)(uintptr_t)t;
	*out = t;
	return 0;
}

void dhcp_lease_table_free(struct dhcp_lease_table *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->ip_head);
	free(t->key_head);
	free(t);
}

int dhcp_lease_static_add(struct dhcp_lease_table *t, const uint8_t mac[6],
			  uint32_t ip, const char *hostname)
{
	struct dhcp_client c = { .id_len = 0 };
	int32_t s, h;
	unsigned i;

	if (!in_pool(t, ip) || (hostname && strlen(hostname) > DHCP_HOSTNAME_MAX))
		return -EINVAL;
	memcpy(c.mac, mac, 6);
	s = find_key(t, &c, true);
	h = find_ip(t, ip);
	if (h != NIL && t->slots[h].l.is_static && h != s)
		return -EEXIST;
	if (s == NIL) {
		for (i = 0; i < t->p.max_static && t->slots[i].used; i++)
			;
		if (i == t->p.max_static)
			return -ENOSPC;
		s = (int32_t)i;
	}
	if (h != NIL && !t->slots[h].l.is_static)
		slot_free(t, h);
	/* the static lease wins over anything this MAC held dynamically */
	for (i = t->p.max_static; i < t->nslots; i++)
		if (t->slots[i].used && t->slots[i].keyed &&
		    !memcmp(t->slots[i].l.mac, mac, 6))
			slot_free(t, (int32_t)i);
	if (!t->slots[s].used || t->slots[s].l.ip != ip)
		slot_assign(t, s, &c, ip, true);
	t->slots[s].l.state = DHCP_LEASE_BOUND;
	str_copy(t->slots[s].l.hostname, sizeof(t->slots[s].l.hostname),
		 hostname ? hostname : "");
	return 0;
}

int dhcp_lease_static_remove(struct dhcp_lease_table *t, const uint8_t mac[6])
{
	struct dhcp_client c = { .id_len = 0 };
	int32_t s;

	memcpy(c.mac, mac, 6);
	s = find_key(t, &c, true);
	if (s == NIL)
		return -ENOENT;
	slot_free(t, s);
	return 0;
}

const struct dhcp_lease *dhcp_lease_find(const struct dhcp_lease_table *t,
					 const struct dhcp_client *c)
{
	int32_t s = find_key(t, c, true);

	if (s == NIL)
		s = find_key(t, c, false);
	return s == NIL ? NULL : &t->slots[s].l;
}

const struct dhcp_lease *dhcp_lease_find_ip(const struct dhcp_lease_table *t,
					    uint32_t ip)
{
	int32_t s = find_ip(t, ip);

	return s == NIL ? NULL : &t->slots[s].l;
}

bool dhcp_lease_ip_in_use(const struct dhcp_lease_table *t, uint32_t ip,
			  uint64_t now)
{
	int32_t h;

	return !ip_free(t, ip, now, &h);
}

/* A free address for @c, searched from a hint derived from its key */
static uint32_t pick_ip(const struct dhcp_lease_table *t,
			const struct dhcp_client *c, uint32_t requested,
			uint64_t now)
{
	uint32_t first = t->net + 1, n = t->bcast - t->net - 1, start, i;
	int32_t h;

	if (requested && ip_free(t, requested, now, &h))
		return requested;
	start = client_hash(c, false) % n;
	for (i = 0; i < n; i++) {
		uint32_t ip = first + (start + i) % n;

		if (ip_free(t, ip, now, &h))
			return ip;
	}
	return 0;
}

int dhcp_lease_offer(struct dhcp_lease_table *t, const struct dhcp_client *c,
		     uint32_t requested, uint64_t now, uint32_t *ip)
{
	int32_t s = find_key(t, c, true), h;
	struct slot *e;
	uint32_t a;

	if (s != NIL) {
		*ip = t->slots[s].l.ip;
		return 0;
	}
	s = find_key(t, c, false);
	if (s != NIL) {
		e = &t->slots[s];
		if (e->l.state != DHCP_LEASE_BOUND || expired(e, now)) {
			e->l.state = DHCP_LEASE_OFFERED;
			e->l.expires = now + t->p.offer_hold;
		}
		*ip = e->l.ip;
		return 0;
	}
	a = pick_ip(t, c, requested, now);
	if (!a) {
		t->refused_pool++;
		return -EADDRNOTAVAIL;
	}
	h = find_ip(t, a);
	s = h != NIL ? h : dyn_slot(t, now);
	if (s == NIL) {
		t->refused_full++;
		return -ENOSPC;
	}
	slot_assign(t, s, c, a, false);
	e = &t->slots[s];
	e->l.state = DHCP_LEASE_OFFERED;
	e->l.expires = now + t->p.offer_hold;
	*ip = a;
	return 0;
}

int dhcp_lease_bind(struct dhcp_lease_table *t, const struct dhcp_client *c,
		    uint32_t ip, uint32_t secs, uint64_t now)
{
	int32_t s = find_key(t, c, true), h, e;

	if (s != NIL) {
		if (t->slots[s].l.ip != ip)
			return -EADDRNOTAVAIL;
		t->slots[s].l.expires = now + secs;
		return 0;
	}
	if (!in_pool(t, ip))
		return -EADDRNOTAVAIL;
	e = find_key(t, c, false);
	h = find_ip(t, ip);
	if (h != NIL && h != e) {
		if (!expired(&t->slots[h], now))
			return -EADDRINUSE;
		if (e != NIL)
			slot_free(t, h);	/* forget the old holder */
	}
	if (e == NIL) {
		e = h != NIL ? h : dyn_slot(t, now);
		if (e == NIL) {
			t->refused_full++;
			return -ENOSPC;
		}
		slot_assign(t, e, c, ip, false);
	} else if (t->slots[e].l.ip != ip) {
		unlink_ip(t, e);
		t->slots[e].l.ip = ip;
		link_ip(t, e);
	}
	t->slots[e].l.state = DHCP_LEASE_BOUND;
	t->slots[e].l.expires = now + secs;
	return 0;
}

int dhcp_lease_release(struct dhcp_lease_table *t, const struct dhcp_client *c,
		       uint32_t ip, uint64_t now)
{
	int32_t e = find_key(t, c, false);

	if (e == NIL || t->slots[e].l.ip != ip)
		return -ENOENT;
	t->slots[e].l.expires = now;	/* free now, remembered until reused */
	return 0;
}

int dhcp_lease_decline(struct dhcp_lease_table *t, const struct dhcp_client *c,
		       uint32_t ip, uint64_t now)
{
	int32_t e = find_key(t, c, false);
	struct slot *s;

	if (e == NIL || t->slots[e].l.ip != ip)
		return -ENOENT;
	s = &t->slots[e];
	unlink_key(t, e);	/* the address has no owner any more */
	memset(s->l.mac, 0, sizeof(s->l.mac));
	s->l.id_len = 0;
	s->l.hostname[0] = '\0';
	s->l.state = DHCP_LEASE_DECLINED;
	s->l.expires = now + t->p.decline_hold;
	return 0;
}

int dhcp_lease_foreach(const struct dhcp_lease_table *t,
		       int (*fn)(const struct dhcp_lease *l, void *ctx),
		       void *ctx)
{
	unsigned i;
	int r;

	for (i = 0; i < t->nslots; i++) {
		if (!t->slots[i].used)
			continue;
		r = fn(&t->slots[i].l, ctx);
		if (r)
			return r;
	}
	return 0;
}

void dhcp_lease_get_stats(const struct dhcp_lease_table *t,
			  struct dhcp_lease_stats *st)
{
	st->refused_full = t->refused_full;
	st->refused_pool = t->refused_pool;
	st->n_static = t->n_static;
	st->n_dynamic = t->n_dynamic;
	st->max_static = t->p.max_static;
	st->max_dynamic = t->p.max_dynamic;
}

int dhcp_lease_restore(struct dhcp_lease_table *t, const struct dhcp_lease *l,
		       uint64_t now)
{
	struct dhcp_client c = { .id_len = l->id_len, .id = l->id };
	int32_t s;

	if (l->state != DHCP_LEASE_BOUND && l->state != DHCP_LEASE_DECLINED)
		return -EINVAL;
	if (l->id_len == 1)
		return -EINVAL;	/* RFC 2132 9.14: at least 2 bytes */
	memcpy(c.mac, l->mac, 6);
	if (!in_pool(t, l->ip) || l->expires <= now || find_ip(t, l->ip) != NIL)
		return -EADDRINUSE;
	if (l->state == DHCP_LEASE_BOUND && (find_key(t, &c, false) != NIL ||
					     find_key(t, &c, true) != NIL))
		return -EEXIST;
	s = dyn_slot(t, now);
	if (s == NIL || t->slots[s].used)
		return -ENOSPC;
	slot_assign(t, s, &c, l->ip, false);
	t->slots[s].l.state = l->state;
	t->slots[s].l.expires = l->expires;
	if (l->state == DHCP_LEASE_DECLINED)
		unlink_key(t, s);
	return 0;
}
