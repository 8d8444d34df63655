/* SPDX-License-Identifier: MIT */
#ifndef GPUPLAN_TESTS_TESTS_H
#define GPUPLAN_TESTS_TESTS_H
#define GP_TEST(name) void name(void);
#include "tests.def"
#undef GP_TEST
#endif
