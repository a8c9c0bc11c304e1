// SPDX-License-Identifier: MIT
/* ops_system.c - system.status and system.stop */
#include "mvmd/guest.h"
#include "mvmd/ops.h"
#include "common/proto.h"
#include "common/util.h"

#include <errno.h>
#include <unistd.h>

#ifndef MVM_VERSION
#define MVM_VERSION "0.0.0"
#endif

struct json_object *ops_bad_arg(int ret, const char *key, const char *what)
{
	if (ret == -ENOENT)
		return proto_reply_err(-EINVAL, "missing argument '%s' (%s)", key,
				       what);
	return proto_reply_err(-EINVAL, "argument '%s' must be %s", key, what);
}

static struct json_object *str_or_null(const char *s)
{
	return s[0] ? json_object_new_string(s) : NULL;
}

OP(op_system_status)
{
	struct json_object *o = json_object_new_object(), *errs = NULL;
	size_t i, running = 0;

	for (i = 0; i < d->n_guests; i++)
		running += d->guests[i]->state == GUEST_RUNNING;
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	json_object_object_add(o, "version", json_object_new_string(MVM_VERSION));
	json_object_object_add(o, "uptime_s", json_object_new_int64(
		(int64_t)((now_mono_ns() - d->start_ns) / 1000000000ULL)));
	json_object_object_add(o, "runtime_dir", json_object_new_string(d->runtime_dir));
	json_object_object_add(o, "state_dir", json_object_new_string(d->state_dir));
	json_object_object_add(o, "socket", json_object_new_string(d->sock_path));
	json_object_object_add(o, "log_file", str_or_null(d->log_path));
	json_object_object_add(o, "config_file", str_or_null(d->config_path));
	json_object_deep_copy(d->config_errors, &errs, NULL);
	json_object_object_add(o, "config_errors", errs ? errs : json_object_new_array());
	json_object_object_add(o, "networks", json_object_new_int((int)d->n_nets));
	json_object_object_add(o, "guests", json_object_new_int((int)d->n_guests));
	json_object_object_add(o, "guests_running", json_object_new_int((int)running));
	return proto_reply_ok(o);
}

/* the reply waits until the guests are down and the state is saved */
OP(op_system_stop)
{
	ctl_stop_begin(d);
	if (!c)
		return proto_reply_ok(json_object_new_object());
	c->want_stop_reply = 1;
	return NULL;
}
