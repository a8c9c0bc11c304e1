// SPDX-License-Identifier: MIT
/*
 * capture.c - live and continuous pcap captures, and their completions
 *
 * Theory of operation: see capture.h. The one subtle point is lifetime:
 * vsw_capture_stop() guarantees the completion callback does not run once
 * it has returned, but a callback that ran just before may have queued an
 * item. Items therefore name their capture by serial number, never by
 * pointer, and an item whose serial no longer matches a live capture is
 * dropped. The callback allocates its item: a capture ends once, so this
 * is not on the packet path.
 */
#include "mvmd/capture.h"
#include "mvmd/control.h"
#include "mvmd/mvmd.h"
#include "mvmd/network.h"
#include "common/log.h"
#include "common/proto.h"
#include "common/util.h"
#include "vswitch/vsw.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

int capq_init(struct mvmd *d)
{
	pthread_mutex_init(&d->capq_lock, NULL);
	d->capq_head = NULL;
	d->capq_tail = &d->capq_head;
	d->capq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return d->capq_fd < 0 ? -errno : 0;
}

void capq_fini(struct mvmd *d)
{
	struct capq_item *it;

	while ((it = d->capq_head)) {
		d->capq_head = it->next;
		free(it);
	}
	d->capq_tail = &d->capq_head;
	if (d->capq_fd >= 0)
		close(d->capq_fd);
	d->capq_fd = -1;
	pthread_mutex_destroy(&d->capq_lock);
}

/* switch thread: queue the completion, wake the main loop */
static void capture_done(void *opaque, int reason, uint64_t packets,
			 uint64_t dropped)
{
	struct capture *cap = opaque;
	struct mvmd *d = cap->d;
	struct capq_item *it = calloc(1, sizeof(*it));
	uint64_t one = 1;

	if (!it)
		return;	/* the client only misses its event; closing ends it */
	it->serial = cap->serial;
	it->reason = reason;
	it->packets = packets;
	it->dropped = dropped;
	pthread_mutex_lock(&d->capq_lock);
	*d->capq_tail = it;
	d->capq_tail = &it->next;
	pthread_mutex_unlock(&d->capq_lock);
	if (write(d->capq_fd, &one, sizeof(one)) < 0)
		(void)0;	/* counter full: already signalled */
}

int capture_start(struct mvmd *d, struct capture *cap, struct network *n,
		  int fd, const char *filter, uint64_t count,
		  struct ctl_client *c, char *err, size_t errlen)
{
	int ret;

	cap->d = d;
	cap->serial = ++d->capture_serial;
	cap->client = c;
	str_copy(cap->net, sizeof(cap->net), n->name);
	err[0] = '\0';
	ret = vsw_capture_start(n->sw, fd, filter, count, capture_done, cap,
				&cap->id, err, errlen);
	if (ret) {
		if (!err[0])
			snprintf(err, errlen, "cannot start a capture: %s",
				 strerror(-ret));
		return ret;
	}
	cap->active = 1;
	return 0;
}

int capture_counters(struct mvmd *d, const struct capture *cap,
		     uint64_t *packets, uint64_t *dropped)
{
	struct network *n = net_find(d, cap->net);
	struct json_object *st, *caps, *v;
	size_t i;
	int ret = -ENOENT;

	if (!n || !cap->active)
		return -ENOENT;
	st = vsw_stats(n->sw);
	if (st && json_object_object_get_ex(st, "captures", &caps) &&
	    json_object_is_type(caps, json_type_array)) {
		for (i = 0; i < json_object_array_length(caps); i++) {
			struct json_object *e = json_object_array_get_idx(caps, i);

			if (!json_object_object_get_ex(e, "id", &v) ||
			    (unsigned)json_object_get_int64(v) != cap->id)
				continue;
			if (json_object_object_get_ex(e, "packets", &v))
				*packets = (uint64_t)json_object_get_int64(v);
			if (json_object_object_get_ex(e, "dropped", &v))
				*dropped = (uint64_t)json_object_get_int64(v);
			ret = 0;
			break;
		}
	}
	json_object_put(st);
	return ret;
}

void capture_stop(struct mvmd *d, struct capture *cap, uint64_t *packets,
		  uint64_t *dropped)
{
	struct network *n;

	if (!cap->active)
		return;
	if (packets && dropped)
		capture_counters(d, cap, packets, dropped);
	n = net_find(d, cap->net);
	if (n)
		vsw_capture_stop(n->sw, cap->id);
	cap->active = 0;
}

static struct json_object *done_event(uint64_t packets, uint64_t dropped,
				      const char *error)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "event", json_object_new_string("capture.done"));
	json_object_object_add(o, "packets", json_object_new_int64((int64_t)packets));
	json_object_object_add(o, "dropped", json_object_new_int64((int64_t)dropped));
	if (error)
		json_object_object_add(o, "error", json_object_new_string(error));
	return o;
}

static void reason_text(int reason, char *buf, size_t size)
{
	if (reason == -EPIPE)
		snprintf(buf, size, "the reader of the capture went away");
	else
		snprintf(buf, size, "writing the capture failed: %s",
			 strerror(-reason));
}

static void handle_item(struct mvmd *d, const struct capq_item *it)
{
	struct ctl_client *c;
	char why[160];
	size_t i;

	if (it->reason)
		reason_text(it->reason, why, sizeof(why));
	for (c = d->clients; c; c = c->next) {
		if (!c->cap || c->cap->serial != it->serial)
			continue;
		c->cap->active = 0;	/* finished: nothing to stop */
		debug("capture on '%s' done: %llu packets, %llu dropped",
		      c->cap->net, (unsigned long long)it->packets,
		      (unsigned long long)it->dropped);
		ctl_send(c, done_event(it->packets, it->dropped,
				       it->reason ? why : NULL));
		ctl_client_close(d, c);
		return;
	}
	for (i = 0; i < d->n_nets; i++) {
		struct net_pcap *p = d->nets[i]->pcap;

		if (!p || !p->cap.active || p->cap.serial != it->serial)
			continue;
		p->cap.active = 0;
		p->packets = it->packets;
		p->dropped = it->dropped;
		if (it->reason) {
			str_copy(p->error, sizeof(p->error), why);
			err("network '%s': capture to %s stopped: %s",
			    d->nets[i]->name, p->file, why);
		}
		return;
	}
}

void capq_drain(struct mvmd *d)
{
	struct capq_item *list, *it;
	uint64_t v;

	if (read(d->capq_fd, &v, sizeof(v)) < 0)
		(void)0;	/* EAGAIN: spurious wakeup */
	pthread_mutex_lock(&d->capq_lock);
	list = d->capq_head;
	d->capq_head = NULL;
	d->capq_tail = &d->capq_head;
	pthread_mutex_unlock(&d->capq_lock);
	while ((it = list)) {
		list = it->next;
		handle_item(d, it);
		free(it);
	}
}

void capture_end_network(struct mvmd *d, struct network *n, const char *why)
{
	struct ctl_client *c, *next;

	for (c = d->clients; c; c = next) {
		uint64_t packets = 0, dropped = 0;

		next = c->next;
		if (!c->cap || !c->cap->active || strcmp(c->cap->net, n->name))
			continue;
		capture_stop(d, c->cap, &packets, &dropped);
		ctl_send(c, done_event(packets, dropped, why));
		ctl_client_close(d, c);
	}
	if (n->pcap && n->pcap->cap.active)
		capture_stop(d, &n->pcap->cap, &n->pcap->packets,
			     &n->pcap->dropped);
}
