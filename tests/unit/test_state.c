// SPDX-License-Identifier: MIT
/*
 * test_state.c - mvmd's guests (address and MAC allocation, names, the
 * interface description handed to the CLI) and state.json (save/load
 * round trip, dead and live guests across a restart, corrupt files)
 */
#include "mvmd_testlib.h"

#include "mvmd/guest.h"
#include "mvmd/names.h"
#include "mvmd/network.h"
#include "mvmd/state.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

static struct json_object *iface(struct json_object *guest, size_t i)
{
	struct json_object *ifs;

	assert_true(json_object_object_get_ex(guest, "interfaces", &ifs));
	return json_object_array_get_idx(ifs, i);
}

static const char *field(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v))
		return NULL;
	return json_object_get_string(v);
}

static void test_addresses(void **state)
{
	struct tmvmd t;
	struct json_object *r;
	struct guest *g;
	char name[16];
	int i;

	tmvmd_start(&t, NULL, 0);
	/* a /29: .0 network, .1 gateway, .7 broadcast -> .2 to .6 */
	json_object_put(call_ok(&t, "{\"op\":\"network.create\",\"args\":{\"name\":\"tiny\","
				"\"subnet\":\"10.254.0.0/29\"}}"));
	for (i = 2; i <= 6; i++) {
		char want[16];

		snprintf(want, sizeof(want), "10.254.0.%d", i);
		r = call_ok(&t, "{\"op\":\"guest.create\",\"args\":{\"name\":\"g%d\","
			    "\"networks\":[\"tiny\"]}}", i);
		assert_string_equal(field(iface(reply_result(r), 0), "ip"), want);
		json_object_put(r);
	}
	r = call_err(&t, "ENOSPC", "{\"op\":\"guest.create\",\"args\":{\"networks\":[\"tiny\"]}}");
	assert_string_equal(reply_error(r), "network 'tiny' has no free addresses");
	json_object_put(r);
	assert_int_equal(t.d.n_guests, 5);	/* nothing half-created */

	/* an exited guest frees its address, which is handed out again */
	g = guest_find(&t.d, "g3");
	assert_non_null(g);
	assert_int_equal(guest_exited(&t.d, g, 0), 0);
	r = call_ok(&t, "{\"op\":\"guest.inspect\",\"args\":{\"name\":\"g3\"}}");
	assert_null(field(iface(reply_result(r), 0), "ip"));
	assert_string_equal(field(reply_result(r), "state"), "exited");
	json_object_put(r);
	r = call_ok(&t, "{\"op\":\"guest.create\",\"args\":{\"name\":\"again\","
		    "\"networks\":[\"tiny\"]}}");
	assert_string_equal(field(iface(reply_result(r), 0), "ip"), "10.254.0.3");
	json_object_put(r);

	/* removing a guest frees its address too */
	json_object_put(call_ok(&t, "{\"op\":\"guest.rm\",\"args\":{\"name\":\"g5\"}}"));
	r = call_ok(&t, "{\"op\":\"guest.create\",\"args\":{\"networks\":[\"tiny\"]}}");
	assert_string_equal(field(iface(reply_result(r), 0), "ip"), "10.254.0.5");
	/* a generated name is a valid, unused name */
	snprintf(name, sizeof(name), "%s", field(reply_result(r), "name"));
	assert_true(name_valid(name));
	assert_non_null(strchr(name, '-'));
	json_object_put(r);
	tmvmd_stop(&t);
	tmvmd_cleanup(&t);
}

static void test_macs_and_names(void **state)
{
	struct tmvmd t;
	uint8_t macs[64][6];
	char buf[64];
	int i, k;

	tmvmd_start(&t, NULL, 0);
	for (i = 0; i < 64; i++) {
		struct guest *g;
		char err[256];
		const char *nets[] = { "default" };
		struct guest_spec s = { .networks = nets, .n_networks = 1 };

		assert_int_equal(guest_create(&t.d, &s, &g, err, sizeof(err)), 0);
		memcpy(macs[i], g->ifs[0].mac, 6);
		assert_int_equal(macs[i][0] & 0x01, 0);	/* unicast */
		assert_int_equal(macs[i][0] & 0x02, 0x02);	/* local */
		for (k = 0; k < i; k++)
			assert_memory_not_equal(macs[i], macs[k], 6);
		assert_true(name_valid(g->name));
	}
	/* every generated name is a DNS label, with or without suffix */
	for (i = 0; i < 5000; i++) {
		names_generate((uint64_t)i * 7919u, buf, sizeof(buf));
		if (!name_valid(buf))
			fail_msg("'%s' is not a valid name", buf);
	}
	names_generate(names_count() * 3 + 5, buf, sizeof(buf));
	assert_non_null(strchr(strchr(buf, '-') + 1, '-'));
	tmvmd_stop(&t);
	tmvmd_cleanup(&t);
}

static void test_guest_create_errors(void **state)
{
	struct tmvmd t;
	struct json_object *r;

	tmvmd_start(&t, NULL, 0);
	json_object_put(call_ok(&t, "{\"op\":\"guest.create\",\"args\":{\"name\":\"web\"}}"));
	r = call_err(&t, "EEXIST", "{\"op\":\"guest.create\",\"args\":{\"name\":\"web\"}}");
	assert_string_equal(reply_error(r),
			    "a guest named 'web' already exists; remove it with 'mvm rm web'");
	json_object_put(r);
	r = call_err(&t, "ENOENT", "{\"op\":\"guest.create\",\"args\":{\"networks\":[\"nope\"]}}");
	assert_string_equal(reply_error(r), "network 'nope' does not exist");
	json_object_put(r);
	json_object_put(call_err(&t, "EINVAL", "{\"op\":\"guest.create\",\"args\":"
				 "{\"networks\":[\"default\",\"default\"]}}"));
	json_object_put(call_err(&t, "EINVAL", "{\"op\":\"guest.create\",\"args\":{\"name\":\"Web\"}}"));
	json_object_put(call_err(&t, "EINVAL", "{\"op\":\"guest.create\",\"args\":{\"kind\":\"vm\"}}"));
	/* signals and attach need a running guest / a live process */
	json_object_put(call_err(&t, "EINVAL", "{\"op\":\"guest.signal\",\"args\":"
				 "{\"name\":\"web\",\"signal\":15}}"));
	json_object_put(call_err(&t, "EINVAL", "{\"op\":\"guest.exit\",\"args\":"
				 "{\"name\":\"web\",\"exit_code\":0}}"));
	json_object_put(call_err(&t, "EINVAL", "{\"op\":\"guest.attach\",\"args\":"
				 "{\"name\":\"web\",\"pid\":1}}"));	/* no tap fd */
	json_object_put(call_err(&t, "ENOENT", "{\"op\":\"guest.inspect\",\"args\":{\"name\":\"x\"}}"));
	tmvmd_stop(&t);
	tmvmd_cleanup(&t);
}

static void test_default_route(void **state)
{
	struct tmvmd t;
	struct json_object *r, *i0, *i1, *v;

	tmvmd_start(&t, NULL, 0);
	json_object_put(call_ok(&t, "{\"op\":\"network.create\",\"args\":{\"name\":\"int\","
				"\"internal\":true,\"mtu\":9000}}"));
	r = call_ok(&t, "{\"op\":\"guest.create\",\"args\":{\"name\":\"two\","
		    "\"networks\":[\"int\",\"default\"],\"command\":[\"sh\",\"-c\",\"x\"]}}");
	i0 = iface(reply_result(r), 0);
	i1 = iface(reply_result(r), 1);
	assert_string_equal(field(i0, "ifname"), "eth0");
	assert_string_equal(field(i1, "ifname"), "eth1");
	json_object_object_get_ex(i0, "default_route", &v);
	assert_false(json_object_get_boolean(v));
	json_object_object_get_ex(i1, "default_route", &v);
	assert_true(json_object_get_boolean(v));
	json_object_object_get_ex(i0, "mtu", &v);
	assert_int_equal(json_object_get_int(v), 9000);
	assert_string_equal(field(i0, "domain"), "int.mvm");
	assert_string_equal(field(i1, "dns"), field(i1, "gateway"));
	assert_string_equal(field(reply_result(r), "state"), "created");
	json_object_put(r);
	tmvmd_stop(&t);
	tmvmd_cleanup(&t);
}

/* a pid that existed and no longer does */
static pid_t dead_pid(void)
{
	pid_t p = fork();

	if (!p)
		_exit(0);
	waitpid(p, NULL, 0);
	return p;
}

static void test_roundtrip(void **state)
{
	struct tmvmd t;
	struct json_object *r, *res, *v;
	struct guest *g;
	char ip_live[16], ip_dead[16];
	uint32_t a;

	tmvmd_start(&t, NULL, 0);
	json_object_put(call_ok(&t, "{\"op\":\"network.create\",\"args\":{\"name\":\"keep\","
				"\"subnet\":\"10.249.0.0/24\",\"mtu\":4000,\"internal\":true,"
				"\"labels\":{\"k\":\"v\"}}}"));
	json_object_put(call_ok(&t, "{\"op\":\"guest.create\",\"args\":{\"name\":\"done\","
				"\"networks\":[\"keep\"],\"command\":[\"true\"]}}"));
	guest_exited(&t.d, guest_find(&t.d, "done"), 3);
	json_object_put(call_ok(&t, "{\"op\":\"guest.create\",\"args\":{\"name\":\"never\"}}"));
	/* "running" guests, as if attached: one whose pid lives, one dead */
	json_object_put(call_ok(&t, "{\"op\":\"guest.create\",\"args\":{\"name\":\"live\","
				"\"networks\":[\"keep\",\"default\"]}}"));
	g = guest_find(&t.d, "live");
	g->state = GUEST_RUNNING;
	g->pid = getpid();
	ip4_format(g->ifs[0].ip, ip_live);
	json_object_put(call_ok(&t, "{\"op\":\"guest.create\",\"args\":{\"name\":\"dead\","
				"\"networks\":[\"keep\"]}}"));
	g = guest_find(&t.d, "dead");
	g->state = GUEST_RUNNING;
	g->pid = dead_pid();
	ip4_format(g->ifs[0].ip, ip_dead);
	assert_int_equal(state_save(&t.d), 0);
	tmvmd_stop(&t);

	tmvmd_start(&t, NULL, 1);
	r = call_ok(&t, "{\"op\":\"network.inspect\",\"args\":{\"name\":\"keep\"}}");
	res = reply_result(r);
	assert_string_equal(field(res, "subnet"), "10.249.0.0/24");
	assert_string_equal(field(res, "mode"), "internal");
	json_object_object_get_ex(res, "mtu", &v);
	assert_int_equal(json_object_get_int(v), 4000);
	json_object_object_get_ex(res, "labels", &v);
	assert_string_equal(field(v, "k"), "v");
	json_object_put(r);
	r = call_ok(&t, "{\"op\":\"network.inspect\",\"args\":{\"name\":\"default\"}}");
	assert_string_equal(field(reply_result(r), "source"), "default");
	json_object_put(r);

	r = call_ok(&t, "{\"op\":\"guest.inspect\",\"args\":{\"name\":\"done\"}}");
	res = reply_result(r);
	assert_string_equal(field(res, "state"), "exited");
	json_object_object_get_ex(res, "exit_code", &v);
	assert_int_equal(json_object_get_int(v), 3);
	json_object_object_get_ex(res, "command", &v);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "true");
	json_object_put(r);

	/* created but never attached: its creator is gone */
	json_object_put(call_err(&t, "ENOENT", "{\"op\":\"guest.inspect\",\"args\":{\"name\":\"never\"}}"));

	/* the live one waits for its supervisor, address kept */
	r = call_ok(&t, "{\"op\":\"guest.inspect\",\"args\":{\"name\":\"live\"}}");
	res = reply_result(r);
	assert_string_equal(field(res, "state"), "running");
	json_object_object_get_ex(res, "pid", &v);
	assert_int_equal(json_object_get_int(v), getpid());
	assert_string_equal(field(iface(res, 0), "ip"), ip_live);
	assert_string_equal(field(iface(res, 1), "network"), "default");
	json_object_put(r);
	g = guest_find(&t.d, "live");
	assert_true(g->pidfd >= 0);
	g->state = GUEST_EXITED;	/* don't let fini think it runs */

	/* the dead one is exited (-1) and its address is free again */
	r = call_ok(&t, "{\"op\":\"guest.inspect\",\"args\":{\"name\":\"dead\"}}");
	res = reply_result(r);
	assert_string_equal(field(res, "state"), "exited");
	json_object_object_get_ex(res, "exit_code", &v);
	assert_int_equal(json_object_get_int(v), -1);
	assert_null(field(iface(res, 0), "ip"));
	json_object_put(r);
	assert_int_equal(ip4_parse(ip_dead, &a), 0);
	assert_false(guest_ip_in_use(&t.d, "keep", a));
	r = call_ok(&t, "{\"op\":\"guest.create\",\"args\":{\"networks\":[\"keep\"]}}");
	assert_string_equal(field(iface(reply_result(r), 0), "ip"), ip_dead);
	json_object_put(r);
	tmvmd_stop(&t);
	tmvmd_cleanup(&t);
}

static int count_corrupt(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "state.json.corrupt-", 19);
	closedir(d);
	return n;
}

static void write_state(struct tmvmd *t, const char *text)
{
	char path[256], dir[200];

	snprintf(dir, sizeof(dir), "%s/state", t->dir);
	assert_int_equal(mkdir_p(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/state.json", dir);
	assert_int_equal(file_write_atomic(path, text, strlen(text), 0600), 0);
}

static void test_corrupt_state(void **state)
{
	struct tmvmd t;
	struct json_object *r;
	char dir[200];

	strcpy(t.dir, "/tmp/mvmd-test.XXXXXX");
	assert_non_null(mkdtemp(t.dir));
	snprintf(dir, sizeof(dir), "%s/state", t.dir);

	/* not JSON at all: moved aside, started empty (with default) */
	write_state(&t, "{\"version\":1,\"networks\":[{\"name\":");
	tmvmd_start(&t, NULL, 1);
	assert_int_equal(count_corrupt(dir), 1);
	assert_int_equal(t.d.n_nets, 1);
	tmvmd_stop(&t);

	/* valid JSON with bad entries: those are skipped, the rest loads */
	write_state(&t, "{\"version\":1,\"networks\":["
		    "{\"name\":\"ok\",\"subnet\":\"10.248.0.0/24\"},"
		    "{\"name\":\"BAD\",\"subnet\":\"10.248.1.0/24\"},"
		    "{\"name\":\"nosub\"}, 7, null],"
		    "\"guests\":[{\"name\":\"g\",\"state\":\"exited\",\"interfaces\":"
		    "[{\"network\":\"ok\",\"ifname\":\"eth0\",\"mac\":\"zz\"}]},"
		    "{\"name\":\"h\",\"state\":\"exited\",\"exit_code\":1,\"interfaces\":"
		    "[{\"network\":\"ok\",\"ifname\":\"eth0\",\"mac\":\"02:00:00:00:00:01\"}]},"
		    "\"junk\"]}");
	tmvmd_start(&t, NULL, 1);
	json_object_put(call_ok(&t, "{\"op\":\"network.inspect\",\"args\":{\"name\":\"ok\"}}"));
	assert_int_equal(t.d.n_nets, 2);
	assert_int_equal(t.d.n_guests, 1);
	r = call_ok(&t, "{\"op\":\"guest.inspect\",\"args\":{\"name\":\"h\"}}");
	json_object_put(r);
	tmvmd_stop(&t);
	assert_int_equal(count_corrupt(dir), 1);
	tmvmd_cleanup(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_macs_and_names),
		cmocka_unit_test(test_guest_create_errors),
		cmocka_unit_test(test_default_route),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_corrupt_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
