/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

/* With RD_TEST_FAULTS=1 in the environment, an item whose first 4 KiB
 * carry "RD-TEST-FAULT:segv|oom|hang|slow|socket|exec" makes its worker
 * crash, blow its memory limit, hang, dawdle, open a network socket or run
 * a program, as a hostile file could through a C library. */
void rd_test_fault_maybe(GBytes *raw);
