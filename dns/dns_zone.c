// SPDX-License-Identifier: MIT
/*
 * dns_zone.c - the names of one network's domain: a fixed record table
 *		with hash chains, owners added and removed as a whole
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "dns/dns_zone.h"

static uint32_t hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h & (DNS_ZONE_BUCKETS - 1);
}

/* lowercase @s into @out and check it: dot-separated valid labels */
static int rel_name(const char *s, char out[DNS_ZONE_NAME_MAX + 1])
{
	char lab[DNS_ZONE_NAME_MAX + 1];
	size_t n, i, start = 0;

	if (!s || (n = strlen(s)) == 0 || n > DNS_ZONE_NAME_MAX)
		return -EINVAL;
	for (i = 0; i <= n; i++) {
		char c = s[i];

		out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		if (c && c != '.')
			continue;
		memcpy(lab, out + start, i - start);
		lab[i - start] = '\0';
		if (!name_valid(lab))
			return -EINVAL;
		start = i + 1;
	}
	return 0;
}

static int dom_valid(const struct dns_name *d)
{
	char lab[DNS_LABEL_MAX + 1];
	size_t i = 0;

	if (d->len <= 1)
		return 0;
	while (d->wire[i]) {
		size_t l = d->wire[i];

		memcpy(lab, d->wire + i + 1, l);
		lab[l] = '\0';
		if (!name_valid(lab))
			return 0;
		i += 1 + l;
	}
	return 1;
}

int dns_zone_init(struct dns_zone *z, const struct dns_zone_cfg *cfg)
{
	uint32_t a = cfg->subnet.addr;
	char rev[64];
	int n, k, o = 0;

	if (!cfg->domain || cfg->subnet.prefix < 8 || cfg->subnet.prefix > 32)
		return -EINVAL;
	memset(z, 0, sizeof(*z));
	if (dns_name_from_str(cfg->domain, &z->domain) || !dom_valid(&z->domain))
		return -EINVAL;
	/* RFC 1035 3.5: the octets the subnet fixes, most specific first */
	n = cfg->subnet.prefix / 8;
	for (k = n - 1; k >= 0; k--)
		o += snprintf(rev + o, sizeof(rev) - (size_t)o, "%u.",
			      (a >> (24 - 8 * k)) & 0xff);
	snprintf(rev + o, sizeof(rev) - (size_t)o, "in-addr.arpa");
	if (dns_name_from_str(rev, &z->rev_apex))
		return -EINVAL;
	z->subnet = cfg->subnet;
	z->host_access = !!cfg->host_access;
	z->host_addr = cfg->host_addr;
	z->ttl = cfg->ttl ? cfg->ttl : DNS_TTL_DEFAULT;
	z->neg_ttl = cfg->neg_ttl ? cfg->neg_ttl : DNS_NEG_TTL_DEFAULT;
	z->serial = 1;
	return 0;
}

int dns_zone_new(const struct dns_zone_cfg *cfg, struct dns_zone **out)
{
	struct dns_zone *z = malloc(sizeof(*z));
	int ret;

	if (!z)
		return -ENOMEM;
	ret = dns_zone_init(z, cfg);
	if (ret) {
		free(z);
		return ret;
	}
	*out = z;
	return 0;
}

void dns_zone_free(struct dns_zone *z)
{
	free(z);
}

void dns_zone_set_host(struct dns_zone *z, int on, uint32_t addr)
{
	z->host_access = !!on;
	z->host_addr = addr;
	z->serial++;
}

/* the primary record named @name, or NULL */
static struct dns_zone_rec *find_primary(struct dns_zone *z, const char *name)
{
	uint16_t i = z->bucket[hash(name, strlen(name))];

	for (; i; i = z->rec[i - 1].next)
		if (z->rec[i - 1].primary && !strcmp(z->rec[i - 1].name, name))
			return &z->rec[i - 1];
	return NULL;
}

int dns_zone_add(struct dns_zone *z, const struct dns_owner *o)
{
	char names[1 + DNS_OWNER_ALIASES][DNS_ZONE_NAME_MAX + 1];
	size_t n = 0, i, j, slot = 0;

	if (!o->has_v4 && !o->has_v6)
		return -EINVAL;
	if (o->n_aliases > DNS_OWNER_ALIASES)
		return -EINVAL;
	if (rel_name(o->name, names[n++]))
		return -EINVAL;
	for (i = 0; i < o->n_aliases; i++) {
		if (rel_name(o->aliases[i], names[n]))
			return -EINVAL;
		for (j = 0; j < n && strcmp(names[j], names[n]); j++)
			;
		if (j == n)		/* an alias repeated counts once */
			n++;
	}
	for (i = 0; i < DNS_ZONE_RECORDS; i++)
		if (z->rec[i].name[0] && z->rec[i].owner == o->id)
			return -EEXIST;
	if (find_primary(z, names[0]))
		return -EEXIST;
	if (DNS_ZONE_RECORDS - z->used < n) {
		z->full++;
		return -ENOSPC;
	}
	for (i = 0; i < n; i++) {
		struct dns_zone_rec *r;
		uint16_t *link;

		while (z->rec[slot].name[0])
			slot++;
		r = &z->rec[slot];
		memcpy(r->name, names[i], sizeof(r->name));
		r->owner = o->id;
		r->primary = i == 0;
		r->has_v4 = !!o->has_v4;
		r->v4 = o->v4;
		r->has_v6 = !!o->has_v6;
		memcpy(r->v6, o->v6, sizeof(r->v6));
		r->next = 0;
		/* append: the round-robin base order is the order of adding */
		link = &z->bucket[hash(r->name, strlen(r->name))];
		while (*link)
			link = &z->rec[*link - 1].next;
		*link = (uint16_t)(slot + 1);
		z->used++;
	}
	z->serial++;
	return 0;
}

int dns_zone_remove(struct dns_zone *z, uint32_t owner)
{
	int removed = 0;
	size_t i;

	for (i = 0; i < DNS_ZONE_RECORDS; i++) {
		struct dns_zone_rec *r = &z->rec[i];
		uint16_t *link;

		if (!r->name[0] || r->owner != owner)
			continue;
		link = &z->bucket[hash(r->name, strlen(r->name))];
		while (*link != i + 1)
			link = &z->rec[*link - 1].next;
		*link = r->next;
		memset(r, 0, sizeof(*r));
		z->used--;
		removed++;
	}
	if (!removed)
		return -ENOENT;
	z->serial++;
	return removed;
}

static int rec_is(const struct dns_zone_rec *r, const char *name, size_t len)
{
	return len <= DNS_ZONE_NAME_MAX && !memcmp(r->name, name, len) &&
	       !r->name[len];
}

size_t dns_zone_lookup(struct dns_zone *z, const char *name, size_t len,
		       const struct dns_zone_rec **out, size_t max)
{
	uint16_t head = z->bucket[hash(name, len)], i;
	size_t n = 0, k = 0, start;

	for (i = head; i; i = z->rec[i - 1].next)
		n += rec_is(&z->rec[i - 1], name, len);
	if (!n)
		return 0;
	/* RFC 1794-style rotation: each answer starts one record later */
	start = n > 1 ? z->rotor++ % n : 0;
	for (i = head; i; i = z->rec[i - 1].next) {
		size_t pos;

		if (!rec_is(&z->rec[i - 1], name, len))
			continue;
		pos = (k++ + n - start) % n;
		if (pos < max)
			out[pos] = &z->rec[i - 1];
	}
	return n;
}

const struct dns_zone_rec *dns_zone_find_v4(const struct dns_zone *z,
					    uint32_t v4)
{
	size_t i;

	for (i = 0; i < DNS_ZONE_RECORDS; i++)
		if (z->rec[i].name[0] && z->rec[i].primary &&
		    z->rec[i].has_v4 && z->rec[i].v4 == v4)
			return &z->rec[i];
	return NULL;
}
