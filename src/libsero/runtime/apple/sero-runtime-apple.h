/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sero-runtime.h"

G_BEGIN_DECLS

#define SERO_TYPE_RUNTIME_APPLE (sero_runtime_apple_get_type ())

G_DECLARE_FINAL_TYPE (SeroRuntimeApple, sero_runtime_apple, SERO, RUNTIME_APPLE, SeroRuntime)

SeroRuntime *sero_runtime_apple_new                 (SeroWorkspace  *workspace,
                                                     const char     *installation_root);
char        *sero_runtime_apple_dup_binary          (void);
gboolean     sero_runtime_apple_check_availability  (GError        **error);

G_END_DECLS
