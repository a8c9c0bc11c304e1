// SPDX-License-Identifier: MIT
/*
 * control.c - the control socket, its clients, the dispatch table, the loop
 *
 * Theory of operation
 * -------------------
 * One thread, one epoll set: the listening socket, every client, a
 * signalfd (SIGTERM, SIGINT, SIGCHLD), the capture-completion eventfd and
 * the pidfds of guests that have no lifeline. epoll_wait() hands out one
 * event at a time: a handler may free a client or a guest that another
 * event of the same batch would point to, and the control plane has no
 * use for batching.
 *
 * Every message is read into a buffer one byte larger than PROTO_MAX_MSG,
 * so an oversized SOCK_SEQPACKET message shows as a full buffer (the
 * kernel drops its tail) and gets EMSGSIZE while the connection stays
 * usable. Client sockets are non-blocking: a client that does not read
 * its replies is disconnected rather than allowed to stall the daemon.
 */
#include "mvmd/control.h"
#include "mvmd/capture.h"
#include "mvmd/guest.h"
#include "mvmd/ops.h"
#include "common/fdpass.h"
#include "common/log.h"
#include "common/proto.h"
#include "common/util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define STOP_GRACE_NS (5ULL * 1000000000ULL)	/* SIGTERM -> SIGKILL */
#define KILL_GRACE_NS (2ULL * 1000000000ULL)	/* SIGKILL -> give up */

/** struct ctl_op - one entry of the dispatch table */
static const struct ctl_op {
	const char *name;
	ctl_handler fn;
	size_t max_fds;		/* descriptors it accepts */
	int while_stopping;	/* allowed once shutdown has begun */
} ctl_ops[] = {
	{ "system.status",	op_system_status,	0, 1 },
	{ "system.stop",	op_system_stop,		0, 1 },
	{ "network.create",	op_network_create,	0, 0 },
	{ "network.ls",		op_network_ls,		0, 1 },
	{ "network.inspect",	op_network_inspect,	0, 1 },
	{ "network.rm",		op_network_rm,		0, 0 },
	{ "network.prune",	op_network_prune,	0, 0 },
	{ "network.capture",	op_network_capture,	1, 0 },
	{ "guest.create",	op_guest_create,	0, 0 },
	{ "guest.attach",	op_guest_attach,	FDPASS_MAX, 0 },
	{ "guest.exit",		op_guest_exit,		0, 1 },
	{ "guest.ls",		op_guest_ls,		0, 1 },
	{ "guest.inspect",	op_guest_inspect,	0, 1 },
	{ "guest.signal",	op_guest_signal,	0, 1 },
	{ "guest.rm",		op_guest_rm,		0, 1 },
};

static void close_fds(int *fds, size_t nfds)
{
	size_t i;

	for (i = 0; i < nfds; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

struct json_object *ctl_dispatch(struct mvmd *d, struct ctl_client *c,
				 const char *buf, size_t len, int *fds,
				 size_t nfds)
{
	const struct ctl_op *op = NULL;
	struct json_object *reply;
	struct proto_req req;
	char err[256];
	size_t i;
	int ret;

	ret = proto_req_parse(buf, len, &req, err, sizeof(err));
	if (ret) {
		close_fds(fds, nfds);
		return proto_reply_err(ret, "%s", err);
	}
	for (i = 0; i < ARRAY_SIZE(ctl_ops); i++)
		if (!strcmp(ctl_ops[i].name, req.op))
			op = &ctl_ops[i];
	if (!op)
		reply = proto_reply_err(-EOPNOTSUPP, "unknown operation '%.64s'",
					req.op);
	else if (nfds > op->max_fds && !op->max_fds)
		reply = proto_reply_err(-EINVAL,
					"operation '%s' takes no file descriptors",
					op->name);
	else if (nfds > op->max_fds)
		reply = proto_reply_err(-EINVAL,
					"operation '%s' takes at most %zu file descriptor(s)",
					op->name, op->max_fds);
	else if (d->stopping && !op->while_stopping)
		reply = proto_reply_err(-EAGAIN, "mvmd is shutting down");
	else
		reply = op->fn(d, c, req.args, fds, nfds);
	close_fds(fds, nfds);
	if (op)
		debug("%s -> %s", op->name, !reply ? "(deferred)" :
		      json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN));
	proto_req_free(&req);
	return reply;
}

int ctl_send(struct ctl_client *c, struct json_object *msg)
{
	int ret = proto_send(c->fd, msg, NULL, 0);

	if (ret == -EMSGSIZE) {
		struct json_object *e = proto_reply_err(-EMSGSIZE,
			"the reply is too large for one message (limit %d bytes)",
			PROTO_MAX_MSG);

		ret = proto_send(c->fd, e, NULL, 0);
		json_object_put(e);
	}
	json_object_put(msg);
	return ret;
}

int mvmd_watch(struct mvmd *d, int fd, struct mvmd_ev *ev)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = ev };

	if (d->epfd < 0)
		return 0;
	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &e) ? -errno : 0;
}

void mvmd_unwatch(struct mvmd *d, int fd)
{
	if (d->epfd >= 0)
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
}

void ctl_client_close(struct mvmd *d, struct ctl_client *c)
{
	int changed = 0;
	size_t i = 0;

	if (c->busy) {
		c->dead = 1;
		return;
	}
	while (i < d->n_guests) {
		struct guest *g = d->guests[i];

		if (g->state == GUEST_CREATED && g->owner == c) {
			info("guest '%s' was never started; removed", g->name);
			guest_remove(d, g);
			changed = 1;
			continue;
		}
		if (g->state == GUEST_RUNNING && g->lifeline == c) {
			info("guest '%s': its supervisor went away", g->name);
			changed = 1;
			if (guest_exited(d, g, -1))
				continue;
		}
		if (g->owner == c)
			g->owner = NULL;
		i++;
	}
	if (c->cap) {
		capture_stop(d, c->cap, NULL, NULL);
		free(c->cap);
	}
	mvmd_unwatch(d, c->fd);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		d->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	d->n_clients--;
	free(c);
	if (changed)
		mvmd_changed(d);
}

static void refuse(int fd, int neg_errno, const char *msg)
{
	struct json_object *r = proto_reply_err(neg_errno, "%s", msg);

	proto_send(fd, r, NULL, 0);
	json_object_put(r);
	close(fd);
}

static void ctl_accept(struct mvmd *d)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct ctl_client *c;
	char msg[128];
	int fd;

	fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			warn("accept: %s", strerror(errno));
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
	    cred.uid != getuid()) {
		warn("refused a control connection from uid %d",
		     len == sizeof(cred) ? (int)cred.uid : -1);
		snprintf(msg, sizeof(msg), "permission denied: this mvmd serves uid %u only",
			 (unsigned)getuid());
		refuse(fd, -EPERM, msg);
		return;
	}
	if (d->n_clients >= CTL_MAX_CLIENTS) {
		warn("refused a control connection: %d already open",
		     CTL_MAX_CLIENTS);
		snprintf(msg, sizeof(msg),
			 "mvmd has too many connections (limit %d); try again later",
			 CTL_MAX_CLIENTS);
		refuse(fd, -EAGAIN, msg);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		refuse(fd, -ENOMEM, "mvmd is out of memory");
		return;
	}
	c->fd = fd;
	c->pid = cred.pid;
	c->ev.type = MVMD_EV_CLIENT;
	c->ev.ptr = c;
	if (mvmd_watch(d, fd, &c->ev)) {
		free(c);
		refuse(fd, -ENOMEM, "mvmd cannot watch the connection");
		return;
	}
	c->next = d->clients;
	if (c->next)
		c->next->prev = c;
	d->clients = c;
	d->n_clients++;
	debug("client pid %d connected", (int)c->pid);
}

static void ctl_read(struct mvmd *d, struct ctl_client *c)
{
	int fds[FDPASS_MAX];
	size_t nfds = FDPASS_MAX;
	struct json_object *reply;
	int trunc = 0;
	ssize_t n;
	char *buf;

	buf = malloc(PROTO_MAX_MSG + 1);
	if (!buf)
		return;	/* level-triggered: tried again */
	n = fdpass_recv(c->fd, buf, PROTO_MAX_MSG + 1, fds, &nfds, &trunc);
	if (n < 0 && (n == -EAGAIN || n == -EINTR)) {
		free(buf);
		return;
	}
	if (n <= 0) {
		free(buf);
		debug("client pid %d disconnected", (int)c->pid);
		ctl_client_close(d, c);
		return;
	}
	if (n > PROTO_MAX_MSG) {
		close_fds(fds, nfds);
		reply = proto_reply_err(-EMSGSIZE,
					"request too large (limit %d bytes)",
					PROTO_MAX_MSG);
	} else if (trunc) {
		close_fds(fds, nfds);
		reply = proto_reply_err(-EINVAL,
					"too many file descriptors (limit %d)",
					FDPASS_MAX);
	} else {
		c->busy = 1;
		reply = ctl_dispatch(d, c, buf, (size_t)n, fds, nfds);
		c->busy = 0;
	}
	free(buf);
	if (reply && ctl_send(c, reply) && !c->dead) {
		warn("client pid %d does not take its replies; disconnected",
		     (int)c->pid);
		c->dead = 1;
	}
	if (c->dead)
		ctl_client_close(d, c);
}

static void ctl_signal(struct mvmd *d)
{
	struct signalfd_siginfo si;

	while (read(d->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
			continue;
		}
		if (d->stopping) {
			info("signal %u again: not waiting for guests any longer",
			     si.ssi_signo);
			d->stop_deadline_ns = 0;
			continue;
		}
		info("signal %u: shutting down", si.ssi_signo);
		ctl_stop_begin(d);
	}
}

static void ctl_pidfd(struct mvmd *d, struct guest *g)
{
	if (g->lifeline) {
		/* its supervisor will report the status: wait for that */
		mvmd_unwatch(d, g->pidfd);
		return;
	}
	info("guest '%s' (pid %d) ended without a supervisor", g->name,
	     (int)g->pid);
	guest_exited(d, g, -1);
	mvmd_changed(d);
}

void ctl_stop_begin(struct mvmd *d)
{
	size_t i, running = 0;

	if (d->stopping)
		return;
	d->stopping = 1;
	d->stop_deadline_ns = now_mono_ns() + STOP_GRACE_NS;
	for (i = 0; i < d->n_guests; i++) {
		if (d->guests[i]->state != GUEST_RUNNING)
			continue;
		guest_signal(d->guests[i], SIGTERM);
		running++;
	}
	info("stopping: %zu running guest(s) sent SIGTERM", running);
}

static size_t running_guests(struct mvmd *d)
{
	size_t i, n = 0;

	for (i = 0; i < d->n_guests; i++)
		n += d->guests[i]->state == GUEST_RUNNING;
	return n;
}

static void stop_finish(struct mvmd *d)
{
	struct ctl_client *c;

	mvmd_changed(d);
	for (c = d->clients; c; c = c->next)
		if (c->want_stop_reply)
			ctl_send(c, proto_reply_ok(json_object_new_object()));
	info("stopped");
	d->quit = 1;
}

static void stop_progress(struct mvmd *d)
{
	size_t i;

	if (!d->stopping || d->quit)
		return;
	if (!running_guests(d)) {
		stop_finish(d);
		return;
	}
	if (now_mono_ns() < d->stop_deadline_ns)
		return;
	if (!d->stop_killed) {
		d->stop_killed = 1;
		d->stop_deadline_ns = now_mono_ns() + KILL_GRACE_NS;
		for (i = 0; i < d->n_guests; i++) {
			if (d->guests[i]->state != GUEST_RUNNING)
				continue;
			warn("guest '%s' ignored SIGTERM: SIGKILL", d->guests[i]->name);
			guest_signal(d->guests[i], SIGKILL);
		}
		return;
	}
	for (i = 0; i < d->n_guests;) {
		struct guest *g = d->guests[i];

		if (g->state == GUEST_RUNNING) {
			warn("guest '%s' did not report its exit", g->name);
			if (guest_exited(d, g, -1))
				continue;
		}
		i++;
	}
	stop_finish(d);
}

static int stop_timeout_ms(struct mvmd *d)
{
	uint64_t now = now_mono_ns();

	if (!d->stopping)
		return -1;
	if (now >= d->stop_deadline_ns)
		return 0;
	return (int)((d->stop_deadline_ns - now) / 1000000ULL) + 1;
}

int ctl_loop(struct mvmd *d)
{
	while (!d->quit) {
		struct epoll_event e;
		struct mvmd_ev *ev;
		int n = epoll_wait(d->epfd, &e, 1, stop_timeout_ms(d));

		if (n < 0 && errno != EINTR) {
			err("epoll_wait: %s", strerror(errno));
			return -errno;
		}
		if (n == 1) {
			ev = e.data.ptr;
			switch (ev->type) {
			case MVMD_EV_LISTEN:
				ctl_accept(d);
				break;
			case MVMD_EV_SIGNAL:
				ctl_signal(d);
				break;
			case MVMD_EV_CAPQ:
				capq_drain(d);
				break;
			case MVMD_EV_CLIENT:
				ctl_read(d, ev->ptr);
				break;
			case MVMD_EV_PIDFD:
				ctl_pidfd(d, ev->ptr);
				break;
			}
		}
		stop_progress(d);
	}
	return 0;
}

static int ctl_bind(struct mvmd *d, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, ret;

	if (str_copy(sa.sun_path, sizeof(sa.sun_path), d->sock_path)) {
		snprintf(err, errlen, "socket path too long: %s", d->sock_path);
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -errno;
	}
	/* we hold the instance lock: a socket file here is a dead daemon's */
	if (!unlink(d->sock_path))
		info("removed the stale control socket %s", d->sock_path);
	old = umask(0177);
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (ret || chmod(d->sock_path, 0600) || listen(fd, 64)) {
		ret = -errno;
		snprintf(err, errlen, "cannot listen on %s: %s", d->sock_path,
			 strerror(errno));
		close(fd);
		return ret;
	}
	d->listen_fd = fd;
	return 0;
}

int ctl_listen(struct mvmd *d, char *err, size_t errlen)
{
	sigset_t set;
	size_t i;
	int ret;

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		return -errno;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	d->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->sig_fd < 0) {
		snprintf(err, errlen, "signalfd: %s", strerror(errno));
		return -errno;
	}
	ret = ctl_bind(d, err, errlen);
	if (ret)
		return ret;
	d->ev_listen = (struct mvmd_ev){ MVMD_EV_LISTEN, NULL };
	d->ev_sig = (struct mvmd_ev){ MVMD_EV_SIGNAL, NULL };
	d->ev_capq = (struct mvmd_ev){ MVMD_EV_CAPQ, NULL };
	if (mvmd_watch(d, d->listen_fd, &d->ev_listen) ||
	    mvmd_watch(d, d->sig_fd, &d->ev_sig) ||
	    mvmd_watch(d, d->capq_fd, &d->ev_capq)) {
		snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
		return -errno;
	}
	/* guests restored before the loop existed */
	for (i = 0; i < d->n_guests; i++)
		if (d->guests[i]->state == GUEST_RUNNING)
			guest_watch(d, d->guests[i]);
	return 0;
}

void ctl_close(struct mvmd *d)
{
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		unlink(d->sock_path);
	}
	if (d->sig_fd >= 0)
		close(d->sig_fd);
	if (d->epfd >= 0)
		close(d->epfd);
	d->listen_fd = d->sig_fd = d->epfd = -1;
}
