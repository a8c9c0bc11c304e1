// SPDX-License-Identifier: MIT
/* ops_guest.c - guest.create, attach, exit, ls, inspect, signal and rm */
#include "mvmd/guest.h"
#include "mvmd/network.h"
#include "mvmd/ops.h"
#include "common/proto.h"
#include "common/util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* the guest named by args.name, or NULL with *reply set */
static struct guest *arg_guest(struct mvmd *d, struct json_object *args,
			       struct json_object **reply)
{
	struct guest *g;
	const char *name;
	int ret = proto_get_str(args, "name", &name);

	if (ret) {
		*reply = ops_bad_arg(ret, "name", "a guest name");
		return NULL;
	}
	g = guest_find(d, name);
	if (!g)
		*reply = proto_reply_err(-ENOENT, "no guest named '%.64s'", name);
	return g;
}

/* is @a an array of at most @max strings? */
static int str_array(struct json_object *a, size_t max)
{
	size_t i, n = json_object_array_length(a);

	if (n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(a, i),
					 json_type_string))
			return 0;
	return 1;
}

OP(op_guest_create)
{
	const char *nets[GUEST_MAX_IF] = { "default" };
	struct guest_spec s = { .networks = nets, .n_networks = 1 };
	struct json_object *a;
	struct guest *g;
	char err[512];
	size_t i;
	int ret;

	ret = proto_get_str(args, "name", &s.name);
	if (ret == -EINVAL)
		return ops_bad_arg(ret, "name", "a guest name");
	if (proto_get_str(args, "kind", &s.kind) == -EINVAL)
		return ops_bad_arg(-EINVAL, "kind", "a string");
	if (proto_get_bool(args, "auto_remove", &s.auto_remove) == -EINVAL)
		return ops_bad_arg(-EINVAL, "auto_remove", "a boolean");
	ret = proto_get_arr(args, "command", &s.command);
	if (ret == -EINVAL || (!ret && !str_array(s.command, GUEST_CMD_MAX)))
		return ops_bad_arg(-EINVAL, "command", "an array of at most 256 strings");
	ret = proto_get_arr(args, "aliases", &s.aliases);
	if (ret == -EINVAL || (!ret && !str_array(s.aliases, GUEST_ALIASES_MAX)))
		return ops_bad_arg(-EINVAL, "aliases", "an array of at most 16 names");
	ret = proto_get_arr(args, "publish", &s.publish);
	if (ret == -EINVAL ||
	    (!ret && json_object_array_length(s.publish) > PUB_MAX))
		return ops_bad_arg(-EINVAL, "publish",
				   "an array of at most 32 publication objects");
	ret = proto_get_arr(args, "networks", &a);
	if (ret == -EINVAL || (!ret && !str_array(a, GUEST_MAX_IF)))
		return ops_bad_arg(-EINVAL, "networks",
				   "an array of at most 8 network names");
	if (!ret && json_object_array_length(a)) {
		s.n_networks = json_object_array_length(a);
		for (i = 0; i < s.n_networks; i++)
			nets[i] = json_object_get_string(json_object_array_get_idx(a, i));
	}
	ret = guest_create(d, &s, &g, err, sizeof(err));
	if (ret)
		return proto_reply_err(ret, "%s", err);
	g->owner = c;
	mvmd_changed(d);
	return proto_reply_ok(guest_to_json(d, g));
}

OP(op_guest_attach)
{
	struct json_object *reply = NULL;
	struct guest *g = arg_guest(d, args, &reply);
	char err[512];
	int64_t pid;
	int ret;

	if (!g)
		return reply;
	ret = proto_get_int(args, "pid", &pid);
	if (ret)
		return ops_bad_arg(ret, "pid", "a process id");
	if (pid <= 0 || pid > (1 << 30))
		return proto_reply_err(-EINVAL, "invalid pid %lld", (long long)pid);
	ret = guest_attach(d, g, (pid_t)pid, fds, nfds, c, err, sizeof(err));
	if (ret)
		return proto_reply_err(ret, "%s", err);
	mvmd_changed(d);
	return proto_reply_ok(guest_to_json(d, g));
}

OP(op_guest_exit)
{
	struct json_object *reply = NULL;
	struct guest *g = arg_guest(d, args, &reply);
	int64_t code;
	int ret;

	if (!g)
		return reply;
	ret = proto_get_int(args, "exit_code", &code);
	if (ret)
		return ops_bad_arg(ret, "exit_code", "an integer");
	if (g->state != GUEST_RUNNING)
		return proto_reply_err(-EINVAL, "guest '%s' is not running", g->name);
	if (g->lifeline && g->lifeline != c)
		return proto_reply_err(-EPERM,
				       "guest '%s' is supervised by another connection",
				       g->name);
	if (code < -1 || code > 255)
		code = -1;
	guest_exited(d, g, (int)code);
	mvmd_changed(d);
	return proto_reply_ok(json_object_new_object());
}

OP(op_guest_ls)
{
	struct json_object *a;
	int all = 0;
	size_t i;

	if (proto_get_bool(args, "all", &all) == -EINVAL)
		return ops_bad_arg(-EINVAL, "all", "a boolean");
	a = json_object_new_array();
	for (i = 0; i < d->n_guests; i++)
		if (all || d->guests[i]->state != GUEST_EXITED)
			json_object_array_add(a, guest_to_json(d, d->guests[i]));
	return proto_reply_ok(a);
}

OP(op_guest_inspect)
{
	struct json_object *reply = NULL;
	struct guest *g = arg_guest(d, args, &reply);

	return g ? proto_reply_ok(guest_to_json(d, g)) : reply;
}

OP(op_guest_signal)
{
	struct json_object *reply = NULL;
	struct guest *g = arg_guest(d, args, &reply);
	int64_t sig;
	int ret;

	if (!g)
		return reply;
	ret = proto_get_int(args, "signal", &sig);
	if (ret)
		return ops_bad_arg(ret, "signal", "a signal number");
	if (sig < 1 || sig >= NSIG)
		return proto_reply_err(-EINVAL, "invalid signal %lld", (long long)sig);
	if (g->state != GUEST_RUNNING)
		return proto_reply_err(-EINVAL, "guest '%s' is not running", g->name);
	ret = guest_signal(g, (int)sig);
	if (ret)
		return proto_reply_err(ret, "cannot signal guest '%s': %s", g->name,
				       strerror(-ret));
	return proto_reply_ok(json_object_new_object());
}

OP(op_guest_rm)
{
	struct json_object *reply = NULL;
	struct guest *g = arg_guest(d, args, &reply);
	int force = 0;

	if (!g)
		return reply;
	if (proto_get_bool(args, "force", &force) == -EINVAL)
		return ops_bad_arg(-EINVAL, "force", "a boolean");
	if (g->state == GUEST_RUNNING) {
		if (!force)
			return proto_reply_err(-EBUSY,
					       "guest '%s' is running; stop it first or force the removal",
					       g->name);
		guest_signal(g, SIGKILL);
	}
	guest_remove(d, g);
	mvmd_changed(d);
	return proto_reply_ok(json_object_new_object());
}
