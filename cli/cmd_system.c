// SPDX-License-Identifier: MIT
/* cmd_system.c - mvm system start | stop | status */
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/fmt.h"
#include "common/paths.h"
#include "common/proto.h"
#include "common/util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STOP_TIMEOUT_MS 30000	/* mvmd stops guests with a 5 s grace first */

static const char system_usage[] =
	"Usage: mvm system COMMAND\n"
	"\n"
	"Manage mvmd, the per-user daemon that owns networks and guests.\n"
	"\n"
	"Commands:\n"
	"  start    start mvmd (other commands start it on demand)\n"
	"  stop     stop mvmd and the guests it runs\n"
	"  status   show whether mvmd runs, where its files are, and counts\n";

/* parse a subcommand that takes only --help (and --format for status) */
static int simple_opts(const char *cmd, const char *help, int argc, char **argv,
		       enum cli_format *fmt)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return -1;
		case 'F':
			if (fmt && !cli_parse_format(optarg, fmt))
				break;
			if (!fmt)
				return cli_usage_error(cmd, "no --format here");
			return cli_usage_error(cmd, "--format must be table or json");
		default:
			return cli_bad_option(cmd, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int system_start(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char help[] =
		"Usage: mvm system start\n\n"
		"Start mvmd in the background unless it is already running.\n"
		"Configuration errors are printed as warnings; mvmd keeps running\n"
		"without the networks it could not read.\n";
	struct json_object *st;
	struct client c;
	int64_t pid = 0;
	int ret;

	ret = simple_opts("system start", help, argc, argv, NULL);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (cli_connect(ctx, &c, 1))
		return 1;
	if (!client_call(&c, "system.status", NULL, NULL, 0, &st)) {
		proto_get_int(st, "pid", &pid);
		json_object_put(st);
	}
	if (c.started)
		printf("mvmd started (pid %lld)\n", (long long)pid);
	else
		printf("mvmd is already running (pid %lld)\n", (long long)pid);
	client_close(&c);
	return 0;
}

static int system_stop(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char help[] =
		"Usage: mvm system stop\n\n"
		"Stop mvmd. It stops running guests first (SIGTERM, then SIGKILL\n"
		"after 5 s) and saves its state; networks are kept for next time.\n";
	struct client c;
	struct stat st;
	uint64_t deadline;
	int ret;

	ret = simple_opts("system stop", help, argc, argv, NULL);
	if (ret)
		return ret < 0 ? 0 : ret;
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	ret = client_connect(&c);
	if (client_not_running(ret)) {
		printf("mvmd is not running\n");
		return 0;
	}
	if (ret)
		return cli_error("%s", c.err);
	ret = client_call(&c, "system.stop", NULL, NULL, 0, NULL);
	if (ret && ret != -ECONNRESET) {
		client_close(&c);
		return cli_error("%s", c.err);
	}
	/* mvmd closes every connection as it exits, then the socket goes */
	if (!ret) {
		struct json_object *m = NULL;

		while (!client_recv(&c, STOP_TIMEOUT_MS, &m))
			json_object_put(m);
	}
	client_close(&c);
	deadline = now_mono_ns() + STOP_TIMEOUT_MS * 1000000ull;
	while (stat(c.sock_path, &st) == 0) {
		struct client probe = { .fd = -1 };

		if (client_not_running(client_connect(&probe)))
			break;	/* a stale socket file no one listens on */
		client_close(&probe);
		if (now_mono_ns() > deadline)
			return cli_error("mvmd did not stop within %d s",
					 STOP_TIMEOUT_MS / 1000);
		usleep(50000);
	}
	printf("mvmd stopped\n");
	return 0;
}

static void kv(const char *k, const char *v)
{
	printf("%-15s %s\n", k, v);
}

static void kv_str(struct json_object *o, const char *key, const char *label)
{
	const char *v;

	kv(label, proto_get_str(o, key, &v) || !*v ? "-" : v);
}

static int status_not_running(enum cli_format fmt, const char *sock)
{
	char state[PATH_MAX] = "", conf[PATH_MAX] = "";

	paths_state_dir(state, sizeof(state));
	if (paths_default_config(conf, sizeof(conf)) != 1)
		conf[0] = '\0';
	if (fmt == FMT_JSON) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "running", json_object_new_boolean(0));
		json_object_object_add(o, "socket", json_object_new_string(sock));
		json_object_object_add(o, "state_dir", json_object_new_string(state));
		cli_print_json(o);
		json_object_put(o);
		return 3;
	}
	kv("running:", "no");
	kv("socket:", sock);
	kv("state dir:", state);
	kv("config file:", conf[0] ? conf : "none");
	return 3;
}

static int system_status(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char help[] =
		"Usage: mvm system status [--format table|json]\n\n"
		"Show whether mvmd is running, its pid, version and uptime, where its\n"
		"socket, state, log and configuration are, configuration errors, and\n"
		"how many networks and guests it has. Does not start mvmd.\n"
		"Exit status: 0 when mvmd runs, 3 when it does not (as systemctl status).\n";
	enum cli_format fmt = FMT_TABLE;
	struct json_object *st, *errs;
	char buf[64];
	struct client c = { .fd = -1 };
	const char *cfg;
	int64_t n = 0, g = 0, gr = 0;
	size_t i;
	int ret;

	ret = simple_opts("system status", help, argc, argv, &fmt);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = client_connect(&c);
	if (client_not_running(ret))
		return status_not_running(fmt, c.sock_path);
	if (ret)
		return cli_error("%s", c.err);
	ret = client_call(&c, "system.status", NULL, NULL, 0, &st);
	client_close(&c);
	if (ret)
		return cli_error("%s", c.err);
	if (fmt == FMT_JSON) {
		json_object_object_add(st, "running", json_object_new_boolean(1));
		json_object_object_add(st, "socket", json_object_new_string(c.sock_path));
		cli_print_json(st);
		json_object_put(st);
		return 0;
	}
	kv("running:", "yes");
	if (!proto_get_int(st, "pid", &n))
		snprintf(buf, sizeof(buf), "%lld", (long long)n);
	else
		str_copy(buf, sizeof(buf), "-");
	kv("pid:", buf);
	kv_str(st, "version", "version:");
	if (!proto_get_int(st, "uptime_s", &n))
		kv("uptime:", fmt_duration(n, buf, sizeof(buf)));
	kv("socket:", c.sock_path);
	kv_str(st, "runtime_dir", "runtime dir:");
	kv_str(st, "state_dir", "state dir:");
	kv_str(st, "log_file", "log file:");
	kv("config file:", proto_get_str(st, "config_file", &cfg) || !*cfg ? "none" : cfg);
	if (proto_get_arr(st, "config_errors", &errs) ||
	    !json_object_array_length(errs)) {
		kv("config errors:", "none");
	} else {
		kv("config errors:", "");
		for (i = 0; i < json_object_array_length(errs); i++)
			printf("  %s\n", json_object_get_string(
						 json_object_array_get_idx(errs, i)));
	}
	n = 0;
	proto_get_int(st, "networks", &n);
	proto_get_int(st, "guests", &g);
	proto_get_int(st, "guests_running", &gr);
	snprintf(buf, sizeof(buf), "%lld", (long long)n);
	kv("networks:", buf);
	snprintf(buf, sizeof(buf), "%lld (%lld running)", (long long)g, (long long)gr);
	kv("guests:", buf);
	json_object_put(st);
	return 0;
}

/**
 * cmd_system() - mvm system start | stop | status
 * @ctx, @argc, @argv:	as every command; argv[0] is "system"
 * Return: the exit status
 */
int cmd_system(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2) {
		fputs(system_usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(system_usage, stdout);
		return 0;
	}
	optind = 0;
	if (!strcmp(argv[1], "start"))
		return system_start(ctx, argc - 1, argv + 1);
	if (!strcmp(argv[1], "stop"))
		return system_stop(ctx, argc - 1, argv + 1);
	if (!strcmp(argv[1], "status"))
		return system_status(ctx, argc - 1, argv + 1);
	return cli_usage_error("system", "unknown command '%s'", argv[1]);
}
