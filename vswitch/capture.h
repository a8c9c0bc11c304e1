/* SPDX-License-Identifier: MIT */
/*
 * capture.h - one pcap capture: a bounded record queue and its writer thread
 *
 * The switch thread offers every frame with capture_feed(); the capture
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

struct capture;

/** struct capture_opts - how to start a capture */
struct capture_opts {
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
 * capture_create() - compile the filter, write the file header, start the
 * writer thread
 * @o:		options
 * @out:	receives the capture
 * @err, @errlen: on failure, a one-line reason
 * Return: 0, -EINVAL (bad filter), -EBADF, or -errno of the header write
 */
int capture_create(const struct capture_opts *o, struct capture **out,
		   char *err, size_t errlen);

/**
 * capture_feed() - offer one frame (switch thread only)
 * @c:		capture
 * @ts:		time the frame was received (CLOCK_REALTIME)
 * @frame, @len: Ethernet frame
 * Never blocks and never allocates.
 */
void capture_feed(struct capture *c, const struct timespec *ts,
		  const uint8_t *frame, size_t len);

/**
 * capture_ended() - has the capture ended by itself (its done callback has
 * been or is being called)? Its owner should then capture_destroy() it.
 */
bool capture_ended(const struct capture *c);

/**
 * capture_destroy() - stop (if still running), flush what is queued (for at
 * most a couple of seconds if the reader is stuck), join the writer, close
 * the fd and free. If the capture had not ended by itself, its done
 * callback is not called. NULL is fine.
 */
void capture_destroy(struct capture *c);

/** capture_stats() - records queued for writing and records dropped */
void capture_stats(const struct capture *c, uint64_t *packets,
		   uint64_t *dropped);

/** capture_filter() - the filter text ("" for none) */
const char *capture_filter(const struct capture *c);

/** capture_id() / capture_set_id() - the switch's id for this capture */
unsigned capture_id(const struct capture *c);
void capture_set_id(struct capture *c, unsigned id);

#endif
