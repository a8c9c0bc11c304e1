// SPDX-License-Identifier: MIT
/*
 * dhcp_lease_json.c - export and import of dynamic leases as JSON
 *
 * mvmd writes the export next to its network state (file_write_atomic())
 * and imports it when it starts again, after re-adding static leases, so
 * that leases survive a daemon restart. The format:
 *
 *   {"version": 1, "leases": [
 *     {"ip": "10.89.0.23", "mac": "02:00:00:00:00:01",
 *      "client_id": "0102000000000001", "state": "bound",
 *      "expires": 1700000000}, ...]}
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "common/addr.h"
#include "dhcp/dhcp_lease.h"

#define DHCP_LEASE_JSON_VERSION 1

struct export_ctx {
	struct json_object *arr;
	uint64_t now;
	int err;
};

static int add_str(struct json_object *o, const char *k, const char *v)
{
	struct json_object *s = json_object_new_string(v);

	if (!s || json_object_object_add(o, k, s)) {
		json_object_put(s);
		return -ENOMEM;
	}
	return 0;
}

static int export_one(const struct dhcp_lease *l, void *ctx_)
{
	struct export_ctx *ctx = ctx_;
	char ip[IP4_STRLEN], mac[MAC_STRLEN];
	char id[2 * DHCP_CLIENT_ID_MAX + 1];
	struct json_object *o, *e;
	int i;

	if (l->is_static || l->state == DHCP_LEASE_OFFERED ||
	    l->expires <= ctx->now)
		return 0;
	o = json_object_new_object();
	if (!o)
		goto nomem;
	for (i = 0; i < l->id_len; i++)
		snprintf(id + 2 * i, 3, "%02x", l->id[i]);
	id[2 * l->id_len] = '\0';
	e = json_object_new_int64((int64_t)l->expires);
	if (add_str(o, "ip", ip4_format(l->ip, ip)) ||
	    add_str(o, "mac", mac_format(l->mac, mac)) ||
	    (l->id_len && add_str(o, "client_id", id)) ||
	    add_str(o, "state", l->state == DHCP_LEASE_BOUND ? "bound" :
						"declined") ||
	    !e || json_object_object_add(o, "expires", e)) {
		json_object_put(e);
		goto nomem_o;
	}
	if (json_object_array_add(ctx->arr, o))
		goto nomem_o;
	return 0;
nomem_o:
	json_object_put(o);
nomem:
	ctx->err = -ENOMEM;
	return 1;
}

int dhcp_lease_export(const struct dhcp_lease_table *t, uint64_t now,
		      struct json_object **out)
{
	struct export_ctx ctx = { .now = now };
	struct json_object *root = json_object_new_object(), *v;

	ctx.arr = json_object_new_array();
	v = json_object_new_int(DHCP_LEASE_JSON_VERSION);
	if (!root || !ctx.arr || !v ||
	    json_object_object_add(root, "version", v)) {
		json_object_put(v);
		goto fail;
	}
	if (json_object_object_add(root, "leases", ctx.arr)) {
		json_object_put(root);
		json_object_put(ctx.arr);
		return -ENOMEM;
	}
	dhcp_lease_foreach(t, export_one, &ctx);
	if (ctx.err) {
		json_object_put(root);
		return ctx.err;
	}
	*out = root;
	return 0;
fail:
	json_object_put(root);
	json_object_put(ctx.arr);
	return -ENOMEM;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A string member of @o, or NULL */
static const char *get_str(const struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* One exported entry to a struct dhcp_lease; 0 or -EINVAL */
static int parse_entry(const struct json_object *o, struct dhcp_lease *l)
{
	const char *ip = get_str(o, "ip"), *mac = get_str(o, "mac");
	const char *id = get_str(o, "client_id"), *state = get_str(o, "state");
	struct json_object *exp;
	size_t n, i;

	memset(l, 0, sizeof(*l));
	if (!ip || !mac || !state || ip4_parse(ip, &l->ip) ||
	    mac_parse(mac, l->mac) ||
	    !json_object_object_get_ex(o, "expires", &exp) ||
	    !json_object_is_type(exp, json_type_int) ||
	    json_object_get_int64(exp) <= 0)
		return -EINVAL;
	l->expires = (uint64_t)json_object_get_int64(exp);
	if (!strcmp(state, "bound"))
		l->state = DHCP_LEASE_BOUND;
	else if (!strcmp(state, "declined"))
		l->state = DHCP_LEASE_DECLINED;
	else
		return -EINVAL;
	if (!id)
		return 0;
	n = strlen(id);
	if (n % 2 || n / 2 > DHCP_CLIENT_ID_MAX)
		return -EINVAL;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(id[2 * i]), lo = hexval(id[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		l->id[i] = (uint8_t)(hi << 4 | lo);
	}
	l->id_len = (uint8_t)(n / 2);
	return 0;
}

int dhcp_lease_import(struct dhcp_lease_table *t, const struct json_object *in,
		      uint64_t now)
{
	struct json_object *ver, *arr;
	size_t i, n;
	int count = 0;

	if (!in || !json_object_is_type(in, json_type_object) ||
	    !json_object_object_get_ex(in, "version", &ver) ||
	    !json_object_is_type(ver, json_type_int) ||
	    json_object_get_int(ver) != DHCP_LEASE_JSON_VERSION ||
	    !json_object_object_get_ex(in, "leases", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return -EINVAL;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		const struct json_object *o = json_object_array_get_idx(arr, i);
		struct dhcp_lease l;

		if (!json_object_is_type(o, json_type_object) ||
		    parse_entry(o, &l))
			continue;
		if (!dhcp_lease_restore(t, &l, now))
			count++;
	}
	return count;
}
