/*
 * ring.h - a bounded multi-producer, multi-consumer ring buffer of
 * fixed-size items that lives in memory shared by several processes.
 *
 * Owns: the ring's layout (opaque: callers only size the memory and pass
 * its address) and its protocol. Producers reserve a run of free slots
 * with one compare-and-swap per batch and publish it in reservation order;
 * consumers claim a run of published slots the same way and release it in
 * claim order (head and tail counters per side, as DPDK's rte_ring; ring.c
 * says more). Tickets are 64-bit and only grow, so any capacity works, 1
 * included. A process that finds the ring full or empty
 * spins briefly, then sleeps on a futex in the shared memory (FUTEX_WAIT,
 * not the _PRIVATE variant: the sleepers are other processes). Items of
 * one producer reach each consumer in the order they were put.
 *
 * The memory must be MAP_SHARED, mapped before fork, 64-byte aligned and
 * initialised once with ring_init() before any process uses it.
 */
#ifndef BENCHTOP_RING_H
#define BENCHTOP_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring;

/* Largest item a ring carries, in bytes. */
#define RING_ITEM_MAX 65536u

/* Bytes of memory a ring of `capacity` items of `itemsize` bytes needs
 * (capacity >= 1, 1 <= itemsize <= RING_ITEM_MAX); a multiple of 64. */
size_t ring_bytes(uint64_t capacity, size_t itemsize);

/* Initialise the ring in mem (ring_bytes() bytes, 64-byte aligned) and
 * return it. Only before any process uses the ring. */
struct ring *ring_init(void *mem, uint64_t capacity, size_t itemsize);

/* Put n items (n * itemsize bytes, contiguous) in order, blocking while the
 * ring is full. */
void ring_put(struct ring *r, const void *items, unsigned n);

/* Take between 1 and max items into out (max * itemsize bytes), blocking
 * while the ring is empty. Returns the number taken. */
unsigned ring_get(struct ring *r, void *out, unsigned max);

/* Futex sleeps so far while waiting for space (producers on a full ring,
 * consumers waiting for their turn to release) and for data (consumers on
 * an empty ring, producers waiting for their turn to publish). */
void ring_sleeps(const struct ring *r, uint64_t *space, uint64_t *data);

#endif
