/* SPDX-License-Identifier: MIT */
/*
 * vsw.h - the per-network L2 switch
 *
 * Theory of operation
 * -------------------
 * Each network owns one struct vsw. vsw_create() starts the switch's own
 * event-loop thread (epoll). Every port is behind one ops table (port.h):
 * a tap (namespace guest), later vhost-user and stream, and the network's
 * gateway (gateway/), which is a port like any other: the switch knows
 * nothing of it. What a port needs from the loop beyond frames (output
 * made while taking a frame, a timer, a MAC only it may use) is in the
 * port interface, for every port type.
 *
 * A frame read from a port is looked up in the FDB by destination MAC
 * after the source MAC is learned: a known unicast destination gets the
 * frame on that port only; broadcast, multicast and unknown unicast are
 * flooded to every port but the ingress one; a frame is never sent back
 * out of the port it came in on (no hairpin). Frames carry the 12-byte
 * virtio_net_hdr_v1 (GSO type/size, checksum offsets) which the switch
 * passes through unchanged between ports that understand it.
 *
 * Every public function below is safe to call from any thread: the switch
 * serializes them against its loop with an internal lock. None of them may
 * be called from inside a capture callback.
 */
#ifndef MVM_VSW_H
#define MVM_VSW_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct vsw;

#define VSW_MAX_PORTS		256	/* per switch, the gateway included */
#define VSW_MAX_PINNED		4	/* MACs pinned to a port (port.h) */
#define VSW_MAX_CAPTURES	16	/* concurrent captures per switch */

/** struct vsw_config - what a switch needs to know about its network */
struct vsw_config {
	const char *name;	/* network name, for logs and thread name */
	unsigned fdb_max;	/* FDB size limit, 0 = default (4096) */
	unsigned fdb_ageing_s;	/* FDB ageing time, 0 = default (300 s) */
};

/**
 * vsw_create() - create a switch without ports and start its thread
 * @cfg:	configuration (copied)
 * @out:	receives the switch
 * Return: 0 or -errno
 */
int vsw_create(const struct vsw_config *cfg, struct vsw **out);

/**
 * vsw_destroy() - stop the thread, remove and close every port and capture
 * @sw:	switch (may be NULL)
 */
void vsw_destroy(struct vsw *sw);

/**
 * vsw_port_add_tap() - attach a tap device's file descriptor as a port
 * @sw:		switch
 * @fd:		tap fd opened with IFF_TAP|IFF_NO_PI|IFF_VNET_HDR and a vnet
 *		header size of 12 (struct virtio_net_hdr_v1); ownership passes
 *		to the switch on success, stays with the caller on failure
 * @name:	port name shown in stats ("web/eth0"), copied
 * @id:		receives the port id, unique for the switch's lifetime
 * Return: 0 or -errno (-ENOSPC when VSW_MAX_PORTS is reached, -EBADF)
 */
int vsw_port_add_tap(struct vsw *sw, int fd, const char *name, unsigned *id);

/**
 * vsw_port_remove() - detach a port, flush its FDB entries, close its fd
 * A port whose peer went away (EOF, EIO on read) is marked "dead" in
 * vsw_stats() and stops forwarding; it stays listed until removed here.
 * Return: 0, -ENOENT, or -EPERM for a permanent port (the gateway:
 * struct vsw_port's @permanent)
 */
int vsw_port_remove(struct vsw *sw, unsigned id);

/**
 * vsw_stats() - counters as JSON
 * Return: a new object (caller puts it):
 *   { "rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "drops",
 *     "flooded", "fdb_entries", "fdb_max", "fdb_full",
 *     "ports": [ { "id", "name", "type", "rx_packets", "rx_bytes",
 *                  "tx_packets", "tx_bytes", "drops" } ... ],
 *     "captures": [ { "id", "filter", "packets", "dropped" } ... ] }
 *   rx = frames the switch received from ports, tx = frames it delivered.
 *   Also present (additions): "fdb_learned", "fdb_moved", "fdb_aged",
 *   and "dead" (bool) in each port. The gateway's counters are added by
 *   gw_stats_json() (gateway/gateway.h).
 */
struct json_object *vsw_stats(struct vsw *sw);

/**
 * typedef vsw_capture_done_fn - a capture ended
 * @opaque:	as given to vsw_capture_start()
 * @reason:	0 when @count frames were written, else -errno of the write
 *		that failed (-EPIPE when the reader went away)
 * @packets:	records written
 * @dropped:	records dropped because the reader was too slow
 * Called once, from a switch-internal thread, never after vsw_capture_stop()
 * returned; it must not block and must not call into the switch.
 * It is called only when the capture ends by itself (count reached, write
 * error): a capture ended by vsw_capture_stop() or vsw_destroy() gets no
 * callback (read its counters from vsw_stats() first if needed). A capture
 * that ended by itself is removed from the switch automatically.
 */
typedef void (*vsw_capture_done_fn)(void *opaque, int reason,
				    uint64_t packets, uint64_t dropped);

/**
 * vsw_capture_start() - start writing every forwarded frame to @fd as pcap
 * @sw:		switch
 * @fd:		where the libpcap-format stream goes (file or pipe); the switch
 *		dup()s it, the caller keeps its own descriptor
 * @filter:	BPF expression (pcap_compile syntax) or NULL for everything
 * @count:	stop after this many records, 0 = until stopped
 * @done, @opaque: completion callback (may be NULL)
 * @id:		receives the capture id
 * @err:	on failure, a one-line reason (e.g. the filter's syntax error)
 * The file header is written before this returns. Records are queued in a
 * bounded buffer and written by a separate thread: the switch never waits
 * for the reader; when the buffer is full records are dropped and counted.
 * Return: 0 or -errno (-EINVAL for a bad filter, -ENOSPC beyond
 *	   VSW_MAX_CAPTURES, -EPIPE etc. when the header cannot be written)
 */
int vsw_capture_start(struct vsw *sw, int fd, const char *filter,
		      uint64_t count, vsw_capture_done_fn done, void *opaque,
		      unsigned *id, char *err, size_t errlen);

/**
 * vsw_capture_stop() - stop a capture, flush what is queued, close its fd
 * Flushing waits for the reader for at most about 2 s, then gives up.
 * Return: 0 or -ENOENT (already finished captures are gone)
 */
int vsw_capture_stop(struct vsw *sw, unsigned id);

/**
 * vsw_inject() - process a frame as if port @id had just received it
 * @sw:		switch
 * @id:		ingress port
 * @vh:		its struct virtio_net_hdr_v1 (12 bytes), NULL for none
 * @frame, @len: the Ethernet frame (any bytes: it is validated)
 * Runs synchronously in the caller's thread under the switch lock; the
 * frame is learned, captured and forwarded like any other. For tests and
 * fuzzing, and for control-plane code that must emit a frame.
 * Return: 0 or -ENOENT
 */
int vsw_inject(struct vsw *sw, unsigned id, const void *vh, const void *frame,
	       size_t len);


/**
 * vsw_lock() - take the switch lock, to call into a port's own state from
 * another thread (e.g. the gateway's tables, gateway/gw_api.c)
 * @sw:		switch
 * Port ops run on the switch thread with this lock held; a caller holding
 * it may touch the same state. Frames a port emits meanwhile
 * (vsw_port_input()) are forwarded at once.
 */
void vsw_lock(struct vsw *sw);

/**
 * vsw_unlock() - flush what ports emitted under vsw_lock(), drop the lock
 */
void vsw_unlock(struct vsw *sw);

#endif
