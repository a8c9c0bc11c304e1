// SPDX-License-Identifier: MIT
/* proto.c - the control protocol between mvm and mvmd */
#include "common/proto.h"
#include "common/fdpass.h"
#include "common/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	int val;
	const char *name;
} errno_names[] = {
	{ ENOENT, "ENOENT" },	{ EEXIST, "EEXIST" },	{ EINVAL, "EINVAL" },
	{ EBUSY, "EBUSY" },	{ EPERM, "EPERM" },	{ EACCES, "EACCES" },
	{ ENOSPC, "ENOSPC" },	{ ENOMEM, "ENOMEM" },	{ EMSGSIZE, "EMSGSIZE" },
	{ EBADMSG, "EBADMSG" },	{ EOPNOTSUPP, "EOPNOTSUPP" },
	{ ENOSYS, "ENOSYS" },	{ ESRCH, "ESRCH" },	{ EROFS, "EROFS" },
	{ EADDRINUSE, "EADDRINUSE" },	{ ENAMETOOLONG, "ENAMETOOLONG" },
	{ EIO, "EIO" },		{ ECONNRESET, "ECONNRESET" },
	{ ETIMEDOUT, "ETIMEDOUT" },	{ EAGAIN, "EAGAIN" },
	{ ENOTEMPTY, "ENOTEMPTY" },	{ EMFILE, "EMFILE" },
};

const char *proto_errno_name(int e)
{
	size_t i;

	if (e < 0)
		e = -e;
	for (i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].val == e)
			return errno_names[i].name;
	return "EIO";
}

int proto_errno_value(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(errno_names); i++)
		if (!strcmp(errno_names[i].name, name))
			return errno_names[i].val;
	return EIO;
}

static struct json_object *parse_object(const char *buf, size_t len,
					char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error je;

	tok = json_tokener_new_ex(32);	/* nesting limit: requests are shallow */
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, buf, (int)len);
	je = json_tokener_get_error(tok);
	if (!o || je != json_tokener_success) {
		snprintf(err, errlen, "malformed JSON: %s",
			 je == json_tokener_continue ? "unexpected end of input"
						     : json_tokener_error_desc(je));
		json_object_put(o);
		json_tokener_free(tok);
		return NULL;
	}
	/* anything but whitespace after the object is an error */
	if ((size_t)json_tokener_get_parse_end(tok) < len) {
		size_t i;

		for (i = json_tokener_get_parse_end(tok); i < len; i++) {
			if (buf[i] != ' ' && buf[i] != '\n' && buf[i] != '\t' &&
			    buf[i] != '\r' && buf[i] != '\0') {
				snprintf(err, errlen,
					 "malformed JSON: trailing data");
				json_object_put(o);
				json_tokener_free(tok);
				return NULL;
			}
		}
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "malformed request: not a JSON object");
		json_object_put(o);
		return NULL;
	}
	return o;
}

int proto_req_parse(const char *buf, size_t len, struct proto_req *req,
		    char *err, size_t errlen)
{
	struct json_object *o, *op, *args = NULL;

	memset(req, 0, sizeof(*req));
	if (len > PROTO_MAX_MSG) {
		snprintf(err, errlen, "request too large (%zu bytes, limit %d)",
			 len, PROTO_MAX_MSG);
		return -EMSGSIZE;
	}
	o = parse_object(buf, len, err, errlen);
	if (!o)
		return -EINVAL;
	if (!json_object_object_get_ex(o, "op", &op) ||
	    !json_object_is_type(op, json_type_string) ||
	    !json_object_get_string_len(op)) {
		snprintf(err, errlen, "malformed request: no \"op\" string");
		json_object_put(o);
		return -EINVAL;
	}
	if (json_object_object_get_ex(o, "args", &args) &&
	    !json_object_is_type(args, json_type_object)) {
		snprintf(err, errlen, "malformed request: \"args\" is not an object");
		json_object_put(o);
		return -EINVAL;
	}
	if (!args) {
		args = json_object_new_object();
		json_object_object_add(o, "args", args);
	}
	req->msg = o;
	req->op = json_object_get_string(op);
	req->args = args;
	return 0;
}

void proto_req_free(struct proto_req *req)
{
	json_object_put(req->msg);
	memset(req, 0, sizeof(*req));
}

struct json_object *proto_reply_ok(struct json_object *result)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "ok", json_object_new_boolean(1));
	if (result)
		json_object_object_add(o, "result", result);
	return o;
}

struct json_object *proto_reply_err(int neg_errno, const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(msg));
	json_object_object_add(o, "errno",
			       json_object_new_string(proto_errno_name(neg_errno)));
	return o;
}

int proto_send(int sock, struct json_object *msg, const int *fds, size_t nfds)
{
	size_t len;
	const char *s = json_object_to_json_string_length(
		msg, JSON_C_TO_STRING_PLAIN, &len);
	ssize_t n;

	if (len > PROTO_MAX_MSG)
		return -EMSGSIZE;
	n = fdpass_send(sock, s, len, fds, nfds);
	if (n < 0)
		return (int)n;
	return 0;
}

int proto_recv(int sock, struct json_object **msg, int *fds, size_t *nfds)
{
	char *buf = malloc(PROTO_MAX_MSG + 1);
	char err[128];
	int trunc = 0;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	n = fdpass_recv(sock, buf, PROTO_MAX_MSG + 1, fds, nfds, &trunc);
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	if (n == 0) {
		free(buf);
		return -ECONNRESET;
	}
	if (trunc || n > PROTO_MAX_MSG) {
		free(buf);
		return -EMSGSIZE;
	}
	*msg = parse_object(buf, (size_t)n, err, sizeof(err));
	free(buf);
	if (!*msg) {
		if (fds && nfds)
			while (*nfds)
				close(fds[--*nfds]);
		return -EBADMSG;
	}
	return 0;
}

static int get_typed(struct json_object *o, const char *key, json_type t,
		     struct json_object **v)
{
	if (!o || !json_object_object_get_ex(o, key, v) ||
	    json_object_is_type(*v, json_type_null))
		return -ENOENT;
	if (!json_object_is_type(*v, t))
		return -EINVAL;
	return 0;
}

int proto_get_str(struct json_object *o, const char *key, const char **out)
{
	struct json_object *v;
	int r = get_typed(o, key, json_type_string, &v);

	if (!r)
		*out = json_object_get_string(v);
	return r;
}

int proto_get_int(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object *v;
	int r = get_typed(o, key, json_type_int, &v);

	if (!r)
		*out = json_object_get_int64(v);
	return r;
}

int proto_get_bool(struct json_object *o, const char *key, int *out)
{
	struct json_object *v;
	int r = get_typed(o, key, json_type_boolean, &v);

	if (!r)
		*out = json_object_get_boolean(v);
	return r;
}

int proto_get_obj(struct json_object *o, const char *key, struct json_object **out)
{
	return get_typed(o, key, json_type_object, out);
}

int proto_get_arr(struct json_object *o, const char *key, struct json_object **out)
{
	return get_typed(o, key, json_type_array, out);
}
