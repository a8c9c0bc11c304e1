/* SPDX-License-Identifier: MIT */
/*
 * ops.h - the control operations, one handler per op (control.h's
 * ctl_handler), grouped by area in ops_system.c, ops_network.c and
 * ops_guest.c; control.c's table maps op names to them.
 */
#ifndef MVMD_OPS_H
#define MVMD_OPS_H

#include "mvmd/control.h"

#define OP(name) struct json_object *name(struct mvmd *d, struct ctl_client *c, \
					  struct json_object *args, int *fds, size_t nfds)

OP(op_system_status);
OP(op_system_stop);

OP(op_network_create);
OP(op_network_ls);
OP(op_network_inspect);
OP(op_network_rm);
OP(op_network_prune);
OP(op_network_capture);

OP(op_guest_create);
OP(op_guest_attach);
OP(op_guest_exit);
OP(op_guest_ls);
OP(op_guest_inspect);
OP(op_guest_signal);
OP(op_guest_rm);

/**
 * ops_bad_arg() - the EINVAL reply for argument @key of the wrong type
 * @ret:	-ENOENT (missing) or -EINVAL (wrong type) from proto_get_*()
 * @what:	the expected type, as words ("a string")
 */
struct json_object *ops_bad_arg(int ret, const char *key, const char *what);

#endif
