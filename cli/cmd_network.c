// SPDX-License-Identifier: MIT
/* cmd_network.c - mvm network create | ls | inspect | rm | prune (| capture) */
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/fmt.h"
#include "cli/table.h"
#include "common/addr.h"
#include "common/proto.h"
#include "common/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NET_FLOWS_LIMIT (1u << 20)	/* mvmd's NET_FLOWS_MAX */
#define NET_FLOWS_DEFAULT 8192UL	/* mvmd's NET_FLOWS_DEFAULT */

static const char network_usage[] =
	"Usage: mvm network COMMAND\n"
	"\n"
	"Manage networks: each is an isolated switch with its own gateway, DHCP,\n"
	"DNS and (in nat mode) a way out through the host's sockets.\n"
	"\n"
	"Commands:\n"
	"  create    create a network\n"
	"  ls        list networks\n"
	"  inspect   show networks in detail (JSON)\n"
	"  rm        remove networks\n"
	"  prune     remove every network created with 'create' that has no guests\n"
	"  capture   write a network's traffic in pcap format\n";

static int net_create(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char help[] =
		"Usage: mvm network create NAME [--subnet CIDR] [--internal] [--mtu N]\n"
		"                          [--label K=V]... [--host-access=on|off]\n"
		"                          [--max-flows N] [--max-flows-per-guest N]\n\n"
		"Create a network and print its name.\n\n"
		"  --subnet CIDR   IPv4 subnet, prefix 8..30 (default: chosen to overlap\n"
		"                  no address or route of the host)\n"
		"  --internal      no way out: guests, gateway services and nothing else\n"
		"  --mtu N         link MTU, 68..65520 (default 1500)\n"
		"  --label K=V     attach a label (repeatable)\n"
		"  --host-access=on|off\n"
		"                  whether guests reach the host's loopback through the\n"
		"                  gateway address (GATEWAY:PORT is 127.0.0.1:PORT on the\n"
		"                  host); default on for nat networks, off for internal\n"
		"  --max-flows N   most NAT flows (TCP connections and UDP mappings) the\n"
		"                  network holds at once, 1..1048576 (default 8192)\n"
		"  --max-flows-per-guest N\n"
		"                  most NAT flows of one guest address, 1..max-flows\n"
		"                  (default 2048, or max-flows if lower); beyond a limit\n"
		"                  a new TCP connection is reset, a UDP datagram dropped,\n"
		"                  and 'mvm network inspect' counts it (stats.nat)\n";
	static const struct option opts[] = {
		{ "subnet", required_argument, NULL, 's' },
		{ "internal", no_argument, NULL, 'i' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "label", required_argument, NULL, 'l' },
		{ "host-access", required_argument, NULL, 'A' },
		{ "max-flows", required_argument, NULL, 'M' },
		{ "max-flows-per-guest", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "network create";
	unsigned long flows, max_flows = 0, max_guest = 0;
	struct json_object *args = json_object_new_object(), *labels, *res;
	struct client cl;
	struct cidr4 cidr;
	unsigned long mtu;
	const char *name;
	int c, ret;

	labels = json_object_new_object();
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (cidr4_parse(optarg, &cidr)) {
				ret = cli_usage_error(cmd, "invalid subnet '%s': want A.B.C.D/N with N in 8..30 and no host bits",
						      optarg);
				goto out;
			}
			json_object_object_add(args, "subnet", json_object_new_string(optarg));
			break;
		case 'i':
			json_object_object_add(args, "internal", json_object_new_boolean(1));
			break;
		case 'm':
			if (fmt_parse_uint(optarg, 68, 65520, &mtu)) {
				ret = cli_usage_error(cmd, "invalid MTU '%s': want 68..65520", optarg);
				goto out;
			}
			json_object_object_add(args, "mtu", json_object_new_int((int)mtu));
			break;
		case 'l':
			if (fmt_parse_label(optarg, labels)) {
				ret = cli_usage_error(cmd, "invalid label '%s': want KEY=VALUE", optarg);
				goto out;
			}
			break;
		case 'A':
			if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
				ret = cli_usage_error(cmd, "--host-access must be on or off, not '%s'",
						      optarg);
				goto out;
			}
			json_object_object_add(args, "host_access",
					       json_object_new_boolean(!strcmp(optarg, "on")));
			break;
		case 'M':
		case 'G':
			if (fmt_parse_uint(optarg, 1, NET_FLOWS_LIMIT, &flows)) {
				ret = cli_usage_error(cmd, "invalid %s '%s': want 1..%u",
						      c == 'M' ? "--max-flows" : "--max-flows-per-guest",
						      optarg, NET_FLOWS_LIMIT);
				goto out;
			}
			*(c == 'M' ? &max_flows : &max_guest) = flows;
			json_object_object_add(args, c == 'M' ? "max_flows" : "max_flows_per_guest",
					       json_object_new_int64((int64_t)flows));
			break;
		case 'h':
			fputs(help, stdout);
			ret = 0;
			goto out;
		default:
			ret = cli_bad_option(cmd, argv);
			goto out;
		}
	}
	if (optind + 1 != argc) {
		ret = cli_usage_error(cmd, optind >= argc ? "a NAME is required" :
					   "exactly one NAME, please");
		goto out;
	}
	if (max_guest > (max_flows ? max_flows : NET_FLOWS_DEFAULT)) {
		ret = cli_usage_error(cmd, "--max-flows-per-guest %lu is more than the network's max flows (%lu)",
				      max_guest, max_flows ? max_flows : NET_FLOWS_DEFAULT);
		goto out;
	}
	name = argv[optind];
	if (!name_valid(name)) {
		ret = cli_usage_error(cmd, "invalid network name '%s': use 1-63 of a-z, 0-9 and '-', not at either end",
				      name);
		goto out;
	}
	json_object_object_add(args, "name", json_object_new_string(name));
	json_object_object_add(args, "labels", json_object_get(labels));
	if (cli_connect(ctx, &cl, 1)) {
		ret = 1;
		goto out;
	}
	ret = client_call(&cl, "network.create", args, NULL, 0, &res);
	args = NULL;
	client_close(&cl);
	if (ret) {
		ret = cli_error("%s", cl.err);
		goto out;
	}
	printf("%s\n", name);
	json_object_put(res);
out:
	json_object_put(labels);
	json_object_put(args);
	return ret;
}

static void net_table(struct json_object *list)
{
	static const char *const hdr[] = { "NAME", "MODE", "SUBNET", "GATEWAY",
					   "MTU", "GUESTS", "SOURCE" };
	struct table *t = table_new(hdr, 7);
	size_t i;

	if (!t)
		return;
	for (i = 0; i < json_object_array_length(list); i++) {
		struct json_object *n = json_object_array_get_idx(list, i), *g;
		char mtu[16] = "", guests[16] = "0";
		const char *row[7];
		int64_t v;

		if (!proto_get_int(n, "mtu", &v))
			snprintf(mtu, sizeof(mtu), "%lld", (long long)v);
		if (!proto_get_arr(n, "guests", &g))
			snprintf(guests, sizeof(guests), "%zu",
				 json_object_array_length(g));
		row[0] = cli_jstr(n, "name");
		row[1] = cli_jstr(n, "mode");
		row[2] = cli_jstr(n, "subnet");
		row[3] = cli_jstr(n, "gateway");
		row[4] = mtu;
		row[5] = guests;
		row[6] = cli_jstr(n, "source");
		table_add(t, row);
	}
	table_print(t, stdout);
	table_free(t);
}

static int net_ls(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char help[] =
		"Usage: mvm network ls [--filter label=K=V]... [--format table|json] [-q]\n\n"
		"List networks.\n\n"
		"  -f, --filter label=K=V   only networks with this label (all must match)\n"
		"      --format table|json  output format (default table)\n"
		"  -q, --quiet              print names only\n";
	static const struct option opts[] = {
		{ "filter", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "network ls";
	struct json_object *labels = json_object_new_object(), *args, *list;
	enum cli_format fmt = FMT_TABLE;
	struct client cl;
	int c, quiet = 0, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strncmp(optarg, "label=", 6) ||
			    fmt_parse_label(optarg + 6, labels)) {
				json_object_put(labels);
				return cli_usage_error(cmd, "invalid filter '%s': want label=KEY=VALUE",
						       optarg);
			}
			break;
		case 'F':
			if (cli_parse_format(optarg, &fmt)) {
				json_object_put(labels);
				return cli_usage_error(cmd, "--format must be table or json");
			}
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			json_object_put(labels);
			fputs(help, stdout);
			return 0;
		default:
			json_object_put(labels);
			return cli_bad_option(cmd, argv);
		}
	}
	if (optind < argc) {
		json_object_put(labels);
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	}
	if (cli_connect(ctx, &cl, 1)) {
		json_object_put(labels);
		return 1;
	}
	args = json_object_new_object();
	json_object_object_add(args, "labels", labels);
	ret = client_call(&cl, "network.ls", args, NULL, 0, &list);
	client_close(&cl);
	if (ret)
		return cli_error("%s", cl.err);
	ret = cli_print_list(list, "network.ls", quiet, fmt, net_table);
	json_object_put(list);
	return ret;
}

/* parse [--format json] (inspect only) [--help] and at least one NAME */
static int names_opts(const char *cmd, const char *help, int argc, char **argv,
		      int allow_format)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum cli_format fmt;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (!allow_format)
				return cli_usage_error(cmd, "no --format here");
			if (cli_parse_format(optarg, &fmt) || fmt != FMT_JSON)
				return cli_usage_error(cmd, "inspect prints JSON only (--format json)");
			break;
		case 'h':
			fputs(help, stdout);
			return -1;
		default:
			return cli_bad_option(cmd, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error(cmd, "at least one NAME is required");
	return 0;
}

static int net_inspect(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char help[] =
		"Usage: mvm network inspect NAME...\n\n"
		"Print the named networks as a JSON array: settings (mode, subnet,\n"
		"host_access, max_flows, max_flows_per_guest, ...) and \"stats\", the\n"
		"switch's counters, with the gateway's DHCP, DNS and NAT (\"nat\": flows,\n"
		"limits, drops at a limit, published connections) counters.\n"
		"Exit status 1 if any network does not exist (the others are printed).\n";
	struct json_object *out, *res, *args;
	struct client cl;
	int ret, failed = 0;

	ret = names_opts("network inspect", help, argc, argv, 1);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (cli_connect(ctx, &cl, 1))
		return 1;
	out = json_object_new_array();
	for (; optind < argc; optind++) {
		args = json_object_new_object();
		json_object_object_add(args, "name", json_object_new_string(argv[optind]));
		ret = client_call(&cl, "network.inspect", args, NULL, 0, &res);
		if (ret) {
			cli_error("%s", cl.err);
			failed = 1;
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

static int net_rm(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char help[] =
		"Usage: mvm network rm NAME...\n\n"
		"Remove networks created with 'mvm network create', printing each name.\n"
		"A network with guests attached, a network declared in the\n"
		"configuration file and the default network are refused.\n"
		"Exit status 1 if any could not be removed.\n";
	struct json_object *args;
	struct client cl;
	int ret, failed = 0;

	ret = names_opts("network rm", help, argc, argv, 0);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (cli_connect(ctx, &cl, 1))
		return 1;
	for (; optind < argc; optind++) {
		args = json_object_new_object();
		json_object_object_add(args, "name", json_object_new_string(argv[optind]));
		ret = client_call(&cl, "network.rm", args, NULL, 0, NULL);
		if (ret) {
			cli_error("%s", cl.err);
			failed = 1;
			if (ret == -ECONNRESET)
				break;
			continue;
		}
		printf("%s\n", argv[optind]);
	}
	client_close(&cl);
	return failed;
}

static int confirm(const char *question)
{
	char line[64];

	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

static int net_prune(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char help[] =
		"Usage: mvm network prune [-f]\n\n"
		"Remove every network created with 'mvm network create' that has no\n"
		"guests, printing each name. Asks first unless -f.\n\n"
		"  -f, --force   do not ask for confirmation\n";
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *res, *removed;
	struct client cl;
	int c, force = 0, ret;
	size_t i;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = 1;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cli_bad_option("network prune", argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("network prune", "unexpected argument '%s'",
				       argv[optind]);
	if (!force && !confirm("Remove every network created with 'mvm network create' that has no guests?"))
		return 0;
	if (cli_connect(ctx, &cl, 1))
		return 1;
	ret = client_call(&cl, "network.prune", NULL, NULL, 0, &res);
	client_close(&cl);
	if (ret)
		return cli_error("%s", cl.err);
	if (!proto_get_arr(res, "removed", &removed))
		for (i = 0; i < json_object_array_length(removed); i++)
			printf("%s\n", json_object_get_string(
					       json_object_array_get_idx(removed, i)));
	json_object_put(res);
	return 0;
}

/**
 * cmd_network() - mvm network create | ls | inspect | rm | prune | capture
 * @ctx, @argc, @argv:	as every command; argv[0] is "network"
 * Return: the exit status
 */
int cmd_network(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cli_ctx *, int, char **);
	} sub[] = {
		{ "create", net_create },   { "ls", net_ls },
		{ "list", net_ls },	    { "inspect", net_inspect },
		{ "rm", net_rm },	    { "remove", net_rm },
		{ "prune", net_prune },	    { "capture", cmd_capture },
	};
	size_t i;

	if (argc < 2) {
		fputs(network_usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(network_usage, stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(sub); i++)
		if (!strcmp(argv[1], sub[i].name)) {
			optind = 0;
			return sub[i].fn(ctx, argc - 1, argv + 1);
		}
	return cli_usage_error("network", "unknown command '%s'", argv[1]);
}
