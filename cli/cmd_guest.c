// SPDX-License-Identifier: MIT
/* cmd_guest.c - mvm ps | inspect | stop | kill | rm | logs */
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/fmt.h"
#include "cli/publish.h"
#include "cli/table.h"
#include "common/paths.h"
#include "common/proto.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STOP_POLL_US 50000	/* mvm stop polls guest.inspect this often */
#define KILL_WAIT_S 5		/* after SIGKILL, wait this long at most */
#define LOGS_POLL_US 200000	/* mvm logs -f checks for output this often */

/* --help, and nothing else, for commands that take NAME... */
static int names_only(const char *cmd, const char *help, const char *shortopts,
		      const struct option *opts, int argc, char **argv,
		      int (*each)(int c, const char *arg, void *data), void *data)
{
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return -1;
		}
		if (c == '?' || c == ':' || !each)
			return cli_bad_option(cmd, argv);
		ret = each(c, optarg, data);
		if (ret)
			return ret;
	}
	if (optind >= argc)
		return cli_usage_error(cmd, "at least one NAME is required");
	return 0;
}

static char *guest_state(struct json_object *g, char *buf, size_t size)
{
	int64_t code;

	if (!strcmp(cli_jstr(g, "state"), "exited") && !proto_get_int(g, "exit_code", &code))
		snprintf(buf, size, "exited (%lld)", (long long)code);
	else
		snprintf(buf, size, "%s", cli_jstr(g, "state"));
	return buf;
}

/* "127.0.0.1:8080->80/tcp, 0.0.0.0:53->53/udp": the active publications */
static char *ps_ports(struct json_object *g, char *buf, size_t size)
{
	struct json_object *pubs;
	size_t i, at = 0;

	buf[0] = '\0';
	if (proto_get_arr(g, "publish", &pubs))
		return buf;
	for (i = 0; i < json_object_array_length(pubs) && at + 1 < size; i++) {
		struct json_object *p = json_object_array_get_idx(pubs, i);
		char one[96];
		int active = 0, r;

		if (proto_get_bool(p, "active", &active) || !active ||
		    !*cli_pub_format(p, one, sizeof(one)))
			continue;
		r = snprintf(buf + at, size - at, "%s%s", at ? ", " : "", one);
		if (r < 0 || (size_t)r >= size - at)
			break;
		at += (size_t)r;
	}
	return buf;
}

static void ps_table(struct json_object *list)
{
	static const char *const hdr[] = { "NAME", "KIND", "STATE", "PID", "NETWORKS",
					   "ADDRESSES", "PORTS", "COMMAND", "CREATED" };
	struct table *t = table_new(hdr, 9);
	time_t now = time(NULL);
	size_t i, j;

	if (!t)
		return;
	for (i = 0; i < json_object_array_length(list); i++) {
		struct json_object *g = json_object_array_get_idx(list, i), *ifs, *cmd;
		struct json_object *nets = json_object_new_array();
		struct json_object *ips = json_object_new_array();
		char state[32], pid[16] = "", netbuf[256], ipbuf[256], cmdbuf[64],
		     created[32] = "", ports[512];
		const char *row[9];
		time_t t0;
		int64_t v;

		if (!proto_get_int(g, "pid", &v))
			snprintf(pid, sizeof(pid), "%lld", (long long)v);
		if (!proto_get_arr(g, "interfaces", &ifs)) {
			for (j = 0; j < json_object_array_length(ifs); j++) {
				struct json_object *f = json_object_array_get_idx(ifs, j);

				json_object_array_add(nets, json_object_new_string(cli_jstr(f, "network")));
				if (*cli_jstr(f, "ip"))
					json_object_array_add(ips, json_object_new_string(cli_jstr(f, "ip")));
			}
		}
		if (proto_get_arr(g, "command", &cmd))
			cmd = NULL;
		if (!fmt_parse_time(cli_jstr(g, "created"), &t0))
			fmt_ago(t0, now, created, sizeof(created));
		row[0] = cli_jstr(g, "name");
		row[1] = cli_jstr(g, "kind");
		row[2] = guest_state(g, state, sizeof(state));
		row[3] = pid;
		row[4] = fmt_join(nets, ",", 0, netbuf, sizeof(netbuf));
		row[5] = fmt_join(ips, ",", 0, ipbuf, sizeof(ipbuf));
		row[6] = ps_ports(g, ports, sizeof(ports));
		row[7] = fmt_join(cmd, " ", 30, cmdbuf, sizeof(cmdbuf));
		row[8] = created;
		table_add(t, row);
		json_object_put(nets);
		json_object_put(ips);
	}
	table_print(t, stdout);
	table_free(t);
}

/**
 * cmd_ps() - mvm ps [-a] [--format table|json] [-q]
 * @ctx, @argc, @argv:	as every command
 * Return: the exit status
 */
int cmd_ps(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char help[] =
		"Usage: mvm ps [-a] [--format table|json] [-q]\n\n"
		"List running guests (and created ones that are starting).\n\n"
		"  -a, --all                also guests that have exited\n"
		"      --format table|json  output format (default table)\n"
		"  -q, --quiet              print names only\n";
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'F' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum cli_format fmt = FMT_TABLE;
	struct json_object *args, *list;
	int c, all = 0, quiet = 0, ret;
	struct client cl;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "aqh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'F':
			if (cli_parse_format(optarg, &fmt))
				return cli_usage_error("ps", "--format must be table or json");
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cli_bad_option("ps", argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("ps", "unexpected argument '%s'", argv[optind]);
	if (cli_connect(ctx, &cl, 1))
		return 1;
	args = json_object_new_object();
	json_object_object_add(args, "all", json_object_new_boolean(all));
	ret = client_call(&cl, "guest.ls", args, NULL, 0, &list);
	client_close(&cl);
	if (ret)
		return cli_error("%s", cl.err);
	ret = cli_print_list(list, "guest.ls", quiet, fmt, ps_table);
	json_object_put(list);
	return ret;
}

static int guest_op(struct client *cl, const char *op, const char *name,
		    struct json_object *args, struct json_object **res)
{
	if (!args)
		args = json_object_new_object();
	json_object_object_add(args, "name", json_object_new_string(name));
	return client_call(cl, op, args, NULL, 0, res);
}

static int inspect_opt(int c, const char *arg, void *data)
{
	enum cli_format fmt;

	if (c != 'F' || cli_parse_format(arg, &fmt) || fmt != FMT_JSON)
		return cli_usage_error("inspect", "inspect prints JSON only (--format json)");
	return 0;
}

/**
 * cmd_inspect() - mvm inspect NAME...: guests as a JSON array
 * @ctx, @argc, @argv:	as every command
 * Return: the exit status (1 if any guest does not exist)
 */
int cmd_inspect(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char help[] =
		"Usage: mvm inspect NAME...\n\n"
		"Print the named guests as a JSON array: state, pid, exit code,\n"
		"command, times, interfaces (network, MAC, address, gateway, DNS) and\n"
		"published ports (\"publish\": host address and port, guest port,\n"
		"protocol, network, whether it is active).\n"
		"Exit status 1 if any guest does not exist (the others are printed).\n";
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *out, *res;
	struct client cl;
	int ret, failed = 0;

	ret = names_only("inspect", help, "h", opts, argc, argv, inspect_opt, NULL);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (cli_connect(ctx, &cl, 1))
		return 1;
	out = json_object_new_array();
	for (; optind < argc; optind++) {
		ret = guest_op(&cl, "guest.inspect", argv[optind], NULL, &res);
		if (ret) {
			failed = cli_error("%s", cl.err);
			if (ret == -ECONNRESET)
				break;
			continue;
		}
		json_object_array_add(out, res);
	}
	client_close(&cl);
	cli_print_json(out);
	json_object_put(out);
	return failed;
}

/* the guest's state: 1 running, 0 not, -errno (cl->err says why) */
static int is_running(struct client *cl, const char *name)
{
	struct json_object *g;
	int ret = guest_op(cl, "guest.inspect", name, NULL, &g);

	if (ret)
		return ret;
	ret = !strcmp(cli_jstr(g, "state"), "running");
	json_object_put(g);
	return ret;
}

static int send_signal(struct client *cl, const char *name, int sig)
{
	struct json_object *args = json_object_new_object();

	json_object_object_add(args, "signal", json_object_new_int(sig));
	return guest_op(cl, "guest.signal", name, args, NULL);
}

/* SIGTERM, wait up to @timeout s, SIGKILL, wait; 0 or -errno */
static int stop_one(struct client *cl, const char *name, unsigned long timeout)
{
	uint64_t t0 = now_mono_ns(), limit = timeout * 1000000000ull;
	int ret, killed = 0;

	ret = is_running(cl, name);
	if (ret <= 0)
		return ret;
	ret = send_signal(cl, name, SIGTERM);
	if (ret)
		return ret == -EINVAL ? 0 : ret;	/* exited meanwhile */
	for (;;) {
		ret = is_running(cl, name);
		if (ret <= 0)
			return ret;
		if (!killed && now_mono_ns() - t0 >= limit) {
			ret = send_signal(cl, name, SIGKILL);
			if (ret)
				return ret == -EINVAL ? 0 : ret;
			killed = 1;
			t0 = now_mono_ns();
			limit = KILL_WAIT_S * 1000000000ull;
		} else if (killed && now_mono_ns() - t0 >= limit) {
			snprintf(cl->err, sizeof(cl->err),
				 "guest '%s' is still running %d s after SIGKILL", name,
				 KILL_WAIT_S);
			return -ETIMEDOUT;
		}
		usleep(STOP_POLL_US);
	}
}

static int stop_opt(int c, const char *arg, void *data)
{
	if (c != 't' || fmt_parse_uint(arg, 0, 86400, data))
		return cli_usage_error("stop", "-t wants a number of seconds (0..86400)");
	return 0;
}

/**
 * cmd_stop() - mvm stop [-t SECONDS] NAME...
 * @ctx, @argc, @argv:	as every command
 * Return: the exit status (1 if any guest could not be stopped)
 */
int cmd_stop(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char help[] =
		"Usage: mvm stop [-t SECONDS] NAME...\n\n"
		"Stop running guests: SIGTERM, then SIGKILL after the timeout. Prints\n"
		"each name once the guest has exited. Stopping a guest that is not\n"
		"running succeeds.\n\n"
		"  -t, --time SECONDS   wait this long before SIGKILL (default 10)\n";
	static const struct option opts[] = {
		{ "time", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long timeout = 10;
	struct client cl;
	int ret, failed = 0;

	ret = names_only("stop", help, "t:h", opts, argc, argv, stop_opt, &timeout);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (cli_connect(ctx, &cl, 1))
		return 1;
	for (; optind < argc; optind++) {
		ret = stop_one(&cl, argv[optind], timeout);
		if (ret) {
			failed = cli_error("%s", cl.err);
			if (ret == -ECONNRESET)
				break;
			continue;
		}
		printf("%s\n", argv[optind]);
	}
	client_close(&cl);
	return failed;
}

static int kill_opt(int c, const char *arg, void *data)
{
	int sig = fmt_parse_signal(arg);

	if (c != 's' || sig < 0)
		return cli_usage_error("kill", "unknown signal '%s'", arg);
	*(int *)data = sig;
	return 0;
}

/**
 * cmd_kill() - mvm kill [-s SIGNAL] NAME...
 * @ctx, @argc, @argv:	as every command
 * Return: the exit status (1 if any signal could not be sent)
 */
int cmd_kill(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char help[] =
		"Usage: mvm kill [-s SIGNAL] NAME...\n\n"
		"Send a signal to running guests' commands and print each name.\n\n"
		"  -s, --signal SIGNAL   name (KILL, SIGTERM, hup) or number (default KILL)\n";
	static const struct option opts[] = {
		{ "signal", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct client cl;
	int ret, failed = 0, sig = SIGKILL;

	ret = names_only("kill", help, "s:h", opts, argc, argv, kill_opt, &sig);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (cli_connect(ctx, &cl, 1))
		return 1;
	for (; optind < argc; optind++) {
		ret = send_signal(&cl, argv[optind], sig);
		if (ret) {
			failed = cli_error("%s", cl.err);
			if (ret == -ECONNRESET)
				break;
			continue;
		}
		printf("%s\n", argv[optind]);
	}
	client_close(&cl);
	return failed;
}

static int guest_log_path(const char *name, char *buf, size_t size)
{
	char state[PATH_MAX];
	int ret = paths_state_dir(state, sizeof(state));

	if (ret)
		return ret;
	if (snprintf(buf, size, "%s/guests/%s.log", state, name) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

static int rm_opt(int c, const char *arg, void *data)
{
	if (c != 'f')
		return cli_usage_error("rm", "unknown option");
	*(int *)data = 1;
	return 0;
}

/**
 * cmd_rm() - mvm rm [-f] NAME...
 * @ctx, @argc, @argv:	as every command
 * Return: the exit status (1 if any guest could not be removed)
 */
int cmd_rm(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char help[] =
		"Usage: mvm rm [-f] NAME...\n\n"
		"Remove guests that are not running, with their logs, and print each\n"
		"name. A running guest is refused unless -f.\n\n"
		"  -f, --force   kill a running guest (SIGKILL) and remove it\n";
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *args;
	char log[PATH_MAX];
	struct client cl;
	int ret, failed = 0, force = 0;

	ret = names_only("rm", help, "fh", opts, argc, argv, rm_opt, &force);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (cli_connect(ctx, &cl, 1))
		return 1;
	for (; optind < argc; optind++) {
		args = json_object_new_object();
		json_object_object_add(args, "force", json_object_new_boolean(force));
		ret = guest_op(&cl, "guest.rm", argv[optind], args, NULL);
		if (ret) {
			failed = cli_error("%s", cl.err);
			if (ret == -ECONNRESET)
				break;
			continue;
		}
		if (name_valid(argv[optind]) && !guest_log_path(argv[optind], log, sizeof(log)))
			unlink(log);
		printf("%s\n", argv[optind]);
	}
	client_close(&cl);
	return failed;
}

/* copy what @fd has from its current offset to stdout */
static void pump(int fd)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			break;
	fflush(stdout);
}

static int logs_opt(int c, const char *arg, void *data)
{
	if (c != 'f')
		return cli_usage_error("logs", "unknown option");
	*(int *)data = 1;
	return 0;
}

/**
 * cmd_logs() - mvm logs [-f] NAME
 * @ctx, @argc, @argv:	as every command
 * Return: the exit status
 */
int cmd_logs(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char help[] =
		"Usage: mvm logs [-f] NAME\n\n"
		"Print the output (stdout and stderr) of a guest started with -d,\n"
		"kept in the state directory as guests/NAME.log.\n\n"
		"  -f, --follow   keep printing new output while the guest runs\n";
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char log[PATH_MAX];
	struct client cl;
	int ret, fd, follow = 0;

	ret = names_only("logs", help, "fh", opts, argc, argv, logs_opt, &follow);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind + 1 != argc)
		return cli_usage_error("logs", "exactly one NAME, please");
	if (!name_valid(argv[optind]))
		return cli_error("no such guest: '%s'", argv[optind]);
	ret = guest_log_path(argv[optind], log, sizeof(log));
	if (ret)
		return cli_error("cannot use the state directory: %s", strerror(-ret));
	fd = open(log, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return cli_error("guest '%s' has no log (only guests started with -d keep one)",
					 argv[optind]);
		return cli_error("cannot open %s: %s", log, strerror(errno));
	}
	pump(fd);
	if (follow) {
		if (cli_connect(ctx, &cl, 1)) {
			close(fd);
			return 1;
		}
		while ((ret = is_running(&cl, argv[optind])) == 1) {
			usleep(LOGS_POLL_US);
			pump(fd);
		}
		pump(fd);
		client_close(&cl);
		if (ret < 0 && ret != -ENOENT) {
			close(fd);
			return cli_error("%s", cl.err);
		}
	}
	close(fd);
	return 0;
}
