/* SPDX-License-Identifier: MIT */
/*
 * port.h - what every switch port type implements, and what it may call
 *
 * Theory of operation
 * -------------------
 * A port is a struct vsw_port embedded in (or pointed to by) the port
 * type's own state, with an ops table. The switch calls:
 *
 *   ops->start()	optional: once attached, to register the port's fds
 *			with vsw_port_watch(). Failing detaches the port and
 *			vsw_port_add() fails with its error.
 *   ops->deliver()	to hand the port one frame (virtio_net_hdr_v1 +
 *			Ethernet frame). It must not block and must not keep
 *			the pointers: copy or drop. Return 0 when the frame
 *			was taken, -errno when it was dropped (the switch
 *			counts the drop).
 *   ops->flush()	optional: after a batch of deliveries, e.g. to
 *			signal a guest once per burst (vhost-user call fd).
 *   ops->event()	when a file descriptor the port registered with
 *			vsw_port_watch() is ready. The port reads its frames
 *			(a bounded burst) and hands each to vsw_port_input().
 *   ops->output()	optional: a port that made frames of its own while
 *			taking one in deliver() (a reply) calls
 *			vsw_port_defer_output() there; once the frame being
 *			forwarded has reached every egress port, the switch
 *			calls output(), which hands those frames to
 *			vsw_port_input(). So forwarding never nests inside a
 *			delivery.
 *   ops->timeout_ms()	optional: how long the loop may sleep before the
 *			port's tick() is due (-1: nothing pending).
 *   ops->tick()	optional: called after every wakeup of the loop,
 *			with the time; timers that are due fire here.
 *   ops->destroy()	when the port is removed: unwatch and close its
 *			fds (vsw_port_unwatch() is needed even just before
 *			close(): another process may hold the same file
 *			description, which keeps it in the epoll set), free
 *			its state.
 *
 * All ops run on the switch thread with the switch lock held, so a port
 * type needs no locking of its own for state touched only by these.
 * A port type may watch several fds (vhost-user: the socket and one kick
 * eventfd per queue); @tag tells them apart.
 *
 * Receive buffers: the switch owns one receive buffer (vsw_port_rxbuf());
 * because every frame is forwarded before the next is read, ports that
 * read from fds (tap, stream) share it instead of allocating their own.
 */
#ifndef MVM_VSWITCH_PORT_H
#define MVM_VSWITCH_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt/frame.h"

struct vsw;
struct vsw_port;

/** struct vsw_port_stats - per-port counters, seen from the switch */
struct vsw_port_stats {
	uint64_t rx_packets;	/* frames received from the port */
	uint64_t rx_bytes;
	uint64_t tx_packets;	/* frames delivered to the port */
	uint64_t tx_bytes;
	uint64_t drops;		/* frames to or from the port dropped */
};

/** struct vsw_port_ops - one port type */
struct vsw_port_ops {
	const char *type;	/* "tap", "gateway", ... shown in stats */
	int (*start)(struct vsw_port *p);
	int (*deliver)(struct vsw_port *p, const struct virtio_net_hdr_v1 *vh,
		       const uint8_t *frame, size_t len);
	void (*flush)(struct vsw_port *p);
	void (*event)(struct vsw_port *p, unsigned tag, uint32_t events);
	void (*output)(struct vsw_port *p);
	int (*timeout_ms)(struct vsw_port *p, uint64_t now_ns);
	void (*tick)(struct vsw_port *p, uint64_t now_ns);
	void (*destroy)(struct vsw_port *p);
};

/**
 * struct vsw_port - the switch's view of a port
 * @ops:	port type
 * @sw:		owning switch
 * @id:		unique for the switch's lifetime (the gateway is 0)
 * @slot:	index in the switch's port table (also the FDB's port number)
 * @name:	shown in stats
 * @dead:	the port's peer went away; no longer polled or delivered to,
 *		waiting for vsw_port_remove()
 * @permanent:	vsw_port_remove() refuses it (the gateway)
 * @tx_pending:	delivered to since the last flush (switch-internal)
 * @out_pending: vsw_port_defer_output() was called (switch-internal)
 * @st:		counters
 */
struct vsw_port {
	const struct vsw_port_ops *ops;
	struct vsw *sw;
	unsigned id;
	unsigned slot;
	char name[64];
	bool dead;
	bool permanent;
	bool tx_pending;
	bool out_pending;
	struct vsw_port_stats st;
};

#define VSW_RXBUF_SIZE	FRAME_MAX	/* frame bytes after the virtio header */

/**
 * struct vsw_rxbuf - the switch's shared receive buffer
 * @vh:		virtio header as read
 * @frame:	frame bytes
 */
struct vsw_rxbuf {
	struct virtio_net_hdr_v1 vh;
	uint8_t frame[VSW_RXBUF_SIZE];
};

/** vsw_port_rxbuf() - the switch's receive buffer (switch thread only) */
struct vsw_rxbuf *vsw_port_rxbuf(struct vsw_port *p);

/**
 * vsw_port_input() - hand a frame received from @p to the switch
 * @p:		ingress port
 * @vh:		its virtio header
 * @frame, @len: Ethernet frame
 * Learns, captures and forwards it; returns when every egress port has
 * taken or dropped it, so the buffer may be reused at once.
 */
void vsw_port_input(struct vsw_port *p, const struct virtio_net_hdr_v1 *vh,
		    const uint8_t *frame, size_t len);

/**
 * vsw_port_watch() - poll @fd for @events on behalf of @p
 * @p:		port
 * @fd:		descriptor (still owned by the port)
 * @tag:	passed back to ops->event() (0..65535)
 * @events:	EPOLLIN etc.
 * Return: 0 or -errno
 */
int vsw_port_watch(struct vsw_port *p, int fd, unsigned tag, uint32_t events);

/** vsw_port_unwatch() - stop polling @fd */
void vsw_port_unwatch(struct vsw_port *p, int fd);

/**
 * vsw_port_set_dead() - the port's peer is gone: stop delivering to it and
 * forget its MACs; it stays listed (marked dead) until vsw_port_remove().
 * The port type unwatches its own fds.
 */
void vsw_port_set_dead(struct vsw_port *p);

/**
 * vsw_port_drop() - count one frame to or from @p as dropped
 */
void vsw_port_drop(struct vsw_port *p);

/**
 * vsw_port_tap_new() - create a tap port (port_tap.c)
 * @fd:		tap (or any message-preserving) fd carrying virtio_net_hdr_v1
 *		before each frame; made non-blocking; owned by the port on
 *		success (closed by ops->destroy())
 * @out:	receives the port; the switch attaches it and watches its fd
 * Return: 0 or -errno
 */
int vsw_port_tap_new(int fd, struct vsw_port **out);

/** vsw_port_tap_release() - free a tap port never attached, keeping its fd */
void vsw_port_tap_release(struct vsw_port *p);

/**
 * vsw_port_add() - attach a port of any type to the switch
 * @sw:		switch
 * @p:		port from its type's constructor; on success the switch owns
 *		it (ops->destroy() on removal), on failure the caller does
 * @name:	port name for stats, copied (truncated to fit)
 * @id:		receives the port id
 * Takes the switch lock, attaches @p and calls its ops->start().
 * Return: 0, -ENOSPC (port limit) or the error of ops->start()
 */
int vsw_port_add(struct vsw *sw, struct vsw_port *p, const char *name,
		 unsigned *id);

/**
 * vsw_port_defer_output() - from deliver(): @p has frames of its own to
 * send once the current frame is forwarded; the switch calls ops->output()
 */
void vsw_port_defer_output(struct vsw_port *p);

/**
 * vsw_port_pin_mac() - @mac belongs to @p alone: frames to it go to @p
 * whatever the FDB says, and frames from any other port with it as their
 * source are dropped (nobody can steal the gateway's traffic)
 * @p:		an attached port
 * @mac:	unicast MAC (copied)
 * The pin goes when the port is removed.
 * Return: 0, -EINVAL (multicast or zero), -EEXIST (pinned to another
 * port) or -ENOSPC (VSW_MAX_PINNED per switch)
 */
int vsw_port_pin_mac(struct vsw_port *p, const uint8_t mac[6]);

#endif
