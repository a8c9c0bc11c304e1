/* SPDX-License-Identifier: MIT */
/*
 * proto.h - the control protocol between mvm and mvmd
 *
 * One JSON object per SOCK_SEQPACKET message, at most PROTO_MAX_MSG bytes,
 * optionally with file descriptors (SCM_RIGHTS). See docs/control-protocol.md.
 *
 *   request  {"op": "network.create", "args": {...}}
 *   reply    {"ok": true, "result": ...}
 *            {"ok": false, "error": "human readable", "errno": "ENOENT"}
 *   event    {"event": "capture.done", ...}   (only on long-lived requests)
 */
#ifndef MVM_PROTO_H
#define MVM_PROTO_H

#include <json-c/json.h>
#include <stddef.h>

#define PROTO_MAX_MSG 65536

/** struct proto_req - a validated request; @msg owns @args */
struct proto_req {
	struct json_object *msg;	/* whole message, put by proto_req_free */
	const char *op;			/* "network.create", ... */
	struct json_object *args;	/* always an object (empty if absent) */
};

/**
 * proto_req_parse() - validate one request message
 * @buf, @len:	the message bytes (need not be NUL-terminated)
 * @req:	filled on success; release with proto_req_free()
 * @err:	on failure, a one-line reason for the reply
 * Return: 0, -EMSGSIZE if @len exceeds PROTO_MAX_MSG, -EINVAL if the bytes
 *	   are not one JSON object with a string "op" and an object "args"
 */
int proto_req_parse(const char *buf, size_t len, struct proto_req *req,
		    char *err, size_t errlen);

/** proto_req_free() - release a parsed request */
void proto_req_free(struct proto_req *req);

/** proto_reply_ok() - {"ok":true,"result":@result}; takes @result (may be NULL) */
struct json_object *proto_reply_ok(struct json_object *result);

/** proto_reply_err() - {"ok":false,"error":...,"errno":name of -@neg_errno} */
struct json_object *proto_reply_err(int neg_errno, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * proto_send() - serialize @msg and send it with @nfds descriptors
 * Return: 0 or -errno (-EMSGSIZE when it would exceed PROTO_MAX_MSG)
 */
int proto_send(int sock, struct json_object *msg, const int *fds, size_t nfds);

/**
 * proto_recv() - receive one message and parse it as a JSON object
 * @msg:	receives the object (caller puts it)
 * @fds, @nfds:	as fdpass_recv(); may be NULL
 * Return: 0, -ECONNRESET on orderly shutdown, -EMSGSIZE if too large,
 *	   -EBADMSG if not a JSON object, or -errno
 */
int proto_recv(int sock, struct json_object **msg, int *fds, size_t *nfds);

/** proto_errno_name() - "ENOENT" for ENOENT, "EIO" if unknown */
const char *proto_errno_name(int err);

/** proto_errno_value() - ENOENT for "ENOENT", EIO if unknown */
int proto_errno_value(const char *name);

/* Typed getters on an args object: return 0 and set *out, -ENOENT when the
 * key is absent, -EINVAL when it has another type. */
int proto_get_str(struct json_object *o, const char *key, const char **out);
int proto_get_int(struct json_object *o, const char *key, int64_t *out);
int proto_get_bool(struct json_object *o, const char *key, int *out);
int proto_get_obj(struct json_object *o, const char *key, struct json_object **out);
int proto_get_arr(struct json_object *o, const char *key, struct json_object **out);

#endif
