// SPDX-License-Identifier: MIT
/*
 * supervise.c - running a namespace guest and holding its lifeline
 *
 * Theory of operation
 *
 *   mvm (supervisor)                         child (the relay)
 *   ----------------                         -----------------
 *   guest.create  ──► mvmd (addresses)
 *   socketpair, fork ───────────────────────► netns_setup(): namespaces
 *                                             (user, net, mount, UTS, PID),
 *                                             taps, addresses, resolv.conf;
 *                                             fork init (PID 1), which
 *                                             mounts /proc and says so
 *   receive tap fds  ◄── "O" + fds ────────── (or "E" + error text)
 *   guest.attach {name, pid} + fds ──► mvmd   (same connection as create:
 *                                             it is now the lifeline)
 *   "go" ───────────────────────────────────► PDEATHSIG, "go" to the init,
 *                                             which forks CMD (PID 2): exec
 *   EOF on the socketpair = exec worked  ◄─── (or "X" + code + text)
 *   wait: SIGCHLD / SIGTERM,SIGHUP (passed on) / lifeline EOF (reattach)
 *   guest.exit {name, exit_code} ──► mvmd; exit with the same status
 *
 * So a guest is four processes, each the parent of the next:
 *
 *   mvm  supervisor: lifeline to mvmd, reattach, reports the exit
 *   └─ relay   host PID namespace; the pid mvmd records and signals
 *      └─ init   PID 1 of the guest's PID namespace (guest_init.c)
 *         └─ CMD   PID 2
 *
 * The relay and the init forward every signal that is sent to them (not
 * the terminal's own, which reach CMD directly) one step down, and exit
 * with their child's status: CMD's exit code, or 128 + the signal that
 * killed it, comes back to the supervisor unchanged. When CMD exits, the
 * init exits and the kernel kills whatever CMD left behind in the
 * namespace. PR_SET_PDEATHSIG SIGKILL links each one to its parent, so a
 * killed supervisor takes the whole guest with it. All four stay in the
 * process group of the invoking mvm, which in the foreground is the
 * terminal's: Ctrl-C reaches CMD from the terminal, and CMD keeps its
 * standard input, output and error.
 *
 * The supervisor keeps its own copies of the tap descriptors. When the
 * lifeline reaches EOF while the command runs (mvmd died), it reconnects
 * every 200 ms, without starting a new mvmd, and sends guest.attach again
 * (docs/control-protocol.md, "Reattach").
 *
 * Failure before the exec leaves nothing: before attach, closing the
 * connection makes mvmd drop the created guest; after it, guest.exit and
 * guest.rm do. In the foreground the terminal's process group delivers
 * SIGINT/SIGQUIT to the command, so the supervisor ignores them.
 *
 * With -d, the invoking mvm creates the guest, then forks the supervisor,
 * which inherits the connection (so the guest is not dropped), leaves the
 * session, writes to <state>/guests/NAME.log and reports on a pipe:
 * "warn TEXT" lines, then "ok" or "error CODE TEXT".
 */
#include "cli/supervise.h"
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/guest_init.h"
#include "cli/netns.h"
#include "common/fdpass.h"
#include "common/paths.h"
#include "common/proto.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define REATTACH_INTERVAL_MS 200
#define EXIT_REPORT_TRIES 10	/* x 200 ms to reach mvmd once CMD exited */

/** struct guest_run - the supervisor's state for one guest */
struct guest_run {
	struct client cl;		/* the lifeline (fd -1 while lost) */
	char name[64];
	struct netns_config cfg;
	int taps[NETNS_MAX_IFACES];	/* our copies, for reattach */
	size_t ntaps;
	pid_t pid;			/* the child, 0 before fork */
	int sp;				/* our end of the socketpair */
	int sfd;			/* signalfd */
	sigset_t oldmask;		/* restored in the child */
	int report;			/* -d: pipe to the invoking mvm, else -1 */
	int detached;
	int attached;			/* guest.attach succeeded once */
	int give_up;			/* mvmd refused a reattach: stop trying */
	char log[PATH_MAX];		/* -d: the log file */
};

static void report(struct guest_run *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Write one line to the invoking mvm (if it still listens) */
static void report(struct guest_run *g, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	if (g->report < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(g->report, line, (size_t)n) < 0) {
		/* the invoking mvm is gone: nothing to tell */
	}
}

static int run_fail(struct guest_run *g, int code, const char *msg)
{
	cli_error("%s", msg);
	report(g, "error %d %s", code, msg);
	return code;
}

static void run_warn(struct guest_run *g, const char *msg)
{
	cli_warn("%s", msg);
	report(g, "warn %s", msg);
}

/* ---- the child ---------------------------------------------------------- */

static void child_send(int sp, char type, const char *text, const int *fds, size_t n)
{
	char buf[2048];
	size_t len;

	buf[0] = type;
	str_copy(buf + 1, sizeof(buf) - 1, text);
	len = 1 + strlen(buf + 1);
	fdpass_send(sp, buf, len, fds, n);
}

/*
 * execvp() as a shell would report it: 127 when CMD is nowhere in PATH
 * (even if some PATH directory was unreadable), 126 when it exists but
 * cannot be executed. Returns only on failure, with errno set.
 */
static int exec_command(char **argv)
{
	const char *path = getenv("PATH"), *p, *end;
	char file[PATH_MAX];
	int denied = 0;

	if (strchr(argv[0], '/')) {
		execvp(argv[0], argv);
		return errno == ENOENT || errno == ENOTDIR ? 127 : 126;
	}
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = end + 1) {
		end = strchrnul(p, ':');
		if (snprintf(file, sizeof(file), "%.*s/%s", (int)(end - p),
			     end == p ? "." : p, argv[0]) < (int)sizeof(file)) {
			execvp(file, argv);	/* glibc runs ENOEXEC files with sh */
			if (errno == EACCES && !access(file, F_OK))
				denied = 1;
		}
		if (!*end)
			break;
	}
	errno = denied ? EACCES : ENOENT;
	return denied ? 126 : 127;
}

/* Close every descriptor but stdio and the (up to three) in @keep */
static void close_all_but(int a, int b, int c)
{
	int keep[3] = { a, b, c }, t, i, j;
	unsigned int from = 3;

	for (i = 0; i < 3; i++)		/* sort: three elements */
		for (j = i + 1; j < 3; j++)
			if (keep[j] < keep[i]) {
				t = keep[i];
				keep[i] = keep[j];
				keep[j] = t;
			}
	for (i = 0; i < 3; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned int)keep[i] > from)
			close_range(from, (unsigned int)keep[i] - 1, 0);
		from = (unsigned int)keep[i] + 1;
	}
	close_range(from, ~0U, 0);
}

/* CMD, PID 2: the caller's signal mask back, then exec; 'X' if that fails */
static void __attribute__((noreturn))
cmd_main(struct guest_run *g, int sp, char **argv)
{
	char err[1024];
	int code;

	sigprocmask(SIG_SETMASK, &g->oldmask, NULL);
	close_all_but(sp, -1, -1);
	code = exec_command(argv);
	snprintf(err, sizeof(err), "%d %s: %s", code, argv[0],
		 code == 127 && !strchr(argv[0], '/') ? "command not found" :
		 strerror(errno));
	child_send(sp, 'X', err, NULL, 0);
	_exit(code);
}

/*
 * The init, PID 1 of the guest: mount /proc, tell the relay ("W" + a
 * warning or nothing) on @ctl, wait for its go (EOF: the relay died, maybe
 * before PDEATHSIG was set), then fork CMD and wait for it.
 */
static void __attribute__((noreturn))
init_main(struct guest_run *g, int sp, int ctl, int sfd, char **argv)
{
	char msg[512], go;
	pid_t cmd;
	int ret;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "mvm-init");
	close_all_but(sp, ctl, sfd);
	ret = guest_init_mount_proc();
	snprintf(msg, sizeof(msg), "W%s%s%s", ret ? "cannot mount the guest's own /proc (" : "",
		 ret ? strerror(-ret) : "",
		 ret ? "); ps in the guest shows the host's processes" : "");
	if (write(ctl, msg, strlen(msg)) < 0 || read(ctl, &go, 1) != 1)
		_exit(1);
	close(ctl);
	cmd = fork();
	if (cmd == 0) {
		close(sfd);
		cmd_main(g, sp, argv);
	}
	if (cmd < 0) {
		snprintf(msg, sizeof(msg), "1 cannot start %s: fork: %s", argv[0],
			 strerror(errno));
		child_send(sp, 'X', msg, NULL, 0);
		_exit(1);
	}
	close(sp);
	_exit(guest_init_wait(sfd, cmd));
}

/*
 * The relay (what mvmd knows as the guest's pid): set up the namespaces,
 * start the init, hand the taps to the supervisor, and once it says go,
 * relay signals to the init and the init's exit status back.
 */
static void __attribute__((noreturn))
child_main(struct guest_run *g, int sp, char **argv)
{
	char err[1024], warn[1024], iwarn[512], go = 'g';
	int fds[NETNS_MAX_IFACES], ctl[2], sfd, sig;
	pid_t parent = getppid(), init;
	ssize_t n;
	size_t i;

	/* the command gets a clean signal state (the mask: in cmd_main) */
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	close_all_but(sp, -1, -1);	/* the lifeline, signalfd, -d pipe */
	sfd = guest_init_signalfd(NULL);
	if (sfd < 0) {
		snprintf(err, sizeof(err), "signalfd: %s", strerror(-sfd));
		child_send(sp, 'E', err, NULL, 0);
		_exit(1);
	}
	if (netns_setup(&g->cfg, fds, err, sizeof(err), warn, sizeof(warn))) {
		child_send(sp, 'E', err, NULL, 0);
		_exit(1);
	}
	init = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) == 0) {
		init = fork();
		if (init == 0)
			init_main(g, sp, ctl[1], sfd, argv);
		close(ctl[1]);
	}
	n = init < 0 ? -1 : read(ctl[0], iwarn, sizeof(iwarn) - 1);
	if (n <= 0 || iwarn[0] != 'W') {
		snprintf(err, sizeof(err), "cannot start the guest's init: %s",
			 init < 0 ? strerror(errno) : "it died");
		child_send(sp, 'E', err, NULL, 0);
		_exit(1);
	}
	iwarn[n] = '\0';
	if (iwarn[1])
		snprintf(warn + strlen(warn), sizeof(warn) - strlen(warn), "%s%s",
			 warn[0] ? "; " : "", iwarn + 1);
	child_send(sp, 'O', warn, fds, g->cfg.n_ifaces);
	for (i = 0; i < g->cfg.n_ifaces; i++)
		close(fds[i]);
	if (read(sp, &go, 1) != 1)
		_exit(1);	/* the supervisor gave up on us (the init follows) */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	if (write(ctl[0], &go, 1) != 1)
		_exit(1);
	close(ctl[0]);
	close(sp);	/* the supervisor reads EOF once CMD has exec'd */
	_exit(guest_init_wait(sfd, init));
}

/* ---- the supervisor ----------------------------------------------------- */

static int guest_from_json(struct guest_run *g, struct json_object *guest,
			   char *err, size_t errlen)
{
	struct json_object *ifs;
	const char *name;
	size_t i;
	int ret;

	if (proto_get_str(guest, "name", &name) || str_copy(g->name, sizeof(g->name), name)) {
		snprintf(err, errlen, "mvmd's guest.create reply has no valid name");
		return -EINVAL;
	}
	str_copy(g->cfg.hostname, sizeof(g->cfg.hostname), g->name);
	if (proto_get_arr(guest, "interfaces", &ifs)) {
		snprintf(err, errlen, "mvmd's guest.create reply has no interfaces");
		return -EINVAL;
	}
	if (json_object_array_length(ifs) > NETNS_MAX_IFACES) {
		snprintf(err, errlen, "too many interfaces (limit %d)", NETNS_MAX_IFACES);
		return -E2BIG;
	}
	g->cfg.n_ifaces = json_object_array_length(ifs);
	for (i = 0; i < g->cfg.n_ifaces; i++) {
		ret = netns_iface_from_json(json_object_array_get_idx(ifs, i),
					    &g->cfg.ifaces[i], err, errlen);
		if (ret)
			return ret;
	}
	g->cfg.uid = getuid();
	g->cfg.gid = getgid();
	ret = paths_runtime_dir(g->cfg.scratch_dir, sizeof(g->cfg.scratch_dir));
	if (ret)
		snprintf(err, errlen, "cannot use the runtime directory: %s", strerror(-ret));
	return ret;
}

static int send_attach(struct guest_run *g)
{
	struct json_object *args = json_object_new_object();

	json_object_object_add(args, "name", json_object_new_string(g->name));
	json_object_object_add(args, "pid", json_object_new_int64(g->pid));
	return client_call(&g->cl, "guest.attach", args, g->taps, g->ntaps, NULL);
}

static int send_exit(struct guest_run *g, int code)
{
	struct json_object *args = json_object_new_object();

	json_object_object_add(args, "name", json_object_new_string(g->name));
	json_object_object_add(args, "exit_code", json_object_new_int(code));
	return client_call(&g->cl, "guest.exit", args, NULL, 0, NULL);
}

static void send_rm(struct guest_run *g)
{
	struct json_object *args = json_object_new_object();

	json_object_object_add(args, "name", json_object_new_string(g->name));
	json_object_object_add(args, "force", json_object_new_boolean(1));
	client_call(&g->cl, "guest.rm", args, NULL, 0, NULL);
}

static void reap(struct guest_run *g, int *st)
{
	while (waitpid(g->pid, st, 0) < 0 && errno == EINTR)
		;
}

/* Fork the child and bring it up to the exec. Returns 0 or an exit status. */
static int start_child(struct guest_run *g, char **argv)
{
	char buf[2048], msg[2200];
	int sp[2], fds[FDPASS_MAX], trunc = 0, st, ret;
	size_t nfds = FDPASS_MAX;
	ssize_t n;
	char go = 'g';

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		snprintf(msg, sizeof(msg), "socketpair: %s", strerror(errno));
		return run_fail(g, 1, msg);
	}
	g->pid = fork();
	if (g->pid < 0) {
		snprintf(msg, sizeof(msg), "fork: %s", strerror(errno));
		close(sp[0]);
		close(sp[1]);
		return run_fail(g, 1, msg);
	}
	if (g->pid == 0) {
		close(sp[0]);
		child_main(g, sp[1], argv);
	}
	close(sp[1]);
	g->sp = sp[0];

	n = fdpass_recv(g->sp, buf, sizeof(buf) - 1, fds, &nfds, &trunc);
	if (n <= 0 || trunc) {
		reap(g, &st);
		snprintf(msg, sizeof(msg), "the guest process died while setting up its namespace (%s %d)",
			 WIFSIGNALED(st) ? "signal" : "exit status",
			 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		return run_fail(g, 1, msg);
	}
	buf[n] = '\0';
	if (buf[0] != 'O' || nfds != g->cfg.n_ifaces) {
		while (nfds)
			close(fds[--nfds]);
		reap(g, &st);
		return run_fail(g, 1, buf[0] == 'E' ? buf + 1 :
				"the guest process sent something unexpected");
	}
	memcpy(g->taps, fds, nfds * sizeof(int));
	g->ntaps = nfds;
	if (buf[1])
		run_warn(g, buf + 1);

	ret = send_attach(g);
	if (ret) {
		kill(g->pid, SIGKILL);
		reap(g, &st);
		return run_fail(g, 1, g->cl.err);
	}
	g->attached = 1;
	if (write(g->sp, &go, 1) != 1) {
		/* the child died: SIGCHLD tells us the rest */
	}
	n = read(g->sp, buf, sizeof(buf) - 1);	/* EOF: the exec worked */
	close(g->sp);
	g->sp = -1;
	if (n > 0 && buf[0] == 'X') {
		char *text = NULL;
		long code;

		buf[n] = '\0';
		code = strtol(buf + 1, &text, 10);
		reap(g, &st);
		send_exit(g, guest_init_status(st));
		send_rm(g);
		return run_fail(g, code == 126 || code == 127 ? (int)code : 1,
				text && *text ? text + 1 : "exec failed");
	}
	return 0;
}

/* The lifeline broke: try once to get it back */
static void try_reattach(struct guest_run *g)
{
	int ret;

	if (client_connect(&g->cl))
		return;
	ret = send_attach(g);
	if (!ret) {
		fprintf(stderr, "mvm: reattached guest '%s' to mvmd\n", g->name);
		return;
	}
	if (ret != -ECONNRESET && ret != -ETIMEDOUT) {
		char msg[sizeof(g->cl.err) + 200];

		snprintf(msg, sizeof(msg),
			 "mvmd refused to reattach guest '%s' (%s); it keeps running without its network",
			 g->name, g->cl.err);
		run_warn(g, msg);
		g->give_up = 1;
	}
	client_close(&g->cl);
}

/* Wait for the command to end; returns its wait status */
static int wait_child(struct guest_run *g)
{
	struct signalfd_siginfo si;
	struct pollfd p[2];
	int st;

	for (;;) {
		int connected = g->cl.fd >= 0, timeout = -1;

		p[0] = (struct pollfd){ .fd = g->sfd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = g->cl.fd, .events = POLLIN };
		if (!connected && !g->give_up)
			timeout = REATTACH_INTERVAL_MS;
		if (poll(p, connected ? 2 : 1, timeout) < 0 && errno != EINTR)
			usleep(10000);
		if (p[0].revents & POLLIN &&
		    read(g->sfd, &si, sizeof(si)) == sizeof(si)) {
			switch (si.ssi_signo) {
			case SIGCHLD:
				if (waitpid(g->pid, &st, WNOHANG) == g->pid)
					return st;
				break;
			case SIGINT:
			case SIGQUIT:
				/* in the foreground the terminal sent it to the
				 * command too; a detached guest has no terminal */
				if (g->detached)
					kill(g->pid, (int)si.ssi_signo);
				break;
			default:
				kill(g->pid, (int)si.ssi_signo);
			}
		}
		if (connected && p[1].revents) {
			struct json_object *m = NULL;

			if (client_recv(&g->cl, 0, &m) == 0) {
				json_object_put(m);	/* nothing is expected here */
				continue;
			}
			cli_warn("lost the connection to mvmd; reattaching guest '%s' when it is back",
				 g->name);
			client_close(&g->cl);
		} else if (!connected && !g->give_up) {
			try_reattach(g);
		}
	}
}

/* Tell mvmd how it ended, reconnecting briefly if the lifeline is down */
static void finish(struct guest_run *g, int code)
{
	int i;

	for (i = 0; g->cl.fd < 0 && i < EXIT_REPORT_TRIES && !g->give_up; i++) {
		if (!client_connect(&g->cl))
			break;
		usleep(REATTACH_INTERVAL_MS * 1000);
	}
	if (g->cl.fd >= 0 && send_exit(g, code) && !g->give_up)
		cli_warn("cannot report the exit of guest '%s' to mvmd: %s", g->name,
			 g->cl.err);
}

/* -d: fork the supervisor. Returns -1 in the supervisor, else the status. */
static int detach(struct guest_run *g)
{
	char state[PATH_MAX], dir[PATH_MAX + 8], line[2048];
	int p[2], fd, ret, code = 1, got = 0;
	FILE *in;
	pid_t pid;

	ret = paths_state_dir(state, sizeof(state));
	if (!ret) {
		snprintf(dir, sizeof(dir), "%s/guests", state);
		ret = mkdir_p(dir, 0700);
	}
	if (!ret && snprintf(g->log, sizeof(g->log), "%s/%s.log", dir, g->name) >=
		    (int)sizeof(g->log))
		ret = -ENAMETOOLONG;
	if (ret)
		return cli_error("cannot create the guest log in the state directory: %s",
				 strerror(-ret));
	fd = open(g->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return cli_error("cannot open %s: %s", g->log, strerror(errno));
	if (pipe2(p, O_CLOEXEC) < 0) {
		close(fd);
		return cli_error("pipe: %s", strerror(errno));
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fd);
		close(p[0]);
		close(p[1]);
		return cli_error("fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		close(p[0]);
		setsid();
		signal(SIGPIPE, SIG_IGN);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			close(null);
		}
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
		g->report = p[1];
		g->detached = 1;
		return -1;
	}
	/* the invoking mvm: the supervisor holds the lifeline now */
	close(fd);
	close(p[1]);
	client_close(&g->cl);
	in = fdopen(p[0], "r");
	while (in && fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "warn ", 5)) {
			cli_warn("%s", line + 5);
		} else if (!strcmp(line, "ok")) {
			got = 1;
			code = 0;
			break;
		} else if (!strncmp(line, "error ", 6)) {
			char *text;

			got = 1;
			code = (int)strtol(line + 6, &text, 10);
			cli_error("%s", *text ? text + 1 : "the guest failed to start");
			break;
		}
	}
	if (in)
		fclose(in);
	else
		close(p[0]);
	if (!got)
		return cli_error("the guest supervisor died while starting '%s'; see %s",
				 g->name, g->log);
	if (!code)
		printf("%s\n", g->name);
	return code;
}

static int create_guest(struct guest_run *g, const struct run_opts *o)
{
	struct json_object *args = json_object_new_object(), *nets, *res;
	char err[512];
	size_t i;
	int ret;

	nets = json_object_new_array();
	for (i = 0; i < o->n_networks; i++)
		json_object_array_add(nets, json_object_new_string(o->networks[i]));
	if (!o->n_networks)
		json_object_array_add(nets, json_object_new_string("default"));
	if (o->name)
		json_object_object_add(args, "name", json_object_new_string(o->name));
	json_object_object_add(args, "networks", nets);
	if (o->n_aliases) {
		nets = json_object_new_array();
		for (i = 0; i < o->n_aliases; i++)
			json_object_array_add(nets, json_object_new_string(o->aliases[i]));
		json_object_object_add(args, "aliases", nets);
	}
	if (o->n_publish) {
		nets = json_object_new_array();
		for (i = 0; i < o->n_publish; i++)
			json_object_array_add(nets, cli_pub_to_json(&o->publish[i]));
		json_object_object_add(args, "publish", nets);
	}
	nets = json_object_new_array();
	for (i = 0; o->argv[i]; i++)
		json_object_array_add(nets, json_object_new_string(o->argv[i]));
	json_object_object_add(args, "command", nets);
	json_object_object_add(args, "kind", json_object_new_string("netns"));
	json_object_object_add(args, "auto_remove", json_object_new_boolean(o->auto_remove));
	ret = client_call(&g->cl, "guest.create", args, NULL, 0, &res);
	if (ret)
		return cli_error("%s", g->cl.err);
	ret = guest_from_json(g, res, err, sizeof(err));
	json_object_put(res);
	if (ret)
		return cli_error("%s", err);
	return 0;
}

int supervise_run(struct cli_ctx *ctx, const struct run_opts *o)
{
	struct guest_run *g = calloc(1, sizeof(*g));
	sigset_t mask;
	size_t i;
	int ret, st;

	if (!g)
		return cli_error("out of memory");
	g->sp = g->sfd = g->report = -1;
	if (cli_connect(ctx, &g->cl, 1)) {
		free(g);
		return 1;
	}
	ret = create_guest(g, o);
	if (ret)
		goto out;
	if (o->detach) {
		ret = detach(g);
		if (ret >= 0)
			goto out;
	}

	/* from here on, SIGCHLD and the stop signals arrive on a signalfd */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, &g->oldmask);
	g->sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (g->sfd < 0) {
		ret = run_fail(g, 1, "signalfd failed");
		goto out;
	}
	ret = start_child(g, o->argv);
	if (ret)
		goto out;
	report(g, "ok");
	if (g->report >= 0) {
		close(g->report);
		g->report = -1;
	}
	st = wait_child(g);
	ret = guest_init_status(st);
	if (g->detached)
		fprintf(stderr, "mvm: guest '%s' exited with status %d\n", g->name, ret);
	finish(g, ret);
	if (g->detached && o->auto_remove)
		unlink(g->log);
out:
	client_close(&g->cl);
	for (i = 0; i < g->ntaps; i++)
		close(g->taps[i]);
	if (g->sfd >= 0)
		close(g->sfd);
	if (g->report >= 0)
		close(g->report);
	free(g);
	return ret;
}
