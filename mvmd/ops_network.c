// SPDX-License-Identifier: MIT
/* ops_network.c - network.create, ls, inspect, rm, prune and capture */
#include "mvmd/capture.h"
#include "mvmd/network.h"
#include "mvmd/ops.h"
#include "common/log.h"
#include "common/proto.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the network named by args.name, or NULL with *reply set */
static struct network *arg_network(struct mvmd *d, struct json_object *args,
				   struct json_object **reply)
{
	struct network *n;
	const char *name;
	int ret = proto_get_str(args, "name", &name);

	if (ret) {
		*reply = ops_bad_arg(ret, "name", "a network name");
		return NULL;
	}
	n = net_find(d, name);
	if (!n)
		*reply = proto_reply_err(-ENOENT, "network '%.64s' does not exist",
					 name);
	return n;
}

/* optional integer @key in 1..@max into *@out: 0, or 1 if it is bad */
static int flows_arg(struct json_object *args, const char *key, uint32_t max,
		     uint32_t *out)
{
	int64_t v;
	int ret = proto_get_int(args, key, &v);

	if (ret == -ENOENT)
		return 0;
	if (ret || v < 1 || v > max)
		return 1;
	*out = (uint32_t)v;
	return 0;
}

OP(op_network_create)
{
	struct net_spec s = { .source = NET_SRC_CLI };
	const char *subnet = NULL;
	struct network *n;
	char err[256];
	int64_t mtu = 0;
	int ret, ha;

	ret = proto_get_str(args, "name", &s.name);
	if (ret)
		return ops_bad_arg(ret, "name", "a network name");
	ret = proto_get_str(args, "subnet", &subnet);
	if (ret == -EINVAL)
		return ops_bad_arg(ret, "subnet", "a string like \"10.0.5.0/24\"");
	if (subnet) {
		if (cidr4_parse(subnet, &s.subnet))
			return proto_reply_err(-EINVAL,
				"invalid subnet '%.64s': expected A.B.C.D/N with N from 8 to 30 and no host bits set",
				subnet);
		s.has_subnet = 1;
	}
	if (proto_get_bool(args, "internal", &s.internal) == -EINVAL)
		return ops_bad_arg(-EINVAL, "internal", "a boolean");
	ret = proto_get_int(args, "mtu", &mtu);
	if (ret == -EINVAL)
		return ops_bad_arg(ret, "mtu", "an integer");
	if (!ret && (mtu < NET_MTU_MIN || mtu > NET_MTU_MAX))
		return proto_reply_err(-EINVAL, "MTU %lld is out of range (%d..%d)",
				       (long long)mtu, NET_MTU_MIN, NET_MTU_MAX);
	s.mtu = (unsigned)mtu;
	if (proto_get_obj(args, "labels", &s.labels) == -EINVAL)
		return ops_bad_arg(-EINVAL, "labels", "an object of strings");
	ret = proto_get_bool(args, "host_access", &ha);
	if (ret == -EINVAL)
		return ops_bad_arg(ret, "host_access", "a boolean");
	if (!ret)
		s.host_access = ha ? NET_ON : NET_OFF;
	if (flows_arg(args, "max_flows", NET_FLOWS_MAX, &s.max_flows))
		return proto_reply_err(-EINVAL,
				       "max_flows must be an integer from 1 to %u",
				       NET_FLOWS_MAX);
	if (flows_arg(args, "max_flows_per_guest", NET_FLOWS_MAX,
		      &s.max_flows_guest))
		return proto_reply_err(-EINVAL,
				       "max_flows_per_guest must be an integer from 1 to %u",
				       NET_FLOWS_MAX);
	ret = net_create(d, &s, &n, err, sizeof(err));
	if (ret)
		return proto_reply_err(ret, "%s", err);
	mvmd_changed(d);
	return proto_reply_ok(net_to_json(d, n, 0));
}

OP(op_network_ls)
{
	struct json_object *a, *want = NULL;
	char err[256];
	size_t i;

	if (proto_get_obj(args, "labels", &want) == -EINVAL)
		return ops_bad_arg(-EINVAL, "labels", "an object of strings");
	if (net_labels_check(want, err, sizeof(err)))
		return proto_reply_err(-EINVAL, "%s", err);
	a = json_object_new_array();
	for (i = 0; i < d->n_nets; i++)
		if (net_labels_match(d->nets[i], want))
			json_object_array_add(a, net_to_json(d, d->nets[i], 0));
	return proto_reply_ok(a);
}

OP(op_network_inspect)
{
	struct json_object *reply = NULL;
	struct network *n = arg_network(d, args, &reply);

	return n ? proto_reply_ok(net_to_json(d, n, 1)) : reply;
}

/* the EBUSY reply naming the guests on @n, or NULL when there are none */
static struct json_object *busy(struct mvmd *d, struct network *n)
{
	struct json_object *g = net_guests(d, n), *r = NULL;
	size_t i, len = json_object_array_length(g);
	char names[512] = "";

	for (i = 0; i < len; i++) {
		size_t at = strlen(names);

		if (at + 80 > sizeof(names)) {
			snprintf(names + at, sizeof(names) - at, ", and %zu more",
				 len - i);
			break;
		}
		snprintf(names + at, sizeof(names) - at, "%s%s", i ? ", " : "",
			 json_object_get_string(json_object_array_get_idx(g, i)));
	}
	if (len)
		r = proto_reply_err(-EBUSY, "network '%s' has guests attached: %s",
				    n->name, names);
	json_object_put(g);
	return r;
}

static void net_remove(struct mvmd *d, struct network *n)
{
	char why[128];

	snprintf(why, sizeof(why), "network '%s' was removed", n->name);
	capture_end_network(d, n, why);
	net_destroy(d, n);
}

OP(op_network_rm)
{
	struct json_object *reply = NULL;
	struct network *n = arg_network(d, args, &reply);

	if (!n)
		return reply;
	if (n->source == NET_SRC_CONFIG)
		return proto_reply_err(-EROFS,
				       "network '%s' is declared in %s; remove it there",
				       n->name, n->config_file);
	if (n->source == NET_SRC_DEFAULT)
		return proto_reply_err(-EPERM,
				       "the default network cannot be removed");
	reply = busy(d, n);
	if (reply)
		return reply;
	net_remove(d, n);
	mvmd_changed(d);
	return proto_reply_ok(json_object_new_object());
}

OP(op_network_prune)
{
	struct json_object *o = json_object_new_object();
	struct json_object *removed = json_object_new_array();
	size_t i = 0;

	while (i < d->n_nets) {
		struct network *n = d->nets[i];
		struct json_object *r;

		if (n->source != NET_SRC_CLI) {
			i++;
			continue;
		}
		r = busy(d, n);
		if (r) {
			json_object_put(r);
			i++;
			continue;
		}
		json_object_array_add(removed, json_object_new_string(n->name));
		net_remove(d, n);
	}
	if (json_object_array_length(removed))
		mvmd_changed(d);
	json_object_object_add(o, "removed", removed);
	return proto_reply_ok(o);
}

OP(op_network_capture)
{
	struct json_object *reply = NULL;
	struct network *n = arg_network(d, args, &reply);
	const char *filter = NULL;
	struct capture *cap;
	int64_t count = 0;
	char err[512];
	int ret;

	if (!n)
		return reply;
	if (proto_get_str(args, "filter", &filter) == -EINVAL)
		return ops_bad_arg(-EINVAL, "filter", "a BPF expression string");
	ret = proto_get_int(args, "count", &count);
	if (ret == -EINVAL || count < 0)
		return ops_bad_arg(-EINVAL, "count", "a non-negative integer");
	if (nfds != 1)
		return proto_reply_err(-EINVAL,
				       "network.capture needs the file descriptor to write to");
	if (!c)
		return proto_reply_err(-EINVAL, "network.capture needs a connection");
	if (c->cap)
		return proto_reply_err(-EBUSY,
				       "this connection already runs a capture");
	cap = calloc(1, sizeof(*cap));
	if (!cap)
		return proto_reply_err(-ENOMEM, "out of memory");
	ret = capture_start(d, cap, n, fds[0], filter && *filter ? filter : NULL,
			    (uint64_t)count, c, err, sizeof(err));
	if (ret) {
		free(cap);
		return proto_reply_err(ret, "%s", err);
	}
	c->cap = cap;
	info("capture on '%s' started%s%s", n->name, filter ? " with filter " : "",
	     filter ? filter : "");
	return proto_reply_ok(json_object_new_object());
}
