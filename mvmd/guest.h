/* SPDX-License-Identifier: MIT */
/*
 * guest.h - mvmd's registry of guests, and their addresses and MACs
 *
 * Life of a guest: guest.create allocates, for each network in the order
 * given, a unique locally administered MAC and the lowest free address
 * (state `created`); guest.attach brings one tap fd per interface which
 * become switch ports (state `running`), and the connection that brought
 * them becomes the guest's lifeline; guest.exit or the lifeline's end
 * takes the ports off the switches and frees the addresses (`exited`).
 * Addresses are "in use" while an interface holds a non-zero ip: created
 * and running guests hold theirs, exited ones never do.
 */
#ifndef MVMD_GUEST_H
#define MVMD_GUEST_H

#include <json-c/json.h>
#include <stdint.h>
#include <sys/types.h>

#include "mvmd/mvmd.h"
#include "mvmd/publish.h"

#define GUEST_MAX 256		/* guests per daemon, exited ones included */
#define GUEST_MAX_IF 8		/* interfaces per guest */
#define GUEST_NAME_MAX 64
#define GUEST_CMD_MAX 256	/* arguments of a guest's command */
#define GUEST_ALIASES_MAX 16	/* extra DNS names of a guest */

enum guest_state { GUEST_CREATED, GUEST_RUNNING, GUEST_EXITED };

/** struct guest_if - one interface of a guest */
struct guest_if {
	char network[64];	/* by name: exited guests outlive networks */
	char ifname[16];	/* eth0, eth1, ... */
	uint8_t mac[6];
	uint32_t ip;		/* host order; 0 once freed */
	unsigned port;		/* switch port id, valid while @attached */
	int attached;
};

/** struct guest - one guest */
struct guest {
	char name[GUEST_NAME_MAX];
	uint32_t id;			/* unique in the daemon, never 0; the
					 * owner of its published ports */
	char kind[16];			/* "netns" */
	enum guest_state state;
	pid_t pid;			/* while running */
	int pidfd;			/* while running, -1 if none */
	int exit_code;			/* once exited */
	struct json_object *command;	/* array of strings, owned */
	struct json_object *aliases;	/* array of DNS names, owned */
	char created[32], started[32], finished[32];	/* "" = not yet */
	int auto_remove;
	size_t n_if;
	struct guest_if ifs[GUEST_MAX_IF];
	struct ctl_client *owner;	/* connection that created it */
	struct ctl_client *lifeline;	/* connection that attached it */
	struct mvmd_ev ev;		/* pidfd watch */
	size_t n_pubs;
	struct pub pubs[PUB_MAX];	/* --publish ones first, then config's */
};

/** struct guest_spec - what guest_create() is asked for */
struct guest_spec {
	const char *name;		/* NULL = generate one */
	const char *kind;		/* NULL = "netns" */
	const char *const *networks;	/* names, in order */
	size_t n_networks;
	struct json_object *command;	/* borrowed array of strings or NULL */
	struct json_object *aliases;	/* borrowed array of names or NULL */
	int auto_remove;
	struct json_object *publish;	/* borrowed array of pub_from_json()
					 * objects or NULL */
};

/**
 * guest_create() - register a guest and allocate its MACs and addresses
 * @out:	receives the guest (owned by the registry)
 * Return: 0 or -errno with the reply's sentence in @err: -EEXIST (name in
 *	   use), -EINVAL (bad name, duplicate network, too many, bad
 *	   publication), -ENOENT (unknown network), -ENOSPC (no free address
 *	   or GUEST_MAX reached), -EADDRINUSE (a host port is taken: see
 *	   pub_guest_up()); on failure nothing of the guest remains
 */
int guest_create(struct mvmd *d, const struct guest_spec *s,
		 struct guest **out, char *err, size_t errlen);

/**
 * guest_attach() - put the guest's tap fds on the switches
 * @fds:	one tap fd per interface; each one taken is set to -1 (on
 *		failure none is taken and no port remains)
 * @pid:	the guest's process
 * @lifeline:	the connection that now answers for the guest (may be NULL)
 * Accepts a `created` guest, and a `running` one that lost its lifeline
 * (mvmd restarted) when @pid is the same: that is a reattach.
 * Return: 0 or -errno with the reason in @err
 */
int guest_attach(struct mvmd *d, struct guest *g, pid_t pid, int *fds,
		 size_t nfds, struct ctl_client *lifeline, char *err,
		 size_t errlen);

/**
 * guest_exited() - the guest is gone: detach, free addresses, record @code
 * Removes it altogether when it was created with auto_remove.
 * Return: 1 if the guest was removed (the pointer is dead), else 0
 */
int guest_exited(struct mvmd *d, struct guest *g, int code);

/** guest_detach() - take every port of @g off its switch */
void guest_detach(struct mvmd *d, struct guest *g);

/** guest_remove() - detach, drop from the registry and free @g */
void guest_remove(struct mvmd *d, struct guest *g);

/** guest_find() - the guest called @name, or NULL */
struct guest *guest_find(struct mvmd *d, const char *name);

/**
 * guest_signal() - send @sig to a running guest (pidfd_send_signal)
 * Return: 0 or -errno
 */
int guest_signal(struct guest *g, int sig);

/** guest_to_json() - the protocol's guest object (caller puts it) */
struct json_object *guest_to_json(struct mvmd *d, const struct guest *g);

/**
 * guest_pubs_json() - the guest's publications, pub_to_json() each
 * Return: a new array (caller puts it)
 */
struct json_object *guest_pubs_json(const struct guest *g);

/** guest_state_name() - "created", "running" or "exited" */
const char *guest_state_name(enum guest_state s);

/**
 * guest_ip_alloc() - the lowest free address of network @n (from .2 up),
 * skipping those a DHCP client holds a lease on
 * Return: 0 with *@out set, or -ENOSPC
 */
int guest_ip_alloc(struct mvmd *d, const struct network *n, uint32_t *out);

/** guest_ip_in_use() - does a guest hold @ip on network @net? */
int guest_ip_in_use(struct mvmd *d, const char *net, uint32_t ip);

/**
 * guest_mac_alloc() - a random locally administered unicast MAC that no
 * guest interface nor gateway uses
 * Return: 0 or -errno (getrandom)
 */
int guest_mac_alloc(struct mvmd *d, uint8_t mac[6]);

/** guest_id_alloc() - a new guest id (never 0, never one in use) */
uint32_t guest_id_alloc(struct mvmd *d);

/** guest_add() - append an already filled @g to the registry (state.c) */
int guest_add(struct mvmd *d, struct guest *g);

/** guest_watch() - watch a running guest's pidfd for its exit */
void guest_watch(struct mvmd *d, struct guest *g);

/** guest_pidfd_open() - pidfd_open(2), or -errno */
int guest_pidfd_open(pid_t pid);

/**
 * guest_name_generate() - a free "adjective-noun" name (names.h) into @buf
 * Return: 0 or -ENOSPC
 */
int guest_name_generate(struct mvmd *d, char *buf, size_t size);

#endif
