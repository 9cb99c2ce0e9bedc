/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stand-alone `referralctl pages` for the benchmark script and for trying
 * the page reader without the rest of referralctl. */
#include "daemon/ctl/pages.h"

int
main(int argc, char **argv)
{
        return rd_cmd_pages(argc, argv);
}
