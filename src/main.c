/* SPDX-License-Identifier: MIT */
/* main.c: process set-up only. GSL must never abort the process: its errors
 * are checked where they occur. */
#include <gsl/gsl_errno.h>

#include "cli/cli.h"

int
main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    return gp_cli_main(argc, argv);
}
