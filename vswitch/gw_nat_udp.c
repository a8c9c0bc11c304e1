// SPDX-License-Identifier: MIT
/* gw_nat_udp.c - UDP flows on host sockets (placeholder: being written) */
#include "vswitch/gw_nat.h"
#include "vswitch/gw_priv.h"

bool gw_nat_udp_input(struct gw *gw, const struct virtio_net_hdr_v1 *vh,
		      const struct frame_eth *eth, const struct frame_ip4 *ip,
		      const struct frame_l4 *udp)
{
	(void)gw; (void)vh; (void)eth; (void)ip; (void)udp;
	return false;
}

void gw_nat_udp_event(struct gw *gw, struct nat_flow *f, uint32_t events)
{
	(void)gw; (void)f; (void)events;
}

void gw_nat_udp_close(void *gw, struct nat_flow *f)
{
	gw_nat_close(gw, f->host_id);
	f->host_id = -1;
}

void gw_nat_udp_pub_input(struct gw *gw, int fd,
			  const struct sockaddr_in *from, uint32_t guest_ip,
			  uint16_t guest_port, const void *data, size_t len)
{
	(void)gw; (void)fd; (void)from; (void)guest_ip; (void)guest_port;
	(void)data; (void)len;
}

void gw_nat_udp_pub_drop(struct gw *gw, int fd)
{
	(void)gw; (void)fd;
}
