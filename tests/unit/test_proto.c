// SPDX-License-Identifier: MIT
/*
 * test_proto.c - the control protocol: request parsing (common/proto.c),
 * mvmd's dispatch (ctl_dispatch) and a real SOCK_SEQPACKET round trip
 * through mvmd's control loop
 */
#include "mvmd_testlib.h"

#include "common/fdpass.h"
#include "mvmd/network.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int parse(const char *s, struct proto_req *req, char *err, size_t errlen)
{
	return proto_req_parse(s, strlen(s), req, err, errlen);
}

static void expect_einval(const char *s, const char *why)
{
	struct proto_req req;
	char err[256] = "";

	assert_int_equal(parse(s, &req, err, sizeof(err)), -EINVAL);
	assert_null(req.msg);
	if (!strstr(err, why))
		fail_msg("'%s': error '%s' lacks '%s'", s, err, why);
}

static void test_parse_rejects(void **state)
{
	expect_einval("", "malformed JSON");
	expect_einval("{\"op\":", "malformed JSON");
	expect_einval("{\"op\":\"x\"", "malformed JSON");
	expect_einval("nonsense", "malformed JSON");
	expect_einval("[1,2]", "not a JSON object");
	expect_einval("\"network.ls\"", "not a JSON object");
	expect_einval("42", "malformed");	/* a number might go on */
	expect_einval("true ", "not a JSON object");
	expect_einval("{}", "no \"op\"");
	expect_einval("{\"args\":{}}", "no \"op\"");
	expect_einval("{\"op\":1}", "no \"op\"");
	expect_einval("{\"op\":null}", "no \"op\"");
	expect_einval("{\"op\":\"\"}", "no \"op\"");
	expect_einval("{\"op\":\"x\",\"args\":[]}", "not an object");
	expect_einval("{\"op\":\"x\",\"args\":\"a\"}", "not an object");
	expect_einval("{\"op\":\"x\"} x", "trailing");
	expect_einval("{\"op\":\"x\"}{\"op\":\"y\"}", "trailing");
}

static void test_parse_accepts(void **state)
{
	struct proto_req req;
	char err[256];

	assert_int_equal(parse("{\"op\":\"network.ls\"}", &req, err, sizeof(err)), 0);
	assert_string_equal(req.op, "network.ls");
	assert_true(json_object_is_type(req.args, json_type_object));
	assert_int_equal(json_object_object_length(req.args), 0);
	proto_req_free(&req);

	/* trailing whitespace (and a NUL some clients send) is fine */
	assert_int_equal(proto_req_parse("{\"op\":\"a\",\"args\":{\"k\":1}} \n\0", 27,
					 &req, err, sizeof(err)), 0);
	assert_string_equal(req.op, "a");
	assert_int_equal(json_object_object_length(req.args), 1);
	proto_req_free(&req);
}

static void test_parse_oversized(void **state)
{
	size_t len = PROTO_MAX_MSG + 1;
	char *buf = malloc(len);
	struct proto_req req;
	char err[256];

	assert_non_null(buf);
	memset(buf, ' ', len);
	memcpy(buf, "{\"op\":\"x\"}", 10);
	assert_int_equal(proto_req_parse(buf, len, &req, err, sizeof(err)), -EMSGSIZE);
	assert_null(req.msg);
	/* exactly the limit is fine */
	assert_int_equal(proto_req_parse(buf, PROTO_MAX_MSG, &req, err, sizeof(err)), 0);
	proto_req_free(&req);
	free(buf);
}

static void test_dispatch_errors(void **state)
{
	struct tmvmd t;
	struct json_object *r;
	int p[2];

	tmvmd_start(&t, NULL, 0);

	r = call_err(&t, "EOPNOTSUPP", "{\"op\":\"network.explode\"}");
	assert_string_equal(reply_error(r), "unknown operation 'network.explode'");
	json_object_put(r);
	json_object_put(call_err(&t, "EINVAL", "{\"op\":"));
	json_object_put(call_err(&t, "EINVAL", "[]"));
	json_object_put(call_err(&t, "EINVAL", "{\"op\":\"network.ls\",\"args\":7}"));

	/* arguments of the wrong type */
	r = call_err(&t, "EINVAL", "{\"op\":\"network.create\",\"args\":{\"name\":5}}");
	assert_non_null(strstr(reply_error(r), "'name'"));
	json_object_put(r);
	json_object_put(call_err(&t, "EINVAL", "{\"op\":\"network.inspect\"}"));
	json_object_put(call_err(&t, "EINVAL",
		"{\"op\":\"network.create\",\"args\":{\"name\":\"a\",\"mtu\":\"big\"}}"));
	json_object_put(call_err(&t, "EINVAL",
		"{\"op\":\"guest.create\",\"args\":{\"networks\":[1]}}"));
	json_object_put(call_err(&t, "EINVAL",
		"{\"op\":\"guest.create\",\"args\":{\"command\":\"ls\"}}"));

	/* unknown keys in args are ignored */
	json_object_put(call_ok(&t, "{\"op\":\"network.ls\",\"args\":{\"zz\":1}}"));

	/* descriptors sent to an op that takes none are refused and closed */
	assert_int_equal(pipe(p), 0);
	r = ctl_dispatch(&t.d, NULL, "{\"op\":\"network.ls\"}", 19, &p[0], 1);
	assert_string_equal(reply_errno(r), "EINVAL");
	assert_non_null(strstr(reply_error(r), "no file descriptors"));
	json_object_put(r);
	assert_int_equal(fcntl(p[0], F_GETFD), -1);
	close(p[1]);

	/* and so are those of a malformed request */
	assert_int_equal(pipe(p), 0);
	r = ctl_dispatch(&t.d, NULL, "{", 1, &p[0], 1);
	json_object_put(r);
	assert_int_equal(fcntl(p[0], F_GETFD), -1);
	close(p[1]);

	tmvmd_stop(&t);
	tmvmd_cleanup(&t);
}

static void test_dispatch_status(void **state)
{
	struct tmvmd t;
	struct json_object *r, *res, *v;

	tmvmd_start(&t, NULL, 0);
	r = call_ok(&t, "{\"op\":\"system.status\"}");
	res = reply_result(r);
	assert_true(json_object_object_get_ex(res, "pid", &v));
	assert_int_equal(json_object_get_int(v), getpid());
	assert_true(json_object_object_get_ex(res, "networks", &v));
	assert_int_equal(json_object_get_int(v), 1);	/* default */
	assert_true(json_object_object_get_ex(res, "config_errors", &v));
	assert_int_equal(json_object_array_length(v), 0);
	assert_true(json_object_object_get_ex(res, "state_dir", &v));
	assert_non_null(strstr(json_object_get_string(v), t.dir));
	json_object_put(r);
	tmvmd_stop(&t);
	tmvmd_cleanup(&t);
}

static void test_networks(void **state)
{
	struct tmvmd t;
	struct json_object *r, *res, *v;

	tmvmd_start(&t, NULL, 0);
	r = call_ok(&t, "{\"op\":\"network.create\",\"args\":{\"name\":\"lab\","
		    "\"subnet\":\"10.251.0.0/24\",\"mtu\":9000,\"internal\":true,"
		    "\"labels\":{\"team\":\"net\"}}}");
	res = reply_result(r);
	json_object_object_get_ex(res, "gateway", &v);
	assert_string_equal(json_object_get_string(v), "10.251.0.1");
	json_object_object_get_ex(res, "mode", &v);
	assert_string_equal(json_object_get_string(v), "internal");
	json_object_object_get_ex(res, "source", &v);
	assert_string_equal(json_object_get_string(v), "cli");
	json_object_object_get_ex(res, "gateway_mac", &v);
	assert_memory_equal(json_object_get_string(v), "02:6d:76:", 9);
	json_object_put(r);

	json_object_put(call_err(&t, "EEXIST", "{\"op\":\"network.create\",\"args\":{\"name\":\"lab\"}}"));
	r = call_err(&t, "EADDRINUSE", "{\"op\":\"network.create\",\"args\":"
		     "{\"name\":\"lab2\",\"subnet\":\"10.251.0.128/25\"}}");
	assert_string_equal(reply_error(r),
			    "subnet 10.251.0.128/25 overlaps network 'lab' (10.251.0.0/24)");
	json_object_put(r);
	json_object_put(call_err(&t, "EINVAL", "{\"op\":\"network.create\",\"args\":"
				 "{\"name\":\"x\",\"subnet\":\"10.0.0.1/24\"}}"));
	json_object_put(call_err(&t, "EINVAL", "{\"op\":\"network.create\",\"args\":"
				 "{\"name\":\"x\",\"mtu\":65521}}"));
	json_object_put(call_err(&t, "EINVAL", "{\"op\":\"network.create\",\"args\":"
				 "{\"name\":\"-x\"}}"));
	json_object_put(call_err(&t, "EINVAL", "{\"op\":\"network.create\",\"args\":"
				 "{\"name\":\"x\",\"labels\":{\"k\":1}}}"));

	/* ls with a label filter; inspect has stats */
	r = call_ok(&t, "{\"op\":\"network.ls\",\"args\":{\"labels\":{\"team\":\"net\"}}}");
	assert_int_equal(json_object_array_length(reply_result(r)), 1);
	json_object_put(r);
	r = call_ok(&t, "{\"op\":\"network.ls\",\"args\":{\"labels\":{\"team\":\"x\"}}}");
	assert_int_equal(json_object_array_length(reply_result(r)), 0);
	json_object_put(r);
	r = call_ok(&t, "{\"op\":\"network.inspect\",\"args\":{\"name\":\"lab\"}}");
	assert_true(json_object_object_get_ex(reply_result(r), "stats", &v));
	json_object_put(r);

	json_object_put(call_err(&t, "EPERM", "{\"op\":\"network.rm\",\"args\":{\"name\":\"default\"}}"));
	json_object_put(call_err(&t, "ENOENT", "{\"op\":\"network.rm\",\"args\":{\"name\":\"nope\"}}"));

	/* a guest pins its network: rm names it, prune skips it */
	json_object_put(call_ok(&t, "{\"op\":\"guest.create\",\"args\":{\"name\":\"web\","
				"\"networks\":[\"lab\"]}}"));
	r = call_err(&t, "EBUSY", "{\"op\":\"network.rm\",\"args\":{\"name\":\"lab\"}}");
	assert_string_equal(reply_error(r), "network 'lab' has guests attached: web");
	json_object_put(r);
	json_object_put(call_ok(&t, "{\"op\":\"network.create\",\"args\":{\"name\":\"spare\"}}"));
	r = call_ok(&t, "{\"op\":\"network.prune\"}");
	json_object_object_get_ex(reply_result(r), "removed", &v);
	assert_int_equal(json_object_array_length(v), 1);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "spare");
	json_object_put(r);
	json_object_put(call_ok(&t, "{\"op\":\"guest.rm\",\"args\":{\"name\":\"web\"}}"));
	json_object_put(call_ok(&t, "{\"op\":\"network.rm\",\"args\":{\"name\":\"lab\"}}"));
	json_object_put(call_err(&t, "ENOENT", "{\"op\":\"network.inspect\",\"args\":{\"name\":\"lab\"}}"));

	/* capture needs its descriptor */
	json_object_put(call_err(&t, "EINVAL", "{\"op\":\"network.capture\",\"args\":{\"name\":\"default\"}}"));
	tmvmd_stop(&t);
	tmvmd_cleanup(&t);
}

static void test_config_networks(void **state)
{
	static const char conf[] =
		"networks = {\n"
		"  cfgnet = { subnet = \"10.252.0.0/24\"; mode = \"internal\"; };\n"
		"  broken = { subnet = \"10.252.9.0/33\"; };\n"
		"  clash = { subnet = \"10.252.0.0/25\"; };\n"
		"};\n";
	struct tmvmd t;
	struct json_object *r, *v;
	const char *e;

	tmvmd_start(&t, conf, 0);
	r = call_ok(&t, "{\"op\":\"network.inspect\",\"args\":{\"name\":\"cfgnet\"}}");
	json_object_object_get_ex(reply_result(r), "source", &v);
	assert_string_equal(json_object_get_string(v), "config");
	json_object_object_get_ex(reply_result(r), "config_file", &v);
	assert_string_equal(json_object_get_string(v), t.conf);
	json_object_put(r);
	r = call_err(&t, "EROFS", "{\"op\":\"network.rm\",\"args\":{\"name\":\"cfgnet\"}}");
	assert_non_null(strstr(reply_error(r), t.conf));
	json_object_put(r);

	/* both bad entries are reported, with file and line; the others live */
	r = call_ok(&t, "{\"op\":\"system.status\"}");
	json_object_object_get_ex(reply_result(r), "config_errors", &v);
	assert_int_equal(json_object_array_length(v), 2);
	e = json_object_get_string(json_object_array_get_idx(v, 0));
	assert_non_null(strstr(e, ":3:"));
	e = json_object_get_string(json_object_array_get_idx(v, 1));
	assert_non_null(strstr(e, ":4:"));
	assert_non_null(strstr(e, "overlaps"));
	json_object_put(r);
	json_object_put(call_err(&t, "ENOENT", "{\"op\":\"network.inspect\",\"args\":{\"name\":\"broken\"}}"));

	/* config networks are not persisted */
	tmvmd_stop(&t);
	tmvmd_start(&t, NULL, 1);
	json_object_put(call_err(&t, "ENOENT", "{\"op\":\"network.inspect\",\"args\":{\"name\":\"cfgnet\"}}"));
	/* a CLI network keeps its name against a config one */
	json_object_put(call_ok(&t, "{\"op\":\"network.create\",\"args\":{\"name\":\"cfgnet\","
				"\"subnet\":\"10.253.0.0/24\"}}"));
	tmvmd_stop(&t);
	tmvmd_start(&t, conf, 1);
	r = call_ok(&t, "{\"op\":\"network.inspect\",\"args\":{\"name\":\"cfgnet\"}}");
	json_object_object_get_ex(reply_result(r), "source", &v);
	assert_string_equal(json_object_get_string(v), "cli");
	json_object_put(r);
	r = call_ok(&t, "{\"op\":\"system.status\"}");
	json_object_object_get_ex(reply_result(r), "config_errors", &v);
	assert_non_null(strstr(json_object_to_json_string(v), "already exists"));
	json_object_put(r);
	tmvmd_stop(&t);
	tmvmd_cleanup(&t);
}

/* ---- a real socket, through ctl_listen() and ctl_loop() ---- */

static void *loop_thread(void *arg)
{
	ctl_loop(arg);
	return NULL;
}

static struct json_object *sock_call(int fd, const char *msg, size_t len)
{
	struct json_object *r = NULL;

	assert_int_equal(fdpass_send(fd, msg, len, NULL, 0), (ssize_t)len);
	assert_int_equal(proto_recv(fd, &r, NULL, NULL), 0);
	return r;
}

static int sock_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void capture_on_own_connection(const char *path)
{
	static const char create[] = "{\"op\":\"network.create\",\"args\":{\"name\":\"cx\"}}";
	static const char cap[] = "{\"op\":\"network.capture\",\"args\":{\"name\":\"cx\"}}";
	static const char rm[] = "{\"op\":\"network.rm\",\"args\":{\"name\":\"cx\"}}";
	struct json_object *r;
	const char *ev;
	char hdr[24];
	int fd = sock_connect(path), p[2];

	r = sock_call(fd, create, strlen(create));
	assert_string_equal(reply_errno(r), "");
	json_object_put(r);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(fdpass_send(fd, cap, strlen(cap), &p[1], 1), (ssize_t)strlen(cap));
	close(p[1]);
	assert_int_equal(proto_recv(fd, &r, NULL, NULL), 0);
	assert_string_equal(reply_errno(r), "");
	json_object_put(r);
	/* the pcap file header is there before the reply */
	assert_int_equal(read(p[0], hdr, sizeof(hdr)), 24);

	r = sock_call(fd, rm, strlen(rm));
	assert_int_equal(proto_get_str(r, "event", &ev), 0);
	assert_string_equal(ev, "capture.done");
	assert_non_null(strstr(reply_error(r), "was removed"));
	json_object_put(r);
	assert_int_equal(proto_recv(fd, &r, NULL, NULL), 0);
	assert_string_equal(reply_errno(r), "");
	json_object_put(r);
	assert_int_equal(proto_recv(fd, &r, NULL, NULL), -ECONNRESET);
	close(fd);
	close(p[0]);
}

static void test_socket_roundtrip(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct json_object *r;
	struct tmvmd t;
	pthread_t th;
	char err[256], *big;
	int fd, sz = 1 << 20;
	struct stat st;

	tmvmd_start(&t, NULL, 0);
	assert_int_equal(ctl_listen(&t.d, err, sizeof(err)), 0);
	assert_int_equal(stat(t.d.sock_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(pthread_create(&th, NULL, loop_thread, &t.d), 0);

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	strcpy(sa.sun_path, t.d.sock_path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);

	/* oversized: EMSGSIZE, and the connection stays usable */
	big = malloc(PROTO_MAX_MSG + 100);
	assert_non_null(big);
	memset(big, ' ', PROTO_MAX_MSG + 100);
	memcpy(big, "{\"op\":\"network.ls\"}", 19);
	r = sock_call(fd, big, PROTO_MAX_MSG + 100);
	assert_string_equal(reply_errno(r), "EMSGSIZE");
	json_object_put(r);
	free(big);

	r = sock_call(fd, "not json", 8);
	assert_string_equal(reply_errno(r), "EINVAL");
	json_object_put(r);
	r = sock_call(fd, "{\"op\":\"nope\"}", 13);
	assert_string_equal(reply_errno(r), "EOPNOTSUPP");
	json_object_put(r);
	r = sock_call(fd, "{\"op\":\"network.ls\"}", 19);
	assert_string_equal(reply_errno(r), "");
	assert_int_equal(json_object_array_length(reply_result(r)), 1);
	json_object_put(r);

	/* a capture ended by removing its network, from its own connection:
	 * the event, then the reply, then the connection closes */
	capture_on_own_connection(t.d.sock_path);

	/* system.stop answers once the loop has finished */
	r = sock_call(fd, "{\"op\":\"system.stop\"}", 20);
	assert_string_equal(reply_errno(r), "");
	json_object_put(r);
	assert_int_equal(pthread_join(th, NULL), 0);
	close(fd);
	ctl_close(&t.d);
	assert_int_equal(access(t.d.sock_path, F_OK), -1);
	tmvmd_stop(&t);
	tmvmd_cleanup(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_accepts),
		cmocka_unit_test(test_parse_oversized),
		cmocka_unit_test(test_dispatch_errors),
		cmocka_unit_test(test_dispatch_status),
		cmocka_unit_test(test_networks),
		cmocka_unit_test(test_config_networks),
		cmocka_unit_test(test_socket_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
