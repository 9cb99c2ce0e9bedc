/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whether this is an AddressSanitizer build. ASan reserves terabytes of
 * address space for its shadow, so RLIMIT_AS cannot bound such a build:
 * the processes that would set it sample their resident size instead. */
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define RD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RD_ASAN 1
#endif
#endif
