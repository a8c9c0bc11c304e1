// SPDX-License-Identifier: MIT
/* nat_udp.c - UDP mappings in the flow table: open, touch, expire */
#include "nat/nat_udp.h"

#include <errno.h>

int nat_udp_open(struct nat_flow_table *t, const struct nat_flow_key *key,
		 int host_id, uint64_t idle_ns, uint64_t now_ns,
		 struct nat_flow **out)
{
	struct nat_flow *f;
	int ret;

	if (key->proto != NAT_PROTO_UDP)
		return -EINVAL;
	ret = nat_flow_insert(t, key, &f);
	if (ret)
		return ret;
	f->host_id = host_id;
	f->udp.idle_ns = idle_ns;
	f->udp.last_ns = now_ns;
	*out = f;
	return 0;
}

void nat_udp_touch(struct nat_flow *f, uint64_t now_ns, int to_guest)
{
	f->udp.last_ns = now_ns;
	if (to_guest)
		f->udp.to_guest++;
	else
		f->udp.to_host++;
}

uint64_t nat_udp_deadline(const struct nat_flow *f)
{
	uint64_t d = f->udp.last_ns + f->udp.idle_ns;

	return d < f->udp.last_ns ? UINT64_MAX : d;
}

unsigned nat_udp_expire(struct nat_flow_table *t, uint64_t now_ns,
			void (*close)(void *ctx, struct nat_flow *f),
			void *ctx)
{
	struct nat_flow *f, *next;
	unsigned n = 0;

	for (f = nat_flow_first(t); f; f = next) {
		next = nat_flow_next(t, f);
		if (f->key.proto != NAT_PROTO_UDP ||
		    nat_udp_deadline(f) > now_ns)
			continue;
		if (close)
			close(ctx, f);
		nat_flow_remove(t, f);
		n++;
	}
	return n;
}

uint64_t nat_udp_next_deadline(const struct nat_flow_table *t)
{
	const struct nat_flow *f;
	uint64_t d = UINT64_MAX;

	for (f = nat_flow_first(t); f; f = nat_flow_next(t, f))
		if (f->key.proto == NAT_PROTO_UDP && nat_udp_deadline(f) < d)
			d = nat_udp_deadline(f);
	return d;
}
