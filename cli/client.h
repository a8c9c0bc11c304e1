/* SPDX-License-Identifier: MIT */
/*
 * client.h - mvm's side of the control protocol: connecting to mvmd,
 * starting it on demand, and request/reply calls
 *
 * Nothing here prints: failures come back as -errno with a complete
 * sentence in client->err for the command to print.
 */
#ifndef MVM_CLI_CLIENT_H
#define MVM_CLI_CLIENT_H

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define CLIENT_START_TIMEOUT_MS 10000	/* mvmd must be ready within this */
#define CLIENT_REPLY_TIMEOUT_MS 60000	/* a reply must arrive within this */

/** struct client - one connection to mvmd */
struct client {
	int fd;				/* SOCK_SEQPACKET, -1 when closed */
	int started;			/* this client started mvmd */
	char sock_path[PATH_MAX];	/* control socket */
	char err[PATH_MAX + 1024];	/* last error as a sentence */
};

/**
 * client_connect() - connect to a running mvmd
 * @c:		initialised and connected on success
 * Return: 0; -ENOENT or -ECONNREFUSED when no mvmd listens; other -errno
 */
int client_connect(struct client *c);

/**
 * client_start_daemon() - start mvmd and wait until it serves requests
 * @c:		receives the error text on failure; @c->started is set on success
 * @config:	--config FILE to hand to mvmd, or NULL
 * Runs `mvmd --ready-fd N [--config FILE]` (mvmd beside this executable,
 * else from PATH) detached in its own session with stdio on /dev/null, and
 * reads its one-line answer on the pipe (docs/control-protocol.md).
 * Return: 0, -ETIMEDOUT after CLIENT_START_TIMEOUT_MS, or -errno
 */
int client_start_daemon(struct client *c, const char *config);

/**
 * client_open() - connect, starting mvmd first when none is running
 * @c:		connected on success (@c->started says whether mvmd was started)
 * @config:	handed to a new mvmd
 * @start:	zero to never start mvmd (then -ENOENT/-ECONNREFUSED)
 * Return: 0 or -errno with @c->err set
 */
int client_open(struct client *c, const char *config, int start);

/**
 * client_call() - send one request and wait for its reply
 * @c:		a connected client
 * @op:		operation name, e.g. "network.create"
 * @args:	arguments object or NULL; the call takes ownership of it
 * @fds, @nfds:	descriptors to pass along (SCM_RIGHTS), may be NULL/0
 * @result:	on success receives the "result" (never NULL: an empty object
 *		when the reply has none); caller puts it. May be NULL.
 * Error replies become -errno (from the reply's "errno" name) with the
 * reply's "error" sentence in @c->err.
 * Return: 0, -errno from mvmd, -ECONNRESET when mvmd closed the connection,
 *	   -ETIMEDOUT after CLIENT_REPLY_TIMEOUT_MS, or another -errno
 */
int client_call(struct client *c, const char *op, struct json_object *args,
		const int *fds, size_t nfds, struct json_object **result);

/**
 * client_recv() - wait for the next message (an event on long requests)
 * @c:		a connected client
 * @timeout_ms:	-1 to wait forever
 * @msg:	receives the message; caller puts it
 * Return: 0, -ECONNRESET on EOF, -ETIMEDOUT, or -errno
 */
int client_recv(struct client *c, int timeout_ms, struct json_object **msg);

/** client_close() - close the connection (safe to call twice) */
void client_close(struct client *c);

/** client_not_running() - does @err mean "no mvmd is listening"? */
static inline int client_not_running(int err)
{
	return err == -ENOENT || err == -ECONNREFUSED;
}

#endif
