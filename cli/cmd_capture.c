// SPDX-License-Identifier: MIT
/*
 * cmd_capture.c - mvm network capture: live pcap of a network
 *
 * mvm opens the output (a file, or its own stdout) and hands the descriptor
 * to mvmd with network.capture; mvmd writes the pcap header and records to
 * it directly. mvm then only waits: for the capture.done event (the count
 * was reached or mvmd hit an error) or for SIGINT/SIGTERM, on which it
 * closes the connection, which tells mvmd to stop.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/fmt.h"
#include "common/proto.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static const char capture_help[] =
	"Usage: mvm network capture NAME [-w FILE|-] [--filter BPF] [-c COUNT]\n\n"
	"Capture every frame the network's switch forwards, in libpcap format.\n"
	"mvmd writes to the file mvm opens, so '-w -' pipes into 'tshark -r -'\n"
	"or 'wireshark -k -i -'. Stops after COUNT packets, or on Ctrl-C.\n"
	"A summary (packets captured, dropped) goes to stderr.\n\n"
	"  -w, --write FILE|-   output file (created or truncated, mode 0644), or -\n"
	"                       for stdout (default - when stdout is not a terminal)\n"
	"  -f, --filter BPF     capture filter in pcap-filter(7) syntax\n"
	"  -c, --count COUNT    stop after COUNT packets\n";

/* Wait for capture.done or a stop signal; returns the exit status */
static int capture_wait(struct client *cl, int sfd)
{
	struct pollfd p[2] = {
		{ .fd = cl->fd, .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
	};
	struct json_object *ev;
	int64_t pk = 0, dr = 0;
	const char *ename, *emsg;
	int ret;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return cli_error("poll: %s", strerror(errno));
		}
		if (p[1].revents)
			return 0;	/* SIGINT/SIGTERM: closing stops mvmd */
		if (!p[0].revents)
			continue;
		ret = client_recv(cl, 0, &ev);
		if (ret)
			return cli_error("%s", cl->err);
		if (proto_get_str(ev, "event", &ename) || strcmp(ename, "capture.done")) {
			json_object_put(ev);
			continue;
		}
		proto_get_int(ev, "packets", &pk);
		proto_get_int(ev, "dropped", &dr);
		fprintf(stderr, "%lld packets captured, %lld dropped\n",
			(long long)pk, (long long)dr);
		ret = 0;
		if (!proto_get_str(ev, "error", &emsg))
			ret = cli_error("capture stopped: %s", emsg);
		json_object_put(ev);
		return ret;
	}
}

/**
 * cmd_capture() - mvm network capture NAME [-w FILE|-] [--filter BPF] [-c N]
 * @ctx, @argc, @argv:	as every command; argv[0] is "capture"
 * Return: the exit status
 */
int cmd_capture(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "write", required_argument, NULL, 'w' },
		{ "filter", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "network capture", *out = NULL, *filter = NULL;
	struct json_object *args, *res;
	unsigned long count = 0;
	struct client cl;
	sigset_t mask;
	int c, fd, sfd, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "w:f:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			out = optarg;
			break;
		case 'f':
			filter = optarg;
			break;
		case 'c':
			if (fmt_parse_uint(optarg, 1, (unsigned long)INT64_MAX, &count))
				return cli_usage_error(cmd, "invalid count '%s'", optarg);
			break;
		case 'h':
			fputs(capture_help, stdout);
			return 0;
		default:
			return cli_bad_option(cmd, argv);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(cmd, optind >= argc ? "a network NAME is required" :
					   "exactly one network NAME, please");
	if (!out) {
		if (isatty(STDOUT_FILENO))
			return cli_usage_error(cmd, "no output given: use -w FILE, or -w - with a pipe");
		out = "-";
	}
	if (!strcmp(out, "-")) {
		if (isatty(STDOUT_FILENO))
			return cli_error("refusing to write pcap to a terminal; use -w FILE or a pipe");
		fd = dup(STDOUT_FILENO);
	} else {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	}
	if (fd < 0)
		return cli_error("cannot open %s: %s", strcmp(out, "-") ? out : "stdout",
				 strerror(errno));

	/* block the stop signals before asking, so none is lost */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		close(fd);
		return cli_error("signalfd: %s", strerror(errno));
	}
	if (cli_connect(ctx, &cl, 1)) {
		close(fd);
		close(sfd);
		return 1;
	}
	args = json_object_new_object();
	json_object_object_add(args, "name", json_object_new_string(argv[optind]));
	if (filter)
		json_object_object_add(args, "filter", json_object_new_string(filter));
	if (count)
		json_object_object_add(args, "count", json_object_new_int64((int64_t)count));
	ret = client_call(&cl, "network.capture", args, &fd, 1, &res);
	close(fd);	/* mvmd has its own copy now */
	if (ret) {
		ret = cli_error("%s", cl.err);
	} else {
		json_object_put(res);
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "capturing on network '%s'%s%s; Ctrl-C to stop\n",
				argv[optind], filter ? " with filter " : "",
				filter ? filter : "");
		ret = capture_wait(&cl, sfd);
	}
	client_close(&cl);
	close(sfd);
	return ret;
}
