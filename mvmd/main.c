// SPDX-License-Identifier: MIT
/*
 * main.c - mvmd: arguments, privileges, the single-instance lock, start-up
 *
 * mvmd never daemonizes itself: `mvm` forks, setsid()s and execs it with
 * --ready-fd N, the write end of a pipe on which mvmd writes one line,
 * "ok" once the control socket listens, or "error: REASON" before exiting
 * 1 (docs/control-protocol.md, "Starting mvmd").
 *
 * Privileges
 * ----------
 * mvmd runs as the invoking user and needs no privilege at all: networks
 * are userspace switches, NAT uses ordinary sockets, and the tap devices
 * of namespace guests are created inside the guests' own user namespaces
 * and arrive here as file descriptors over SCM_RIGHTS. So, first thing,
 * before reading any input: every capability is dropped from every set
 * (effective, permitted, inheritable, bounding, ambient) with libcap-ng,
 * which is a no-op for an ordinary user and a real drop for a daemon
 * started as root or with file capabilities by mistake; and
 * PR_SET_NO_NEW_PRIVS makes sure nothing mvmd ever executes gains any
 * back through setuid bits or file capabilities. If the drop fails the
 * daemon refuses to run.
 */
#include "mvmd/control.h"
#include "mvmd/mvmd.h"
#include "common/log.h"
#include "gateway/gateway.h"
#include "vswitch/vsw.h"
#include "common/paths.h"
#include "common/util.h"

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#ifndef MVM_VERSION
#define MVM_VERSION "0.0.0"
#endif

static int ready_fd = -1;	/* main() paths only */
static int log_to_file;		/* the log is not stderr: tell stderr too */

static void ready_write(const char *line)
{
	size_t len = strlen(line);

	if (ready_fd < 0)
		return;
	if (write(ready_fd, line, len) != (ssize_t)len)
		(void)0;	/* the starter went away: nothing to tell */
	close(ready_fd);
	ready_fd = -1;
}

/* start-up failed: tell the starter and the log, exit 1 */
static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	char msg[1024], line[1100];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "error: %s\n", msg);
	ready_write(line);
	if (log_to_file)
		fprintf(stderr, "mvmd: %s\n", msg);
	die("%s", msg);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mvmd [--config FILE] [--ready-fd N] [--log-level LEVEL]\n"
		"            [--log-stderr] [--version] [--help]\n"
		"\n"
		"The mvm daemon: networks, their switches, guests. Normally started\n"
		"by `mvm`; it does not detach by itself.\n"
		"\n"
		"  --config FILE      networks to declare (default: the first of\n"
		"                     $XDG_CONFIG_HOME/mvm/mvm.conf, /etc/mvm/mvm.conf)\n"
		"  --ready-fd N       write \"ok\" or \"error: ...\" to fd N once started\n"
		"  --log-level LEVEL  error, warning, info (default) or debug\n"
		"  --log-stderr       log to stderr instead of STATE_DIR/mvmd.log\n"
		"  --version          print the version\n"
		"\n"
		"Environment:\n"
		"  MVM_DNS_UPSTREAMS  resolvers nat networks forward DNS to, as\n"
		"                     ADDR[:PORT],... (default: /etc/resolv.conf's)\n");
}

struct args {
	const char *config;
	enum log_level level;
	int log_stderr;
};

static void parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "log-stderr", no_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const levels[] = { "error", "warning", "info", "debug" };
	char *end;
	long v;
	int o;
	size_t i;

	a->level = LOG_LVL_INFO;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			a->config = optarg;
			break;
		case 'r':
			v = strtol(optarg, &end, 10);
			if (*end || v < 0 || v > 65535 || fcntl((int)v, F_GETFD) < 0)
				fail("--ready-fd %s: not an open file descriptor", optarg);
			ready_fd = (int)v;
			fd_set_cloexec(ready_fd);
			break;
		case 'l':
			for (i = 0; i < ARRAY_SIZE(levels); i++)
				if (!strcmp(optarg, levels[i]))
					break;
			if (i == ARRAY_SIZE(levels))
				fail("--log-level %s: use error, warning, info or debug",
				     optarg);
			a->level = (enum log_level)i;
			break;
		case 's':
			a->log_stderr = 1;
			break;
		case 'V':
			printf("mvmd %s\n", MVM_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			fail("invalid arguments");
		}
	}
	if (optind < argc)
		fail("unexpected argument '%s'", argv[optind]);
}

/* see "Privileges" at the top of this file */
static void drop_privileges(void)
{
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_apply(CAPNG_SELECT_BOTH)) {
		/* an ordinary user may not shrink the bounding set (that
		 * needs CAP_SETPCAP); what matters is holding nothing */
		capng_get_caps_process();
		if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE)
			fail("cannot drop capabilities");
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		fail("prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
}

/*
 * The single-instance lock: flock() on RUNTIME/mvmd.lock, held until exit
 * (the kernel releases it however mvmd dies). Its pid goes to mvmd.pid so
 * that a second daemon can say who holds it.
 */
static int take_lock(const char *runtime_dir, const char *sock_path)
{
	char lock[PATH_MAX + 16], pidf[PATH_MAX + 16], buf[32];
	int fd, n;

	snprintf(lock, sizeof(lock), "%s/mvmd.lock", runtime_dir);
	snprintf(pidf, sizeof(pidf), "%s/mvmd.pid", runtime_dir);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		fail("cannot open %s: %s", lock, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		char *pid = NULL;

		if (errno != EWOULDBLOCK)
			fail("cannot lock %s: %s", lock, strerror(errno));
		if (!file_read_all(pidf, 64, &pid, NULL))
			pid[strcspn(pid, "\n")] = '\0';
		fail("mvmd is already running (pid %s, socket %s)",
		     pid && *pid ? pid : "unknown", sock_path);
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (file_write_atomic(pidf, buf, (size_t)n, 0600))
		warn("cannot write %s", pidf);
	return fd;
}

static FILE *open_log(const char *state_dir, char *path, size_t size)
{
	FILE *f;
	int fd;

	if (snprintf(path, size, "%s/mvmd.log", state_dir) >= (int)size)
		fail("state directory path too long");
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		fail("cannot open the log %s: %s", path, strerror(errno));
	f = fdopen(fd, "a");
	if (!f)
		fail("cannot open the log %s: %s", path, strerror(errno));
	return f;
}

/*
 * The NAT holds one host socket per guest flow: take every descriptor the
 * hard limit allows, and give the NATs all but a reserve for the control
 * plane (clients, taps, state files), so guests cannot starve it.
 */
#define NOFILE_RESERVE 512

static void nofile_raise(void)
{
	struct rlimit rl;
	unsigned budget;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1u << 20)
		rl.rlim_cur = 1u << 20;
	budget = rl.rlim_cur > 2 * NOFILE_RESERVE ?
		 (unsigned)(rl.rlim_cur - NOFILE_RESERVE) :
		 (unsigned)rl.rlim_cur / 2;
	gw_nat_fd_budget(budget);
	info("descriptors: %llu (NAT budget %u)",
	     (unsigned long long)rl.rlim_cur, budget);
}

int main(int argc, char **argv)
{
	char runtime[PATH_MAX], state[PATH_MAX], sock[PATH_MAX], logp[PATH_MAX];
	char err[512], pidf[PATH_MAX + 16];
	struct mvmd_opts o = { 0 };
	struct args a = { 0 };
	FILE *log = NULL;
	struct mvmd d;
	sigset_t set;
	int lock_fd, ret;

	log_init(NULL, LOG_LVL_INFO, 0);
	parse_args(argc, argv, &a);
	drop_privileges();
	signal(SIGPIPE, SIG_IGN);
	/* blocked before any thread exists, so that switch threads inherit
	 * the mask and these only ever arrive through the signalfd */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);

	ret = paths_runtime_dir(runtime, sizeof(runtime));
	if (ret)
		fail("runtime directory: %s", strerror(-ret));
	ret = paths_state_dir(state, sizeof(state));
	if (ret)
		fail("state directory: %s", strerror(-ret));
	ret = paths_control_socket(sock, sizeof(sock));
	if (ret)
		fail("control socket: %s", strerror(-ret));
	if (!a.log_stderr) {
		log = open_log(state, logp, sizeof(logp));
		log_init(log, a.level, 1);
		log_to_file = 1;
		o.log_path = logp;
	} else {
		log_init(stderr, a.level, 1);
	}
	lock_fd = take_lock(runtime, sock);
	info("mvmd %s starting (pid %d)", MVM_VERSION, (int)getpid());
	nofile_raise();

	o.runtime_dir = runtime;
	o.state_dir = state;
	o.config_path = a.config;
	if (mvmd_init(&d, &o, err, sizeof(err)))
		fail("%s", err);
	if (ctl_listen(&d, err, sizeof(err)))
		fail("%s", err);
	info("listening on %s", d.sock_path);
	ready_write("ok\n");

	ret = ctl_loop(&d);
	ctl_close(&d);
	mvmd_fini(&d);
	snprintf(pidf, sizeof(pidf), "%s/mvmd.pid", runtime);
	unlink(pidf);
	close(lock_fd);
	if (log)
		fclose(log);
	return ret ? 1 : 0;
}
