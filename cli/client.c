// SPDX-License-Identifier: MIT
/*
 * client.c - connecting to mvmd, starting it on demand, request/reply calls
 *
 * Starting mvmd: the daemon must not be our child (mvm exits long before
 * it), so we fork twice: the middle process calls setsid() and forks mvmd,
 * then exits at once and is reaped here. mvmd gets the write end of a pipe
 * as --ready-fd and writes "ok" or "error: ..." on it when it is serving
 * (or has given up); EOF without a line means it died on the way.
 */
#include "cli/client.h"
#include "common/paths.h"
#include "common/proto.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void client_init(struct client *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

int client_connect(struct client *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int ret, fd;

	if (c->fd >= 0)
		client_close(c);
	ret = paths_control_socket(c->sock_path, sizeof(c->sock_path));
	if (ret) {
		snprintf(c->err, sizeof(c->err),
			 "cannot use the runtime directory: %s", strerror(-ret));
		return ret;
	}
	if (str_copy(sa.sun_path, sizeof(sa.sun_path), c->sock_path)) {
		snprintf(c->err, sizeof(c->err), "socket path too long: %s",
			 c->sock_path);
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		snprintf(c->err, sizeof(c->err), "socket: %s", strerror(errno));
		return ret;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		snprintf(c->err, sizeof(c->err), "cannot connect to mvmd at %s: %s",
			 c->sock_path, strerror(errno));
		close(fd);
		return ret;
	}
	c->fd = fd;
	return 0;
}

/* Find mvmd beside /proc/self/exe; fall back to a PATH search ("mvmd") */
static void find_mvmd(char *buf, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if (snprintf(buf, size, "%s/mvmd", self) < (int)size &&
			    access(buf, X_OK) == 0)
				return;
		}
	}
	str_copy(buf, size, "mvmd");
}

/* The grandchild: becomes mvmd. Only async-signal-safe calls until exec. */
static void __attribute__((noreturn))
exec_mvmd(const char *path, int ready, const char *config)
{
	char fdstr[16], msg[PATH_MAX + 64];
	const char *argv[6];
	int null, i = 0, len;

	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	snprintf(fdstr, sizeof(fdstr), "%d", ready);
	argv[i++] = "mvmd";
	argv[i++] = "--ready-fd";
	argv[i++] = fdstr;
	if (config) {
		argv[i++] = "--config";
		argv[i++] = config;
	}
	argv[i] = NULL;
	if (strchr(path, '/'))
		execv(path, (char **)argv);
	else
		execvp(path, (char **)argv);
	len = snprintf(msg, sizeof(msg), "error: cannot run %s: %s\n",
		       strchr(path, '/') ? path : "mvmd (not beside mvm, nor in PATH)",
		       strerror(errno));
	if (write(ready, msg, (size_t)len) < 0)
		_exit(127);
	_exit(127);
}

/* Read mvmd's one-line answer from @fd within the start timeout */
static int read_ready(struct client *c, int fd)
{
	char line[1024];
	size_t got = 0;
	uint64_t deadline = now_mono_ns() + CLIENT_START_TIMEOUT_MS * 1000000ull;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = now_mono_ns();
		ssize_t n;
		int r;

		if (now >= deadline) {
			snprintf(c->err, sizeof(c->err),
				 "mvmd did not become ready within %d s",
				 CLIENT_START_TIMEOUT_MS / 1000);
			return -ETIMEDOUT;
		}
		r = poll(&p, 1, (int)((deadline - now) / 1000000 + 1));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		n = read(fd, line + got, sizeof(line) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0) {
			got += (size_t)n;
			if (got < sizeof(line) - 1 && !memchr(line, '\n', got))
				continue;
		}
		line[got] = '\0';
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "ok"))
			return 0;
		if (!strncmp(line, "error: ", 7)) {
			snprintf(c->err, sizeof(c->err), "%s", line + 7);
			return -EIO;
		}
		if (got == 0)
			snprintf(c->err, sizeof(c->err),
				 "mvmd exited during start-up; see its log in the state directory");
		else
			snprintf(c->err, sizeof(c->err),
				 "mvmd said something unexpected at start-up: %s", line);
		return -EIO;
	}
}

int client_start_daemon(struct client *c, const char *config)
{
	char path[PATH_MAX];
	int pipefd[2], status, ret;
	pid_t pid;

	find_mvmd(path, sizeof(path));
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		ret = -errno;
		snprintf(c->err, sizeof(c->err), "pipe: %s", strerror(errno));
		return ret;
	}
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		snprintf(c->err, sizeof(c->err), "fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return ret;
	}
	if (pid == 0) {
		pid_t d;

		close(pipefd[0]);
		setsid();
		d = fork();
		if (d < 0)
			_exit(1);
		if (d > 0)
			_exit(0);
		/* the write end must survive exec: clear its close-on-exec */
		if (fcntl(pipefd[1], F_SETFD, 0) < 0)
			_exit(1);
		exec_mvmd(path, pipefd[1], config);
	}
	close(pipefd[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	ret = read_ready(c, pipefd[0]);
	close(pipefd[0]);
	if (!ret)
		c->started = 1;
	return ret;
}

int client_open(struct client *c, const char *config, int start)
{
	char why[sizeof(c->err)];
	int ret;

	client_init(c);
	ret = client_connect(c);
	if (!ret || !start || !client_not_running(ret))
		return ret;
	ret = client_start_daemon(c, config);
	if (ret) {
		/* another mvm may have won the race to start it: use that one */
		str_copy(why, sizeof(why), c->err);
		if (!client_connect(c))
			return 0;
		str_copy(c->err, sizeof(c->err), why);
		return ret;
	}
	ret = client_connect(c);
	if (ret)
		snprintf(c->err + strlen(c->err), sizeof(c->err) - strlen(c->err),
			 " (mvmd said it was ready)");
	return ret;
}

int client_recv(struct client *c, int timeout_ms, struct json_object **msg)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	int r;

	if (c->fd < 0) {
		snprintf(c->err, sizeof(c->err), "not connected to mvmd");
		return -ENOTCONN;
	}
	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		r = -errno;
		snprintf(c->err, sizeof(c->err), "poll: %s", strerror(errno));
		return r;
	}
	if (r == 0) {
		snprintf(c->err, sizeof(c->err), "mvmd did not answer within %d s",
			 timeout_ms / 1000);
		return -ETIMEDOUT;
	}
	r = proto_recv(c->fd, msg, NULL, NULL);
	if (r == -ECONNRESET)
		snprintf(c->err, sizeof(c->err),
			 "mvmd closed the connection (did it stop or crash? see its log)");
	else if (r)
		snprintf(c->err, sizeof(c->err), "bad message from mvmd: %s",
			 strerror(-r));
	return r;
}

int client_call(struct client *c, const char *op, struct json_object *args,
		const int *fds, size_t nfds, struct json_object **result)
{
	struct json_object *req, *rep = NULL, *res;
	const char *emsg, *ename;
	int ok = 0, ret;

	if (result)
		*result = NULL;
	req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string(op));
	if (args)
		json_object_object_add(req, "args", args);
	if (c->fd < 0) {
		json_object_put(req);
		snprintf(c->err, sizeof(c->err), "not connected to mvmd");
		return -ENOTCONN;
	}
	ret = proto_send(c->fd, req, fds, nfds);
	json_object_put(req);
	if (ret) {
		if (ret == -EPIPE || ret == -ECONNRESET) {
			snprintf(c->err, sizeof(c->err),
				 "mvmd closed the connection (did it stop or crash? see its log)");
			return -ECONNRESET;
		}
		snprintf(c->err, sizeof(c->err), "cannot send '%s' to mvmd: %s",
			 op, strerror(-ret));
		return ret;
	}
	for (;;) {
		ret = client_recv(c, CLIENT_REPLY_TIMEOUT_MS, &rep);
		if (ret)
			return ret;
		/* an event before our reply cannot happen on a fresh request,
		 * but would not be ours: skip it */
		if (json_object_object_get_ex(rep, "event", NULL)) {
			json_object_put(rep);
			continue;
		}
		break;
	}
	if (proto_get_bool(rep, "ok", &ok)) {
		snprintf(c->err, sizeof(c->err),
			 "bad reply from mvmd to '%s' (no \"ok\")", op);
		json_object_put(rep);
		return -EBADMSG;
	}
	if (!ok) {
		if (proto_get_str(rep, "error", &emsg))
			emsg = "mvmd reported an error without a message";
		if (proto_get_str(rep, "errno", &ename))
			ename = "EIO";
		str_copy(c->err, sizeof(c->err), emsg);
		ret = -proto_errno_value(ename);
		json_object_put(rep);
		return ret;
	}
	if (result) {
		if (json_object_object_get_ex(rep, "result", &res) && res)
			*result = json_object_get(res);
		else
			*result = json_object_new_object();
	}
	json_object_put(rep);
	return 0;
}

void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
