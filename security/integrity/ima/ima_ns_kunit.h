/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the IMA namespace KUnit suites.
 */
#ifndef __IMA_NS_KUNIT_H
#define __IMA_NS_KUNIT_H

#include <kunit/test.h>

struct cred;
struct user_namespace;

struct user_namespace *ima_kunit_new_user_ns(struct kunit *test,
					     struct cred **credp);

#endif /* __IMA_NS_KUNIT_H */
