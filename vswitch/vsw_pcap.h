/* SPDX-License-Identifier: MIT */
/*
 * capture.h - one pcap capture: a bounded record queue and its writer thread
 *
 * The switch thread offers every frame with vsw_cap_feed(); the capture
 * filters it (BPF), queues a libpcap record in its ring if there is room
 * (else counts a drop) and returns at once. The capture's own thread
 * writes the ring to the file descriptor with ordinary blocking-style
 * writes, so a slow reader only ever costs dropped records.
 */
#ifndef MVM_VSWITCH_CAPTURE_H
#define MVM_VSWITCH_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "vswitch/vsw.h"

#define CAPTURE_SNAPLEN		262144
#define CAPTURE_LINKTYPE	1		/* LINKTYPE_ETHERNET */
#define CAPTURE_RING_SIZE	(4u << 20)	/* bytes of queued records */
#define CAPTURE_FILTER_MAX	1024		/* longest filter accepted */

struct vsw_cap;

/** struct vsw_cap_opts - how to start a capture */
struct vsw_cap_opts {
	int fd;			/* dup()ed; the caller keeps its own */
	const char *filter;	/* BPF expression or NULL */
	uint64_t count;		/* records, 0 = unlimited */
	size_t ring_size;	/* 0 = CAPTURE_RING_SIZE; rounded up to 2^n */
	vsw_capture_done_fn done;
	void *opaque;
	int notify_fd;		/* eventfd written when the capture ended by
				 * itself (count reached, write error), so its
				 * owner can reap it; -1 for none */
};

/**
 * vsw_cap_create() - compile the filter, write the file header, start the
 * writer thread
 * @o:		options
 * @out:	receives the capture
 * @err, @errlen: on failure, a one-line reason
 * Return: 0, -EINVAL (bad filter), -EBADF, or -errno of the header write
 */
int vsw_cap_create(const struct vsw_cap_opts *o, struct vsw_cap **out,
		   char *err, size_t errlen);

/**
 * vsw_cap_feed() - offer one frame (switch thread only)
 * @c:		capture
 * @ts:		time the frame was received (CLOCK_REALTIME)
 * @frame, @len: Ethernet frame
 * Never blocks and never allocates.
 */
void vsw_cap_feed(struct vsw_cap *c, const struct timespec *ts,
		  const uint8_t *frame, size_t len);

/**
 * vsw_cap_ended() - has the capture ended by itself (its done callback has
 * been or is being called)? Its owner should then vsw_cap_destroy() it.
 */
bool vsw_cap_ended(const struct vsw_cap *c);

/**
 * vsw_cap_destroy() - stop (if still running), flush what is queued (for at
 * most a couple of seconds if the reader is stuck), join the writer, close
 * the fd and free. If the capture had not ended by itself, its done
 * callback is not called. NULL is fine.
 */
void vsw_cap_destroy(struct vsw_cap *c);

/** vsw_cap_stats() - records queued for writing and records dropped */
void vsw_cap_stats(const struct vsw_cap *c, uint64_t *packets,
		   uint64_t *dropped);

/** vsw_cap_filter() - the filter text ("" for none) */
const char *vsw_cap_filter(const struct vsw_cap *c);

/** vsw_cap_id() / vsw_cap_set_id() - the switch's id for this capture */
unsigned vsw_cap_id(const struct vsw_cap *c);
void vsw_cap_set_id(struct vsw_cap *c, unsigned id);

#endif
