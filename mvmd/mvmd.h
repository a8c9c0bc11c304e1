/* SPDX-License-Identifier: MIT */
/*
 * mvmd.h - the daemon context shared by every part of mvmd
 *
 * One struct mvmd holds everything the daemon owns: its paths, the network
 * and guest registries, the control clients, the epoll loop and the queue
 * through which switch threads report finished captures. Only the main
 * thread touches it, except for the capture queue (capture.c), which has
 * its own lock. Nothing here is file-scope state, so unit tests and the
 * fuzz target can run a whole daemon context in a temporary directory.
 */
#ifndef MVMD_MVMD_H
#define MVMD_MVMD_H

#include <json-c/json.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct network;
struct guest;
struct ctl_client;
struct capq_item;

/** enum mvmd_ev_type - what an epoll registration stands for */
enum mvmd_ev_type {
	MVMD_EV_LISTEN,		/* the control socket: accept */
	MVMD_EV_SIGNAL,		/* signalfd: SIGTERM, SIGINT, SIGCHLD */
	MVMD_EV_CAPQ,		/* eventfd: a capture finished on a switch thread */
	MVMD_EV_CLIENT,		/* a control connection: @ptr is the client */
	MVMD_EV_PIDFD,		/* a guest's pidfd: @ptr is the guest */
};

/** struct mvmd_ev - epoll_event.data.ptr of every registration */
struct mvmd_ev {
	enum mvmd_ev_type type;
	void *ptr;
};

/** struct mvmd_opts - how to set a daemon context up */
struct mvmd_opts {
	const char *runtime_dir;	/* NULL: paths_runtime_dir() */
	const char *state_dir;		/* NULL: paths_state_dir() */
	const char *config_path;	/* NULL: paths_default_config(); "" none */
	const char *log_path;		/* shown by system.status; NULL: none */
	int no_persist;			/* never write state.json (fuzzing) */
	int no_default_network;		/* don't create `default` (tests) */
};

/** struct mvmd - the daemon */
struct mvmd {
	char runtime_dir[PATH_MAX];
	char state_dir[PATH_MAX];
	char sock_path[PATH_MAX];
	char state_path[PATH_MAX];	/* "" when not persisting */
	char log_path[PATH_MAX];	/* "" when logging to stderr */
	char config_path[PATH_MAX];	/* "" when there is no config file */
	struct json_object *config_errors;	/* array of strings */
	uint64_t start_ns;		/* CLOCK_MONOTONIC at start */

	struct network **nets;		/* in creation order */
	size_t n_nets, cap_nets;
	struct guest **guests;		/* in creation order */
	size_t n_guests, cap_guests;
	struct ctl_client *clients;	/* doubly linked */
	size_t n_clients;

	int epfd, listen_fd, sig_fd;	/* -1 when not serving */
	struct mvmd_ev ev_listen, ev_sig, ev_capq;

	/* capture completions, pushed by switch threads (capture.c) */
	pthread_mutex_t capq_lock;
	struct capq_item *capq_head, **capq_tail;
	int capq_fd;			/* eventfd */
	uint64_t capture_serial;	/* last serial handed out */

	/* system.stop / SIGTERM */
	int stopping;			/* shutdown in progress */
	int stop_killed;		/* SIGKILL already sent */
	uint64_t stop_deadline_ns;
	int quit;			/* leave the loop */

	int no_persist;
	uint32_t guest_serial;		/* last guest id handed out */

	/* DNS upstreams of nat networks (services.c), read once */
	int svc_upstreams_loaded;
	char upstreams[3][72];		/* GW_DNS_UPSTREAMS of vsw.h */
	size_t n_upstreams;
};

/**
 * mvmd_init() - set up a daemon context: paths, state, config, networks
 * @d:		context to fill (zeroed by this function)
 * @o:		options
 * @err:	on failure, a one-line reason
 * Loads state.json (a corrupt one is moved aside), the config file, and
 * creates the `default` network when it is missing. Does not listen.
 * Return: 0 or -errno; on failure @d needs no mvmd_fini()
 */
int mvmd_init(struct mvmd *d, const struct mvmd_opts *o, char *err,
	      size_t errlen);

/**
 * mvmd_fini() - release everything: clients, guests' ports, networks
 * @d:		context from mvmd_init(); state is not saved here
 */
void mvmd_fini(struct mvmd *d);

/**
 * mvmd_changed() - persist the registries after a change
 * Errors are logged: a failed save does not fail the request that made it.
 */
void mvmd_changed(struct mvmd *d);

/**
 * mvmd_watch() - register @fd with the daemon's epoll for EPOLLIN
 * Return: 0 (also when the daemon is not serving: nothing to do) or -errno
 */
int mvmd_watch(struct mvmd *d, int fd, struct mvmd_ev *ev);

/** mvmd_unwatch() - remove @fd from the daemon's epoll (errors ignored) */
void mvmd_unwatch(struct mvmd *d, int fd);

#endif
