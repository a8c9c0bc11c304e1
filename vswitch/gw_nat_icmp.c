// SPDX-License-Identifier: MIT
/* gw_nat_icmp.c - ICMP echo via ping sockets (placeholder: being written) */
#include "vswitch/gw_nat.h"
#include "vswitch/gw_priv.h"

bool gw_nat_icmp_input(struct gw *gw, const struct virtio_net_hdr_v1 *vh,
		       const struct frame_eth *eth, const struct frame_ip4 *ip)
{
	(void)gw; (void)vh; (void)eth; (void)ip;
	return false;
}

void gw_nat_icmp_event(struct gw *gw, uint32_t idx, uint32_t events)
{
	(void)gw; (void)idx; (void)events;
}

void gw_nat_icmp_tick(struct gw *gw, uint64_t now_ns)
{
	(void)gw; (void)now_ns;
}

void gw_nat_icmp_free(struct gw *gw)
{
	(void)gw;
}

void gw_nat_unreach(struct gw *gw, const struct frame_eth *eth,
		    const struct frame_ip4 *ip, uint8_t code)
{
	(void)gw; (void)eth; (void)ip; (void)code;
}
