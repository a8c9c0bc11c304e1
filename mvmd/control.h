/* SPDX-License-Identifier: MIT */
/*
 * control.h - the control socket, its clients, the dispatch table, the loop
 *
 * docs/control-protocol.md is the contract. Requests are dispatched
 * through one table of { op, handler }; a handler gets the request's args
 * and the file descriptors that came with it and returns the whole reply
 * (proto_reply_ok() or proto_reply_err()), or NULL when the reply is sent
 * later (system.stop). ctl_dispatch() needs no socket, so unit tests and
 * the fuzz target drive it directly.
 */
#ifndef MVMD_CONTROL_H
#define MVMD_CONTROL_H

#include <json-c/json.h>
#include <stddef.h>
#include <sys/types.h>

#include "mvmd/mvmd.h"

#define CTL_MAX_CLIENTS 256	/* connections; more are refused with EAGAIN */

struct capture;

/** struct ctl_client - one control connection */
struct ctl_client {
	struct ctl_client *prev, *next;
	struct mvmd_ev ev;
	int fd;
	pid_t pid;			/* peer, from SO_PEERCRED */
	struct capture *cap;		/* network.capture in progress */
	int want_stop_reply;		/* sent system.stop: reply at exit */
	int busy;			/* its request is being handled */
	int dead;			/* closed while busy: freed after it */
};

/** typedef ctl_handler - one operation; fds[i] = -1 for each fd it takes */
typedef struct json_object *(*ctl_handler)(struct mvmd *d,
					   struct ctl_client *c,
					   struct json_object *args,
					   int *fds, size_t nfds);

/**
 * ctl_dispatch() - parse one request and run its operation
 * @d:		daemon
 * @c:		the connection, or NULL (tests, fuzzing)
 * @buf, @len:	the message bytes
 * @fds, @nfds:	descriptors that came with it; those the operation does
 *		not take are closed here
 * Return: the reply to send (caller puts it), or NULL for none yet
 */
struct json_object *ctl_dispatch(struct mvmd *d, struct ctl_client *c,
				 const char *buf, size_t len, int *fds,
				 size_t nfds);

/**
 * ctl_listen() - bind the control socket (a stale one is replaced: the
 * caller holds the instance lock) and set up epoll and the signalfd
 * Signals SIGTERM, SIGINT and SIGCHLD must already be blocked.
 * Return: 0 or -errno with the reason in @err
 */
int ctl_listen(struct mvmd *d, char *err, size_t errlen);

/** ctl_loop() - serve until system.stop or SIGTERM has finished; 0 */
int ctl_loop(struct mvmd *d);

/** ctl_close() - tear down the listening socket and the epoll (at exit) */
void ctl_close(struct mvmd *d);

/**
 * ctl_send() - send @msg on @c and put it
 * Return: 0 or -errno (the caller decides whether to drop the client)
 */
int ctl_send(struct ctl_client *c, struct json_object *msg);

/**
 * ctl_client_close() - forget a connection: created guests it owns are
 * removed, guests whose lifeline it is exit with -1, its capture stops
 * A client whose own request is being handled (network.rm ending the
 * capture it runs) is only marked, and closed once its reply is sent.
 */
void ctl_client_close(struct mvmd *d, struct ctl_client *c);

/**
 * ctl_stop_begin() - start the shutdown sequence (system.stop, SIGTERM)
 * Running guests get SIGTERM, then SIGKILL after 5 s; ctl_loop() returns
 * once they have exited, after saving the state and answering every
 * client that asked for the stop.
 */
void ctl_stop_begin(struct mvmd *d);

#endif
